"""The demo company's certificates: two designs (a classic one for courses, a bilingual modern
one for certifications) with the company's logo and the training director's signature, awards
for the core courses and every certification, the certificates the demo's completions earn,
and one revoked certificate."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import sqlalchemy as sa

from courses.models import Course
from lms.certificates import issuing, services
from lms.certificates.models import Certificate, CertificateAward, CertificateDesign
from lms.certification.models import Certification
from lms.extensions import db
from lms.organisation.models import Employee
from lms.storage import storage

ASSETS = Path(__file__).parent / "static" / "demo"
COURSES = (
    "service-standards-30-24",
    "returns-and-refunds",
    "empathetic-communication",
    "seven-day-returns-and-consumer-rights",
    "coaching-and-mentoring-new-agents",
)
REVOKED_REASON = "复核发现该次结业考试由他人代考，证书撤销。"


def _design(name: str, template: str, *, bilingual: bool) -> CertificateDesign:
    logo = storage().put((ASSETS / "logo.png").read_bytes())
    signature = storage().put((ASSETS / "signature.png").read_bytes())
    design = CertificateDesign(
        name=name,
        template=template,
        issuer_name="星河电商客户服务中心",
        issuer_name_en="Xinghe E-commerce Customer Service Centre",
        signatory_name="陈建华",
        signatory_title="培训总监",
        signatory_title_en="Director of Training",
        logo_key=logo,
        logo_type="image/png",
        signature_key=signature,
        signature_type="image/png",
        bilingual=bilingual,
    )
    db.session.add(design)
    return design


def load_certificates(now: dt.datetime, hr: Employee) -> int:
    """Designs, awards and the certificates already earned; returns how many were issued."""
    if db.session.scalar(sa.select(CertificateDesign.id).limit(1)) is not None:
        return 0
    classic = _design("经典结业证书", "classic", bilingual=False)
    modern = _design("认证证书（双语）", "modern", bilingual=True)
    db.session.flush()
    for course_id in db.session.scalars(sa.select(Course.id).where(Course.slug.in_(COURSES))):
        db.session.add(CertificateAward(course_id=course_id, design_id=classic.id))
    for certification_id in db.session.scalars(sa.select(Certification.id)):
        db.session.add(CertificateAward(certification_id=certification_id, design_id=modern.id))
    db.session.flush()
    issued = issuing.issue_missing(now)
    # One certificate revoked, of someone who is not a demo login.
    revoked = db.session.scalar(
        sa.select(Certificate)
        .join(Employee, Employee.id == Certificate.employee_id)
        .where(Employee.username.is_(None), Certificate.course_id.is_not(None))
        .order_by(Certificate.id)
        .limit(1)
    )
    if revoked is not None:
        services.revoke(revoked, reason=REVOKED_REASON, actor=hr, now=now)
    db.session.flush()
    return issued
