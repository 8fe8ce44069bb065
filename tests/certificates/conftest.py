"""Certificate fixtures: a design, an award, and certificates made directly (so rendering,
verification and page tests do not depend on the issuing path, which has its own tests)."""

from __future__ import annotations

import datetime as dt

import pytest

from lms import clock
from lms.certificates import codes
from lms.certificates.models import Certificate, CertificateAward, CertificateDesign
from lms.extensions import db
from tests.courses.conftest import CatalogueFactory


class CertificateFactory:
    def __init__(self, make) -> None:
        self.make = make
        self.catalogue = CatalogueFactory()
        self.n = 0

    def design(self, **fields) -> CertificateDesign:
        self.n += 1
        design = CertificateDesign(
            name=fields.pop("name", f"设计{self.n}"),
            issuer_name=fields.pop("issuer_name", "星河电商客服学院"),
            issuer_name_en=fields.pop("issuer_name_en", "Xinghe Service Academy"),
            signatory_name=fields.pop("signatory_name", "陈建华"),
            signatory_title=fields.pop("signatory_title", "培训总监"),
            **fields,
        )
        db.session.add(design)
        db.session.flush()
        return design

    def award(self, course=None, certification=None, design=None) -> CertificateAward:
        award = CertificateAward(
            course_id=course.id if course else None,
            certification_id=certification.id if certification else None,
            design_id=(design or self.design()).id,
        )
        db.session.add(award)
        db.session.flush()
        return award

    def certificate(self, person=None, course=None, design=None, **fields) -> Certificate:
        """A certificate for a course (made here when not given), issued today by default."""
        self.n += 1
        person = person or self.make.employee(name=fields.pop("holder_name", "张伟"))
        course = course or self.catalogue.course(f"certificate-course-{self.n}", lessons=1)
        code = fields.pop("code", None) or codes.new_code()
        issued_on = fields.pop("issued_on", clock.now().date())
        certificate = Certificate(
            serial=fields.pop("serial", f"{issued_on.year}-{self.n:06d}"),
            code=code,
            code_digest=codes.digest(code),
            employee_id=person.id,
            course_id=course.id,
            design_id=(design or self.design()).id,
            holder_name=fields.pop("name", person.name),
            title=fields.pop("title", course.current_version.title),
            title_en=fields.pop("title_en", course.current_version.title_en),
            locale=fields.pop("locale", person.locale),
            issued_on=issued_on,
            **fields,
        )
        db.session.add(certificate)
        db.session.flush()
        return certificate


@pytest.fixture
def certificates(app, make) -> CertificateFactory:
    return CertificateFactory(make)


def days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)
