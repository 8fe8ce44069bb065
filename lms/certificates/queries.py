"""Read-only queries of the certificate pages. Each runs a fixed number of statements
whatever the number of certificates, people, designs, courses or certifications.

A certificate's status is derived (``Certificate.status``); ``status_expression`` is the
same rule in SQL so the HR list can filter and sort by what it shows. Stale PDFs are the ones
``documents.stale_ids`` names.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager

from courses.models import Course, CourseStatus, CourseVersion
from lms.certificates import documents
from lms.certificates.models import (
    Certificate,
    CertificateAward,
    CertificateBatch,
    CertificateDesign,
)
from lms.certification.models import Certification
from lms.extensions import db
from lms.organisation.models import Employee, Team

C = Certificate
SORTS = ("issued", "serial", "holder", "title", "expires", "status")
STATUS_RANK = {"valid": 0, "expired": 1, "revoked": 2}


def status_expression(today: dt.date):
    """``Certificate.status`` in SQL."""
    return sa.case(
        (C.revoked_at.is_not(None), "revoked"),
        (sa.and_(C.expires_on.is_not(None), C.expires_on <= today), "expired"),
        else_="valid",
    )


# --- the learner ---------------------------------------------------------------------------


def certificates_of(person: Employee) -> list[Certificate]:
    """A person's certificates, the latest first (one statement)."""
    return list(
        db.session.scalars(
            sa.select(C).where(C.employee_id == person.id).order_by(C.issued_on.desc(), C.id.desc())
        )
    )


def courses_with_certificates(lang: str, limit: int = 8) -> list[tuple[Course, str]]:
    """Published courses that grant a certificate, as (course, title), for the empty state."""
    rows = db.session.execute(
        sa.select(Course, CourseVersion)
        .join(CertificateAward, CertificateAward.course_id == Course.id)
        .join(CourseVersion, CourseVersion.id == Course.current_version_id)
        .where(Course.status == CourseStatus.PUBLISHED)
        .order_by(CourseVersion.title, Course.id)
        .limit(limit)
    ).all()
    return [(course, version.display_title(lang)) for course, version in rows]


# --- HR: the issued list ---------------------------------------------------------------------


@dataclass
class IssuedFilter:
    """What the issued list shows; ``sort``/``descending`` are what ``sort_link`` reads."""

    q: str = ""
    status: str | None = None
    course_id: int | None = None
    certification_id: int | None = None
    team_id: int | None = None
    issued_from: dt.date | None = None
    issued_to: dt.date | None = None
    sort: str = "issued"
    descending: bool = True

    @property
    def narrowed(self) -> bool:
        return bool(
            self.q.strip()
            or self.status
            or self.course_id
            or self.certification_id
            or self.team_id
            or self.issued_from
            or self.issued_to
        )


def _escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def issued_query(f: IssuedFilter, today: dt.date) -> sa.Select:
    """Issued certificates with the holder and their team loaded, filtered and sorted."""
    query = (
        sa.select(C)
        .join(Employee, Employee.id == C.employee_id)
        .options(contains_eager(C.employee).joinedload(Employee.team))
    )
    q = f.q.strip()
    if q:
        like = f"%{_escaped(q)}%"
        query = query.where(
            sa.or_(
                C.holder_name.ilike(like, escape="\\"),
                Employee.name.ilike(like, escape="\\"),
                Employee.employee_no.ilike(like, escape="\\"),
                C.serial.ilike(like, escape="\\"),
            )
        )
    if f.status:
        query = query.where(status_expression(today) == f.status)
    if f.course_id:
        query = query.where(C.course_id == f.course_id)
    if f.certification_id:
        query = query.where(C.certification_id == f.certification_id)
    if f.team_id:
        query = query.where(Employee.team_id == f.team_id)
    if f.issued_from:
        query = query.where(C.issued_on >= f.issued_from)
    if f.issued_to:
        query = query.where(C.issued_on <= f.issued_to)
    direction = sa.desc if f.descending else sa.asc
    if f.sort == "serial":
        order = [direction(C.serial)]
    elif f.sort == "holder":
        order = [direction(C.holder_name), direction(Employee.employee_no)]
    elif f.sort == "title":
        order = [direction(C.title)]
    elif f.sort == "expires":
        order = [C.expires_on.is_(None), direction(C.expires_on)]
    elif f.sort == "status":
        order = [direction(sa.case(STATUS_RANK, value=status_expression(today), else_=9))]
    else:
        order = [direction(C.issued_on)]
    return query.order_by(*order, direction(C.id))


def status_counts(today: dt.date) -> dict[str, int]:
    """Status → certificates, over everything issued (one statement)."""
    status = status_expression(today).label("status")
    derived = sa.select(status).subquery()
    return dict(
        db.session.execute(
            sa.select(derived.c.status, sa.func.count()).group_by(derived.c.status)
        ).all()
    )


def stale_ids(certificate_ids: list[int]) -> set[int]:
    """Which of these certificates have a PDF from an older design version (one statement)."""
    if not certificate_ids:
        return set()
    return set(db.session.scalars(documents.stale_ids().where(C.id.in_(certificate_ids))))


@dataclass
class FilterChoices:
    courses: list[tuple[int, str]]
    certifications: list[tuple[int, str]]
    teams: list[tuple[int, str]]


