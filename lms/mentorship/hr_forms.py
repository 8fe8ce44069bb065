"""Forms of HR's mentorship pages: the rules, a mentor's capacity, assigning and ending.

The per-row forms of the board and the eligibility list are written out in the templates
(one small form per row); these classes validate what they post.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, Field, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import TextInput

from lms.mentorship.matching import FACTORS
from lms.mentorship.models import MentorshipSettings

MAX_CHECK_INS = 20
_SEPARATORS = re.compile(r"[,，、;；\s]+")


class DayListField(Field):
    """Whole days separated by commas ("7, 30, 60, 90"); the data is a list of ints."""

    widget = TextInput()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return ", ".join(str(day) for day in self.data or [])

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        parts = [p for p in _SEPARATORS.split(str(valuelist[0]).strip()) if p]
        if not parts or not all(p.isdigit() for p in parts):
            self.data = []
            raise ValueError(_l("Write whole days separated by commas, e.g. 7, 30, 60, 90."))
        days = sorted({int(p) for p in parts})
        if days[0] < 1:
            self.data = days
            raise ValueError(_l("Check-in days start at day 1."))
        if len(days) > MAX_CHECK_INS:
            self.data = days
            raise ValueError(_l("At most %(n)d check-ins.", n=MAX_CHECK_INS))
        self.data = days


def _weight(label: Any) -> IntegerField:
    return IntegerField(
        label,
        validators=[InputRequired(), NumberRange(min=0, max=100)],
        render_kw={"min": 0, "max": 100},
    )


class SettingsForm(FlaskForm):
    min_tenure_months = IntegerField(
        _l("Minimum tenure (months)"),
        validators=[InputRequired(), NumberRange(min=0, max=240)],
        render_kw={"min": 0, "max": 240},
    )
    required_course = SelectField(_l("Required course"), choices=[], default="")
    default_capacity = IntegerField(
        _l("Default capacity (mentees per mentor)"),
        validators=[InputRequired(), NumberRange(min=0, max=50)],
        render_kw={"min": 0, "max": 50},
    )
    auto_assign = BooleanField(_l("Assign the best mentor at once (no proposal to review)"))
    onboarding_days = IntegerField(
        _l("Onboarding length (days)"),
        validators=[InputRequired(), NumberRange(min=7, max=730)],
        render_kw={"min": 7, "max": 730},
    )
    checkin_days = DayListField(_l("Check-in days"))
    weight_team = _weight(_l("Team"))
    weight_post = _weight(_l("Post"))
    weight_shift = _weight(_l("Shift overlap"))
    weight_load = _weight(_l("Free places"))
    weight_results = _weight(_l("Past mentees' results"))

    @classmethod
    def initial(cls, rules: MentorshipSettings) -> dict[str, Any]:
        """The form's values from the stored rules."""
        data: dict[str, Any] = {
            "min_tenure_months": rules.min_tenure_months,
            "required_course": str(rules.required_course_id or ""),
            "default_capacity": rules.default_capacity,
            "auto_assign": rules.auto_assign,
            "onboarding_days": rules.onboarding_days,
            "checkin_days": list(rules.checkin_days or []),
        }
        for name in FACTORS:
            data[f"weight_{name}"] = (rules.weights or {}).get(name, 0)
        return data

    def values(self) -> dict[str, Any]:
        """What ``services.save_settings`` takes."""
        course = self.required_course.data or ""
        return {
            "min_tenure_months": self.min_tenure_months.data,
            "required_course_id": int(course) if course.isdigit() else None,
            "default_capacity": self.default_capacity.data,
            "auto_assign": bool(self.auto_assign.data),
            "onboarding_days": self.onboarding_days.data,
            "checkin_days": list(self.checkin_days.data or []),
            "weights": {name: self[f"weight_{name}"].data for name in FACTORS},
        }

    def weight_fields(self) -> list[Field]:
        return [self[f"weight_{name}"] for name in FACTORS]


class CapacityForm(FlaskForm):
    """A mentor's own capacity; the "reset" button returns them to the default."""

    capacity = IntegerField(_l("Own capacity"), validators=[Optional(), NumberRange(0, 50)])


class AssignForm(FlaskForm):
    """HR's choice of mentor for a new hire (overriding any proposal)."""

    mentee = StringField(_l("New hire"), validators=[DataRequired(), Length(max=32)])
    mentor = IntegerField(_l("Mentor"), validators=[InputRequired()])


class EndForm(FlaskForm):
    reason = StringField(_l("Reason"), validators=[Optional(), Length(max=2000)])
