"""What the home page and the health check show."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from lms.extensions import db
from lms.organisation.models import Employee, EmployeeStatus, Team
from lms.scheduler.models import SweepRun


def home_summary(user: Employee, today: dt.date) -> dict:
    summary: dict = {"team_size": None, "new_hires": [], "counts": None}
    if user.has_role("hr", "admin"):
        rows = db.session.execute(
            sa.select(Employee.status, sa.func.count()).group_by(Employee.status)
        ).all()
        summary["counts"] = {str(s): n for s, n in rows}
        summary["new_hires"] = list(
            db.session.scalars(
                sa.select(Employee)
                .where(
                    Employee.hire_date >= today - dt.timedelta(days=30),
                    Employee.status != EmployeeStatus.LEFT,
                )
                .options(joinedload(Employee.team), joinedload(Employee.post))
                .order_by(Employee.hire_date.desc(), Employee.id.desc())
                .limit(10)
            )
        )
    if user.has_role("supervisor"):
        summary["team_size"] = db.session.scalar(
            sa.select(sa.func.count(Employee.id))
            .outerjoin(Team, Employee.team_id == Team.id)
            .where(
                sa.or_(Employee.supervisor_id == user.id, Team.lead_id == user.id),
                Employee.id != user.id,
                Employee.status != EmployeeStatus.LEFT,
            )
        )
    return summary


def scheduler_state() -> dict:
    heartbeat = db.session.get(SweepRun, "heartbeat")
    if heartbeat is None or heartbeat.last_finished_at is None:
        return {"last_run_at": None}
    return {"last_run_at": heartbeat.last_finished_at.isoformat()}
