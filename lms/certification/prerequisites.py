""" "Holds a valid certification" as a requirement: for courses now, for career steps later."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from lms import clock
from lms.certification.models import (
    Certification,
    CourseCertificationPrerequisite,
    PersonCertification,
)
from lms.extensions import db
from lms.organisation.models import Employee


def valid_certification_ids(person: Employee, today: dt.date) -> set[int]:
    """The certifications this person holds and that are valid today (from the dates)."""
    return set(
        db.session.scalars(
            sa.select(PersonCertification.certification_id).where(
                PersonCertification.employee_id == person.id,
                PersonCertification.certified_on.is_not(None),
                PersonCertification.expires_on > today,
            )
        )
    )


def missing_certifications(person: Employee, courses) -> dict[int, list[str]]:
    """Per course, the titles of the certifications it requires that the person does not
    hold validly today (two statements)."""
    ids = [course.id for course in courses]
    required = db.session.execute(
        sa.select(CourseCertificationPrerequisite.course_id, Certification)
        .join(Certification, Certification.id == CourseCertificationPrerequisite.certification_id)
        .where(CourseCertificationPrerequisite.course_id.in_(ids))
        .order_by(Certification.title)
    ).all()
    if not required:
        return {}
    valid = valid_certification_ids(person, clock.today())
    locale = getattr(person, "locale", "zh_CN")
    missing: dict[int, list[str]] = {}
    for course_id, certification in required:
        if certification.id not in valid:
            missing.setdefault(course_id, []).append(certification.display_title(locale))
    return missing
