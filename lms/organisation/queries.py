"""Read-only queries for organisation pages and the API; each runs a bounded number of
statements whatever the number of people."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from lms.extensions import db
from lms.organisation.models import Department, Employee, EmployeeRole, Post, Team

SORTS = {
    "employee_no": Employee.employee_no,
    "name": Employee.name,
    "hire_date": Employee.hire_date,
    "status": Employee.status,
    "team": Team.name,
    "post": Post.title,
}


@dataclass
class EmployeeFilter:
    q: str = ""
    department_id: int | None = None
    team_id: int | None = None
    post_id: int | None = None
    status: str | None = None
    role: str | None = None
    sort: str = "employee_no"
    descending: bool = False


def employee_query(f: EmployeeFilter) -> sa.Select:
    query = (
        sa.select(Employee)
        .outerjoin(Team, Employee.team_id == Team.id)
        .outerjoin(Post, Employee.post_id == Post.id)
        .options(
            joinedload(Employee.team).joinedload(Team.department),
            joinedload(Employee.post),
            joinedload(Employee.supervisor),
        )
    )
    if f.q:
        like = f"%{f.q.strip()}%"
        query = query.where(
            sa.or_(
                Employee.name.ilike(like),
                Employee.employee_no.ilike(like),
                Employee.email.ilike(like),
                Employee.username.ilike(like),
            )
        )
    if f.department_id:
        query = query.where(Team.department_id == f.department_id)
    if f.team_id:
        query = query.where(Employee.team_id == f.team_id)
    if f.post_id:
        query = query.where(Employee.post_id == f.post_id)
    if f.status:
        query = query.where(Employee.status == f.status)
    if f.role:
        query = query.where(
            sa.exists().where(EmployeeRole.employee_id == Employee.id, EmployeeRole.role == f.role)
        )
    column = SORTS.get(f.sort, Employee.employee_no)
    order = column.desc() if f.descending else column.asc()
    return query.order_by(order, Employee.id)


def filter_choices() -> dict[str, list]:
    return {
        "departments": list(db.session.scalars(sa.select(Department).order_by(Department.name))),
        "teams": list(db.session.scalars(sa.select(Team).order_by(Team.name))),
        "posts": list(db.session.scalars(sa.select(Post).order_by(Post.level, Post.title))),
    }


def teams_by_id() -> dict[int, Team]:
    """Every team by its id (one statement)."""
    return {t.id: t for t in db.session.scalars(sa.select(Team))}


def employee_by_no(employee_no: str) -> Employee | None:
    return db.session.scalar(
        sa.select(Employee)
        .where(Employee.employee_no == employee_no)
        .options(
            joinedload(Employee.team), joinedload(Employee.post), joinedload(Employee.supervisor)
        )
    )


def organisation_overview() -> list[Department]:
    return list(
        db.session.scalars(
            sa.select(Department)
            .options(joinedload(Department.teams).joinedload(Team.lead))
            .order_by(Department.name)
        ).unique()
    )


def head_counts() -> dict[int, int]:
    rows = db.session.execute(
        sa.select(Employee.team_id, sa.func.count())
        .where(Employee.status != "left")
        .group_by(Employee.team_id)
    ).all()
    return {team_id: count for team_id, count in rows if team_id is not None}


def status_counts() -> dict[str, int]:
    rows = db.session.execute(
        sa.select(Employee.status, sa.func.count()).group_by(Employee.status)
    ).all()
    return {str(status): count for status, count in rows}
