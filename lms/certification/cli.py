"""``lms certifications``: the certifications with their holders by state, assigning, a person's
standing, and requiring recertification after a course changed."""

from __future__ import annotations

import datetime as dt

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from lms import clock

STATES = ("certified", "due", "expired", "in_progress", "assigned")
BASES = {"completion": "from completion", "expiry": "from previous expiry"}


class CommandError(click.ClickException):
    """A refused command: the message, and exit code 2."""

    exit_code = 2


@click.group("certifications")
def certifications_group() -> None:
    """Certifications: list, assign, a person's standing, recertification."""


def _certification(certification_id: int):
    from lms.certification.models import Certification
    from lms.extensions import db

    found = db.session.get(Certification, certification_id) if certification_id < 2**31 else None
    if found is None:
        raise CommandError(f"No certification {certification_id}.")
    return found


def _base(certification) -> str:
    if str(certification.expiry_base) == "fixed":
        return "fixed " + ",".join(certification.fixed_dates or [])
    return BASES.get(str(certification.expiry_base), str(certification.expiry_base))


@certifications_group.command("list")
@with_appcontext
def list_command() -> None:
    """Every certification: period, window, expiry base and holders by state."""
    from lms.certification import queries

    certifications = queries.certification_list()
    if not certifications:
        click.echo("No certifications.")
        return
    counts = queries.state_counts(clock.today())
    click.echo(f"{'id':>4}  {'slug':<32} {'period':<10} {'window':<9} {'base':<26} holders")
    for c in certifications:
        mine = counts.get(c.id, {})
        holders = ", ".join(f"{state} {mine[state]}" for state in STATES if mine.get(state))
        flag = "" if c.active else "  (inactive)"
        click.echo(
            f"{c.id:>4}  {c.slug:<32} {f'{c.active_months} months':<10} "
            f"{f'{c.window_days} days':<9} {_base(c):<26} {holders or 'none'}{flag}"
        )
        click.echo(f"      {c.title}")


def _one(model, column, value: str, what: str) -> int:
    from lms.extensions import db

    found = db.session.scalar(sa.select(model.id).where(column == value))
    if found is None:
        raise CommandError(f"No {what} {value!r}.")
    return found


def _employee_ids(text: str) -> list[int]:
    from lms.extensions import db
    from lms.organisation.models import Employee

    numbers = list(dict.fromkeys(n.strip() for n in text.split(",") if n.strip()))
    if not numbers:
        raise CommandError('--employees needs employee numbers, e.g. "A001,A002".')
    found = dict(
        db.session.execute(
            sa.select(Employee.employee_no, Employee.id).where(Employee.employee_no.in_(numbers))
        ).all()
    )
    unknown = [n for n in numbers if n not in found]
    if unknown:
        raise CommandError(f"Unknown employee numbers: {', '.join(unknown)}. Nobody was assigned.")
    return [found[n] for n in numbers]


@certifications_group.command("assign")
@click.argument("certification_id", type=int)
@click.option("--employees", metavar="NOS", help='Employee numbers, e.g. "A001,A002".')
@click.option("--team", metavar="NAME", help="Everyone in this team.")
@click.option("--post", metavar="TITLE", help="Everyone holding this post.")
@click.option("--department", metavar="NAME", help="Everyone in this department's teams.")
@click.option("--everyone", is_flag=True, help="Everyone still employed.")
@with_appcontext
def assign_command(
    certification_id: int,
    employees: str | None,
    team: str | None,
    post: str | None,
    department: str | None,
    everyone: bool,
) -> None:
    """Assign certification ID to people, a team, a post, a department or everyone."""
    from lms.certification import services
    from lms.extensions import db
    from lms.organisation.models import Department, Post, Team

    chosen = [v for v in (employees, team, post, department) if v is not None] + (
        [True] if everyone else []
    )
    if len(chosen) != 1:
        raise CommandError(
            "Give exactly one of --employees, --team, --post, --department and --everyone."
        )
    certification = _certification(certification_id)
    if not certification.active:
        raise CommandError(f"Certification {certification.slug} is not active.")
    if employees is not None:
        target = {"employee_ids": _employee_ids(employees)}
    elif team is not None:
        target = {"team_id": _one(Team, Team.name, team, "team")}
    elif post is not None:
        target = {"post_id": _one(Post, Post.title, post, "post")}
    elif department is not None:
        target = {"department_id": _one(Department, Department.name, department, "department")}
    else:
        target = {"everyone": True}
    try:
        count = services.assign(certification, actor=None, now=clock.now(), **target)
    except services.CertificationError as error:
        db.session.rollback()
        raise CommandError(error.message) from None
    db.session.commit()
    click.echo(f"Assigned {certification.slug} to {count} people (already holding it: unchanged).")


