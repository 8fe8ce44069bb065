"""Issuing certificates, set-wise and exactly once.

A certificate is issued when a person completes a course that has an award (the enrolment
hook), when a certification cycle whose certification has an award is completed (the
certification engine's hook, many cycles at a time), and by the ``issue-certificates`` sweep
for anything those missed (an award added later, say).

Every path runs the same few statements per block of rows, whatever their number: one query
for what is owed, one serial upsert per year, one INSERT … ON CONFLICT DO NOTHING, one for the
audit trail and one for the notifications. The unique keys (person and course; cycle) decide
races: an issuer that loses inserts nothing, and only the serial numbers it took are skipped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from courses.models import Course, CourseVersion, Enrolment
from lms.certificates import codes, notices
from lms.certificates.models import (
    Certificate,
    CertificateAward,
    CertificateEvent,
    CertificateSerial,
)
from lms.certification.models import Certification, CertificationCycle, PersonCertification
from lms.db import dialect_insert
from lms.extensions import db
from lms.organisation.models import Employee

CHUNK = 500  # rows per block: ~17 bound values each, well inside every database's limit
CERT = Certificate.__table__
SERIAL = CertificateSerial.__table__
EVENT = CertificateEvent.__table__
ENROLMENT = Enrolment.__table__
CYCLE = CertificationCycle.__table__
PC = PersonCertification.__table__


# --- serial numbers ----------------------------------------------------------------------


def format_serial(year: int, number: int) -> str:
    return f"{year}-{number:06d}"


def take_serials(year: int, n: int) -> list[str]:
    """``n`` consecutive serial numbers of ``year``, in one atomic upsert.

    On PostgreSQL the block is taken in a transaction of its own, as a sequence would be: the
    counter's row lock is held for one statement, not until the issuing transaction ends (which
    may go on to lock cycles a racing sweep holds). A block whose certificates are then not
    inserted (a racing issuer won, or the transaction rolled back) leaves a gap. On SQLite the
    issuing transaction holds the database's write lock already, so the same one is used."""
    if n <= 0:
        return []
    upsert = (
        dialect_insert(SERIAL)
        .values(year=year, last=n)
        .on_conflict_do_update(index_elements=["year"], set_={"last": SERIAL.c.last + n})
        .returning(SERIAL.c.last)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        with db.engine.begin() as connection:
            last = connection.execute(upsert).scalar_one()
    else:
        last = db.session.execute(upsert).scalar_one()
    return [format_serial(year, number) for number in range(last - n + 1, last + 1)]


# --- what is owed --------------------------------------------------------------------------


def _utc_day(value: dt.datetime) -> dt.date:
    if value.tzinfo is not None:
        value = value.astimezone(dt.UTC)
    return value.date()


def _owed_for_courses(where: Any, limit: int | None = None) -> list[dict[str, Any]]:
    """Completed enrolments of courses with an award and no certificate yet."""
    taken = aliased(CourseVersion)
    current = aliased(CourseVersion)
    query = (
        sa.select(
            ENROLMENT.c.id,
            ENROLMENT.c.employee_id,
            ENROLMENT.c.course_id,
            ENROLMENT.c.completed_at,
            Employee.name,
            Employee.locale,
            sa.func.coalesce(taken.title, current.title, Course.slug),
            sa.case((taken.id.is_not(None), taken.title_en), else_=current.title_en),
            CertificateAward.design_id,
        )
        .join(CertificateAward, CertificateAward.course_id == ENROLMENT.c.course_id)
        .join(Employee, Employee.id == ENROLMENT.c.employee_id)
        .join(Course, Course.id == ENROLMENT.c.course_id)
        .outerjoin(taken, taken.id == ENROLMENT.c.version_id)
        .outerjoin(current, current.id == Course.current_version_id)
        .where(
            where,
            ENROLMENT.c.completed_at.is_not(None),
            ~sa.exists().where(
                CERT.c.employee_id == ENROLMENT.c.employee_id,
                CERT.c.course_id == ENROLMENT.c.course_id,
            ),
        )
        .order_by(ENROLMENT.c.id)
        .limit(limit)
    )
    return [
        {
            "key": enrolment_id,
            "employee_id": employee_id,
            "course_id": course_id,
            "enrolment_id": enrolment_id,
            "certification_id": None,
            "cycle_id": None,
            "design_id": design_id,
            "holder_name": name,
            "title": title,
            "title_en": title_en,
            "locale": locale,
            "issued_on": _utc_day(completed_at),
            "expires_on": None,
        }
        for (
            enrolment_id,
            employee_id,
            course_id,
            completed_at,
            name,
            locale,
            title,
            title_en,
            design_id,
        ) in db.session.execute(query)
    ]


def _owed_for_cycles(where: Any, limit: int | None = None) -> list[dict[str, Any]]:
    """Completed cycles of certifications with an award and no certificate yet."""
    query = (
        sa.select(
            CYCLE.c.id,
            PC.c.employee_id,
            PC.c.certification_id,
            CYCLE.c.completed_on,
            CYCLE.c.expires_on,
            Employee.name,
            Employee.locale,
            Certification.title,
            Certification.title_en,
            CertificateAward.design_id,
        )
        .join(PC, PC.c.id == CYCLE.c.holder_id)
        .join(CertificateAward, CertificateAward.certification_id == PC.c.certification_id)
        .join(Employee, Employee.id == PC.c.employee_id)
        .join(Certification, Certification.id == PC.c.certification_id)
        .where(
            where,
            CYCLE.c.completed_on.is_not(None),
            ~sa.exists().where(CERT.c.cycle_id == CYCLE.c.id),
        )
        .order_by(CYCLE.c.id)
        .limit(limit)
    )
    return [
        {
            "key": cycle_id,
            "employee_id": employee_id,
            "course_id": None,
            "enrolment_id": None,
            "certification_id": certification_id,
            "cycle_id": cycle_id,
            "design_id": design_id,
            "holder_name": name,
            "title": title,
            "title_en": title_en,
            "locale": locale,
            "issued_on": completed_on,
            "expires_on": expires_on,
        }
        for (
            cycle_id,
            employee_id,
            certification_id,
            completed_on,
            expires_on,
            name,
            locale,
            title,
            title_en,
            design_id,
        ) in db.session.execute(query)
    ]


# --- issuing -------------------------------------------------------------------------------


def _insert_for(kind: str):
    insert = dialect_insert(CERT)
    if kind == "course":
        insert = insert.on_conflict_do_nothing(
            index_elements=["employee_id", "course_id"],
            index_where=sa.text("course_id IS NOT NULL"),
        )
    else:
        insert = insert.on_conflict_do_nothing(index_elements=["cycle_id"])
    return insert.returning(
        CERT.c.id, CERT.c.employee_id, CERT.c.serial, CERT.c.title, CERT.c.title_en, CERT.c.locale
    )


def _issue(kind: str, owed: list[dict[str, Any]], now: dt.datetime) -> int:
    """Insert one certificate per owed row (a block of at most CHUNK rows); rows a racing
    issuer inserted first are skipped. Returns how many were issued here."""
    if not owed:
        return 0
    by_year: dict[int, list[dict[str, Any]]] = {}
    for row in sorted(owed, key=lambda r: r["key"]):
        by_year.setdefault(row["issued_on"].year, []).append(row)
    rows: list[dict[str, Any]] = []
    for year in sorted(by_year):
        block = by_year[year]
        for owed_row, serial in zip(block, take_serials(year, len(block)), strict=True):
            code = codes.new_code()
            row = {k: v for k, v in owed_row.items() if k != "key"}
            row |= {"serial": serial, "code": code, "code_digest": codes.digest(code)}
            rows.append(row | {"issued_at": now})
    made = db.session.execute(_insert_for(kind).values(rows)).all()
    if not made:
        return 0
    made.sort(key=lambda r: r[0])
    db.session.execute(
        sa.insert(EVENT),
        [{"certificate_id": r[0], "action": "issued", "actor_id": None, "at": now} for r in made],
    )
    notices.issued(
        [
            (
                certificate_id,
                employee_id,
                (title_en if locale == "en" and title_en else title),
                serial,
            )
            for certificate_id, employee_id, serial, title, title_en, locale in made
        ],
        now=now,
    )
    return len(made)


def issue_for_enrolments(enrolment_ids: Sequence[int], now: dt.datetime) -> int:
    """Certificates owed for these enrolments (completed, with an award). Returns how many
    were issued."""
    issued = 0
    ids = sorted(set(enrolment_ids))
    for start in range(0, len(ids), CHUNK):
        block = ids[start : start + CHUNK]
        issued += _issue("course", _owed_for_courses(ENROLMENT.c.id.in_(block)), now)
    return issued


def issue_for_cycles(cycle_ids: Sequence[int], now: dt.datetime) -> int:
    """Certificates owed for these certification cycles (completed, with an award)."""
    issued = 0
    ids = sorted(set(cycle_ids))
    for start in range(0, len(ids), CHUNK):
        block = ids[start : start + CHUNK]
        issued += _issue("cycle", _owed_for_cycles(CYCLE.c.id.in_(block)), now)
    return issued


# --- hooks and the sweep ------------------------------------------------------------------


def on_course_completed(enrolment: Enrolment, now: dt.datetime) -> None:
    """Told by ``courses.enrolment`` when a course is completed, in the same transaction."""
    issue_for_enrolments([enrolment.id], now)


def on_cycles_certified(cycle_ids: list[int], now: dt.datetime) -> None:
    """Told by the certification engine which cycles it just completed (a block at a time)."""
    issue_for_cycles(cycle_ids, now)


def issue_missing(now: dt.datetime) -> int:
    """The backfill sweep: every completed enrolment and cycle with an award and no
    certificate, a block at a time in key order, each block committed. Returns how many
    certificates were issued."""
    issued = 0
    for kind, owed, key in (
        ("course", _owed_for_courses, ENROLMENT.c.id),
        ("cycle", _owed_for_cycles, CYCLE.c.id),
    ):
        after = 0
        while True:
            block = owed(key > after, CHUNK)
            if not block:
                break
            issued += _issue(kind, block, now)
            db.session.commit()
            if len(block) < CHUNK:
                break
            after = block[-1]["key"]
    return issued


def on_expiry_brought_forward(holder_ids: list[int], by: dt.date, now: dt.datetime) -> None:
    """A material change made these holders' certification expire on ``by``: their
    certificates of earlier cycles say so too (the verification page and the API show the new
    date at once), and their stored PDFs are dropped so the next download prints it."""
    cycles = sa.select(CYCLE.c.id).where(CYCLE.c.holder_id.in_(holder_ids))
    shortened = (
        db.session.execute(
            sa.update(CERT)
            .where(
                CERT.c.cycle_id.in_(cycles),
                CERT.c.revoked_at.is_(None),
                sa.or_(CERT.c.expires_on.is_(None), CERT.c.expires_on > by),
            )
            .values(expires_on=by, pdf_key=None, rendered_version=None, rendered_at=None)
            .returning(CERT.c.id)
        )
        .scalars()
        .all()
    )
    if shortened:
        db.session.execute(
            sa.insert(EVENT),
            [
                {"certificate_id": cid, "action": "expiry", "detail": by.isoformat(), "at": now}
                for cid in shortened
            ],
        )
