"""Forms of the mentor's and the new hire's pages: check-ins, goals, the pulse, asking for a
check-in and rating a mentorship."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from lms import clock
from lms.forms import ConfirmForm, choices
from lms.mentorship.presenters import GOAL_STATUS_LABELS, PULSE_LABELS

MAX_TEXT = 10_000


def optional_int(value: object) -> int | None:
    """A select's value as a number, or None for the empty choice."""
    if value is None or value == "":
        return None
    return int(value)  # type: ignore[arg-type]


def _pulse_choices(empty: bool) -> list:
    pairs = [(str(n), label) for n, label in PULSE_LABELS.items()]
    return choices([("", "—"), *pairs] if empty else pairs)


class CheckInForm(FlaskForm):
    held_on = DateField(_l("Held on"), validators=[InputRequired()], default=clock.today)
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=MAX_TEXT)])
    actions = TextAreaField(_l("Agreed actions"), validators=[Optional(), Length(max=MAX_TEXT)])
    pulse = SelectField(
        _l("Pulse — the mentee's own answer to “How are you doing?”"),
        choices=_pulse_choices(empty=True),
        coerce=optional_int,
        default="",
    )


class GoalForm(FlaskForm):
    title = StringField(_l("Goal"), validators=[DataRequired(), Length(max=200)])
    due_on = DateField(_l("Due on"), validators=[Optional()])


class GoalStatusForm(FlaskForm):
    status = SelectField(
        _l("Status"), choices=choices(GOAL_STATUS_LABELS.items()), validators=[InputRequired()]
    )


class PulseForm(FlaskForm):
    pulse = SelectField(
        _l("How are you doing? 1-5"),
        choices=_pulse_choices(empty=False),
        coerce=optional_int,
        validators=[InputRequired()],
    )


class RequestCheckInForm(FlaskForm):
    note = TextAreaField(
        _l("What would you like to talk about? (optional)"),
        validators=[Optional(), Length(max=1000)],
    )


class RatingForm(FlaskForm):
    rating = SelectField(
        _l("Your rating"),
        choices=choices([("", "—"), *((str(n), str(n)) for n in range(1, 6))]),
        coerce=optional_int,
        validators=[InputRequired()],
    )
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=2000)])


FORMS: dict[str, type[FlaskForm]] = {
    "check_in": CheckInForm,
    "goal": GoalForm,
    "goal_status": GoalStatusForm,
    "sign_off": ConfirmForm,
    "pulse": PulseForm,
    "request": RequestCheckInForm,
    "rate": RatingForm,
}


class PageForms:
    """The forms of a page with many small forms: the one just posted (with its errors) for
    the object it was posted for, a fresh one anywhere else. Templates call
    ``forms("goal", mentorship.id)``."""

    def __init__(self, kind: str | None = None, key: int | None = None, form=None) -> None:
        self.posted = (kind, key)
        self.form = form

    def __call__(self, kind: str, key: int | None = None) -> FlaskForm:
        if self.form is not None and self.posted == (kind, key):
            return self.form
        return FORMS[kind](formdata=None)

    def stray_errors(self, shown: set[tuple[str, int]]) -> list[str]:
        """The posted form's messages when the page no longer shows that form (the state
        changed meanwhile, or the post named something the page never offered)."""
        if self.form is None or self.posted in shown:
            return []
        return [str(e) for errors in self.form.errors.values() for e in errors]
