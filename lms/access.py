"""Declared access: every route says who may reach it, in one decorator.

``public`` — anyone; ``signed_in`` — any signed-in person; ``roles("hr", "admin")`` — people
holding one of those roles; ``api(...)`` — the same for the JSON API, authenticated by bearer
token instead of the session. Per-object checks are methods on the models
(``employee.is_visible_to(user)``); views answer 404 when they fail, so records of other people
are not even confirmed to exist.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Flask, abort, g
from flask_login import current_user

from lms.extensions import login_manager
from lms.organisation.models import ROLES

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Rule:
    audience: str  # "public", "signed_in" or "roles"
    roles: frozenset[str] = frozenset()
    api: bool = False

    def allows(self, user: Any) -> bool:
        if self.audience == "public":
            return True
        if user is None:
            return False
        # A bearer token was verified already (it refuses people who left); the session's
        # is_authenticated also requires a password, which service accounts may not have.
        if not self.api and not user.is_authenticated:
            return False
        return self.audience == "signed_in" or user.has_role(*self.roles)

    def describe(self) -> str:
        kind = "api " if self.api else ""
        if self.audience == "roles":
            return kind + "roles: " + ", ".join(sorted(self.roles))
        return kind + self.audience


PUBLIC = Rule("public")
SIGNED_IN = Rule("signed_in")

# Endpoints registered by Flask itself rather than by our blueprints.
BUILTIN_RULES = {"static": PUBLIC}


def _check_roles(names: tuple[str, ...]) -> frozenset[str]:
    unknown = set(names) - set(ROLES)
    if unknown or not names:
        raise ValueError(f"roles() needs known role names, got {names!r}")
    return frozenset(names)


def _declare(rule: Rule) -> Callable[[F], F]:
    def decorator(view: F) -> F:
        if rule.api:
            from lms.api.auth import authenticate_bearer

            @functools.wraps(view)
            def wrapped(*args: Any, **kwargs: Any) -> Any:
                user = authenticate_bearer()
                if user is None:
                    abort(401)
                if not rule.allows(user):
                    abort(403)
                return view(*args, **kwargs)
        elif rule.audience == "public":
            wrapped = view
        else:

            @functools.wraps(view)
            def wrapped(*args: Any, **kwargs: Any) -> Any:
                if not current_user.is_authenticated:
                    return login_manager.unauthorized()
                if not rule.allows(current_user):
                    abort(403)
                return view(*args, **kwargs)

        wrapped.access_rule = rule  # type: ignore[attr-defined]
        return wrapped  # type: ignore[return-value]

    return decorator


public = _declare(PUBLIC)
signed_in = _declare(SIGNED_IN)


def roles(*names: str) -> Callable[[F], F]:
    return _declare(Rule("roles", _check_roles(names)))


def api(*names: str) -> Callable[[F], F]:
    """A JSON API route; with no names any valid token holder may call it."""
    if names:
        return _declare(Rule("roles", _check_roles(names), api=True))
    return _declare(Rule("signed_in", api=True))


def rule_for(app: Flask, endpoint: str) -> Rule | None:
    if endpoint in BUILTIN_RULES:
        return BUILTIN_RULES[endpoint]
    view = app.view_functions.get(endpoint)
    return getattr(view, "access_rule", None)


def undeclared_endpoints(app: Flask) -> list[str]:
    return sorted(
        rule.endpoint for rule in app.url_map.iter_rules() if rule_for(app, rule.endpoint) is None
    )


def api_user() -> Any:
    return g.get("api_user")
