"""The scheduler process: periodic sweeps over due rows, run by ``lms scheduler`` (one leader
per deployment), and the administrator's jobs page. The web app never runs the timetable;
it only offers "Run now"."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The jobs page (no scheduler is started here)."""
    from lms.scheduler.views import bp

    app.register_blueprint(bp)
