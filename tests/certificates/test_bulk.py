"""Bulk downloads: which certificates the filters select, safe file names, a batch that renders
the missing PDFs in a pool of workers and zips them with its progress committed as it goes,
exactly one run per batch however many schedulers sweep, and failures recorded on the batch."""

from __future__ import annotations

import datetime as dt
import io
import threading
import zipfile

import pytest
import sqlalchemy as sa

from lms import clock
from lms.certificates import batches, bulk, render
from lms.certificates.models import BatchStatus, CertificateBatch, CertificateEvent
from lms.extensions import db
from lms.storage import storage
from tests.certificates.conftest import days

NOW = dt.datetime(2026, 5, 20, 3, 0, tzinfo=dt.UTC)
TODAY = NOW.date()


def stored(certificate) -> bytes:
    """Give a certificate a stored (stand-in) PDF, so only the others need rendering."""
    pdf = f"%PDF-1.7 stand-in for {certificate.serial}".encode()
    certificate.pdf_key = storage().put(pdf)
    certificate.rendered_version = certificate.design.version
    db.session.flush()
    return pdf


@pytest.fixture
def company(make, certificates):
    design = certificates.design()
    north, south = make.team("北区一组"), make.team("南区二组")
    course = certificates.catalogue.course("refunds", lessons=1)
    people = [
        make.employee(team=north, name="王芳"),
        make.employee(team=north, name="Ana Lima"),
        make.employee(team=south, name="李强"),
    ]
    made = [
        certificates.certificate(
            person=people[0], course=course, design=design, issued_on=TODAY - days(40)
        ),
        certificates.certificate(
            person=people[1],
            course=course,
            design=design,
            issued_on=TODAY - days(10),
            expires_on=TODAY - days(1),
        ),
        certificates.certificate(person=people[2], design=design, issued_on=TODAY - days(5)),
        certificates.certificate(
            person=people[0],
            design=design,
            issued_on=TODAY,
            revoked_at=NOW,
            revocation_reason="错误颁发",
        ),
    ]
    db.session.commit()
    return {"north": north, "south": south, "course": course, "certificates": made}


def ids(filters) -> list[int]:
    return list(db.session.scalars(bulk.filtered(filters, today=TODAY)))


def test_filters_select_by_team_course_dates_and_status(app, company):
    one, two, three, four = (c.id for c in company["certificates"])
    assert ids({}) == [one, two, three, four]  # oldest first
    assert ids({"team_id": company["north"].id}) == [one, two, four]
    assert ids({"course_id": company["course"].id}) == [one, two]
    assert ids({"issued_from": TODAY - days(10), "issued_to": (TODAY - days(5)).isoformat()}) == [
        two,
        three,
    ]
    assert ids({"status": "valid"}) == [one, three]
    assert ids({"status": "expired"}) == [two]
    assert ids({"status": "revoked", "team_id": str(company["north"].id)}) == [four]
    assert ids({"certification_id": 12345, "course_id": ""}) == []
    for bad, message in (
        ({"colour": "red"}, "Unknown filters: colour"),
        ({"team_id": "north"}, "team_id must be a positive number"),
        ({"issued_from": "20.05.2026"}, "issued_from must be a date"),
        ({"status": "lost"}, "status must be valid, expired or revoked"),
    ):
        with pytest.raises(bulk.FilterError, match=message):
            bulk.filtered(bad)


def test_file_names_are_safe(app):
    assert bulk.file_name("2026-000123", "张伟") == "2026-000123-张伟.pdf"
    assert bulk.file_name("2026-000124", "../../etc/passwd") == "2026-000124-etc_passwd.pdf"
    spoof = bulk.file_name("2026-000125", "Ann\u202efdp.exe")
    assert "\u202e" not in spoof and spoof.endswith(".pdf")
    assert (
        bulk.file_name("2026-000126", 'a:b*c?"d<e>f|g\\h\x00') == "2026-000126-a_b_c__d_e_f_g_h.pdf"
    )
    assert bulk.file_name("2026-000127", "   ") == "2026-000127.pdf"
    assert len(bulk.file_name("2026-000128", "名" * 200)) == len("2026-000128-.pdf") + 60


