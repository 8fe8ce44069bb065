"""Certifications and recertification: what must be held, for how long, renewal windows,
expiry, reminders and escalation, and the history of every cycle."""

from __future__ import annotations

from flask import Flask


def _on_people_changed(_sender: object, *, employee_ids: list[int], now) -> None:
    from lms.certification.services import apply_rules_to

    apply_rules_to(employee_ids, now=now)


def connect_signals() -> None:
    from lms.organisation import events

    for signal in (
        events.employees_created,
        events.employees_post_changed,
        events.employees_status_changed,
    ):
        signal.connect(_on_people_changed, weak=False)


def init_app(app: Flask) -> None:
    from courses import enrolment, prerequisites
    from lms.certification import notices  # noqa: F401 - registers the notification kinds
    from lms.certification.prerequisites import missing_certifications
    from lms.certification.renewal import on_course_completed
    from lms.certification.views import bp

    if on_course_completed not in enrolment.course_completed_hooks:
        enrolment.course_completed_hooks.append(on_course_completed)
    if missing_certifications not in prerequisites.extra_requirements:
        prerequisites.extra_requirements.append(missing_certifications)
    connect_signals()
    app.register_blueprint(bp)
