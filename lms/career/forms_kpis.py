"""Forms of HR's KPI pages: the upload, the confirmation of a previewed file and the metric
definition editor."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import FloatField, HiddenField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp

from lms.forms import choices

DIRECTION_LABELS = {"higher": _l("Higher is better"), "lower": _l("Lower is better")}
AGGREGATE_LABELS = {"mean": _l("Average of the months"), "sum": _l("Total of the months")}


class KpiUploadForm(FlaskForm):
    file = FileField(_l("CSV or XLSX file"), validators=[FileRequired()])


class KpiConfirmForm(FlaskForm):
    """Carries the stored upload to the confirmation: its storage key and its file name."""

    key = HiddenField(validators=[DataRequired(), Regexp(r"^[0-9a-f]{64}$")])
    filename = HiddenField(validators=[DataRequired(), Length(max=255)])


class MetricForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=32)],
        description=_l("The import column and API key: lowercase letters, digits and '_'."),
    )
    name = StringField(_l("Name (Chinese)"), validators=[DataRequired(), Length(max=100)])
    name_en = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=100)])
    unit = StringField(
        _l("Unit"),
        validators=[Optional(), Length(max=16)],
        description=_l("For example %, s or min; leave empty for a count or a score."),
    )
    direction = SelectField(
        _l("Direction"), choices=choices(DIRECTION_LABELS.items()), default="higher"
    )
    min_value = FloatField(_l("Lowest allowed value"), validators=[Optional()])
    max_value = FloatField(_l("Highest allowed value"), validators=[Optional()])
    decimals = IntegerField(
        _l("Decimals"), default=1, validators=[InputRequired(), NumberRange(min=0, max=4)]
    )
    aggregate = SelectField(
        _l("Over several months"), choices=choices(AGGREGATE_LABELS.items()), default="mean"
    )

    def values(self) -> dict:
        return {
            "code": self.code.data,
            "name": self.name.data,
            "name_en": self.name_en.data,
            "unit": self.unit.data,
            "higher_is_better": self.direction.data == "higher",
            "min_value": self.min_value.data,
            "max_value": self.max_value.data,
            "decimals": self.decimals.data,
            "aggregate": self.aggregate.data,
        }
