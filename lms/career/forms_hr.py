"""Forms of HR's career pages: ladders, steps, requirements and posts; promotion proposals
and decisions; job rotations and their evaluation.

The services check the rules (the single source of truth); these forms only turn text into
values. Select choices are filled in by the views; ids travel as text ("" for none).
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional

from lms.career.ladder_labels import ENDORSER_LABELS, REQUIREMENT_KIND_LABELS, STEP_KIND_LABELS
from lms.career.models import (
    CareerLadder,
    CareerStep,
    Endorser,
    RequirementKind,
    StepKind,
    StepRequirement,
)
from lms.forms import choices
from lms.organisation.models import Post


def as_id(value: Any) -> int | None:
    text = str(value or "").strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else None


class LadderForm(FlaskForm):
    name = StringField(_l("Name (Chinese)"), validators=[InputRequired(), Length(max=100)])
    name_en = StringField(_l("Name (English)"), validators=[Optional(), Length(max=100)])
    description = TextAreaField(
        _l("Description (Chinese)"), validators=[Optional(), Length(max=5000)]
    )
    description_en = TextAreaField(
        _l("Description (English)"), validators=[Optional(), Length(max=5000)]
    )

    @staticmethod
    def initial(ladder: CareerLadder | None) -> dict[str, Any]:
        if ladder is None:
            return {}
        return {
            "name": ladder.name,
            "name_en": ladder.name_en or "",
            "description": ladder.description or "",
            "description_en": ladder.description_en or "",
        }


class StepForm(FlaskForm):
    from_post = SelectField(_l("From post"), validators=[InputRequired()])
    to_post = SelectField(_l("To post"), validators=[InputRequired()])
    kind = SelectField(
        _l("Kind of step"),
        choices=choices((k.value, STEP_KIND_LABELS[k]) for k in StepKind),
        default=StepKind.PROMOTION.value,
    )

    def set_posts(self, posts: list[Post], lang: str) -> None:
        labelled = [("", "—")] + [
            (str(p.id), f"{p.display_name(lang)} (L{p.level})") for p in posts
        ]
        self.from_post.choices = choices(labelled)
        self.to_post.choices = choices(labelled)

    @staticmethod
    def initial(step: CareerStep | None) -> dict[str, Any]:
        if step is None:
            return {}
        return {
            "from_post": str(step.from_post_id),
            "to_post": str(step.to_post_id),
            "kind": str(step.kind),
        }


class RequirementForm(FlaskForm):
    kind = SelectField(
        _l("Kind of requirement"),
        choices=choices((k.value, REQUIREMENT_KIND_LABELS[k]) for k in RequirementKind),
        default=RequirementKind.COURSE.value,
    )
    course = SelectField(_l("Course"), validate_choice=False)
    certification = SelectField(_l("Certification"), validate_choice=False)
    metric = SelectField(_l("KPI"), validate_choice=False)
    months = IntegerField(_l("Months"), validators=[Optional()])
    threshold = FloatField(_l("Threshold"), validators=[Optional()])
    count = IntegerField(_l("How many"), validators=[Optional()])
    endorser = SelectField(
        _l("Endorsed by"),
        choices=choices([("", "—")] + [(e.value, ENDORSER_LABELS[e]) for e in Endorser]),
        validate_choice=False,
    )

    def set_choices(
        self,
        courses: list[tuple[int, str]],
        certifications: list[tuple[int, str]],
        metrics: list[tuple[int, str]],
    ) -> None:
        self.course.choices = choices([("", "—")] + [(str(i), label) for i, label in courses])
        self.certification.choices = choices(
            [("", "—")] + [(str(i), label) for i, label in certifications]
        )
        self.metric.choices = choices([("", "—")] + [(str(i), label) for i, label in metrics])

    @staticmethod
    def initial(requirement: StepRequirement | None) -> dict[str, Any]:
        if requirement is None:
            return {}
        return {
            "kind": str(requirement.kind),
            "course": str(requirement.course_id or ""),
            "certification": str(requirement.certification_id or ""),
            "metric": str(requirement.metric_id or ""),
            "months": requirement.months,
            "threshold": requirement.threshold,
            "count": requirement.count,
            "endorser": str(requirement.endorser or ""),
        }


class PostForm(FlaskForm):
    description = TextAreaField(
        _l("Responsibilities (Chinese)"), validators=[Optional(), Length(max=5000)]
    )
    description_en = TextAreaField(
        _l("Responsibilities (English)"), validators=[Optional(), Length(max=5000)]
    )
    is_key = BooleanField(_l("Key post: HR keeps a succession slate for it"))


class MoveForm(FlaskForm):
    direction = HiddenField(default="up")

    @property
    def offset(self) -> int:
        return 1 if self.direction.data == "down" else -1


# --- promotions --------------------------------------------------------------------------------


class ProposeForm(FlaskForm):
    step = RadioField(_l("Step"), validators=[InputRequired(message=_l("Choose a step."))])
    rationale = TextAreaField(
        _l("Why is this person ready?"), validators=[InputRequired(), Length(max=5000)]
    )


class ApproveForm(FlaskForm):
    effective_on = DateField(_l("Effective from"), validators=[InputRequired()])
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), Length(max=2000)])


class RejectForm(FlaskForm):
    note = TextAreaField(_l("Why not now?"), validators=[InputRequired(), Length(max=2000)])


# --- rotations ---------------------------------------------------------------------------------


class RotationForm(FlaskForm):
    employee_no = StringField(
        _l("Employee number of the person rotating"),
        validators=[InputRequired(), Length(max=32)],
    )
    host_team = SelectField(_l("Host team"))
    host_post = SelectField(_l("Host post"))
    host_supervisor_no = StringField(
        _l("Employee number of the host supervisor"),
        validators=[InputRequired(), Length(max=32)],
    )
    starts_on = DateField(_l("First day"), validators=[InputRequired()])
    ends_on = DateField(_l("Last day"), validators=[InputRequired()])
    objectives = TextAreaField(_l("Objectives"), validators=[InputRequired(), Length(max=5000)])

    def set_choices(self, teams: list[tuple[int, str]], posts: list[tuple[int, str]]) -> None:
        self.host_team.choices = choices([("", "—")] + [(str(i), label) for i, label in teams])
        self.host_post.choices = choices([("", "—")] + [(str(i), label) for i, label in posts])


RATINGS = [(str(n), str(n)) for n in range(1, 6)]


class EvaluationForm(FlaskForm):
    rating = RadioField(
        _l("Rating (1 = far below expectations, 5 = far above)"),
        choices=choices(RATINGS),
        validators=[InputRequired(message=_l("Give a rating from 1 to 5."))],
    )
    passed = RadioField(
        _l("Passed?"),
        choices=choices([("yes", _l("Passed")), ("no", _l("Not passed"))]),
        validators=[InputRequired(message=_l("Say whether the rotation was passed."))],
    )
    evaluation = TextAreaField(_l("Evaluation"), validators=[InputRequired(), Length(max=5000)])