@certifications_group.command("status")
@click.argument("employee_no")
@with_appcontext
def status_command(employee_no: str) -> None:
    """A person's certifications with their state and expiry."""
    from lms.certification import queries
    from lms.certification.models import Certification, PersonCertification
    from lms.extensions import db
    from lms.organisation import queries as org_queries

    person = org_queries.employee_by_no(employee_no)
    if person is None:
        raise CommandError(f"No employee {employee_no!r}.")
    today = clock.today()
    rows = db.session.execute(
        sa.select(PersonCertification, Certification, queries.state_expression(today))
        .join(Certification, Certification.id == PersonCertification.certification_id)
        .where(PersonCertification.employee_id == person.id)
        .order_by(Certification.title, Certification.id)
    ).all()
    click.echo(f"{person.employee_no} {person.name}")
    if not rows:
        click.echo("  No certifications.")
        return
    for holder, certification, state in rows:
        click.echo(
            f"  {certification.slug:<32} {state:<12} {_when(holder, state, today)}"
            f"  cycle {holder.cycle_number}"
        )


def _when(holder, state: str, today: dt.date) -> str:
    if holder.expires_on is None:
        return f"first due {holder.due_on.isoformat()}" if holder.due_on else "no date yet"
    days = holder.days_left(today)
    if state == "expired":
        return f"expired {holder.expires_on.isoformat()} ({-days} days ago)"
    text = f"expires {holder.expires_on.isoformat()} ({days} days left)"
    if state == "certified" and holder.window_opens_on:
        text += f", renewal from {holder.window_opens_on.isoformat()}"
    return text


@certifications_group.command("require-recertification")
@click.argument("certification_id", type=int)
@click.option("--course", "slug", required=True, metavar="SLUG", help="The course that changed.")
@click.option(
    "--by",
    "by",
    required=True,
    type=click.DateTime(formats=["%Y-%m-%d"]),
    metavar="YYYY-MM-DD",
    help="Renew by this date (after today).",
)
@click.option("--yes", is_flag=True, help="Apply it (default: only show how many it concerns).")
@with_appcontext
def require_recertification_command(
    certification_id: int, slug: str, by: dt.datetime, yes: bool
) -> None:
    """Everyone certified on an older version of the course must renew by a date."""
    from courses.services import course_by_slug
    from lms.certification import renewal, services
    from lms.certification.models import CourseRole
    from lms.extensions import db

    certification = _certification(certification_id)
    course = course_by_slug(slug)
    if course is None:
        raise CommandError(f"No course {slug!r}.")
    ids = certification.course_ids(CourseRole.INITIAL) + certification.course_ids(
        CourseRole.RENEWAL
    )
    if course.id not in ids:
        raise CommandError(f"Course {slug} is not part of {certification.slug}.")
    if course.current_version_id is None:
        raise CommandError(f"Course {slug} has no published version.")
    now, day = clock.now(), by.date()
    if day <= now.date():
        raise CommandError(f"--by must be after today ({now.date().isoformat()}).")
    count = renewal.recertification_count(certification, course)
    click.echo(
        f"{count} holders of {certification.slug} were certified on an older version of "
        f"{slug}; they would have to renew by {day.isoformat()}."
    )
    if not yes:
        click.echo("Preview only, nothing changed; --yes applies it.")
        return
    try:
        done = renewal.require_recertification(certification, course, by=day, now=now)
    except services.CertificationError as error:
        db.session.rollback()
        raise CommandError(error.message) from None
    db.session.commit()
    click.echo(f"{done} holders must renew by {day.isoformat()}; their renewal windows are open.")
