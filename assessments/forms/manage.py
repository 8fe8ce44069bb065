"""Forms of HR's quiz pages: settings, slots, per-person overrides.

Times are entered as ``datetime-local`` values in the HR user's own time zone and stored in
UTC: the fields carry the zone (``zoneinfo``), so their data is aware and converts with
``astimezone``.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FloatField,
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from assessments.models import (
    DEFAULT_REVIEW,
    REVIEW_ITEMS,
    REVIEW_PHASES,
    GradingMethod,
    OverduePolicy,
    Quiz,
)
from assessments.quizzes import QuizSettings
from courses.models import Course
from lms.forms import MultiCheckboxField, choices

QUIZ_STATUS_LABELS = {
    "draft": _l("Draft"),
    "published": _l("Published"),
    "archived": _l("Archived"),
}
ATTEMPT_STATE_LABELS = {
    "in_progress": _l("In progress"),
    "submitted": _l("Submitted"),
    "needs_grading": _l("Needs grading"),
    "graded": _l("Graded"),
    "abandoned": _l("Abandoned"),
}
OVERDUE_LABELS = {
    OverduePolicy.AUTOSUBMIT: _l("Submit automatically what was saved"),
    OverduePolicy.GRACE: _l("Allow a grace period to submit, then abandon"),
    OverduePolicy.ABANDON: _l("Abandon the attempt (no grade)"),
}
GRADING_LABELS = {
    GradingMethod.HIGHEST: _l("Highest grade"),
    GradingMethod.AVERAGE: _l("Average grade"),
    GradingMethod.FIRST: _l("First attempt"),
    GradingMethod.LAST: _l("Last attempt"),
}
GRADER_LABELS = {
    "mentor": _l("A mentor of the learner's team"),
    "supervisor": _l("The learner's team lead (supervisor)"),
    "hr": _l("HR"),
}
REVIEW_PHASE_LABELS = {
    "during": _l("During the attempt"),
    "immediately": _l("Immediately after"),
    "open": _l("Later, while the quiz is open"),
    "closed": _l("After the quiz closes"),
}
REVIEW_ITEM_LABELS = {
    "marks": _l("Marks"),
    "right_answers": _l("Right answers"),
    "feedback": _l("Feedback"),
}
# The review codes of assessments.statistics.flags in plain language, with a colour.
FLAG_LABELS = {
    "too_easy": (_l("too easy"), "warning"),
    "too_hard": (_l("too hard"), "warning"),
    "does_not_discriminate": (_l("does not discriminate"), "warning"),
    "negative_discrimination": (_l("negative discrimination — check the key"), "danger"),
    "high_guess_score": (_l("a random guess scores high"), "info"),
    "not_answered": (_l("nobody answered"), "secondary"),
}

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


def user_zone() -> ZoneInfo:
    """The signed-in person's time zone (the site's default when unknown)."""
    names = (getattr(current_user, "timezone", None), current_app.config["BABEL_DEFAULT_TIMEZONE"])
    for name in names:
        try:
            return ZoneInfo(name) if name else ZoneInfo("UTC")
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return ZoneInfo("UTC")


def to_utc(value: dt.datetime | None) -> dt.datetime | None:
    return value.astimezone(dt.UTC) if value is not None else None


def _local_time(label) -> DateTimeLocalField:
    return DateTimeLocalField(label, format=DATETIME_FORMATS, tz=user_zone, validators=[Optional()])


def review_value(phase: str, item: str) -> str:
    return f"{phase}.{item}"


class QuizSettingsForm(FlaskForm):
    title = StringField(_l("Title (Chinese)"), validators=[DataRequired(), Length(max=200)])
    title_en = StringField(_l("Title (English)"), validators=[Optional(), Length(max=200)])
    intro = TextAreaField(_l("Introduction (Markdown)"), validators=[Length(max=20_000)])
    pass_percent = FloatField(
        _l("Pass mark (%)"), default=80.0, validators=[InputRequired(), NumberRange(0, 100)]
    )
    time_limit_minutes = IntegerField(
        _l("Time limit (minutes)"), validators=[Optional(), NumberRange(1, 100_000)]
    )
    overdue_policy = SelectField(
        _l("When time is up"),
        choices=choices((str(k), v) for k, v in OVERDUE_LABELS.items()),
        default=str(OverduePolicy.AUTOSUBMIT),
    )
    grace_minutes = IntegerField(
        _l("Grace period (minutes)"), validators=[Optional(), NumberRange(0, 100_000)]
    )
    open_at = _local_time(_l("Opens"))
    close_at = _local_time(_l("Closes"))
    attempts_allowed = IntegerField(
        _l("Attempts allowed (0 = unlimited)"),
        default=0,
        validators=[InputRequired(), NumberRange(0, 1000)],
    )
    min_delay_minutes = IntegerField(
        _l("Minimum wait between attempts (minutes)"),
        default=0,
        validators=[InputRequired(), NumberRange(0, 100_000)],
    )
    grading_method = SelectField(
        _l("Grade of a person with several attempts"),
        choices=choices((str(k), v) for k, v in GRADING_LABELS.items()),
        default=str(GradingMethod.HIGHEST),
    )
    shuffle_questions = BooleanField(_l("Shuffle the questions"))
    shuffle_options = BooleanField(_l("Shuffle the options of each question"), default=True)
    review = MultiCheckboxField(
        _l("What learners may review"),
        choices=choices(
            (review_value(phase, item), f"{REVIEW_PHASE_LABELS[phase]}: {REVIEW_ITEM_LABELS[item]}")
            for phase in REVIEW_PHASES
            for item in REVIEW_ITEMS
        ),
        default=[
            review_value(phase, item) for phase, items in DEFAULT_REVIEW.items() for item in items
        ],
    )
    grader_role = SelectField(
        _l("Who grades essays"),
        choices=choices(GRADER_LABELS.items()),
        default="mentor",
    )
    placement = SelectField(_l("Where it sits (at the end of a lesson or of a course)"), choices=[])

    def load(self, quiz: Quiz) -> None:
        """Fill the form from a quiz (on GET)."""
        self.title.data, self.title_en.data, self.intro.data = (
            quiz.title,
            quiz.title_en,
            quiz.intro,
        )
        self.pass_percent.data = quiz.pass_percent
        self.time_limit_minutes.data = (
            quiz.time_limit_seconds // 60 if quiz.time_limit_seconds else None
        )
        self.overdue_policy.data = str(quiz.overdue_policy)
        self.grace_minutes.data = quiz.grace_seconds // 60 if quiz.grace_seconds else None
        self.open_at.data, self.close_at.data = quiz.open_at, quiz.close_at
        self.attempts_allowed.data = quiz.attempts_allowed
        self.min_delay_minutes.data = quiz.min_delay_seconds // 60
        self.grading_method.data = str(quiz.grading_method)
        self.shuffle_questions.data = quiz.shuffle_questions
        self.shuffle_options.data = quiz.shuffle_options
        self.review.data = [
            review_value(phase, item)
            for phase in REVIEW_PHASES
            for item in (quiz.review or {}).get(phase, [])
        ]
        self.grader_role.data = quiz.grader_role
        self.placement.data = placement_value(quiz.course_id, quiz.lesson_key)

    def settings(self, course: Course | None, lesson_key: str | None) -> QuizSettings:
        """The quiz settings the form describes (times in UTC)."""
        review: dict[str, list[str]] = {phase: [] for phase in REVIEW_PHASES}
        for value in self.review.data or []:
            phase, _dot, item = value.partition(".")
            review[phase].append(item)
        return QuizSettings(
            title=self.title.data or "",
            title_en=(self.title_en.data or "").strip() or None,
            intro=self.intro.data or "",
            pass_percent=float(self.pass_percent.data),
            time_limit_seconds=(
                self.time_limit_minutes.data * 60 if self.time_limit_minutes.data else None
            ),
            overdue_policy=OverduePolicy(self.overdue_policy.data),
            grace_seconds=(self.grace_minutes.data or 0) * 60,
            open_at=to_utc(self.open_at.data),
            close_at=to_utc(self.close_at.data),
            attempts_allowed=self.attempts_allowed.data or 0,
            min_delay_seconds=(self.min_delay_minutes.data or 0) * 60,
            grading_method=GradingMethod(self.grading_method.data),
            shuffle_questions=bool(self.shuffle_questions.data),
            shuffle_options=bool(self.shuffle_options.data),
            review=review,
            grader_role=self.grader_role.data,
            course=course,
            lesson_key=lesson_key,
        )


# Service error fields (QuizError.field) -> form fields.
SETTINGS_FIELDS = {
    "title": "title",
    "pass_percent": "pass_percent",
    "time_limit": "time_limit_minutes",
    "attempts": "attempts_allowed",
    "grace": "grace_minutes",
    "close_at": "close_at",
    "grader_role": "grader_role",
    "review": "review",
    "lesson_key": "placement",
}


END_OF_COURSE = "@end"  # a placement value's "lesson" for a course's final quiz


def placement_value(course_id: int | None, lesson_key: str | None) -> str:
    if not course_id:
        return ""
    return f"{course_id}:{lesson_key or END_OF_COURSE}"


def parse_placement(value: str | None) -> tuple[int | None, str | None]:
    """(course id, lesson key) — the key is None for the end of the course."""
    course_id, _colon, key = (value or "").partition(":")
    if not course_id.isdigit() or not key:
        return None, None
    return int(course_id), None if key == END_OF_COURSE else key


class FixedSlotForm(FlaskForm):
    question_id = HiddenField(validators=[DataRequired()])
    marks = FloatField(_l("Marks"), default=1.0, validators=[InputRequired(), NumberRange(0, 1000)])


class RandomSlotForm(FlaskForm):
    category = SelectField(_l("Category"), coerce=int, choices=[])
    count = IntegerField(
        _l("Number of questions"), default=1, validators=[InputRequired(), NumberRange(1, 200)]
    )
    marks = FloatField(
        _l("Marks for each"), default=1.0, validators=[InputRequired(), NumberRange(0, 1000)]
    )
    include_subcategories = BooleanField(_l("Include subcategories"), default=True)


class OverrideForm(FlaskForm):
    employee_no = StringField(_l("Employee number"), validators=[DataRequired(), Length(max=32)])
    extra_minutes = IntegerField(
        _l("Extra time (minutes)"), validators=[Optional(), NumberRange(1, 100_000)]
    )
    attempts_allowed = IntegerField(
        _l("Attempts allowed (0 = unlimited)"), validators=[Optional(), NumberRange(0, 1000)]
    )
    close_at = _local_time(_l("Closes for this person"))
