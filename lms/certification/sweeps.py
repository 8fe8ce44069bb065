"""The scheduler's certification sweeps. Each selects due rows by their stored dates and acts
set-wise, a fixed number of statements per certification whatever the number of holders; each
is idempotent (guarded UPDATEs, unique keys), so a second scheduler, a crash or a re-run adds
nothing. Each returns how many rows it acted on."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from lms.certification import completion, cycles, notices
from lms.certification.models import Certification, PersonCertification, Standing
from lms.extensions import db
from lms.mentorship.models import Mentorship, MentorshipStatus
from lms.organisation.models import Employee, EmployeeRole, EmployeeStatus, Team

PC = PersonCertification.__table__
NOTICE_DAYS = 14  # how long after its date a missed notice is still sent (catch-up)
WAITING = (Standing.DUE.value, Standing.EXPIRED.value)


def certifications() -> list[Certification]:
    return list(
        db.session.scalars(
            sa.select(Certification)
            .where(Certification.active.is_(True))
            .options(selectinload(Certification.courses))
            .order_by(Certification.id)
        )
    )


def _recent(certification: Certification, status: str, since: dt.date):
    """Holders in this status whose expiry is recent enough to still be told about."""
    return db.session.execute(
        sa.select(PC.c.id, PC.c.employee_id, PC.c.cycle_number, PC.c.expires_on).where(
            PC.c.certification_id == certification.id,
            PC.c.status == status,
            PC.c.expires_on > since,
        )
    ).all()


def open_windows(now: dt.datetime) -> int:
    moved = 0
    today = now.date()
    for certification in certifications():
        moved += cycles.open_windows(certification, now=now)
        due = db.session.execute(
            sa.select(PC.c.id, PC.c.employee_id, PC.c.cycle_number, PC.c.expires_on).where(
                PC.c.certification_id == certification.id,
                PC.c.status == Standing.DUE.value,
                PC.c.window_opens_on > today - dt.timedelta(days=NOTICE_DAYS),
            )
        ).all()
        notices.send("certification_due", certification, due, step="due", now=now)
    return moved


def expire(now: dt.datetime) -> int:
    moved = 0
    for certification in certifications():
        moved += cycles.expire(certification, now=now)
        lapsed = _recent(
            certification, Standing.EXPIRED.value, now.date() - dt.timedelta(days=NOTICE_DAYS)
        )
        notices.send("certification_expired", certification, lapsed, step="expired", now=now)
    return moved


def certify_completed(now: dt.datetime) -> int:
    done = 0
    for certification in certifications():
        done += announce_certified(certification, completion.certify(certification, now=now), now)
    return done


def announce_certified(certification: Certification, done, now: dt.datetime) -> int:
    if not done:
        return 0
    expiries = dict(
        db.session.execute(
            sa.select(PC.c.id, PC.c.expires_on).where(PC.c.id.in_([row[0] for row in done]))
        ).all()
    )
    notices.send(
        "certification_certified",
        certification,
        [(holder, person, number, expiries.get(holder)) for holder, person, number in done],
        step="certified",
        now=now,
    )
    return len(done)


def _bands(offsets: list[int]) -> list[tuple[int, int]]:
    """Each offset with the next one (days relative to expiry): a reminder is sent while
    today lies in its band, so a scheduler that was down sends only the latest."""
    ordered = sorted(set(offsets))
    return [
        (offset, ordered[i + 1] if i + 1 < len(ordered) else offset + NOTICE_DAYS)
        for i, offset in enumerate(ordered)
    ]


def send_reminders(now: dt.datetime) -> int:
    sent = 0
    today = now.date()
    for certification in certifications():
        for offset, upper in _bands(certification.reminder_days or []):
            rows = db.session.execute(
                sa.select(PC.c.id, PC.c.employee_id, PC.c.cycle_number, PC.c.expires_on).where(
                    PC.c.certification_id == certification.id,
                    PC.c.status.in_(WAITING),
                    PC.c.expires_on <= today - dt.timedelta(days=offset),
                    PC.c.expires_on > today - dt.timedelta(days=upper),
                )
            ).all()
            kind = "certification_overdue" if offset > 0 else "certification_reminder"
            sent += notices.send(kind, certification, rows, step=f"remind{offset}", now=now)
    return sent


def _escalation_recipients(target: str):
    """(holder columns..., recipient id, holder's name) for one step of the chain."""
    person = Employee.__table__.alias("person")
    columns = (PC.c.id, PC.c.cycle_number, PC.c.expires_on, person.c.name)
    base = sa.select(*columns).join(person, person.c.id == PC.c.employee_id)
    if target == "mentor":
        mentorship = Mentorship.__table__
        return base.add_columns(mentorship.c.mentor_id).join(
            mentorship,
            sa.and_(
                mentorship.c.mentee_id == PC.c.employee_id,
                mentorship.c.status == MentorshipStatus.ACTIVE.value,
            ),
        )
    if target == "supervisor":
        team = Team.__table__
        lead = sa.func.coalesce(person.c.supervisor_id, team.c.lead_id)
        return (
            base.add_columns(lead)
            .outerjoin(team, team.c.id == person.c.team_id)
            .where(lead.is_not(None), lead != person.c.id)
        )
    hr = Employee.__table__.alias("hr")
    role = EmployeeRole.__table__
    return (
        base.add_columns(hr.c.id)
        .join(role, role.c.role == "hr")
        .join(hr, sa.and_(hr.c.id == role.c.employee_id, hr.c.status != EmployeeStatus.LEFT.value))
        .where(hr.c.id != person.c.id)
    )


def escalate(now: dt.datetime) -> int:
    sent = 0
    today = now.date()
    for certification in certifications():
        for step in certification.escalation or []:
            target, days = step.get("to"), int(step.get("days", 0))
            if target not in ("mentor", "supervisor", "hr"):
                continue
            rows = db.session.execute(
                _escalation_recipients(target).where(
                    PC.c.certification_id == certification.id,
                    PC.c.status.in_(WAITING),
                    PC.c.expires_on <= today - dt.timedelta(days=days),
                    PC.c.expires_on > today - dt.timedelta(days=days + NOTICE_DAYS),
                )
            ).all()
            sent += notices.send_about(
                "certification_escalation",
                certification,
                [(h, recipient, n, day, name) for h, n, day, name, recipient in rows],
                step=f"escalate-{target}",
                now=now,
            )
    return sent
