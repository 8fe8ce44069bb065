"""Forms of HR's course authoring pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, InputRequired, Length, NumberRange, Optional

from courses.models import Tier
from lms.forms import choices

TIER_LABELS = {
    Tier.FOUNDATION: _l("Foundation"),
    Tier.ADVANCED: _l("Advanced"),
    Tier.LEADERSHIP: _l("Leadership"),
}
COURSE_STATUS_LABELS = {
    "draft": _l("Draft"),
    "published": _l("Published"),
    "archived": _l("Archived"),
}
VERSION_STATUS_LABELS = {
    "draft": _l("Draft"),
    "published": _l("Published"),
    "retired": _l("Retired"),
}
ENROLMENT_STATUS_LABELS = {
    "not_started": _l("Not started"),
    "in_progress": _l("In progress"),
    "completed": _l("Completed"),
    "overdue": _l("Overdue"),
}


class CourseForm(FlaskForm):
    slug = StringField(_l("Slug (used in addresses)"), validators=[DataRequired(), Length(max=80)])
    title = StringField(_l("Title (Chinese)"), validators=[DataRequired(), Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=200)])
    summary = TextAreaField(_l("Summary (Chinese)"), validators=[Optional(), Length(max=5000)])
    summary_en = TextAreaField(_l("Summary (English)"), validators=[Optional(), Length(max=5000)])
    track = SelectField(_l("Track"), coerce=int, choices=[])
    tier = SelectField(
        _l("Tier"),
        coerce=int,
        choices=choices((int(tier), label) for tier, label in TIER_LABELS.items()),
    )
    estimated_minutes = IntegerField(
        _l("Estimated minutes"),
        default=30,
        validators=[InputRequired(), NumberRange(min=0, max=10000)],
    )
    self_enrolment = BooleanField(_l("Learners may enrol themselves"), default=True)
    prerequisites = SelectMultipleField(_l("Courses to complete first"), coerce=int, choices=[])
    default_prerequisites = BooleanField(
        _l("Also require the published courses of the tier below in the same track"),
        default=True,
    )


class ModuleForm(FlaskForm):
    title = StringField(_l("Title (Chinese)"), validators=[DataRequired(), Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=200)])


class LessonForm(FlaskForm):
    key = StringField(
        _l("Key (stays the same across versions)"), validators=[DataRequired(), Length(max=64)]
    )
    title = StringField(_l("Title (Chinese)"), validators=[DataRequired(), Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=200)])
    minutes = IntegerField(
        _l("Minutes"), default=10, validators=[InputRequired(), NumberRange(min=0, max=600)]
    )
    required = BooleanField(_l("Required for completion"), default=True)
    video_url = StringField(
        _l("Video address (optional)"), validators=[Optional(), Length(max=500)]
    )
    body = TextAreaField(_l("Text (Markdown)"), validators=[Length(max=200_000)])


class AttachmentForm(FlaskForm):
    file = FileField(_l("File"), validators=[FileRequired()])


class PublishForm(FlaskForm):
    change_note = TextAreaField(
        _l("Note for this version (optional)"), validators=[Optional(), Length(max=2000)]
    )


class MoveForm(FlaskForm):
    direction = HiddenField(validators=[AnyOf(["up", "down"])])
