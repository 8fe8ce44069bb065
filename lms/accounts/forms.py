from __future__ import annotations

import zoneinfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, NumberRange

from lms.forms import choices
from lms.i18n import LANGUAGE_NAMES

COMMON_TIMEZONES = sorted(
    tz for tz in zoneinfo.available_timezones() if tz.startswith(("Asia/", "Europe/", "America/"))
) + ["UTC"]


class LoginForm(FlaskForm):
    login = StringField(
        _l("Username or employee number"), validators=[DataRequired(), Length(max=64)]
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=256)])
    next = HiddenField()


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()])
    new = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=256)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("new", message=_l("The two passwords differ."))],
    )


class PreferencesForm(FlaskForm):
    locale = SelectField(_l("Language"), choices=choices(LANGUAGE_NAMES.items()))
    timezone = SelectField(_l("Time zone"), choices=choices((tz, tz) for tz in COMMON_TIMEZONES))


class TokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=100)])
    days = IntegerField(
        _l("Valid for (days)"),
        default=365,
        validators=[InputRequired(), NumberRange(min=1, max=3650)],
    )


class LanguageForm(FlaskForm):
    lang = SelectField(choices=choices(LANGUAGE_NAMES.items()))
    next = HiddenField()
