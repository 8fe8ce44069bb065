"""How certification facts read on a page: labels and badge colours of the derived states,
cycle kinds and reasons, expiry bases, escalation targets, and a rule's scope in words."""

from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from lms.certification.models import CertificationRule, PersonCertification

STATES = ("assigned", "in_progress", "certified", "due", "expired")
STATE_LABELS = {
    "assigned": _l("Assigned"),
    "in_progress": _l("In progress"),
    "certified": _l("Certified"),
    "due": _l("Renewal due"),
    "expired": _l("Expired"),
}
STATE_BADGES = {
    "assigned": "text-bg-secondary",
    "in_progress": "text-bg-info",
    "certified": "text-bg-success",
    "due": "text-bg-warning",
    "expired": "text-bg-danger",
}
RENEWABLE = ("due", "expired")
KIND_LABELS = {"initial": _l("First certification"), "renewal": _l("Renewal")}
REASON_LABELS = {
    "assigned": _l("Assigned"),
    "window": _l("Renewal window opened"),
    "expired": _l("Expired"),
    "material_change": _l("Course materially changed"),
}
BASE_LABELS = {
    "completion": _l("From completion"),
    "expiry": _l("From the previous expiry"),
    "fixed": _l("Fixed calendar dates"),
}
BASE_HELP = {
    "completion": _l("Valid for the active period from the day the courses are completed."),
    "expiry": _l(
        "Renewed in time, the new period starts at the previous expiry, so renewing early "
        "loses nothing; renewed late or the first time, it starts at completion."
    ),
    "fixed": _l(
        "Expiry falls on one of the fixed dates (e.g. each quarter's first day): the last "
        "one within the active period."
    ),
}
TARGET_LABELS = {"mentor": _l("Mentor"), "supervisor": _l("Team lead"), "hr": _l("HR")}


def state_label(state: str) -> str:
    return str(STATE_LABELS.get(state, state))


def days_text(holder: PersonCertification, today: dt.date) -> str:
    """'Expires in N days', 'Expires today' or 'Expired N days ago'; empty without expiry."""
    days = holder.days_left(today)
    if days is None:
        return ""
    if days > 0:
        return ngettext("Expires in %(num)d day", "Expires in %(num)d days", days)
    if days == 0:
        return _("Expired today")  # expires_on is the first day not valid
    return ngettext("Expired %(num)d day ago", "Expired %(num)d days ago", -days)


def remaining_percent(holder: PersonCertification, today: dt.date) -> int:
    """How much of the current period is left, 0–100, in steps of 5 (for a bar)."""
    if holder.expires_on is None or holder.certified_on is None:
        return 0
    total = (holder.expires_on - holder.certified_on).days
    left = (holder.expires_on - today).days
    if total <= 0 or left <= 0:
        return 0
    return min(100, round(100 * left / total / 5) * 5)


def rule_scope(rule: CertificationRule, lang: str) -> str:
    """Who a rule covers, in words."""
    parts = []
    if rule.post is not None:
        parts.append(_("Post: %(name)s", name=rule.post.display_name(lang)))
    if rule.team is not None:
        parts.append(_("Team: %(name)s", name=rule.team.display_name(lang)))
    if rule.department is not None:
        parts.append(_("Department: %(name)s", name=rule.department.display_name(lang)))
    return " · ".join(parts) if parts else _("Everyone")
