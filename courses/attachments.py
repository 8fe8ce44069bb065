"""Lesson attachments: PDF, images and office files, checked for type, size and that the
content matches the extension, stored once by their SHA-256 (``lms.storage``)."""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext as _

from courses.models import Attachment, Lesson
from courses.services import CatalogueError, check_editable
from lms.extensions import db
from lms.storage import storage

ATTACHMENT_TYPES = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".ppt": "application/vnd.ms-powerpoint",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
# What the first bytes of each kind must look like, so a renamed script is refused.
_MAGIC = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
    ".webp": (b"RIFF",),
    ".doc": (b"\xd0\xcf\x11\xe0",),
    ".xls": (b"\xd0\xcf\x11\xe0",),
    ".ppt": (b"\xd0\xcf\x11\xe0",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".pptx": (b"PK\x03\x04",),
}


def attachment_problem(filename: str, data: bytes) -> str | None:
    """Why a file cannot be attached (type, size, content matching its extension), or None.
    Uploads and course packages both go by these rules."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if not name or len(name) > 200 or suffix not in ATTACHMENT_TYPES:
        return _(
            "Attach PDF, images (PNG, JPEG, GIF, WebP) or office files (Word, Excel, PowerPoint)."
        )
    limit = current_app.config["ATTACHMENT_MAX_MB"]
    if len(data) > limit * 1024 * 1024:
        return _("The file is larger than %(n)d MB.", n=limit)
    if not data.startswith(_MAGIC[suffix]):
        return _("The file's content does not match its %(s)s extension.", s=suffix)
    return None


def add_attachment(lesson: Lesson, filename: str, data: bytes) -> Attachment:
    check_editable(lesson.module.version)
    problem = attachment_problem(filename, data)
    if problem:
        raise CatalogueError(problem, "file")
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    suffix = "." + name.rsplit(".", 1)[-1].lower()
    if any(a.filename == name for a in lesson.attachments):
        raise CatalogueError(_("This lesson already has a file called %(v)s.", v=name), "file")
    attachment = Attachment(
        filename=name,
        content_type=ATTACHMENT_TYPES[suffix],
        size=len(data),
        sha256=storage().put(data),
    )
    lesson.attachments.append(attachment)
    db.session.flush()
    return attachment


def remove_attachment(attachment: Attachment) -> None:
    lesson = attachment.lesson
    check_editable(lesson.module.version)
    lesson.attachments.remove(attachment)
    db.session.flush()
