from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from lms.accounts.forms import COMMON_TIMEZONES
from lms.forms import MultiCheckboxField, choices
from lms.i18n import LANGUAGE_NAMES
from lms.organisation.models import ROLES

STATUS_CHOICES = [
    ("onboarding", _l("Onboarding")),
    ("active", _l("Active")),
    ("left", _l("Left")),
]
SHIFT_LABELS = {
    "morning": _l("Morning shift (08–16)"),
    "day": _l("Day shift (09–18)"),
    "evening": _l("Evening shift (16–24)"),
    "night": _l("Night shift (00–08)"),
}
ROLE_LABELS = {
    "employee": _l("Employee"),
    "mentor": _l("Mentor"),
    "supervisor": _l("Team lead"),  # the role; "Supervisor" is the person one reports to
    "hr": _l("HR"),
    "admin": _l("Administrator"),
}


class EmployeeForm(FlaskForm):
    employee_no = StringField(_l("Employee number"), validators=[DataRequired(), Length(max=32)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    email = StringField(_l("E-mail"), validators=[Optional(), Length(max=254)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32)])
    hire_date = DateField(_l("Hire date"), validators=[InputRequired()])
    status = SelectField(_l("Status"), choices=choices(STATUS_CHOICES))
    team = SelectField(_l("Team"), choices=[])
    post = SelectField(_l("Post"), choices=[])
    supervisor = StringField(
        _l("Supervisor's employee number"), validators=[Optional(), Length(max=32)]
    )
    username = StringField(_l("Username"), validators=[Optional(), Length(max=64)])
    locale = SelectField(_l("Language"), choices=choices(LANGUAGE_NAMES.items()))
    timezone = SelectField(
        _l("Time zone"),
        choices=choices((tz, tz) for tz in COMMON_TIMEZONES),
        default="Asia/Shanghai",
    )
    shift = SelectField(
        _l("Shift"),
        choices=choices([("", "—"), *SHIFT_LABELS.items()]),
        default="",
        validate_choice=False,  # parsed (and refused when unknown) like the import's column
    )
    on_improvement_plan = BooleanField(_l("On a performance-improvement plan"))
    roles = MultiCheckboxField(_l("Roles"), choices=choices((r, ROLE_LABELS[r]) for r in ROLES))


class ImportForm(FlaskForm):
    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired()])


class DepartmentForm(FlaskForm):
    name = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=100)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=100)])


class TeamForm(FlaskForm):
    name = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=100)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=100)])
    department = SelectField(_l("Department"), coerce=int, choices=[])
    lead = StringField(_l("Team lead's employee number"), validators=[Optional(), Length(max=32)])


class PostForm(FlaskForm):
    title = StringField(_l("Title (Chinese)"), validators=[DataRequired(), Length(max=100)])
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=100)])
    level = IntegerField(
        _l("Level"), default=1, validators=[InputRequired(), NumberRange(min=0, max=20)]
    )
