"""Certificate models: designs HR picks for a course or a certification, the awards that say
which course or certification grants one, the certificates themselves with their per-year
serial numbers and verification codes, an audit trail, and bulk render batches.

A certificate is a document: the holder's name, the title and the dates are copied in when it
is issued, so later renames do not change what was handed to an employer. Its status is
derived at query time: revoked when ``revoked_at`` is set, expired once ``expires_on`` is past,
otherwise valid. The PDF is rendered once and stored by content hash (``pdf_key``); a design
change does not touch stored PDFs until someone asks for a re-render.
"""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.clock import now
from lms.db import JSONType, value_enum
from lms.extensions import db
from lms.organisation.models import Employee

TEMPLATES = ("classic", "modern")  # templates/certificates/<name>.html


class CertificateStatus(enum.StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    REVOKED = "revoked"


class CertificateDesign(db.Model):
    """How a certificate looks: a template, the issuer and signatory, a logo and a signature
    (uploaded files, kept in the storage by content hash), and whether titles print in both
    languages. ``version`` moves on every change, so stale PDFs can be found."""

    __tablename__ = "certificate_design"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    template: Mapped[str] = mapped_column(sa.String(24), default="classic")
    issuer_name: Mapped[str] = mapped_column(sa.String(200))
    issuer_name_en: Mapped[str | None] = mapped_column(sa.String(200))
    signatory_name: Mapped[str] = mapped_column(sa.String(100), default="")
    signatory_title: Mapped[str] = mapped_column(sa.String(100), default="")
    signatory_title_en: Mapped[str | None] = mapped_column(sa.String(100))
    logo_key: Mapped[str | None] = mapped_column(sa.String(64))  # storage key (SHA-256)
    logo_type: Mapped[str | None] = mapped_column(sa.String(32))  # image/png, image/jpeg, ...
    signature_key: Mapped[str | None] = mapped_column(sa.String(64))
    signature_type: Mapped[str | None] = mapped_column(sa.String(32))
    bilingual: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=now, onupdate=now)

    __table_args__ = (
        sa.CheckConstraint("template IN ('classic', 'modern')", name="template_known"),
        sa.CheckConstraint("version >= 1", name="version_positive"),
    )


