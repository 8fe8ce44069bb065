"""Forms of the certificate pages: HR's design editor with its logo and signature uploads,
revoking, a bulk download's filters, and the design an award uses.

Uploaded images are checked by ``uploads.check_image`` while the form validates, so a bad
file is reported on its field and nothing is saved. Choices are filled in by the views.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from lms.certificates import uploads
from lms.certificates.models import TEMPLATES, CertificateDesign
from lms.certificates.presenters import TEMPLATE_LABELS
from lms.forms import choices

IMAGE_ACCEPT = "image/png,image/jpeg"


class DesignForm(FlaskForm):
    name = StringField(_l("Design name"), validators=[InputRequired(), Length(max=100)])
    template = RadioField(
        _l("Template"),
        choices=choices((t, TEMPLATE_LABELS[t]) for t in TEMPLATES),
        default=TEMPLATES[0],
        validators=[InputRequired()],
    )
    issuer_name = StringField(_l("Issuer (Chinese)"), validators=[InputRequired(), Length(max=200)])
    issuer_name_en = StringField(_l("Issuer (English)"), validators=[Optional(), Length(max=200)])
    signatory_name = StringField(_l("Signatory's name"), validators=[Optional(), Length(max=100)])
    signatory_title = StringField(
        _l("Signatory's title (Chinese)"), validators=[Optional(), Length(max=100)]
    )
    signatory_title_en = StringField(
        _l("Signatory's title (English)"), validators=[Optional(), Length(max=100)]
    )
    bilingual = BooleanField(_l("Print titles in Chinese and English"))
    logo = FileField(_l("Logo"), render_kw={"accept": IMAGE_ACCEPT})
    remove_logo = BooleanField(_l("Remove the logo"))
    signature = FileField(_l("Signature"), render_kw={"accept": IMAGE_ACCEPT})
    remove_signature = BooleanField(_l("Remove the signature"))

    checked: dict[str, uploads.CheckedImage]

    @classmethod
    def initial(cls, design: CertificateDesign | None) -> dict[str, Any]:
        if design is None:
            return {"template": TEMPLATES[0], "bilingual": True}
        return {
            "name": design.name,
            "template": design.template,
            "issuer_name": design.issuer_name,
            "issuer_name_en": design.issuer_name_en or "",
            "signatory_name": design.signatory_name,
            "signatory_title": design.signatory_title,
            "signatory_title_en": design.signatory_title_en or "",
            "bilingual": design.bilingual,
        }

    def _check_upload(self, field: FileField) -> None:
        upload = field.data
        if not upload or not getattr(upload, "filename", None):
            return
        try:
            data = uploads.read_limited(upload.stream)
        finally:
            upload.close()
        try:
            self.checked[field.name] = uploads.check_image(data)
        except uploads.UploadError as error:
            raise ValidationError(str(error)) from error

    def validate_logo(self, field: FileField) -> None:
        self._check_upload(field)

    def validate_signature(self, field: FileField) -> None:
        self._check_upload(field)

    def validate(self, extra_validators=None) -> bool:
        self.checked = {}
        return super().validate(extra_validators)

    def image(self, name: str) -> uploads.CheckedImage | None:
        """The checked upload of ``logo`` or ``signature``, if one was sent."""
        return getattr(self, "checked", {}).get(name)


class RevokeForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason"),
        validators=[InputRequired(_l("Give the reason.")), Length(max=500)],
        render_kw={"rows": 3, "maxlength": 500},
    )
    next = HiddenField()

    def validate_reason(self, field: TextAreaField) -> None:
        if not (field.data or "").strip():
            raise ValidationError(_l("Give the reason."))


class BulkForm(FlaskForm):
    team = SelectField(_l("Team"), choices=[], default="")
    course = SelectField(_l("Course"), choices=[], default="")
    certification = SelectField(_l("Certification"), choices=[], default="")
    issued_from = DateField(_l("Issued from"), validators=[Optional()])
    issued_to = DateField(_l("Issued until"), validators=[Optional()])

    def set_choices(self, team_pairs, course_pairs, certification_pairs, any_label) -> None:
        self.team.choices = choices([("", any_label), *((str(i), t) for i, t in team_pairs)])
        self.course.choices = choices([("", any_label), *((str(i), t) for i, t in course_pairs)])
        self.certification.choices = choices(
            [("", any_label), *((str(i), t) for i, t in certification_pairs)]
        )

    def validate_issued_to(self, field: DateField) -> None:
        start = self.issued_from.data
        if field.data and start and field.data < start:
            raise ValidationError(_l("Choose a date on or after the start."))

    def filters(self) -> dict:
        values = {
            "team_id": int(self.team.data) if self.team.data else None,
            "course_id": int(self.course.data) if self.course.data else None,
            "certification_id": (int(self.certification.data) if self.certification.data else None),
            "issued_from": self.issued_from.data.isoformat() if self.issued_from.data else None,
            "issued_to": self.issued_to.data.isoformat() if self.issued_to.data else None,
        }
        return {k: v for k, v in values.items() if v is not None}


class AwardForm(FlaskForm):
    kind = HiddenField(validators=[InputRequired()])
    subject = HiddenField(validators=[InputRequired()])
    design = SelectField(_l("Design"), choices=[], default="")

    def validate_kind(self, field: HiddenField) -> None:
        if field.data not in ("course", "certification"):
            raise ValidationError(_l("Unknown kind."))

    def validate_subject(self, field: HiddenField) -> None:
        if not str(field.data or "").isdigit():
            raise ValidationError(_l("Unknown course or certification."))
