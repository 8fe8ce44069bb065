"""How mentorship facts read on a page: labels for kinds and statuses, the words of each
at-risk signal and of each matching reason, in the reader's language."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

KIND_LABELS = {
    "onboarding": _l("Onboarding mentorship"),
    "rotation": _l("Job rotation"),
    "development": _l("Development"),
}
STATUS_LABELS = {
    "proposed": _l("Proposed"),
    "active": _l("Ongoing"),
    "completed": _l("Completed"),
    "ended": _l("Ended early"),
}
GOAL_STATUS_LABELS = {"open": _l("Open"), "done": _l("Done"), "dropped": _l("Dropped")}
CHECK_IN_KIND_LABELS = {
    "planned": _l("Planned"),
    "requested": _l("Requested by the mentee"),
    "extra": _l("Extra"),
}
FACTOR_LABELS = {
    "team": _l("Team"),
    "post": _l("Post"),
    "shift": _l("Shift overlap"),
    "load": _l("Free places"),
    "results": _l("Past mentees' results"),
}
PULSE_LABELS = {
    1: _l("1 · struggling"),
    2: _l("2 · low"),
    3: _l("3 · okay"),
    4: _l("4 · good"),
    5: _l("5 · great"),
}


def signal_text(signal: dict[str, Any]) -> str:
    """One at-risk signal in words."""
    kind = signal.get("signal")
    if kind == "overdue":
        return _(
            "%(count)s course(s) overdue, the oldest by %(days)s days",
            count=signal["count"],
            days=signal["days"],
        )
    if kind == "quiz_failed":
        return _("Failed “%(quiz)s” %(count)s times", quiz=signal["quiz"], count=signal["count"])
    if kind == "no_check_in":
        return _("No check-in for %(days)s days", days=signal["days"])
    if kind == "low_pulse":
        return _("Latest pulse %(pulse)s of 5", pulse=signal["pulse"])
    if kind == "no_login":
        if signal.get("days") is None:
            return _("Has never signed in")
        return _("No sign-in for %(days)s days", days=signal["days"])
    return str(kind)


def signal_label(signal: dict[str, Any]) -> str:
    """A short badge label for a signal."""
    return str(
        {
            "overdue": _l("Overdue"),
            "quiz_failed": _l("Quiz failed twice"),
            "no_check_in": _l("No check-in"),
            "low_pulse": _l("Low pulse"),
            "no_login": _l("Not signing in"),
        }.get(signal.get("signal"), signal.get("signal"))
    )


def reason_text(reason: dict[str, Any]) -> str:
    """Why a factor scored what it did in a proposal."""
    factor = reason.get("factor")
    if factor == "team":
        return str(
            {
                "same_team": _l("Same team"),
                "same_department": _l("Same department"),
                "other_team": _l("Another department"),
            }.get(reason.get("why"), "")
        )
    if factor == "post":
        return str(
            {
                "same_post": _l("Same post"),
                "level_above": _l("One level above the new hire's post"),
                "other_post": _l("Another post"),
            }.get(reason.get("why"), "")
        )
    if factor == "shift":
        return _("Works %(percent)s%% of the new hire's hours", percent=reason.get("percent"))
    if factor == "load":
        return _(
            "%(free)s of %(capacity)s places free",
            free=reason.get("free"),
            capacity=reason.get("capacity"),
        )
    if factor == "results":
        if not reason.get("graded"):
            return _("No results yet (neutral)")
        return _(
            "Mentees passed %(percent)s%% of %(graded)s graded attempts",
            percent=reason.get("percent"),
            graded=reason.get("graded"),
        )
    return ""


def template_globals() -> dict[str, Any]:
    return {
        "mentorship_kind_labels": KIND_LABELS,
        "mentorship_status_labels": STATUS_LABELS,
        "goal_status_labels": GOAL_STATUS_LABELS,
        "check_in_kind_labels": CHECK_IN_KIND_LABELS,
        "factor_labels": FACTOR_LABELS,
        "pulse_labels": PULSE_LABELS,
        "signal_text": signal_text,
        "signal_label": signal_label,
        "reason_text": reason_text,
    }
