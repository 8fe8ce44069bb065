"""``lms career learning-plan EMPLOYEE_NO --by LOGIN [--target POST]``: what the "Create the
learning plan" button does, for HR from the command line — optionally aim the plan at a post
first, then enrol the person in the missing courses and certifications, once."""

from __future__ import annotations

import click
import sqlalchemy as sa
from flask.cli import with_appcontext

from lms import clock
from lms.career.cli import CommandError, career_group


def _person(text: str, what: str):
    from lms.extensions import db
    from lms.organisation.models import Employee

    found = db.session.scalar(
        sa.select(Employee).where(
            sa.or_(Employee.employee_no == text.strip(), Employee.username == text.strip())
        )
    )
    if found is None:
        raise CommandError(f"No {what} {text!r} (give an employee number or a login).")
    return found


@career_group.command("learning-plan")
@click.argument("employee_no")
@click.option("--by", "login", required=True, help="The HR account acting (login or 工号).")
@click.option("--target", default=None, help="Aim the plan at this post first (id or title).")
@with_appcontext
def learning_plan(employee_no: str, login: str, target: str | None) -> None:
    """Turn a person's gaps for their target post into enrolments, exactly once."""
    from lms.career import learning, plans, readiness
    from lms.extensions import db
    from lms.i18n import locale_code

    person, actor = _person(employee_no, "employee"), _person(login, "account")
    if not actor.has_role("hr", "admin"):
        raise CommandError(f"{actor.username or actor.employee_no} is not HR or an admin.")
    now = clock.now()
    try:
        if target is not None:
            post = readiness.find_post(target)
            if post is None:
                raise CommandError(f"No post {target!r} (give its id or exact title).")
            plans.set_target(person, post.id, actor, now)
        result = learning.create_learning_plan(person, actor, clock.today(), now)
    except plans.PlanError as error:
        db.session.rollback()
        raise CommandError(str(error)) from None
    db.session.commit()
    for item in result.added:
        if item.course is not None:
            title = learning.course_title(item.course)
        else:
            title = item.certification.display_title(locale_code())
        click.echo(f"+ {title} (by {item.suggested_by.isoformat()})")
    for reason in result.skipped:
        click.echo(f"- {reason}")
    click.echo(f"{len(result.added)} item(s) added to the learning plan of {person.name}.")
