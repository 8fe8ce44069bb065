"""The course catalogue: tracks, tiers, courses, lessons, curricula, enrolment, progress."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from courses.assignment import connect_signals
    from courses.views import bp

    connect_signals()
    app.register_blueprint(bp)
