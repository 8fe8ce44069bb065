"""Organisation models. An employee is also the account that signs in."""

from __future__ import annotations

import datetime as dt
import enum
import secrets

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.clock import now
from lms.db import value_enum
from lms.extensions import db

ROLES = ("employee", "mentor", "supervisor", "hr", "admin")


# Working hours of each shift (local time, end may pass midnight as 24).
SHIFTS: dict[str, tuple[int, int]] = {
    "morning": (8, 16),
    "day": (9, 18),
    "evening": (16, 24),
    "night": (0, 8),
}


class EmployeeStatus(enum.StrEnum):
    ONBOARDING = "onboarding"
    ACTIVE = "active"
    LEFT = "left"


def new_session_token() -> str:
    return secrets.token_urlsafe(32)


class Department(db.Model):
    __tablename__ = "department"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    name_en: Mapped[str | None] = mapped_column(sa.String(100))
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    teams: Mapped[list[Team]] = relationship(back_populates="department", order_by="Team.name")

    def display_name(self, locale: str) -> str:
        return (self.name_en if locale == "en" and self.name_en else None) or self.name


class Team(db.Model):
    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True)
    name_en: Mapped[str | None] = mapped_column(sa.String(100))
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("department.id"), index=True)
    lead_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employee.id", use_alter=True, ondelete="SET NULL"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    department: Mapped[Department] = relationship(back_populates="teams")
    lead: Mapped[Employee | None] = relationship(foreign_keys=[lead_id])

    def display_name(self, locale: str) -> str:
        return (self.name_en if locale == "en" and self.name_en else None) or self.name


class Post(db.Model):
    """A job post (岗位) with a level, e.g. 客服专员 L1."""

    __tablename__ = "post"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(100), unique=True)
    title_en: Mapped[str | None] = mapped_column(sa.String(100))
    level: Mapped[int] = mapped_column(default=1)
    # what the post is responsible for, shown on the career ladder
    description: Mapped[str | None] = mapped_column(sa.Text)
    description_en: Mapped[str | None] = mapped_column(sa.Text)
    # a key post: HR keeps a succession slate for it
    is_key: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[dt.datetime] = mapped_column(default=now)

    __table_args__ = (sa.CheckConstraint("level BETWEEN 0 AND 20", name="level_range"),)

    def display_name(self, locale: str) -> str:
        return (self.title_en if locale == "en" and self.title_en else None) or self.title

    def display_description(self, locale: str) -> str | None:
        return (self.description_en if locale == "en" and self.description_en else None) or (
            self.description
        )


class Employee(UserMixin, db.Model):
    __tablename__ = "employee"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_no: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100), index=True)
    email: Mapped[str | None] = mapped_column(sa.String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(sa.String(32))
    hire_date: Mapped[dt.date] = mapped_column(index=True)
    status: Mapped[EmployeeStatus] = mapped_column(
        value_enum(EmployeeStatus),
        default=EmployeeStatus.ONBOARDING,
        index=True,
    )
    left_on: Mapped[dt.date | None]
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("team.id"), index=True)
    post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("post.id"), index=True)
    supervisor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="SET NULL"), index=True
    )
    locale: Mapped[str] = mapped_column(sa.String(8), default="zh_CN")
    timezone: Mapped[str] = mapped_column(sa.String(64), default="Asia/Shanghai")
    shift: Mapped[str | None] = mapped_column(sa.String(16))  # a key of SHIFTS; None: day
    on_improvement_plan: Mapped[bool] = mapped_column(
        default=False, server_default=sa.false()
    )  # HR's flag

    # account
    username: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(sa.String(256))
    session_token: Mapped[str] = mapped_column(
        sa.String(64), unique=True, default=new_session_token
    )
    must_change_password: Mapped[bool] = mapped_column(default=False)
    last_login_at: Mapped[dt.datetime | None]
    is_demo: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=now)
    updated_at: Mapped[dt.datetime] = mapped_column(default=now, onupdate=now)

    team: Mapped[Team | None] = relationship(foreign_keys=[team_id])
    post: Mapped[Post | None] = relationship()
    supervisor: Mapped[Employee | None] = relationship(remote_side=[id])
    role_grants: Mapped[list[EmployeeRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", back_populates="employee"
    )
    post_changes: Mapped[list[PostChange]] = relationship(
        foreign_keys="PostChange.employee_id",
        order_by="PostChange.changed_at.desc()",
        back_populates="employee",
    )

    __table_args__ = (
        sa.CheckConstraint("status IN ('onboarding', 'active', 'left')", name="status_known"),
        sa.CheckConstraint(
            "supervisor_id IS NULL OR supervisor_id <> id", name="not_own_supervisor"
        ),
        sa.CheckConstraint(
            "shift IS NULL OR shift IN ('morning', 'day', 'evening', 'night')", name="shift_known"
        ),
    )

    # Flask-Login: the session carries a token that dies on logout and password change.
    def get_id(self) -> str:
        return self.session_token

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        return self.status != EmployeeStatus.LEFT and self.password_hash is not None

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(grant.role for grant in self.role_grants)

    def has_role(self, *names: str) -> bool:
        return bool(self.roles.intersection(names))

    def set_roles(self, names: set[str] | frozenset[str]) -> None:
        unknown = set(names) - set(ROLES)
        if unknown:
            raise ValueError(f"unknown roles: {', '.join(sorted(unknown))}")
        keep = [g for g in self.role_grants if g.role in names]
        have = {g.role for g in keep}
        self.role_grants = keep + [EmployeeRole(role=r) for r in sorted(set(names) - have)]

    def is_visible_to(self, user: Employee) -> bool:
        """Whether ``user`` may see this person's record."""
        if user.id == self.id or user.has_role("hr", "admin"):
            return True
        if user.has_role("supervisor"):
            if self.supervisor_id == user.id:
                return True
            return self.team is not None and self.team.lead_id == user.id
        return False

    def can_edit(self, user: Employee) -> bool:
        return user.has_role("hr", "admin")

    def __repr__(self) -> str:
        return f"<Employee {self.employee_no} {self.name}>"


class EmployeeRole(db.Model):
    __tablename__ = "employee_role"

    employee_id: Mapped[int] = mapped_column(
        sa.ForeignKey("employee.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(sa.String(16), primary_key=True)

    employee: Mapped[Employee] = relationship(back_populates="role_grants")

    __table_args__ = (
        sa.CheckConstraint(
            "role IN ('employee', 'mentor', 'supervisor', 'hr', 'admin')", name="role_known"
        ),
        sa.Index("ix_employee_role_role", "role"),
    )


class PostChange(db.Model):
    """History of an employee's posts; never deleted."""

    __tablename__ = "post_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    employee_id: Mapped[int] = mapped_column(sa.ForeignKey("employee.id"), index=True)
    from_post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("post.id"))
    to_post_id: Mapped[int | None] = mapped_column(sa.ForeignKey("post.id"))
    changed_at: Mapped[dt.datetime]
    changed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("employee.id"))
    source: Mapped[str] = mapped_column(sa.String(16), default="manual")

    employee: Mapped[Employee] = relationship(
        foreign_keys=[employee_id], back_populates="post_changes"
    )
    from_post: Mapped[Post | None] = relationship(foreign_keys=[from_post_id])
    to_post: Mapped[Post | None] = relationship(foreign_keys=[to_post_id])
    changed_by: Mapped[Employee | None] = relationship(foreign_keys=[changed_by_id])
