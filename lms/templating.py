"""Jinja helpers shared by every template."""

from __future__ import annotations

from flask import Flask, request, url_for


def combine_args(args: dict, **changes: object) -> dict:
    """Query arguments with some replaced, for sort and page links."""
    merged = {k: v for k, v in args.items() if v not in (None, "")}
    merged.update({k: v for k, v in changes.items() if v is not None})
    return merged


def url_here(**changes: object) -> str:
    """This page's URL (path arguments kept) with some query arguments replaced."""
    args = combine_args(request.args.to_dict(), **changes)
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def init_app(app: Flask) -> None:
    app.jinja_env.filters["combine_args"] = combine_args
    app.jinja_env.globals["url_here"] = url_here
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
