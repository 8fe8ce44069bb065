"""Bulk downloads HR asks for: a batch records the filters, the scheduler's sweep claims it
(one guarded UPDATE, so two schedulers never run one twice), renders what is missing through
``bulk`` in a pool of worker processes, commits progress as it goes for the page that polls it,
and stores the zip."""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from lms import clock
from lms.certificates import documents
from lms.certificates.bulk import clean_filters, ensure_pdfs, filtered, worker_count, write_zip
from lms.certificates.models import BatchStatus, CertificateBatch
from lms.extensions import db
from lms.storage import storage

log = logging.getLogger(__name__)

# A batch still "running" this long after it started was left by a scheduler that stopped:
# another run takes it over (stored PDFs are kept, so only what is missing renders again).
ABANDONED_AFTER = dt.timedelta(hours=2)


def create_batch(filters: dict[str, Any], *, actor: Any, now: dt.datetime) -> CertificateBatch:
    """A bulk download to be rendered by the scheduler; ``total`` counts the certificates the
    filters select now (the run counts again). Raises FilterError for bad filters."""
    cleaned = clean_filters(filters)
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(filtered(cleaned).order_by(None).subquery())
    )
    batch = CertificateBatch(filters=cleaned, status=BatchStatus.PENDING, total=total or 0)
    batch.requested_by_id, batch.done, batch.created_at = getattr(actor, "id", None), 0, now
    db.session.add(batch)
    db.session.flush()
    return batch


def _set(batch_id: int, **values: Any) -> int:
    result = db.session.execute(
        sa.update(CertificateBatch)
        .where(CertificateBatch.id == batch_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def _claimable(now: dt.datetime) -> sa.ColumnElement[bool]:
    """Pending, or left running by a scheduler that stopped (killed or restarted) mid-run."""
    return sa.or_(
        CertificateBatch.status == BatchStatus.PENDING,
        sa.and_(
            CertificateBatch.status == BatchStatus.RUNNING,
            CertificateBatch.started_at < now - ABANDONED_AFTER,
        ),
    )


def _claim(batch_id: int, now: dt.datetime) -> bool:
    """Take a claimable batch: one guarded UPDATE, so only one scheduler ever runs it."""
    with documents.writing():
        claimed = db.session.execute(
            sa.update(CertificateBatch)
            .where(CertificateBatch.id == batch_id, _claimable(now))
            .values(status=BatchStatus.RUNNING, started_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
        db.session.commit()
    return claimed == 1


def _run(batch_id: int, now: dt.datetime) -> None:
    filters = db.session.scalar(
        sa.select(CertificateBatch.filters).where(CertificateBatch.id == batch_id)
    )
    try:
        ids = list(db.session.scalars(filtered(filters or {}, today=now.date())))
        with documents.writing():
            _set(batch_id, total=len(ids), done=0)
            db.session.commit()

        def progress(done: int, total: int) -> None:
            _set(batch_id, done=done)

        entries = ensure_pdfs(ids, now=now, workers=worker_count(), progress=progress)
        key = write_zip(entries, now=now)
        with documents.writing():
            _set(
                batch_id,
                status=BatchStatus.DONE,
                zip_key=key,
                done=len(ids),
                finished_at=clock.now(),
            )
            db.session.commit()
    except Exception as error:
        db.session.rollback()
        log.exception("certificate batch %s failed", batch_id)
        message = getattr(error, "message", None) or f"{type(error).__name__}: {error}"
        with documents.writing():
            _set(batch_id, status=BatchStatus.FAILED, error=message[:500], finished_at=clock.now())
            db.session.commit()


def run_pending_batches(now: dt.datetime) -> int:
    """The scheduler's sweep: run every pending batch this process manages to claim, oldest
    first; returns how many it ran (done or failed)."""
    pending = list(
        db.session.scalars(
            sa.select(CertificateBatch.id)
            .where(_claimable(now))
            .order_by(CertificateBatch.created_at, CertificateBatch.id)
        )
    )
    db.session.commit()
    ran = 0
    for batch_id in pending:
        if _claim(batch_id, now):
            _run(batch_id, now)
            ran += 1
    return ran


def batch_json(batch: CertificateBatch) -> dict[str, Any]:
    """A batch's state for a page that polls it."""
    status = BatchStatus(batch.status)
    total, done = batch.total or 0, batch.done or 0
    percent = min(99, done * 100 // total) if total else 0  # 100 once the zip is written
    return {
        "id": batch.id,
        "status": status.value,
        "total": total,
        "done": done,
        "percent": 100 if status == BatchStatus.DONE else percent,
        "ready": status == BatchStatus.DONE and batch.zip_key is not None,
        "error": batch.error if status == BatchStatus.FAILED else None,
    }


def zip_path(batch: CertificateBatch) -> Path:
    """Where the finished zip of a batch lies (for streaming it). Raises LookupError while it
    is not ready, FileNotFoundError when the file is gone."""
    if BatchStatus(batch.status) != BatchStatus.DONE or batch.zip_key is None:
        raise LookupError(_("This download is not ready yet."))
    path = storage().local_path(batch.zip_key)
    if not path.exists():
        raise FileNotFoundError(path)
    return path


def zip_bytes(batch: CertificateBatch) -> bytes:
    """The finished zip of a batch. Raises LookupError while it is not ready."""
    return zip_path(batch).read_bytes()
