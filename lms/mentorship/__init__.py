"""Mentorship: eligible mentors, matching new hires with them, the onboarding plan
(check-ins, pulse, goals), sign-off and the mentee's rating, and the at-risk signals."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    from lms.mentorship import notices  # noqa: F401 - registers the notification kinds
    from lms.mentorship.presenters import template_globals
    from lms.mentorship.proposals import connect_signals
    from lms.mentorship.views import bp

    connect_signals()
    app.register_blueprint(bp)
    app.jinja_env.globals.update(template_globals())
