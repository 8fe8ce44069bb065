"""The grader's form: one radio group per rubric criterion, or a marks input; a comment.

The form class is built for the question at hand (``grade_form``): the rubric's criteria
become fields ``criterion_0``, ``criterion_1``… whose values are the levels' points.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import FloatField, RadioField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from lms.forms import choices


def points_value(points: float) -> str:
    return f"{float(points):g}"


class GradeForm(FlaskForm):
    comment = TextAreaField(
        _l("Comment for the learner"), validators=[Optional(), Length(max=5000)]
    )

    criteria: list[dict[str, Any]] = []

    def criterion_fields(self) -> list[tuple[dict[str, Any], RadioField]]:
        return [(c, self[f"criterion_{i}"]) for i, c in enumerate(self.criteria)]

    def rubric_scores(self) -> dict[str, float]:
        return {c["id"]: float(f.data) for c, f in self.criterion_fields()}


def grade_form(rubric: dict | None, maximum: float, locale: str) -> GradeForm:
    """A form for this question: the rubric's criteria, or marks from 0 to ``maximum``."""

    class Form(GradeForm):
        pass

    criteria = list((rubric or {}).get("criteria") or [])
    Form.criteria = criteria
    for index, criterion in enumerate(criteria):
        name = (criterion.get("name_en") if locale == "en" else None) or criterion["name"]
        setattr(
            Form,
            f"criterion_{index}",
            RadioField(
                name,
                choices=choices(
                    (points_value(level["points"]), level["descriptor"])
                    for level in criterion["levels"]
                ),
                validators=[InputRequired(message=_l("Choose a level for this criterion."))],
            ),
        )
    if not criteria:
        most = f"{maximum:g}"
        Form.marks = FloatField(
            _l("Marks (0 to %(max)s)", max=most),
            validators=[
                InputRequired(),
                NumberRange(0, maximum, message=_l("Give a mark between 0 and %(max)s.", max=most)),
            ],
        )
    return Form()
