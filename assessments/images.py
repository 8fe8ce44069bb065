"""Images in questions: files uploaded to a question version and referenced in its Markdown
as ``![alt](image:filename.png)``.

The bytes live in storage by their SHA-256 (the same checks as lesson attachments); a row
belongs to one version, and a new version carries the rows over, so attempts keep the
images of the version they were given. ``render_stem`` turns ``image:NAME`` into the URL of
``assessments.question_image`` before the usual Markdown rendering and sanitising.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

import sqlalchemy as sa
from flask import g, has_app_context, url_for
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy.orm import joinedload

from assessments.bank import BankError
from assessments.models import QuestionImage, QuestionVersion
from courses.attachments import ATTACHMENT_TYPES, attachment_problem
from courses.markdown import render
from lms.extensions import db
from lms.organisation.models import Employee
from lms.storage import storage

IMAGE_TYPES = {s: t for s, t in ATTACHMENT_TYPES.items() if t.startswith("image/")}
REFERENCE = "image:"
# the destination of a Markdown image: ![alt](image:NAME) or ![alt](<image:NAME>)
_IMAGE_LINK = re.compile(r"(!\[[^\]]*\]\(\s*<?)image:([^\s)>]+)")
_UNSAFE_NAME = re.compile(r"[^\w.\-]+")


def clean_filename(filename: str) -> str:
    """The base name with spaces, brackets and other Markdown-breaking characters as '-'."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    if "." not in name:
        return name
    stem, suffix = name.rsplit(".", 1)
    return _UNSAFE_NAME.sub("-", stem).strip("-.") + "." + _UNSAFE_NAME.sub("", suffix)


def add_image(version: QuestionVersion, filename: str, data: bytes) -> QuestionImage:
    """Store an image for this version; BankError (field "file") when refused."""
    name = clean_filename(filename)
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in IMAGE_TYPES:
        raise BankError(_("Upload an image: PNG, JPEG, GIF or WebP."), "file")
    problem = attachment_problem(name, data)
    if problem:
        raise BankError(problem, "file")
    clash = db.session.scalar(
        sa.select(QuestionImage.id).where(
            QuestionImage.question_version_id == version.id, QuestionImage.filename == name
        )
    )
    if clash is not None:
        raise BankError(_("This question already has an image called %(v)s.", v=name), "file")
    image = QuestionImage(
        question_version_id=version.id,
        filename=name,
        content_type=IMAGE_TYPES[suffix],
        size=len(data),
        sha256=storage().put(data),
    )
    db.session.add(image)
    db.session.flush()
    return image


def remove_image(image: QuestionImage) -> None:
    """The row goes; the bytes stay in storage (other versions may share them)."""
    db.session.delete(image)
    db.session.flush()


def images_of(version_id: int) -> list[QuestionImage]:
    return list(
        db.session.scalars(
            sa.select(QuestionImage)
            .where(QuestionImage.question_version_id == version_id)
            .order_by(QuestionImage.filename)
        )
    )


def copy_images(old_version: QuestionVersion, new_version: QuestionVersion) -> None:
    """Carry the images of a version over to its successor (same bytes, new rows)."""
    for image in images_of(old_version.id):
        db.session.add(
            QuestionImage(
                question_version_id=new_version.id,
                filename=image.filename,
                content_type=image.content_type,
                size=image.size,
                sha256=image.sha256,
            )
        )
    db.session.flush()


# --- rendering ---------------------------------------------------------------------------------


def _cache() -> dict[int, dict[str, int]]:
    if not hasattr(g, "_question_images"):
        g._question_images = {}
    return g._question_images


def preload(versions: Iterable[QuestionVersion]) -> None:
    """Look up, in one statement, the images of the versions whose text mentions one, so
    that ``render_stem`` runs no statement per question."""
    if not has_app_context():
        return
    cache = _cache()
    wanted = {
        v.id
        for v in versions
        if v.id not in cache and REFERENCE in json.dumps(v.definition, ensure_ascii=False)
    }
    _load(wanted)


def _load(version_ids: set[int]) -> None:
    if not version_ids:
        return
    cache = _cache()
    for version_id in version_ids:
        cache.setdefault(version_id, {})
    rows = db.session.execute(
        sa.select(
            QuestionImage.question_version_id, QuestionImage.filename, QuestionImage.id
        ).where(QuestionImage.question_version_id.in_(version_ids))
    )
    for version_id, filename, image_id in rows:
        cache[version_id][filename] = image_id


def resolve(text: str, version_id: int | None) -> str:
    """The Markdown with ``image:NAME`` of this version's images as their URLs; unknown names
    stay as they are (and the sanitiser drops them)."""
    if not text or version_id is None or REFERENCE not in text:
        return text or ""
    if version_id not in _cache():
        _load({version_id})
    known = _cache()[version_id]

    def url(match: re.Match) -> str:
        image_id = known.get(match.group(2))
        if image_id is None:
            return match.group(0)
        link = url_for("assessments.question_image", image_id=image_id, filename=match.group(2))
        return match.group(1) + link

    return _IMAGE_LINK.sub(url, text)


def render_stem(text: str | None, version_id: int | None) -> Markup:
    """A question's Markdown (stem, case, part stem) rendered with its images."""
    return render(resolve(text or "", version_id))


def render_option(text: str | None, version_id: int | None) -> Markup | str:
    """An option's text: plain text (escaped by the template) unless it shows an image,
    then inline Markdown (without the paragraph around it)."""
    if not text or version_id is None or REFERENCE not in text:
        return text or ""
    html = str(render_stem(text, version_id)).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)  # noqa: S704 - sanitised by courses.markdown.render


# --- who may see an image ----------------------------------------------------------------------


def may_see(person: Employee, version_id: int) -> bool:
    """HR and administrators; whoever was given this version in an attempt; whoever may grade
    such an attempt."""
    from assessments.grading import may_grade
    from assessments.models import Attempt, AttemptAnswer

    if person.has_role("hr", "admin"):
        return True
    used = (
        sa.select(Attempt)
        .join(AttemptAnswer, AttemptAnswer.attempt_id == Attempt.id)
        .where(AttemptAnswer.question_version_id == version_id)
    )
    own = db.session.scalar(
        used.where(Attempt.employee_id == person.id).with_only_columns(Attempt.id).limit(1)
    )
    if own is not None:
        return True
    if not person.has_role("mentor", "supervisor"):
        return False
    others = db.session.scalars(
        used.where(Attempt.employee_id != person.id).options(
            joinedload(Attempt.quiz), joinedload(Attempt.employee).joinedload(Employee.team)
        )
    )
    return any(may_grade(person, attempt) for attempt in others)
