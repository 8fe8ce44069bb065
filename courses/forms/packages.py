"""Forms of the course package pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import SelectField

from lms.forms import choices

MODES = [
    ("publish", _l("Publish the imported courses")),
    ("draft", _l("Import as drafts (publish them later)")),
]


class PackageImportForm(FlaskForm):
    file = FileField(
        _l("Course package (.zip)"),
        validators=[FileRequired(), FileAllowed(["zip"], _l("Upload a .zip file."))],
    )
    mode = SelectField(_l("After import"), choices=choices(MODES), default="publish")
