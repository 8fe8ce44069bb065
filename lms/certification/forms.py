"""Forms of the certification pages: HR's certification editor, rules, assignment by
employee number and required recertification.

Ranges and cross-field rules are checked by ``services.validate`` (the single source of
truth); these forms only turn text into values. Choices are filled in by the views.
"""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    Field,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError
from wtforms.widgets import TextInput

from lms import clock
from lms.certification.models import DEFAULT_REMINDERS, ESCALATION_TARGETS, Certification
from lms.certification.presenters import BASE_LABELS, TARGET_LABELS
from lms.certification.services import CertificationData
from lms.forms import MultiCheckboxField, choices

_SEPARATORS = re.compile(r"[,，、;；\s]+")
_SIGNED = re.compile(r"^[-+−]?\d{1,4}$")
ESCALATION_ROWS = 3


def _parts(valuelist: list[Any]) -> list[str]:
    return [p for p in _SEPARATORS.split(str(valuelist[0] if valuelist else "").strip()) if p]


class SignedDaysField(Field):
    """Whole days, negative allowed, separated by commas ("-14, -7, -1, 1")."""

    widget = TextInput()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return ", ".join(str(day) for day in self.data or [])

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        parts = _parts(valuelist)
        self.data = []
        if not all(_SIGNED.match(p) for p in parts):
            raise ValueError(_l("Write whole days separated by commas, e.g. -14, -7, -1, 1."))
        self.data = sorted({int(p.replace("−", "-")) for p in parts})


class MonthDayListField(Field):
    """Calendar dates without a year separated by commas ("01-01, 04-01"); checked by the
    service, which names the one that is wrong."""

    widget = TextInput()

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return ", ".join(self.data or [])

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist:
            self.data = _parts(valuelist)


class EscalationStepForm(Form):
    to = SelectField(
        _l("Notify"),
        choices=choices([("", "—"), *((t, TARGET_LABELS[t]) for t in ESCALATION_TARGETS)]),
        default="",
    )
    days = IntegerField(_l("Days relative to expiry"), validators=[Optional()])


def _number(label: Any) -> IntegerField:
    return IntegerField(label, validators=[InputRequired()])


class CertificationForm(FlaskForm):
    slug = StringField(_l("Code"), validators=[InputRequired(), Length(max=80)])
    title = StringField(_l("Title (Chinese)"), validators=[InputRequired(), Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=200)])
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 3}
    )
    active_months = _number(_l("Active period (months)"))
    window_days = _number(_l("Renewal window (days before expiry)"))
    expiry_base = RadioField(
        _l("Expiry counted"), choices=choices(BASE_LABELS.items()), default="expiry"
    )
    fixed_dates = MonthDayListField(_l("Fixed dates"))
    min_active_days = _number(_l("Minimum active days"))
    initial_due_days = _number(_l("First certification due (days after assignment)"))
    reminder_days = SignedDaysField(_l("Reminders (days relative to expiry)"))
    escalation = FieldList(
        FormField(EscalationStepForm), min_entries=ESCALATION_ROWS, max_entries=ESCALATION_ROWS
    )
    initial_course_ids = MultiCheckboxField(_l("Courses to certify"), coerce=int)
    renewal_course_ids = MultiCheckboxField(_l("Courses to renew (none: the same)"), coerce=int)
    gated_course_ids = MultiCheckboxField(_l("Courses that require this certification"), coerce=int)
    active = BooleanField(_l("Active (assigns, reminds and escalates)"))
    confirmed = HiddenField()  # the window length whose effect was previewed

    @classmethod
    def initial(cls, certification: Certification | None, gated: list[int]) -> dict[str, Any]:
        if certification is None:
            return {
                "active_months": 12,
                "window_days": 30,
                "expiry_base": "expiry",
                "min_active_days": 0,
                "initial_due_days": 30,
                "reminder_days": list(DEFAULT_REMINDERS),
                "escalation": [],
                "active": True,
            }
        c = certification
        return {
            "slug": c.slug,
            "title": c.title,
            "title_en": c.title_en or "",
            "description": c.description,
            "active_months": c.active_months,
            "window_days": c.window_days,
            "expiry_base": str(c.expiry_base),
            "fixed_dates": list(c.fixed_dates or []),
            "min_active_days": c.min_active_days,
            "initial_due_days": c.initial_due_days,
            "reminder_days": list(c.reminder_days or []),
            "escalation": [dict(step) for step in c.escalation or []],
            "initial_course_ids": [x.course_id for x in c.courses if x.role == "initial"],
            "renewal_course_ids": [x.course_id for x in c.courses if x.role == "renewal"],
            "gated_course_ids": gated,
            "active": c.active,
        }

    def set_course_choices(self, pairs: list[tuple[int, str]]) -> None:
        for name in ("initial_course_ids", "renewal_course_ids", "gated_course_ids"):
            self[name].choices = choices(pairs)

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for entry in self.escalation:
            if entry.form.to.data and entry.form.days.data is None:
                entry.form.days.errors = [*entry.form.days.errors, _l("Give the days.")]
                valid = False
        return valid

    def certification_data(self) -> CertificationData:
        return CertificationData(
            slug=(self.slug.data or "").strip(),
            title=self.title.data or "",
            title_en=self.title_en.data or None,
            description=(self.description.data or "").strip(),
            active_months=self.active_months.data,
            window_days=self.window_days.data,
            expiry_base=self.expiry_base.data,
            fixed_dates=list(self.fixed_dates.data or []),
            min_active_days=self.min_active_days.data,
            initial_due_days=self.initial_due_days.data,
            reminder_days=list(self.reminder_days.data or []),
            escalation=[
                {"to": e.form.to.data, "days": e.form.days.data}
                for e in self.escalation
                if e.form.to.data
            ],
            initial_course_ids=list(self.initial_course_ids.data or []),
            renewal_course_ids=list(self.renewal_course_ids.data or []),
            gated_course_ids=list(self.gated_course_ids.data or []),
            active=bool(self.active.data),
        )


class RuleForm(FlaskForm):
    post = SelectField(_l("Post"), choices=[], default="")
    team = SelectField(_l("Team"), choices=[], default="")
    department = SelectField(_l("Department"), choices=[], default="")
    everyone = BooleanField(_l("Everyone (when no post, team or department is chosen)"))


class AssignForm(FlaskForm):
    employees = TextAreaField(
        _l("Employee numbers"),
        validators=[InputRequired(), Length(max=60000)],
        render_kw={"rows": 3},
    )


class RecertifyForm(FlaskForm):
    course = SelectField(_l("Changed course"), choices=[], validators=[InputRequired()])
    by = DateField(_l("Recertify by"), validators=[InputRequired()])

    def validate_by(self, field: DateField) -> None:
        if field.data is not None and field.data <= clock.today():
            raise ValidationError(_l("Choose a date after today."))
