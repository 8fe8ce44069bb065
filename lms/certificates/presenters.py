"""How certificate facts read on a page: status labels and badge colours, the templates HR
picks from, audit trail actions, batch states, the QR code as an image and the name a
downloaded file gets."""

from __future__ import annotations

import base64
import re

from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from lms.certificates.models import Certificate

STATUSES = ("valid", "expired", "revoked")
STATUS_LABELS = {"valid": _l("Valid"), "expired": _l("Expired"), "revoked": _l("Revoked")}
STATUS_BADGES = {
    "valid": "text-bg-success",
    "expired": "text-bg-warning",
    "revoked": "text-bg-danger",
}
TEMPLATE_LABELS = {"classic": _l("Classic"), "modern": _l("Modern")}
TEMPLATE_HELP = {
    "classic": _l(
        "Formal, centred and framed with a double border, serif titles; suits course "
        "completions and anything printed and put on a wall."
    ),
    "modern": _l(
        "Clean and left-aligned with a coloured band, sans-serif type; suits certifications "
        "shown on screen and shared online."
    ),
}
EVENT_LABELS = {
    "issued": _l("Issued"),
    "rendered": _l("Rendered"),
    "rerendered": _l("Re-rendered"),
    "revoked": _l("Revoked"),
    "expiry": _l("Expiry brought forward"),
    "reinstated": _l("Reinstated"),
    "downloaded": _l("Downloaded"),
}
BATCH_LABELS = {
    "pending": _l("Waiting for the scheduler"),
    "running": _l("Rendering"),
    "done": _l("Ready"),
    "failed": _l("Failed"),
}
BATCH_BADGES = {
    "pending": "text-bg-secondary",
    "running": "text-bg-info",
    "done": "text-bg-success",
    "failed": "text-bg-danger",
}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def event_label(action: str) -> str:
    return str(EVENT_LABELS.get(action, action))


def sized_svg(svg: str, px: int, label: str) -> Markup:
    """Inline SVG markup (a QR code with a viewBox and no size) at ``px`` square, announced
    as one image with ``label``."""
    attributes = f'<svg width="{px}" height="{px}" role="img" aria-label="{escape(label)}" '
    return Markup(str(svg).replace("<svg ", attributes, 1))  # noqa: S704 - escaped above


def image_data_url(data: bytes, mime_type: str) -> str:
    return f"data:{mime_type};base64," + base64.b64encode(data).decode("ascii")


def pdf_filename(certificate: Certificate) -> str:
    """``certificate-2026-000123.pdf``: ASCII only, whatever the title or name."""
    return f"certificate-{_UNSAFE.sub('-', certificate.serial).strip('-.') or 'document'}.pdf"


def percent_step(percent: int) -> int:
    """A percentage rounded down to a step of 5 (the CSS has a width class per step)."""
    return min(100, max(0, int(percent) // 5 * 5))
