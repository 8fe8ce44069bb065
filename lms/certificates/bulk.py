"""Many certificates at once: the filters HR and the CLI use, the PDFs that are missing
rendered in a pool of worker processes, zips for download, and the batches the scheduler runs.

The main process reads the rows and writes the HTML; the workers only turn HTML into PDFs and
put them in the storage (they get an HTML string and the storage root, never a database
object). At most one render per worker is in flight, so each has its own deadline
(``CERTIFICATE_RENDER_TIMEOUT``): one that passes it stops the pool and fails the run. The
next certificate's HTML is prepared while the workers render, and progress is committed every
few certificates so a page polling the batch sees it move.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import itertools
import logging
import os
import queue
import re
import tempfile
import time
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.orm import joinedload

from lms import clock
from lms.certificates import documents, render
from lms.certificates.models import (
    Certificate,
    CertificateStatus,
)
from lms.extensions import db
from lms.organisation.models import Employee
from lms.storage import storage

log = logging.getLogger(__name__)

FILTER_KEYS = ("team_id", "course_id", "certification_id", "issued_from", "issued_to", "status")
READ_CHUNK = 500  # certificate ids read per statement
RENDER_CHUNK = 50  # certificates loaded per statement for rendering
SAVE_EVERY = 10  # rendered certificates recorded (and progress committed) per transaction
SAVE_SECONDS = 1.0  # ... or at least this often
NAME_CHARS = 60
Progress = Callable[[int, int], None]  # (done, total)


class FilterError(ValueError):
    """Filters that cannot select certificates; ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- which certificates -----------------------------------------------------------------