class CertificateAward(db.Model):
    """A course or a certification that grants a certificate, and in which design. Exactly one
    of ``course_id`` and ``certification_id`` is set, and each appears at most once."""

    __tablename__ = "certificate_award"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("course.id", ondelete="CASCADE"), unique=True
    )
    certification_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("certification.id", ondelete="CASCADE"), unique=True
    )
    design_id: Mapped[int] = mapped_column(sa.ForeignKey("certificate_design.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    design: Mapped[CertificateDesign] = relationship()
    course = relationship("Course")
    certification = relationship("Certification")

    __table_args__ = (
        sa.CheckConstraint("(course_id IS NULL) <> (certification_id IS NULL)", name="one_subject"),
    )


class CertificateSerial(db.Model):
    """The last serial number handed out in a year: ``2026-000123`` is year 2026, number 123.
    Numbers are taken with one atomic upsert (a block at a time for set-wise issuing)."""

    __tablename__ = "certificate_serial"

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(default=0)


class Certificate(db.Model):
    __tablename__ = "certificate"

    id: Mapped[int] = mapped_column(primary_key=True)
    serial: Mapped[str] = mapped_column(sa.String(16), unique=True)  # 2026-000123
    # The verification code as printed (20 Crockford base-32 characters = 100 bits, grouped
    # by 4 on the page); looked up by the SHA-256 of its canonical form.
    code: Mapped[str] = mapped_column(sa.String(20))
    code_digest: Mapped[str] = mapped_column(sa.String(64), unique=True)
    employee_id: Mapped[int] = mapped_column(sa.ForeignKey("employee.id"), index=True)
    course_id: Mapped[int | None] = mapped_column(sa.ForeignKey("course.id"), index=True)
    enrolment_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("enrolment.id", ondelete="SET NULL")
    )
    certification_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("certification.id"), index=True
    )
    cycle_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("certification_cycle.id"), unique=True
    )
    design_id: Mapped[int] = mapped_column(sa.ForeignKey("certificate_design.id"), index=True)
    # What the document says, copied at issue.
    holder_name: Mapped[str] = mapped_column(sa.String(200))
    title: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str | None] = mapped_column(sa.String(200))
    locale: Mapped[str] = mapped_column(sa.String(8), default="zh_CN")  # the holder's language
    issued_on: Mapped[dt.date]
    expires_on: Mapped[dt.date | None]
    issued_at: Mapped[dt.datetime] = mapped_column(default=now)
    # The stored PDF (storage key) and the design version it was rendered with.
    pdf_key: Mapped[str | None] = mapped_column(sa.String(64))
    rendered_version: Mapped[int | None]
    rendered_at: Mapped[dt.datetime | None]
    revoked_at: Mapped[dt.datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="SET NULL")
    )
    revocation_reason: Mapped[str | None] = mapped_column(sa.String(500))

    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id])
    revoked_by: Mapped[Employee | None] = relationship(foreign_keys=[revoked_by_id])
    design: Mapped[CertificateDesign] = relationship()
    course = relationship("Course")
    certification = relationship("Certification")

    __table_args__ = (
        # One certificate per person and course; one per certification cycle (cycle_id is
        # unique above, and a cycle belongs to one person and one certification).
        sa.Index(
            "uq_certificate_course",
            "employee_id",
            "course_id",
            unique=True,
            sqlite_where=sa.text("course_id IS NOT NULL"),
            postgresql_where=sa.text("course_id IS NOT NULL"),
        ),
        sa.CheckConstraint("(course_id IS NULL) <> (cycle_id IS NULL)", name="course_or_cycle"),
        sa.CheckConstraint(
            "(cycle_id IS NULL) = (certification_id IS NULL)", name="cycle_has_certification"
        ),
        sa.CheckConstraint(
            "(revoked_at IS NULL) = (revocation_reason IS NULL)", name="revocation_has_reason"
        ),
        sa.Index("ix_certificate_issued", "issued_on", "id"),
    )

    def status(self, today: dt.date) -> CertificateStatus:
        if self.revoked_at is not None:
            return CertificateStatus.REVOKED
        if self.expires_on is not None and self.expires_on <= today:
            return CertificateStatus.EXPIRED
        return CertificateStatus.VALID

    def display_title(self, locale: str) -> str:
        return (self.title_en if locale == "en" and self.title_en else None) or self.title

    @property
    def grouped_code(self) -> str:
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))


class CertificateEvent(db.Model):
    """The audit trail of a certificate: issued, rendered, revoked, reinstated."""

    __tablename__ = "certificate_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(
        sa.ForeignKey("certificate.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(sa.String(16))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employee.id", ondelete="SET NULL"))
    detail: Mapped[str | None] = mapped_column(sa.String(500))
    at: Mapped[dt.datetime] = mapped_column(default=now)

    actor: Mapped[Employee | None] = relationship()


class BatchStatus(enum.StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class CertificateBatch(db.Model):
    """A bulk download HR asked for: the filters, progress, and the finished zip (storage key).
    The scheduler process renders pending batches in a pool of worker processes."""

    __tablename__ = "certificate_batch"

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="SET NULL"), index=True
    )
    filters: Mapped[dict] = mapped_column(JSONType, default=dict)  # team, course, dates
    status: Mapped[BatchStatus] = mapped_column(
        value_enum(BatchStatus), default=BatchStatus.PENDING
    )
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    zip_key: Mapped[str | None] = mapped_column(sa.String(64))
    error: Mapped[str | None] = mapped_column(sa.String(500))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]

    requested_by: Mapped[Employee | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("done >= 0 AND done <= total", name="progress_range"),
        sa.Index("ix_certificate_batch_status", "status", "created_at"),
    )
