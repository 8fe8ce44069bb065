"""The catalogue: tracks, tiers, courses and their versions, modules, lessons, attachments,
prerequisites, curricula; enrolment, rules and progress."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.clock import now
from lms.db import value_enum
from lms.extensions import db
from lms.organisation.models import Department, Employee, Post, Team


class Tier(enum.IntEnum):
    FOUNDATION = 1
    ADVANCED = 2
    LEADERSHIP = 3

    @property
    def code(self) -> str:
        return self.name.lower()

    @classmethod
    def from_code(cls, code: str) -> Tier:
        return cls[code.upper()]


class CourseStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class VersionStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    RETIRED = "retired"


class EnrolmentSource(enum.StrEnum):
    SELF = "self"
    ASSIGNMENT = "assignment"
    RULE = "rule"
    CURRICULUM = "curriculum"
    CERTIFICATION = "certification"


class Track(db.Model):
    """A topic area, e.g. 产品知识 (product knowledge)."""

    __tablename__ = "track"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    name_en: Mapped[str | None] = mapped_column(sa.String(100))
    position: Mapped[int] = mapped_column(default=100)

    def display_name(self, locale: str) -> str:
        return (self.name_en if locale == "en" and self.name_en else None) or self.name


class Course(db.Model):
    """The lasting identity of a course; its content lives in versions."""

    __tablename__ = "course"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    track_id: Mapped[int] = mapped_column(sa.ForeignKey("track.id"), index=True)
    tier: Mapped[int] = mapped_column(sa.SmallInteger, index=True)
    status: Mapped[CourseStatus] = mapped_column(
        value_enum(CourseStatus), default=CourseStatus.DRAFT, index=True
    )
    self_enrolment: Mapped[bool] = mapped_column(default=True)
    default_prerequisites: Mapped[bool] = mapped_column(default=True)
    owner_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employee.id", ondelete="SET NULL"))
    # the version learners who enrol now get; None until the first publication
    current_version_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("course_version.id", use_alter=True, ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    track: Mapped[Track] = relationship()
    owner: Mapped[Employee | None] = relationship()
    current_version: Mapped[CourseVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )
    versions: Mapped[list[CourseVersion]] = relationship(
        foreign_keys="CourseVersion.course_id",
        back_populates="course",
        order_by="CourseVersion.number",
    )
    prerequisites: Mapped[list[Course]] = relationship(
        secondary="course_prerequisite",
        primaryjoin="Course.id == CoursePrerequisite.course_id",
        secondaryjoin="Course.id == CoursePrerequisite.requires_course_id",
        order_by="Course.slug",
    )

    __table_args__ = (sa.CheckConstraint("tier BETWEEN 1 AND 3", name="tier_known"),)

    @property
    def tiervalue_enum(self) -> Tier:
        return Tier(self.tier)

    def can_edit(self, user: Employee) -> bool:
        return user.has_role("hr", "admin")


class CourseVersion(db.Model):
    """One version of a course's content. Published versions never change: learners who
    started on one keep it."""

    __tablename__ = "course_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(
        sa.ForeignKey("course.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    status: Mapped[VersionStatus] = mapped_column(
        value_enum(VersionStatus), default=VersionStatus.DRAFT
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str | None] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    summary_en: Mapped[str | None] = mapped_column(sa.Text)
    estimated_minutes: Mapped[int] = mapped_column(default=0)
    change_note: Mapped[str | None] = mapped_column(sa.Text)
    change_log: Mapped[str | None] = mapped_column(sa.Text)  # computed on publication
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    published_at: Mapped[dt.datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="SET NULL")
    )

    course: Mapped[Course] = relationship(foreign_keys=[course_id], back_populates="versions")
    modules: Mapped[list[Module]] = relationship(
        back_populates="version", order_by="Module.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        sa.UniqueConstraint("course_id", "number"),
        sa.CheckConstraint("estimated_minutes >= 0", name="minutes_positive"),
    )

    def display_title(self, locale: str) -> str:
        return (self.title_en if locale == "en" and self.title_en else None) or self.title

    def display_summary(self, locale: str) -> str:
        return (self.summary_en if locale == "en" and self.summary_en else None) or self.summary

    @property
    def lessons(self) -> list[Lesson]:
        return [lesson for module in self.modules for lesson in module.lessons]


# One draft at most per course: a partial unique index where the database supports it.
sa.Index(
    "uq_course_version_one_draft",
    CourseVersion.course_id,
    unique=True,
    sqlite_where=CourseVersion.status == "draft",
    postgresql_where=CourseVersion.status == "draft",
)


class Module(db.Model):
    __tablename__ = "course_module"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("course_version.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str | None] = mapped_column(sa.String(200))

    version: Mapped[CourseVersion] = relationship(back_populates="modules")
    lessons: Mapped[list[Lesson]] = relationship(
        back_populates="module", order_by="Lesson.position", cascade="all, delete-orphan"
    )

    def display_title(self, locale: str) -> str:
        return (self.title_en if locale == "en" and self.title_en else None) or self.title


class Lesson(db.Model):
    __tablename__ = "lesson"

    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(
        sa.ForeignKey("course_module.id", ondelete="CASCADE"), index=True
    )
    version_id: Mapped[int] = mapped_column(
        sa.ForeignKey("course_version.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(sa.String(64))  # stable across versions
    position: Mapped[int]
    title: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str | None] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text, default="")  # Markdown
    video_url: Mapped[str | None] = mapped_column(sa.String(500))
    minutes: Mapped[int] = mapped_column(default=5)
    required: Mapped[bool] = mapped_column(default=True)

    module: Mapped[Module] = relationship(back_populates="lessons")
    version: Mapped[CourseVersion] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="lesson", order_by="Attachment.filename", cascade="all, delete-orphan"
    )

    __table_args__ = (sa.UniqueConstraint("version_id", "key"),)

    def display_title(self, locale: str) -> str:
        return (self.title_en if locale == "en" and self.title_en else None) or self.title


class Attachment(db.Model):
    """A file offered with a lesson; the bytes live in storage under their SHA-256."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    lesson_id: Mapped[int] = mapped_column(
        sa.ForeignKey("lesson.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(sa.String(64))

    lesson: Mapped[Lesson] = relationship(back_populates="attachments")

    __table_args__ = (sa.UniqueConstraint("lesson_id", "filename"),)


class CoursePrerequisite(db.Model):
    __tablename__ = "course_prerequisite"

    course_id: Mapped[int] = mapped_column(
        sa.ForeignKey("course.id", ondelete="CASCADE"), primary_key=True
    )
    requires_course_id: Mapped[int] = mapped_column(
        sa.ForeignKey("course.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    __table_args__ = (sa.CheckConstraint("course_id <> requires_course_id", name="not_itself"),)


class Curriculum(db.Model):
    """A learning path: an ordered set of courses with an overall due period."""

    __tablename__ = "curriculum"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(80), unique=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    title_en: Mapped[str | None] = mapped_column(sa.String(200))
    summary: Mapped[str] = mapped_column(sa.Text, default="")
    summary_en: Mapped[str | None] = mapped_column(sa.Text)
    due_days: Mapped[int] = mapped_column(default=30)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    items: Mapped[list[CurriculumCourse]] = relationship(
        order_by="CurriculumCourse.position",
        cascade="all, delete-orphan",
        back_populates="curriculum",
    )

    __table_args__ = (sa.CheckConstraint("due_days BETWEEN 1 AND 3650", name="due_days_range"),)

    def display_title(self, locale: str) -> str:
        return (self.title_en if locale == "en" and self.title_en else None) or self.title

    @property
    def courses(self) -> list[Course]:
        return [item.course for item in self.items]


class CurriculumCourse(db.Model):
    __tablename__ = "curriculum_course"

    curriculum_id: Mapped[int] = mapped_column(
        sa.ForeignKey("curriculum.id", ondelete="CASCADE"), primary_key=True
    )
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), primary_key=True, index=True)
    position: Mapped[int]

    curriculum: Mapped[Curriculum] = relationship(back_populates="items")
    course: Mapped[Course] = relationship()


class EnrolmentRule(db.Model):
    """Enrols everyone matching the criteria in a course or a curriculum, automatically."""

    __tablename__ = "enrolment_rule"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    course_id: Mapped[int | None] = mapped_column(sa.ForeignKey("course.id"), index=True)
    curriculum_id: Mapped[int | None] = mapped_column(sa.ForeignKey("curriculum.id"), index=True)
    post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("post.id"))
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("team.id"))
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"))
    employee_status: Mapped[str | None] = mapped_column(sa.String(16))  # None: not left
    due_days_after_hire: Mapped[int | None]
    due_days_after_enrolment: Mapped[int | None]
    active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    course: Mapped[Course | None] = relationship()
    curriculum: Mapped[Curriculum | None] = relationship()
    post: Mapped[Post | None] = relationship()
    team: Mapped[Team | None] = relationship()
    department: Mapped[Department | None] = relationship()

    __table_args__ = (
        sa.CheckConstraint("(course_id IS NULL) <> (curriculum_id IS NULL)", name="one_target"),
        sa.CheckConstraint(
            "employee_status IS NULL OR employee_status IN ('onboarding', 'active')",
            name="status_known",
        ),
    )


