"""Forms of HR's training pages: assignment, enrolment rules and curricula.

Selects that may stay empty carry string values ("" for none); the views turn them into ids.
Their choices are filled in by the views with ``lms.forms.choices``.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from lms.forms import choices

EMPLOYEE_STATUS_CHOICES = [
    ("", _l("Anyone who has not left")),
    ("onboarding", _l("Onboarding")),
    ("active", _l("Active")),
]
DUE_BASIS_CHOICES = [
    ("", _l("No due date (a curriculum uses its own due period)")),
    ("hire", _l("Days after the hire date")),
    ("enrolment", _l("Days after enrolment")),
]


class AssignForm(FlaskForm):
    course = SelectField(_l("Course"), choices=[], default="")
    curriculum = SelectField(_l("Curriculum"), choices=[], default="")
    employees = TextAreaField(
        _l("Employee numbers"),
        validators=[Optional(), Length(max=60000)],
        render_kw={"rows": 4},
    )
    team = SelectField(_l("Team"), choices=[], default="")
    post = SelectField(_l("Post"), choices=[], default="")
    department = SelectField(_l("Department"), choices=[], default="")
    due_on = DateField(_l("Due date"), validators=[Optional()])


class RuleForm(FlaskForm):
    name = StringField(_l("Rule name"), validators=[DataRequired(), Length(max=200)])
    course = SelectField(_l("Course"), choices=[], default="")
    curriculum = SelectField(_l("Curriculum"), choices=[], default="")
    post = SelectField(_l("Post"), choices=[], default="")
    team = SelectField(_l("Team"), choices=[], default="")
    department = SelectField(_l("Department"), choices=[], default="")
    employee_status = SelectField(
        _l("Status"), choices=choices(EMPLOYEE_STATUS_CHOICES), default=""
    )
    due_basis = SelectField(_l("Due"), choices=choices(DUE_BASIS_CHOICES), default="")
    due_days = IntegerField(
        _l("Days"), validators=[Optional(), NumberRange(min=0, max=3650)], render_kw={"min": 0}
    )

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.due_basis.data and self.due_days.data is None:
            self.due_days.errors.append(_l("Give the number of days."))
            return False
        if not self.due_basis.data and self.due_days.data is not None:
            self.due_basis.errors.append(_l("Choose what the days count from."))
            return False
        return True


class CurriculumForm(FlaskForm):
    slug = StringField(_l("Slug"), validators=[DataRequired(), Length(max=80)])
    title = StringField(_l("Title (Chinese)"), validators=[DataRequired(), Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=200)])
    summary = TextAreaField(
        _l("Summary (Chinese)"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 3}
    )
    summary_en = TextAreaField(
        _l("Summary (English)"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 3}
    )
    due_days = IntegerField(
        _l("Due period (days)"),
        default=30,
        validators=[Optional()],
        render_kw={"min": 1, "max": 3650},
    )
    course_slugs = TextAreaField(
        _l("Courses, in order"),
        validators=[Optional(), Length(max=20000)],
        render_kw={"rows": 6, "spellcheck": "false"},
    )
