"""``lms career ladders``, ``lms career readiness EMPLOYEE_NO [--target POST]`` and
``lms career succession POST``: the ladders with their requirements, a person's readiness with
the evidence, and a post's succession slate, in ``--lang`` (default: the CLI's language)."""

from __future__ import annotations

import contextlib

import click
from flask.cli import with_appcontext
from flask_babel import force_locale
from flask_babel import gettext as _

from lms import clock
from lms.career.cli import CommandError, career_group

LANG = click.option(
    "--lang",
    type=click.Choice(["en", "zh_CN"]),
    default=None,
    help="Language of the labels and evidence (default: the CLI's language).",
)


def _language(lang: str | None):
    return force_locale(lang) if lang else contextlib.nullcontext()


def _status(status: str) -> str:
    return {"met": _("met"), "partly": _("partly met"), "not_met": _("not met")}[status]


def _horizon(found) -> str:
    from lms.career.readiness import Horizon

    if found.horizon == Horizon.NOW:
        return _("ready now")
    text = _("ready within a year") if found.horizon == Horizon.YEAR else _("ready later")
    return _("%(horizon)s (about %(months)d months)", horizon=text, months=found.months_to_ready)


def readiness_lines(found) -> list[str]:
    """The findings of a readiness, one line each: status, what is required, the evidence."""
    return [f"  [{_status(str(f.status))}] {f.label} — {f.evidence}" for f in found.findings] or [
        "  " + _("This step has no requirements.")
    ]


@career_group.command("ladders")
@LANG
@with_appcontext
def ladders(lang: str | None) -> None:
    """Print the career ladders: their steps and each step's requirements."""
    from lms.career import requirements
    from lms.career.api import all_ladders
    from lms.i18n import locale_code

    with _language(lang):
        found = all_ladders()
        if not found:
            click.echo(_("No career ladders yet."))
            return
        code = locale_code()
        kinds = {"promotion": _("promotion"), "branch": _("branch"), "lateral": _("lateral move")}
        for ladder in found:
            click.echo(ladder.display_name(code))
            if not ladder.steps:
                click.echo("  " + _("No steps yet."))
            for step in ladder.steps:
                click.echo(
                    f"  {step.from_post.display_name(code)} L{step.from_post.level} → "
                    f"{step.to_post.display_name(code)} L{step.to_post.level} "
                    f"({kinds[str(step.kind)]})"
                )
                for requirement in step.requirements:
                    click.echo(f"    - {requirements.label(requirement)}")


@career_group.command("readiness")
@click.argument("employee_no")
@click.option("--target", default=None, help="Target post: its id or exact title.")
@LANG
@with_appcontext
def readiness_command(employee_no: str, target: str | None, lang: str | None) -> None:
    """Print a person's readiness for a step, with each requirement's evidence. Without
    --target: their career plan's target, else the first promotion step out of their post."""
    from lms.career import readiness
    from lms.organisation import queries as org_queries

    with _language(lang):
        person = org_queries.employee_by_no(employee_no)
        if person is None:
            raise CommandError(_("No employee has the number %(v)s.", v=employee_no))
        try:
            found = readiness.resolve(person, target, clock.today())
        except readiness.TargetError as error:
            raise CommandError(error.message) from None
        click.echo(
            _(
                "%(name)s (%(no)s) → %(post)s: %(percent)d %%, %(horizon)s",
                name=person.name,
                no=person.employee_no,
                post=found.to_post_name,
                percent=found.percent,
                horizon=_horizon(found),
            )
        )
        for line in readiness_lines(found):
            click.echo(line)


@career_group.command("succession")
@click.argument("post")
@LANG
@with_appcontext
def succession_command(post: str, lang: str | None) -> None:
    """Print the succession slate of a post (its id or exact title): candidates ranked by
    readiness, with their gaps."""
    from lms.career import readiness, succession
    from lms.career.readiness import Horizon
    from lms.i18n import locale_code

    with _language(lang):
        found = readiness.find_post(post)
        if found is None:
            raise CommandError(_("No post has the id or title %(v)s.", v=post))
        slate = succession.slate(found.id, clock.today())
        assert slate is not None
        code = locale_code()
        click.echo(
            _(
                "%(post)s: %(now)d ready now, %(year)d within a year, %(later)d later",
                post=found.display_name(code),
                now=len(slate.by_horizon(Horizon.NOW)),
                year=len(slate.by_horizon(Horizon.YEAR)),
                later=len(slate.by_horizon(Horizon.LATER)),
            )
        )
        if not slate.candidates:
            click.echo(_("No candidates: no step leads into this post from anyone's post."))
        for rank, candidate in enumerate(slate.candidates, start=1):
            person, found_readiness = candidate.employee, candidate.readiness
            here = person.post.display_name(code) if person.post else "-"
            click.echo(
                f"{rank:>3}. {person.name} ({person.employee_no}, {here}) "
                f"{found_readiness.percent} %, {_horizon(found_readiness)}"
            )
            for gap in found_readiness.gaps:
                click.echo(f"       - {gap.label} — {gap.evidence}")
