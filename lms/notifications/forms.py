"""Forms of the notification pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField
from wtforms.validators import InputRequired

from lms.forms import choices

EMAIL_CHOICES = [
    ("immediate", _l("Immediately: one email for each notification")),
    ("digest", _l("Once a day: one email listing what is new")),
    ("off", _l("Never: I read them in the app")),
]


class PreferencesForm(FlaskForm):
    email = RadioField(_l("Email"), choices=choices(EMAIL_CHOICES), validators=[InputRequired()])