def filter_choices(lang: str) -> FilterChoices:
    """Courses and certifications that grant or granted a certificate, and every team."""
    granted_courses = sa.union(
        sa.select(CertificateAward.course_id.label("id")).where(
            CertificateAward.course_id.is_not(None)
        ),
        sa.select(C.course_id.label("id")).where(C.course_id.is_not(None)).distinct(),
    ).subquery()
    courses = db.session.execute(
        sa.select(Course.id, Course.slug, CourseVersion)
        .outerjoin(CourseVersion, CourseVersion.id == Course.current_version_id)
        .where(Course.id.in_(sa.select(granted_courses.c.id)))
    ).all()
    granted_certifications = sa.union(
        sa.select(CertificateAward.certification_id.label("id")).where(
            CertificateAward.certification_id.is_not(None)
        ),
        sa.select(C.certification_id.label("id")).where(C.certification_id.is_not(None)).distinct(),
    ).subquery()
    certifications = db.session.scalars(
        sa.select(Certification).where(Certification.id.in_(sa.select(granted_certifications.c.id)))
    )
    teams = db.session.scalars(sa.select(Team).order_by(Team.name))
    return FilterChoices(
        courses=sorted(
            (
                (cid, version.display_title(lang) if version else slug)
                for cid, slug, version in courses
            ),
            key=lambda pair: pair[1],
        ),
        certifications=sorted(
            ((c.id, c.display_title(lang)) for c in certifications), key=lambda pair: pair[1]
        ),
        teams=[(t.id, t.display_name(lang)) for t in teams],
    )


# --- HR: bulk downloads ----------------------------------------------------------------------


def batch_of(batch_id: int, person: Employee) -> CertificateBatch | None:
    """A batch the person asked for; other people's batches are not found."""
    batch = db.session.get(CertificateBatch, batch_id)
    if batch is None or batch.requested_by_id != person.id:
        return None
    return batch


def recent_batches(person: Employee, limit: int = 5) -> list[CertificateBatch]:
    return list(
        db.session.scalars(
            sa.select(CertificateBatch)
            .where(CertificateBatch.requested_by_id == person.id)
            .order_by(CertificateBatch.created_at.desc(), CertificateBatch.id.desc())
            .limit(limit)
        )
    )


# --- HR: designs and awards ------------------------------------------------------------------


@dataclass
class DesignRow:
    design: CertificateDesign
    awards: int
    certificates: int
    stale: int


def design_rows() -> list[DesignRow]:
    """Every design with how many awards and certificates use it and how many are stale
    (two statements)."""
    designs = list(
        db.session.scalars(sa.select(CertificateDesign).order_by(CertificateDesign.name))
    )
    awards = dict(
        db.session.execute(
            sa.select(CertificateAward.design_id, sa.func.count()).group_by(
                CertificateAward.design_id
            )
        ).all()
    )
    stale = C.id.in_(documents.stale_ids().order_by(None))
    counts = {
        design_id: (total, stale_total or 0)
        for design_id, total, stale_total in db.session.execute(
            sa.select(
                C.design_id, sa.func.count(), sa.func.sum(sa.case((stale, 1), else_=0))
            ).group_by(C.design_id)
        )
    }
    return [DesignRow(d, awards.get(d.id, 0), *counts.get(d.id, (0, 0))) for d in designs]


def stale_count(design: CertificateDesign) -> int:
    """How many of a design's certificates have a PDF older than the design."""
    stale = documents.stale_ids(design.id).order_by(None).subquery()
    return db.session.scalar(sa.select(sa.func.count()).select_from(stale))


def design_usage(design: CertificateDesign, lang: str) -> list[str]:
    """What grants a certificate in this design, by title (two statements)."""
    titles = [
        version.display_title(lang) if version else slug
        for slug, version in db.session.execute(
            sa.select(Course.slug, CourseVersion)
            .join(CertificateAward, CertificateAward.course_id == Course.id)
            .outerjoin(CourseVersion, CourseVersion.id == Course.current_version_id)
            .where(CertificateAward.design_id == design.id)
        )
    ]
    titles += [
        c.display_title(lang)
        for c in db.session.scalars(
            sa.select(Certification)
            .join(CertificateAward, CertificateAward.certification_id == Certification.id)
            .where(CertificateAward.design_id == design.id)
        )
    ]
    return sorted(titles)


def designs() -> list[CertificateDesign]:
    return list(db.session.scalars(sa.select(CertificateDesign).order_by(CertificateDesign.name)))


@dataclass
class AwardRow:
    kind: str  # "course" or "certification"
    subject_id: int
    title: str
    code: str
    design_id: int | None


def award_rows(lang: str) -> tuple[list[AwardRow], list[AwardRow]]:
    """Published courses (and any other course with an award) and every certification,
    each with the design it grants a certificate in (two statements)."""
    course_rows = db.session.execute(
        sa.select(Course.id, Course.slug, CourseVersion, CertificateAward.design_id)
        .outerjoin(CourseVersion, CourseVersion.id == Course.current_version_id)
        .outerjoin(CertificateAward, CertificateAward.course_id == Course.id)
        .where(sa.or_(Course.status == CourseStatus.PUBLISHED, CertificateAward.id.is_not(None)))
    ).all()
    courses = [
        AwardRow("course", cid, version.display_title(lang) if version else slug, slug, design)
        for cid, slug, version, design in course_rows
    ]
    certification_rows = db.session.execute(
        sa.select(Certification, CertificateAward.design_id).outerjoin(
            CertificateAward, CertificateAward.certification_id == Certification.id
        )
    ).all()
    certifications = [
        AwardRow("certification", c.id, c.display_title(lang), c.slug, design)
        for c, design in certification_rows
    ]
    return (
        sorted(courses, key=lambda row: row.title),
        sorted(certifications, key=lambda row: row.title),
    )
