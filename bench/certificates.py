"""Certificate rendering: our whole path against WeasyPrint alone, Chinese names against Latin
names, and a bulk zip in a pool of worker processes against one process.

    python -m bench.certificates [--count 200] [--bulk 1000] [--workers 2] [--database URL]

In one process and one run, on a company from the one scale-data generator:

- ``--count`` certificates with Chinese names go through ``documents.pdf_bytes`` (the query,
  the context, the template, the QR code, the render worker, the storage, the audit row and
  the commit), and WeasyPrint renders the identical final HTML directly; the rate of the first
  as a share of the second (goal: at least 80 %).
- as many with Latin names through the same path; Chinese seconds per certificate over Latin
  (goal: at most 1.2×). The three run interleaved, a block at a time, so a busy machine slows
  them alike.
- ``--bulk`` certificates zipped as a scheduled batch does it, with ``--workers`` render
  processes (pinned to that many cores), and again with every render in this one process;
  the rate of the pool over the single process (goal: at least 1.7× on 2 cores).

Every run renders from scratch (the stored PDFs are forgotten before each). The statements
each path sends are counted too.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask import Flask, current_app
from PIL import Image

from bench.cert_sweep import label
from bench.harness import bench_app
from bench.scale_data import build
from courses.models import Course
from lms import clock
from lms.certificates import bulk, codes, documents, render
from lms.certificates.models import Certificate, CertificateDesign, CertificateEvent
from lms.extensions import db
from lms.organisation.models import Employee
from lms.storage import storage

FIRST = ("Emily", "James", "Sofia", "Lucas", "Olivia", "Mateo", "Amelia", "Noah", "Chloe")
LAST = ("Carter", "Nguyen", "Silva", "Müller", "Kowalski", "Johnson", "Rossi", "Dubois")
BLOCK = 10  # certificates per interleaved block


@dataclass
class Result:
    count: int
    bulk: int
    workers: int
    direct_s: float = 0.0
    chinese_s: float = 0.0
    latin_s: float = 0.0
    single_s: float = 0.0
    pool_s: float = 0.0
    pdf_bytes: int = 0
    zip_files: int = 0
    zip_bytes: int = 0
    load: tuple[float, float] = (0.0, 0.0)
    statements: dict[str, Counter] = field(default_factory=dict)

    def rate(self, seconds: float, n: int) -> float:
        return n / seconds if seconds else 0.0

    @property
    def full_share(self) -> float:
        """Our path's rate as a share of WeasyPrint's on the same certificates."""
        return self.direct_s / self.chinese_s if self.chinese_s else 0.0

    @property
    def chinese_over_latin(self) -> float:
        return self.chinese_s / self.latin_s if self.latin_s else 0.0

    @property
    def speedup(self) -> float:
        return self.single_s / self.pool_s if self.pool_s else 0.0

    def per_certificate(self, case: str, n: int) -> float:
        return sum(self.statements[case].values()) / n if n else 0.0


class Statements:
    """Counts the statements sent while ``case`` is set (transaction control aside)."""

    def __init__(self, engine: sa.Engine, result: Result) -> None:
        self.engine, self.result, self.case = engine, result, None

    def __enter__(self) -> Statements:
        sa.event.listen(self.engine, "before_cursor_execute", self._count)
        return self

    def __exit__(self, *exc: object) -> None:
        sa.event.remove(self.engine, "before_cursor_execute", self._count)

    def _count(self, conn, cursor, statement, parameters, context, executemany) -> None:
        name = label(statement)
        if self.case is not None and name is not None:
            self.result.statements.setdefault(self.case, Counter())[name] += 1

    def timed(self, case: str, func: Callable[[], object]) -> float:
        self.case = case
        started = time.perf_counter()
        try:
            func()
        finally:
            self.case = None
        return time.perf_counter() - started


def _png(colour: str, size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def prepare(app: Flask, *, count: int, bulk_count: int) -> dict[str, list[int]]:
    """A company, a design with a logo and a signature, and three sets of certificates: Chinese
    names and Latin names (``count`` each) and the bulk set (Chinese names)."""
    build(app, people=max(count, bulk_count, 1), courses=3)
    with app.app_context():
        files = storage()
        design = CertificateDesign(
            name="基准",
            template="classic",
            issuer_name="星河电商客服学院",
            issuer_name_en="Xinghe Service Academy",
            signatory_name="陈建华",
            signatory_title="培训总监",
            logo_key=files.put(_png("#1b2a4a", (240, 80))),
            logo_type="image/png",
            signature_key=files.put(_png("#223355", (300, 90))),
            signature_type="image/png",
        )
        db.session.add(design)
        db.session.flush()
        people = db.session.execute(sa.select(Employee.id, Employee.name).order_by(Employee.id))
        people = people.all()
        courses = db.session.scalars(
            sa.select(Course.id).where(Course.slug.like("bench-course-%")).order_by(Course.id)
        ).all()
        today, now = clock.today(), clock.now()
        rows, sets = [], {"chinese": [], "latin": [], "bulk": []}
        plan = [
            ("chinese", courses[0], people[:count], None),
            ("latin", courses[1], people[:count], True),
            ("bulk", courses[2], people[:bulk_count], None),
        ]
        for name, course_id, holders, latin in plan:
            for employee_id, holder in holders:
                n = len(rows) + 1
                if latin:
                    holder = f"{FIRST[n % len(FIRST)]} {LAST[n * 7 % len(LAST)]}"
                code = codes.new_code()
                rows.append(
                    {
                        "serial": f"{today.year}-{n:06d}",
                        "code": code,
                        "code_digest": codes.digest(code),
                        "employee_id": employee_id,
                        "course_id": course_id,
                        "design_id": design.id,
                        "holder_name": holder,
                        "title": "售后服务沟通技巧与投诉处理",
                        "title_en": "After-Sales Communication and Complaint Handling",
                        "locale": "zh_CN",
                        "issued_on": today,
                        "expires_on": today + dt.timedelta(days=730),
                        "issued_at": now,
                    }
                )
                sets[name].append(rows[-1]["serial"])
        for start in range(0, len(rows), 1000):
            db.session.execute(sa.insert(Certificate), rows[start : start + 1000])
        db.session.commit()
        ids = dict(db.session.execute(sa.select(Certificate.serial, Certificate.id)).all())
        return {name: [ids[serial] for serial in serials] for name, serials in sets.items()}


def _forget(ids: list[int]) -> None:
    """The certificates have no stored PDF again (and no render events)."""
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        db.session.execute(
            sa.update(Certificate)
            .where(Certificate.id.in_(chunk))
            .values(pdf_key=None, rendered_version=None, rendered_at=None)
        )
        db.session.execute(
            sa.delete(CertificateEvent).where(CertificateEvent.certificate_id.in_(chunk))
        )
    db.session.commit()


def _blocks(ids: list[int]) -> Iterator[list[int]]:
    for start in range(0, len(ids), BLOCK):
        yield ids[start : start + BLOCK]


def _single_process_zip(ids: list[int], now: dt.datetime) -> int:
    """The bulk path with every render in this process: same jobs, records and zip."""
    root, limit = str(storage().root), int(current_app.config["CERTIFICATE_MAX_BYTES"])
    rendered, entries = [], []
    for job, html in bulk.render_jobs(ids):
        key = render.store_pdf(html, root, limit)
        rendered.append((job.id, key, job.version))
        entries.append((job.serial, job.holder, key))
        if len(rendered) >= bulk.SAVE_EVERY:
            bulk.save_rendered(rendered, now=now, progress=None, done=len(entries), total=len(ids))
    bulk.save_rendered(rendered, now=now, progress=None, done=len(entries), total=len(ids))
    bulk.write_zip(sorted(entries), now=now)
    return len(entries)


def _pool_zip(ids: list[int], now: dt.datetime, workers: int) -> str:
    """The bulk path as a batch runs it: missing PDFs rendered in the pool, then the zip."""
    return bulk.write_zip(bulk.ensure_pdfs(ids, now=now, workers=workers), now=now)


def measure(
    app: Flask, *, count: int, bulk_count: int, workers: int = 2, warm_up: bool = True
) -> Result:
    from weasyprint import HTML

    result = Result(count, bulk_count, workers)
    sets = prepare(app, count=count, bulk_count=bulk_count)
    now = clock.now()
    with app.app_context(), Statements(db.engine, result) as statements:
        fetch = render.fetcher(str(storage().root))
        certificates = db.session.scalars(
            sa.select(Certificate).where(Certificate.id.in_(sets["chinese"]))
        ).all()
        html = {c.id: render.render_html(render.certificate_context(c)) for c in certificates}
        db.session.commit()
        if warm_up:  # fonts, and the render worker's first start
            HTML(string=html[sets["chinese"][0]], url_fetcher=fetch).write_pdf()
            render.html_to_pdf(html[sets["chinese"][0]])
        result.load = (os.getloadavg()[0], 0.0)

        def direct(block: list[int]) -> None:
            for cid in block:
                result.pdf_bytes += len(HTML(string=html[cid], url_fetcher=fetch).write_pdf())

        def full(block: list[int]) -> Callable[[], None]:
            def run() -> None:
                for cid in block:
                    documents.pdf_bytes(db.session.get(Certificate, cid), now=now)

            return run

        for zh, latin in zip(_blocks(sets["chinese"]), _blocks(sets["latin"]), strict=True):
            result.direct_s += statements.timed("direct", lambda zh=zh: direct(zh))
            db.session.expunge_all()
            result.chinese_s += statements.timed("chinese", full(zh))
            db.session.expunge_all()
            result.latin_s += statements.timed("latin", full(latin))
        render.shutdown()

        ids, keys = sets["bulk"], []
        _forget(ids)
        result.pool_s = statements.timed("pool", lambda: keys.append(_pool_zip(ids, now, workers)))
        archive = storage().get(keys[0])
        result.zip_files = len(zipfile.ZipFile(io.BytesIO(archive)).namelist())
        result.zip_bytes = len(archive)
        _forget(ids)
        result.single_s = statements.timed("single", lambda: _single_process_zip(ids, now))
        result.load = (result.load[0], os.getloadavg()[0])
    return result


def report(result: Result, dialect: str) -> list[str]:
    r, n, b = result, result.count, result.bulk
    direct, chinese, latin = r.rate(r.direct_s, n), r.rate(r.chinese_s, n), r.rate(r.latin_s, n)
    single, pool = r.rate(r.single_s, b), r.rate(r.pool_s, b)

    def ms(seconds: float, k: int) -> str:
        return f"{seconds / k * 1000:7.0f} ms" if k else "      - ms"

    def kinds(case: str) -> str:
        found = r.statements.get(case, Counter())
        return ", ".join(f"{kind} {count}" for kind, count in sorted(found.items()))

    lines = [
        f"certificates on {dialect}, {os.cpu_count()} CPUs (load average {r.load[0]:.1f} "
        f"before, {r.load[1]:.1f} after):",
        f"  {n} certificates, one at a time     certs/s   per cert   share/ratio   goal",
        f"    WeasyPrint, the final HTML        {direct:7.2f}  {ms(r.direct_s, n)}       100 %",
        f"    our path, Chinese names           {chinese:7.2f}  {ms(r.chinese_s, n)}"
        f"     {r.full_share * 100:5.0f} %   >= 80 %",
        f"    our path, Latin names             {latin:7.2f}  {ms(r.latin_s, n)}",
        f"    Chinese / Latin seconds                                {r.chinese_over_latin:5.2f}x"
        "   <= 1.2x",
        f"    average PDF {r.pdf_bytes / max(n, 1) / 1024:.0f} KiB; statements per certificate "
        f"{r.per_certificate('chinese', n):.1f} ({kinds('chinese')})",
        f"  bulk zip of {b} certificates",
        f"    one process                       {single:7.2f}  {ms(r.single_s, b)}      1.00x",
        f"    pool of {r.workers} render processes       {pool:7.2f}  {ms(r.pool_s, b)}"
        f"      {r.speedup:4.2f}x   >= 1.7x",
        f"    the zip holds {r.zip_files} PDFs, {r.zip_bytes / 2**20:.1f} MiB; statements: "
        f"pool {kinds('pool')}",
        f"                                    one process {kinds('single')}",
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--bulk", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--database", default=None)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity") and len(os.sched_getaffinity(0)) > args.workers:
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[: args.workers])
    folder = tempfile.mkdtemp(prefix="bench-certificates-")
    url = args.database or f"sqlite:///{os.path.join(folder, 'bench.sqlite3')}"
    app = bench_app(url)
    app.config["STORAGE_PATH"] = os.path.join(folder, "storage")
    with app.app_context():
        db.drop_all()
    result = measure(app, count=args.count, bulk_count=args.bulk, workers=args.workers)
    print("\n".join(report(result, sa.make_url(url).get_backend_name())))


if __name__ == "__main__":
    main()
