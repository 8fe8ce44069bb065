"""Forms of the career pages: the target post, goals, career conversations and endorsements.

The buttons that only change state (create the learning plan, mark a goal done, delete it,
withdraw an endorsement) use ``lms.forms.ConfirmForm``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from lms import clock
from lms.career.models import GoalHorizon
from lms.career.plans import MAX_COMMENT, MAX_GOAL
from lms.forms import ConfirmForm, choices

MAX_TEXT = 10_000


def optional_int(value: object) -> int | None:
    """A select's value as a number, or None for the empty choice (or anything not a number,
    which the choices then refuse)."""
    if value is None or value == "":
        return None
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return -1


def horizon_labels() -> dict[str, str]:
    return {GoalHorizon.SHORT.value: _l("Short-term"), GoalHorizon.LONG.value: _l("Long-term")}


class TargetForm(FlaskForm):
    """Choices are the posts reachable in one step, set by the view."""

    target = SelectField(_l("Target post"), coerce=optional_int, validate_choice=True)


class GoalForm(FlaskForm):
    horizon = SelectField(
        _l("Time frame"),
        choices=choices(horizon_labels().items()),
        default=GoalHorizon.SHORT.value,
        validators=[InputRequired()],
    )
    text = StringField(_l("Goal"), validators=[DataRequired(), Length(max=MAX_GOAL)])
    due_on = DateField(_l("Due on"), validators=[Optional()])


class ConversationForm(FlaskForm):
    held_on = DateField(_l("Held on"), validators=[InputRequired()], default=clock.today)
    notes = TextAreaField(_l("Notes"), validators=[DataRequired(), Length(max=MAX_TEXT)])
    next_steps = TextAreaField(_l("Next steps"), validators=[Optional(), Length(max=MAX_TEXT)])


class EndorseForm(FlaskForm):
    step = HiddenField(validators=[InputRequired()])
    comment = StringField(
        _l("Comment (optional)"), validators=[Optional(), Length(max=MAX_COMMENT)]
    )
    next = HiddenField()


class WithdrawForm(FlaskForm):
    step = HiddenField(validators=[InputRequired()])
    next = HiddenField()


FORMS: dict[str, type[FlaskForm]] = {
    "target": TargetForm,
    "goal": GoalForm,
    "conversation": ConversationForm,
    "endorse": EndorseForm,
    "withdraw": WithdrawForm,
    "confirm": ConfirmForm,
}


class PageForms:
    """The forms of the career page: the one just posted (with its errors) where it was
    posted, a fresh one anywhere else. Templates call ``forms("goal")``."""

    def __init__(self, kind: str | None = None, form: FlaskForm | None = None) -> None:
        self.posted = kind if form is not None else None
        self._forms: dict[str, FlaskForm] = {kind: form} if kind and form is not None else {}

    def __call__(self, kind: str) -> FlaskForm:
        if kind not in self._forms:
            self._forms[kind] = FORMS[kind](formdata=None)
        return self._forms[kind]