def _day(value: Any, key: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise FilterError(_("%(key)s must be a date (YYYY-MM-DD).", key=key)) from None


def clean_filters(filters: dict[str, Any]) -> dict[str, Any]:
    """Filters as stored with a batch (JSON: ids as numbers, dates as ISO strings); empty
    values dropped. Raises FilterError for unknown keys and bad values."""
    unknown = sorted(set(filters) - set(FILTER_KEYS))
    if unknown:
        raise FilterError(_("Unknown filters: %(keys)s.", keys=", ".join(unknown)))
    cleaned: dict[str, Any] = {}
    for key, value in filters.items():
        if value is None or value == "":
            continue
        if key.endswith("_id"):
            number = int(value) if str(value).isdigit() else 0
            if not 0 < number < 2**31:
                raise FilterError(_("%(key)s must be a positive number.", key=key))
            cleaned[key] = number
        elif key.startswith("issued_"):
            cleaned[key] = _day(value, key).isoformat()
        elif value not in {s.value for s in CertificateStatus}:
            raise FilterError(_("status must be valid, expired or revoked."))
        else:
            cleaned[key] = str(value)
    return cleaned


def filtered(filters: dict[str, Any], *, today: dt.date | None = None) -> sa.Select:
    """The ids of the certificates the filters select, oldest first: ``team_id`` (the holder's
    team), ``course_id``, ``certification_id``, ``issued_from``/``issued_to`` (dates,
    inclusive) and ``status`` (valid, expired or revoked on ``today``)."""
    f = clean_filters(filters)
    today = today or clock.today()
    query = sa.select(Certificate.id)
    if "team_id" in f:
        team = sa.select(Employee.id).where(Employee.team_id == f["team_id"])
        query = query.where(Certificate.employee_id.in_(team))
    if "course_id" in f:
        query = query.where(Certificate.course_id == f["course_id"])
    if "certification_id" in f:
        query = query.where(Certificate.certification_id == f["certification_id"])
    if "issued_from" in f:
        query = query.where(Certificate.issued_on >= dt.date.fromisoformat(f["issued_from"]))
    if "issued_to" in f:
        query = query.where(Certificate.issued_on <= dt.date.fromisoformat(f["issued_to"]))
    status = f.get("status")
    expired = sa.and_(Certificate.expires_on.is_not(None), Certificate.expires_on <= today)
    if status == CertificateStatus.REVOKED:
        query = query.where(Certificate.revoked_at.is_not(None))
    elif status == CertificateStatus.EXPIRED:
        query = query.where(Certificate.revoked_at.is_(None), expired)
    elif status == CertificateStatus.VALID:
        query = query.where(Certificate.revoked_at.is_(None), sa.not_(expired))
    return query.order_by(Certificate.issued_on, Certificate.id)


def file_name(serial: str, holder: str) -> str:
    """``<serial>-<holder>.pdf`` with nothing a file system or a zip tool could misread: no
    separators, control or bidi-override characters, at most NAME_CHARS of the name."""
    text = unicodedata.normalize("NFC", holder or "")
    text = "".join(
        "_" if unicodedata.category(ch).startswith("C") or ch in '/\\:*?"<>|' else ch for ch in text
    )
    text = " ".join(text.split()).strip(" ._-")[:NAME_CHARS].strip(" ._-")
    serial = re.sub(r"[^0-9A-Za-z-]", "", serial or "") or "certificate"
    return f"{serial}-{text}.pdf" if text else f"{serial}.pdf"


def worker_count() -> int:
    configured = int(current_app.config["CERTIFICATE_WORKERS"])
    return configured if configured > 0 else (os.cpu_count() or 1)


# --- rendering in a pool --------------------------------------------------------------


def _finished(box: queue.Queue, number: int, ok: bool, value: Any) -> None:
    box.put((number, ok, value))


def render_pool(jobs: Iterator[tuple[Any, str]], *, workers: int) -> Iterator[tuple[Any, str]]:
    """Render ``(tag, html)`` jobs in ``workers`` processes; yields ``(tag, storage key)`` as
    each is done. Raises RenderError (RenderTimeout past a deadline) and stops the pool."""
    config = current_app.config
    timeout = float(config["CERTIFICATE_RENDER_TIMEOUT"])
    args = (str(config["STORAGE_PATH"]), int(config["CERTIFICATE_MAX_BYTES"]))
    box: queue.Queue = queue.Queue()
    numbers = itertools.count()
    running: dict[int, tuple[Any, float]] = {}
    pool = render.process_pool(workers)
    try:
        ahead = next(jobs, None)
        while ahead is not None or running:
            while ahead is not None and len(running) < workers:
                tag, html = ahead
                number = next(numbers)
                running[number] = (tag, time.monotonic() + timeout)
                pool.apply_async(
                    render.store_pdf,
                    (html, *args),
                    callback=functools.partial(_finished, box, number, True),
                    error_callback=functools.partial(_finished, box, number, False),
                )
                ahead = next(jobs, None)  # the next HTML is written while the workers render
            first = min(running, key=lambda n: running[n][1])
            try:
                number, ok, value = box.get(timeout=max(0.0, running[first][1] - time.monotonic()))
            except queue.Empty:
                serial = getattr(running[first][0], "serial", None)
                raise render.timed_out(timeout, serial) from None
            tag, _deadline = running.pop(number)
            if not ok:
                raise (
                    value
                    if isinstance(value, render.RenderError)
                    else render.RenderError(f"{type(value).__name__}: {value}")
                )
            yield tag, value
    finally:
        pool.terminate()
        pool.join()


class Job(NamedTuple):
    id: int
    serial: str
    holder: str
    version: int  # of the design


def render_jobs(ids: Sequence[int]) -> Iterator[tuple[Job, str]]:
    """``(job, html)`` for these certificates: the rows are read a chunk at a time (and the
    transaction ended), the HTML written one at a time, when the next job is asked for."""
    for start in range(0, len(ids), RENDER_CHUNK):
        rows = db.session.scalars(
            sa.select(Certificate)
            .options(joinedload(Certificate.design))
            .where(Certificate.id.in_(ids[start : start + RENDER_CHUNK]))
            .order_by(Certificate.id)
        ).all()
        prepared = [
            (Job(c.id, c.serial, c.holder_name, c.design.version), render.certificate_context(c))
            for c in rows
        ]
        db.session.commit()
        for tag, context in prepared:
            yield tag, render.render_html(context)


def save_rendered(
    rendered: list, *, now: dt.datetime, progress: Progress | None, done: int, total: int
) -> None:
    """Record rendered ``(id, key, version)`` and the progress in one short transaction."""
    with documents.writing():
        documents.record(rendered, now=now, actor=None)
        if progress is not None:
            progress(done, total)
        db.session.commit()
    rendered.clear()


def ensure_pdfs(
    ids: Sequence[int], *, now: dt.datetime, workers: int, progress: Progress | None = None
) -> list[tuple[str, str, str]]:
    """Every listed certificate's PDF in the storage, rendering the missing ones in a pool;
    returns ``(serial, holder name, storage key)`` by serial. Commits as it goes."""
    files = storage()
    entries: dict[int, tuple[str, str, str]] = {}
    missing: list[int] = []
    for start in range(0, len(ids), READ_CHUNK):
        rows = db.session.execute(
            sa.select(
                Certificate.id, Certificate.serial, Certificate.holder_name, Certificate.pdf_key
            ).where(Certificate.id.in_(ids[start : start + READ_CHUNK]))
        )
        for cid, serial, holder, key in rows:
            if key is not None and files.exists(key):
                entries[cid] = (serial, holder, key)
            else:
                missing.append(cid)
    total = len(entries) + len(missing)
    save_rendered([], now=now, progress=progress, done=len(entries), total=total)
    if missing:
        rendered: list[tuple[int, str, int]] = []
        saved = time.monotonic()
        results = render_pool(render_jobs(missing), workers=max(1, min(workers, len(missing))))
        with contextlib.closing(results):
            for (cid, serial, holder, version), key in results:
                entries[cid] = (serial, holder, key)
                rendered.append((cid, key, version))
                if len(rendered) >= SAVE_EVERY or time.monotonic() - saved >= SAVE_SECONDS:
                    save_rendered(
                        rendered, now=now, progress=progress, done=len(entries), total=total
                    )
                    saved = time.monotonic()
        if rendered:
            save_rendered(rendered, now=now, progress=progress, done=len(entries), total=total)
    return sorted(entries.values())


def write_zip(entries: Sequence[tuple[str, str, str]], *, now: dt.datetime) -> str:
    """A zip of these stored PDFs (stored uncompressed: PDFs are compressed already), put in
    the storage; returns its key. Written through a file, never held in memory whole."""
    files = storage()
    stamp = now.timetuple()[:6]
    files.root.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=files.root, suffix=".zip")
    try:
        with os.fdopen(fd, "wb") as handle, zipfile.ZipFile(handle, "w") as archive:
            for serial, holder, key in entries:
                info = zipfile.ZipInfo(file_name(serial, holder), date_time=stamp)
                with archive.open(info, "w") as member, open(files.local_path(key), "rb") as pdf:
                    for block in iter(lambda pdf=pdf: pdf.read(1 << 20), b""):
                        member.write(block)
        return files.put_file(temporary)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


def render_to_directory(
    filters: dict[str, Any], out_dir: str | Path, *, workers: int, progress: Progress | None = None
) -> int:
    """Write the PDFs of the certificates the filters select into a directory (rendering the
    missing ones); returns how many were written."""
    ids = list(db.session.scalars(filtered(filters)))
    entries = ensure_pdfs(ids, now=clock.now(), workers=workers, progress=progress)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    files = storage()
    for serial, holder, key in entries:
        (out / file_name(serial, holder)).write_bytes(files.get(key))
    return len(entries)
