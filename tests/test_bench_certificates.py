"""The certificate rendering benchmark at a tiny size, on the test database: every path renders
what it should, the report has sane numbers, and the statements each path sends stay a few per
certificate (no timing goals here: the bench prints those)."""

from __future__ import annotations

import sqlalchemy as sa

from bench.certificates import measure, report
from lms.certificates import render
from lms.certificates.models import Certificate, CertificateEvent
from lms.extensions import db


def test_the_bench_renders_every_path_and_reports_sane_numbers(app, tmp_path):
    app.config["STORAGE_PATH"] = str(tmp_path / "storage")
    try:
        result = measure(app, count=1, bulk_count=2, workers=2, warm_up=False)
    finally:
        render.shutdown()

    with app.app_context():
        certificates = db.session.scalars(sa.select(Certificate).order_by(Certificate.id)).all()
        rendered = db.session.scalar(
            sa.select(sa.func.count()).where(CertificateEvent.action == "rendered")
        )
    assert len(certificates) == 4  # one Chinese name, one Latin name, two for the zip
    assert all(c.pdf_key is not None for c in certificates)
    assert not certificates[0].holder_name.isascii()  # 王伟-like
    assert " " in certificates[1].holder_name  # Emily Carter-like
    assert rendered == 4  # the zip's two were forgotten, then rendered in one process
    assert result.zip_files == 2 and result.zip_bytes > 0
    for seconds in (result.direct_s, result.chinese_s, result.latin_s, result.pool_s):
        assert 0 < seconds < 120
    assert result.pdf_bytes > 10_000  # a real PDF, fonts embedded
    assert 0.1 < result.full_share < 10 and 0.1 < result.chinese_over_latin < 10
    # a handful of statements per certificate rendered on demand: the certificate, its
    # design, the new key and the audit row
    assert result.per_certificate("chinese", 1) <= 5
    assert result.statements.get("direct") is None  # WeasyPrint alone touches no database
    for case in ("pool", "single"):
        assert sum(result.statements[case].values()) <= 8, result.statements[case]

    lines = report(result, "test")
    assert "WeasyPrint, the final HTML" in lines[2]
    assert "bulk zip of 2 certificates" in "\n".join(lines)
    assert "the zip holds 2 PDFs" in "\n".join(lines)
