"""A certificate's PDF: rendered once, kept in the storage by content hash, served from there.

A design change leaves stored PDFs alone (``is_stale`` tells them apart) until someone asks for
a re-render. Rendering runs outside any database transaction: the rows are read, the
transaction ends, the PDF is rendered in a worker process, and the new key is written and
committed in a short transaction of its own, so a download (a GET) can render too, and no
lock is held while WeasyPrint works.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from lms.certificates import render
from lms.certificates.models import Certificate, CertificateDesign, CertificateEvent
from lms.db import write_intent
from lms.extensions import db
from lms.storage import storage

RENDERED = "rendered"
CHUNK = 20  # certificates rendered between two commits of a re-render


def is_stale(certificate: Certificate) -> bool:
    """Whether the stored PDF was rendered with an older version of the design (a certificate
    without a PDF is not stale: its first render uses the current design)."""
    return (
        certificate.pdf_key is not None
        and certificate.rendered_version != certificate.design.version
    )


def stale_ids(design_id: int | None = None) -> sa.Select:
    """The ids of the certificates whose stored PDF is stale, optionally of one design."""
    query = (
        sa.select(Certificate.id)
        .join(CertificateDesign, CertificateDesign.id == Certificate.design_id)
        .where(
            Certificate.pdf_key.is_not(None),
            sa.or_(
                Certificate.rendered_version.is_(None),
                Certificate.rendered_version != CertificateDesign.version,
            ),
        )
        .order_by(Certificate.id)
    )
    return query if design_id is None else query.where(Certificate.design_id == design_id)


@contextlib.contextmanager
def writing() -> Iterator[None]:
    """Transactions begun inside take SQLite's write lock up front (see ``lms.db``)."""
    token = write_intent.set(True)
    try:
        yield
    finally:
        write_intent.reset(token)


def record(rendered: Sequence[tuple[int, str, int]], *, now: dt.datetime, actor: Any) -> None:
    """Write rendered PDFs' keys and their audit events, set-wise: ``(id, key, version)``."""
    if not rendered:
        return
    db.session.execute(
        sa.update(Certificate),
        [
            {"id": cid, "pdf_key": key, "rendered_version": version, "rendered_at": now}
            for cid, key, version in rendered
        ],
    )
    actor_id = getattr(actor, "id", None)
    db.session.execute(
        sa.insert(CertificateEvent),
        [
            {
                "certificate_id": cid,
                "action": RENDERED,
                "actor_id": actor_id,
                "detail": f"design version {version}",
                "at": now,
            }
            for cid, _key, version in rendered
        ],
    )


def _render(
    certificates: Sequence[Certificate], *, now: dt.datetime, actor: Any
) -> dict[int, bytes]:
    """Render, store and record these certificates' PDFs; commits. Returns id → PDF."""
    jobs = [(c.id, c.design.version, render.certificate_context(c)) for c in certificates]
    db.session.commit()  # no transaction (nor lock) is held while the worker renders
    pdfs: dict[int, bytes] = {}
    rendered = []
    files = storage()
    for cid, version, context in jobs:
        pdf = render.html_to_pdf(render.render_html(context))
        rendered.append((cid, files.put(pdf), version))
        pdfs[cid] = pdf
    with writing():
        record(rendered, now=now, actor=actor)
        db.session.commit()
    return pdfs


def pdf_bytes(certificate: Certificate, *, now: dt.datetime) -> bytes:
    """The certificate's stored PDF; rendered, stored and committed first when there is none
    (or its file is gone). Raises ``render.RenderError`` when it cannot be rendered."""
    if certificate.pdf_key is not None:
        with contextlib.suppress(FileNotFoundError):
            return storage().get(certificate.pdf_key)
    cid = certificate.id
    return _render([certificate], now=now, actor=None)[cid]


def rerender(certificates: Sequence[Certificate], *, now: dt.datetime, actor: Any = None) -> int:
    """Render these certificates again with their design as it is now (after a design
    change); commits every few certificates. Returns how many were rendered."""
    ids = [c.id for c in certificates]
    done = 0
    for start in range(0, len(ids), CHUNK):
        chunk = db.session.scalars(
            sa.select(Certificate)
            .options(joinedload(Certificate.design))
            .where(Certificate.id.in_(ids[start : start + CHUNK]))
            .order_by(Certificate.id)
        ).all()
        done += len(_render(chunk, now=now, actor=actor))
    return done