def test_a_batch_renders_the_missing_pdfs_in_a_pool_and_zips_them(app, company, make, monkeypatch):
    app.config["CERTIFICATE_WORKERS"] = 2
    one, two, three, _revoked = company["certificates"]
    kept = stored(one)
    hr = make.employee(roles={"hr"})
    batch = batches.create_batch({"status": "", "issued_to": TODAY - days(1)}, actor=hr, now=NOW)
    db.session.commit()
    assert (batch.total, batch.done, batch.status) == (3, 0, BatchStatus.PENDING)
    assert batch.filters == {"issued_to": (TODAY - days(1)).isoformat()}
    assert batches.batch_json(batch)["percent"] == 0
    with pytest.raises(LookupError):
        batches.zip_bytes(batch)
    seen = []
    monkeypatch.setattr(bulk, "SAVE_EVERY", 1)
    real_set = batches._set
    monkeypatch.setattr(
        batches, "_set", lambda batch_id, **v: seen.append(v.get("done")) or real_set(batch_id, **v)
    )

    with clock.frozen(NOW):
        assert batches.run_pending_batches(NOW) == 1

    db.session.expire_all()
    assert batch.status == BatchStatus.DONE and batch.done == batch.total == 3
    assert batches.batch_json(batch) == {
        "id": batch.id,
        "status": "done",
        "total": 3,
        "done": 3,
        "percent": 100,
        "ready": True,
        "error": None,
    }
    assert [n for n in seen if n is not None] == [0, 1, 2, 3, 3]  # committed step by step
    archive = zipfile.ZipFile(io.BytesIO(batches.zip_bytes(batch)))
    assert archive.namelist() == [
        f"{one.serial}-王芳.pdf",
        f"{two.serial}-Ana Lima.pdf",
        f"{three.serial}-李强.pdf",
    ]
    assert archive.read(f"{one.serial}-王芳.pdf") == kept  # stored once, not rendered again
    for certificate in (two, three):
        pdf = archive.read(bulk.file_name(certificate.serial, certificate.holder_name))
        assert pdf.startswith(b"%PDF") and storage().get(certificate.pdf_key) == pdf
        assert certificate.rendered_version == certificate.design.version
    rendered = db.session.scalars(
        sa.select(CertificateEvent.certificate_id).where(CertificateEvent.action == "rendered")
    ).all()
    assert sorted(rendered) == sorted([two.id, three.id])
    assert batches.run_pending_batches(NOW) == 0  # nothing pending any more


def test_two_schedulers_run_a_batch_once(app, company):
    for certificate in company["certificates"]:
        stored(certificate)
    batch = batches.create_batch({}, actor=None, now=NOW)
    db.session.commit()
    both_read = threading.Barrier(2, timeout=30)
    real_claim = batches._claim
    results, errors = [], []

    def claim(batch_id, now):
        both_read.wait()  # both sweeps saw the batch pending before either claims it
        return real_claim(batch_id, now)

    def sweep():
        with app.app_context():
            try:
                results.append(batches.run_pending_batches(NOW))
            except Exception as error:  # pragma: no cover - reported below
                errors.append(error)
            finally:
                db.session.remove()

    batches._claim = claim
    try:
        threads = [threading.Thread(target=sweep) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        batches._claim = real_claim
    assert not errors
    assert sorted(results) == [0, 1]
    db.session.expire_all()
    assert batch.status == BatchStatus.DONE and batch.done == 4
    assert len(zipfile.ZipFile(io.BytesIO(batches.zip_bytes(batch))).namelist()) == 4


def test_a_failed_render_fails_the_batch_with_its_reason(app, company, monkeypatch):
    def broken(certificate):
        raise render.RenderError("The logo could not be read.")

    monkeypatch.setattr(render, "certificate_context", broken)
    batch = batches.create_batch({"team_id": company["south"].id}, actor=None, now=NOW)
    db.session.commit()
    assert batches.run_pending_batches(NOW) == 1
    db.session.expire_all()
    assert batch.status == BatchStatus.FAILED and batch.zip_key is None
    assert batches.batch_json(batch)["error"] == "The logo could not be read."
    assert batch.finished_at is not None


def test_a_render_past_its_deadline_stops_the_pool(app):
    app.config["CERTIFICATE_RENDER_TIMEOUT"] = 0.5
    slow = "<p>" + "Lorem ipsum dolor sit amet. " * 40 + "</p>"
    job = bulk.Job(1, "2026-000001", "王芳", 1)
    with pytest.raises(render.RenderTimeout, match="2026-000001: Rendering took longer than 0.5"):
        list(bulk.render_pool(iter([(job, slow * 400)]), workers=1))


def test_a_batch_with_no_certificates_is_an_empty_zip(app, company):
    batch = batches.create_batch({"certification_id": 999}, actor=None, now=NOW)
    db.session.commit()
    assert batch.total == 0
    assert batches.run_pending_batches(NOW) == 1
    db.session.expire_all()
    assert batch.status == BatchStatus.DONE
    assert zipfile.ZipFile(io.BytesIO(batches.zip_bytes(batch))).namelist() == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CertificateBatch)) == 1


def test_a_batch_left_running_by_a_stopped_scheduler_is_taken_over(app, company):
    recent = batches.create_batch({"certification_id": 999}, actor=None, now=NOW)
    abandoned = batches.create_batch({"certification_id": 999}, actor=None, now=NOW)
    recent.status, recent.started_at = BatchStatus.RUNNING, NOW - dt.timedelta(minutes=30)
    abandoned.status, abandoned.started_at = BatchStatus.RUNNING, NOW - dt.timedelta(hours=3)
    db.session.commit()
    assert batches.run_pending_batches(NOW) == 1  # the one whose scheduler stopped hours ago
    db.session.expire_all()
    assert abandoned.status == BatchStatus.DONE and abandoned.zip_key is not None
    assert recent.status == BatchStatus.RUNNING  # still someone's: left alone