class CurriculumEnrolment(db.Model):
    __tablename__ = "curriculum_enrolment"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(sa.ForeignKey("employee.id"), index=True)
    curriculum_id: Mapped[int] = mapped_column(sa.ForeignKey("curriculum.id"), index=True)
    due_on: Mapped[dt.date | None]
    source: Mapped[EnrolmentSource] = mapped_column(value_enum(EnrolmentSource))
    rule_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("enrolment_rule.id", ondelete="SET NULL")
    )
    assigned_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    curriculum: Mapped[Curriculum] = relationship()
    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id])

    __table_args__ = (sa.UniqueConstraint("employee_id", "curriculum_id"),)


class Enrolment(db.Model):
    """A person in a course. The version is pinned when they start, so a course published
    anew never changes under their feet."""

    __tablename__ = "enrolment"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(sa.ForeignKey("employee.id"), index=True)
    course_id: Mapped[int] = mapped_column(sa.ForeignKey("course.id"), index=True)
    version_id: Mapped[int | None] = mapped_column(sa.ForeignKey("course_version.id"))
    curriculum_id: Mapped[int | None] = mapped_column(sa.ForeignKey("curriculum.id"))
    due_on: Mapped[dt.date | None] = mapped_column(index=True)
    source: Mapped[EnrolmentSource] = mapped_column(value_enum(EnrolmentSource))
    rule_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("enrolment_rule.id", ondelete="SET NULL"), index=True
    )
    assigned_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    started_at: Mapped[dt.datetime | None]
    last_activity_at: Mapped[dt.datetime | None]
    completed_at: Mapped[dt.datetime | None]
    # a certification's new cycle reopened the course: attempts before this do not count
    reopened_at: Mapped[dt.datetime | None]

    employee: Mapped[Employee] = relationship(foreign_keys=[employee_id])
    course: Mapped[Course] = relationship()
    version: Mapped[CourseVersion | None] = relationship()
    curriculum: Mapped[Curriculum | None] = relationship()
    rule: Mapped[EnrolmentRule | None] = relationship()
    assigned_by: Mapped[Employee | None] = relationship(foreign_keys=[assigned_by_id])

    __table_args__ = (
        sa.UniqueConstraint("employee_id", "course_id"),
        sa.Index("ix_enrolment_open_due", "due_on", "completed_at"),
    )

    def status(self, today: dt.date) -> str:
        """not_started, in_progress, completed or overdue — derived, never stored."""
        if self.completed_at is not None:
            return "completed"
        if self.due_on is not None and self.due_on < today:
            return "overdue"
        return "in_progress" if self.started_at is not None else "not_started"


class LessonCompletion(db.Model):
    __tablename__ = "lesson_completion"

    enrolment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrolment.id", ondelete="CASCADE"), primary_key=True
    )
    lesson_id: Mapped[int] = mapped_column(sa.ForeignKey("lesson.id"), primary_key=True)
    completed_at: Mapped[dt.datetime] = mapped_column(default=now)
