"""The ``lms`` command: the Flask CLI of this application plus its own commands."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from lms import clock, create_app
from lms.career.cli import career_group
from lms.certificates.cli import certificates_group
from lms.certification.cli import certifications_group

DEMO_LOGINS = ("admin", "hr", "lead", "mentor", "newhire")
DEMO_PASSWORD = "lms-demo"  # noqa: S105 - documented demo credential


def main() -> None:
    FlaskGroup(create_app=lambda: create_app(), help="Training and mentoring platform.")(
        prog_name="lms"
    )


def register_commands(app: Flask) -> None:
    app.cli.add_command(demo_command)
    app.cli.add_command(token_group)
    app.cli.add_command(employees_group)
    app.cli.add_command(course_group)
    app.cli.add_command(questions_group)
    app.cli.add_command(mentors_group)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(serve_command)
    app.cli.add_command(certifications_group)
    app.cli.add_command(certificates_group)
    app.cli.add_command(career_group)


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Do nothing (successfully) if people exist.")
@with_appcontext
def demo_command(if_empty: bool) -> None:
    """Load the demo company (refuses a database holding non-demo people)."""
    from lms.demo import DemoRefused, load_demo
    from lms.extensions import db

    try:
        created = load_demo(clock.now(), if_empty=if_empty)
    except DemoRefused as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    if created:
        click.echo(
            f"Demo data loaded: {created} people. Password for the demo logins: {DEMO_PASSWORD}"
        )
    else:
        click.echo("Demo data already present; nothing to do.")


@click.group("token")
def token_group() -> None:
    """API bearer tokens."""


@token_group.command("create")
@click.argument("username")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
@click.option("--days", default=None, type=int, help="Validity in days (0: never expires).")
@with_appcontext
def token_create(username: str, name: str, days: int | None) -> None:
    """Create a token for USERNAME (or employee number) and print it once."""
    from lms.accounts import services
    from lms.extensions import db

    person = services.find_account(username)
    if person is None:
        raise click.ClickException(f"No account {username!r}.")
    token, secret = services.create_token(person, name, clock.now(), days=days)
    db.session.commit()
    click.echo(secret)
    click.echo(
        f"token {token.id} for {person.employee_no}; store it now, it is not shown again.", err=True
    )


@token_group.command("revoke")
@click.argument("token_id", type=int)
@with_appcontext
def token_revoke(token_id: int) -> None:
    """Revoke the token with this id."""
    from lms.accounts import services
    from lms.accounts.models import ApiToken
    from lms.extensions import db

    token = db.session.get(ApiToken, token_id)
    if token is None:
        raise click.ClickException(f"No token {token_id}.")
    services.revoke_token(token, clock.now())
    db.session.commit()
    click.echo(f"Token {token_id} revoked.")


@click.group("employees")
def employees_group() -> None:
    """People of the organisation."""


@employees_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def employees_import(path: Path) -> None:
    """Import employees from a CSV or XLSX file (all rows or none)."""
    from lms.extensions import db
    from lms.organisation.importer import import_employees

    report = import_employees(
        path.name,
        path.read_bytes(),
        actor=None,
        now=clock.now(),
        max_rows=current_app.config["IMPORT_MAX_ROWS"],
    )
    if not report.ok:
        db.session.rollback()
        for problem in report.problems:
            where = f"line {problem.line}" if problem.line else "file"
            if problem.column:
                where += f", column {problem.column}"
            click.echo(f"{path.name}: {where}: {problem.message}", err=True)
        raise click.ClickException("Nothing was imported.")
    db.session.commit()
    click.echo(
        f"{report.rows} rows: {len(report.created)} created, {report.updated} updated, "
        f"{report.unchanged} unchanged."
    )
    for account in report.created:
        click.echo(f"  {account.employee_no}\t{account.name}\tinitial password: {account.password}")


@click.group("course")
def course_group() -> None:
    """Course packages: export and import courses as YAML + Markdown."""


@course_group.command("export")
@click.argument("slug")
@click.argument("path", type=click.Path(path_type=Path))
@with_appcontext
def course_export(slug: str, path: Path) -> None:
    """Export course SLUG to PATH (a .zip file, otherwise a new folder)."""
    from courses import packages
    from courses.services import course_by_slug

    course = course_by_slug(slug)
    if course is None:
        raise click.ClickException(f"No course {slug!r}.")
    try:
        files = packages.export_course(course)
        if path.suffix.lower() == ".zip":
            path.write_bytes(packages.to_zip(files, folder=course.slug))
        else:
            packages.write_folder(files, path)
    except packages.PackageError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Exported {slug} ({len(files)} files) to {path}.")


@course_group.command("import")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--draft", is_flag=True, help="Leave imported courses as drafts.")
@with_appcontext
def course_import(path: Path, draft: bool) -> None:
    """Import a package folder or zip (all of it or nothing)."""
    from courses import packages
    from lms.extensions import db

    try:
        files = packages.read_path(path)
    except packages.PackageError as error:
        result = packages.ImportResult(problems=error.problems)
    else:
        result = packages.import_packages(files, actor=None, now=clock.now(), publish=not draft)
    if not result.ok:
        db.session.rollback()
        for problem in result.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException("Nothing was imported.")
    db.session.commit()
    for slug, outcome in result.outcomes():
        click.echo(f"  {slug}: {outcome}")
    click.echo(result.summary())


@course_group.command("import-library")
@with_appcontext
def course_import_library() -> None:
    """Import the starter library shipped in courses/library/."""
    from courses import packages

    click.get_current_context().invoke(course_import, path=packages.LIBRARY, draft=False)


@click.group("questions")
def questions_group() -> None:
    """The question bank: import GIFT or Aiken files, export GIFT."""


@questions_group.command("import")
@click.option("--format", "fmt", type=click.Choice(["gift", "aiken"]), required=True)
@click.option("--category", default="", help="Import under this category path, e.g. 客服/售后.")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def questions_import(fmt: str, category: str, path: Path) -> None:
    """Import the questions of a file (all of them or none)."""
    from assessments import transfer
    from lms.extensions import db

    try:
        text = transfer.decode(path.read_bytes())
    except transfer.TransferError as error:
        raise click.ClickException(f"{path}: {error}") from None
    base = [name for name in category.split("/") if name.strip()]
    result = transfer.import_questions(text, fmt, base=base, actor=None, now=clock.now())
    if not result.ok:
        db.session.rollback()
        for problem in result.problems:
            where = f"{path}:{problem.line}" if problem.line else str(path)
            click.echo(f"{where}: {problem.message}", err=True)
        raise click.ClickException("Nothing was imported.")
    db.session.commit()
    paths = {row.path for row in result.rows}
    click.echo(
        f"Imported {result.created} questions into {len(paths)} categories "
        f"({len(result.new_categories)} new)."
    )


@questions_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["gift"]), default="gift", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), help="Default: stdout.")
@click.argument("category_path")
@with_appcontext
def questions_export(fmt: str, output: Path | None, category_path: str) -> None:
    """Export a category and its subcategories, e.g. 客服/退换货."""
    from assessments import bank, transfer

    category = bank.category_by_path(category_path.split("/"))
    if category is None:
        raise click.ClickException(f"No category {category_path!r}.")
    exported = transfer.export_category(category)
    if output is None:
        click.echo(exported.text, nl=False)
    else:
        output.write_text(exported.text, encoding="utf-8")
        click.echo(f"Exported {exported.written} questions to {output}.", err=True)
    for question_id, why in exported.skipped:
        click.echo(f"Not exported: question {question_id}: {why}", err=True)


@click.group("mentors")
def mentors_group() -> None:
    """Mentors and their new hires."""


@mentors_group.command("match")
@click.option("--apply", "apply_", is_flag=True, help="Write the proposals (default: a dry run).")
@with_appcontext
def mentors_match(apply_: bool) -> None:
    """Propose a mentor for every new hire who has none, with the score and its reasons."""
    from lms.extensions import db
    from lms.mentorship import proposals
    from lms.organisation.models import Employee

    report = proposals.propose(None, now=clock.now(), apply=apply_)
    lines = []
    for mentorship in report.matched:
        mentee = db.session.get(Employee, mentorship.mentee_id)
        mentor = db.session.get(Employee, mentorship.mentor_id)
        reasons = ", ".join(f"{r['factor']}: {r['points']}" for r in mentorship.reasons or [])
        lines.append(
            f"  {mentee.employee_no} {mentee.name} -> {mentor.employee_no} {mentor.name}"
            f"  score {mentorship.score} ({reasons})"
        )
    unmatched = [f"  {p.employee_no} {p.name}" for p in report.unmatched]
    if apply_:
        assigned = sum(m.status == "active" for m in report.matched)
        db.session.commit()
    else:
        db.session.rollback()  # a dry run leaves no trace, not even capacity rows
        assigned = 0
    for line in lines:
        click.echo(line)
    if unmatched:
        click.echo(f"No mentor with a free place for {len(unmatched)} new hires:")
        for line in unmatched:
            click.echo(line)
    if not lines and not unmatched:
        click.echo("Every new hire has a mentor or a proposal.")
    elif not apply_:
        click.echo(f"Dry run: {len(lines)} proposals, nothing written; --apply writes them.")
    elif assigned:
        click.echo(f"{assigned} mentors assigned.")
    else:
        click.echo(f"{len(lines)} proposals written for HR to accept or change.")


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Run every sweep once and exit.")
@click.option("--run", "run_name", metavar="NAME", help="Run one sweep now and exit.")
@click.option("--log", "show_log", is_flag=True, help="Print the latest job runs and exit.")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(min=1))
def scheduler_command(once: bool, run_name: str | None, show_log: bool, limit: int) -> None:
    """Run the scheduler process: it leads (one per deployment) or stands by."""
    import logging

    from lms.scheduler import jobs
    from lms.scheduler.runner import run_all_once_outcomes, run_forever, run_sweep

    if sum((once, run_name is not None, show_log)) > 1:
        raise click.UsageError("Give one of --once, --run NAME and --log.")
    app = current_app._get_current_object()
    if show_log:
        _print_job_log(limit)
        return
    if run_name is not None:
        sweep = jobs.sweep_by_name(run_name)
        if sweep is None:
            known = ", ".join(s.name for s in jobs.all_sweeps())
            raise click.BadParameter(f"no sweep {run_name!r}; known: {known}.", param_hint="--run")
        outcomes = [run_sweep(sweep, trigger="cli")]
    elif once:
        outcomes = run_all_once_outcomes(app)
    else:
        if not logging.getLogger().handlers:
            logging.basicConfig(
                level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
            )
        run_forever(app)
        return
    for outcome in outcomes:
        click.echo(f"{outcome.name}: {outcome.rows}" if outcome.ok else f"{outcome.name}: failed")
        if not outcome.ok:
            click.echo(f"{outcome.name}: {outcome.error}", err=True)
    if not all(outcome.ok for outcome in outcomes):
        raise SystemExit(1)


def _print_job_log(limit: int) -> None:
    from zoneinfo import ZoneInfo

    from lms.scheduler.queries import recent_runs

    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    runs = recent_runs(limit)
    if not runs:
        click.echo("No job runs recorded.")
        return
    for run in runs:
        started = run.started_at.astimezone(zone).isoformat(timespec="seconds")
        if run.finished_at is None:
            took = "unfinished"
        else:
            took = f"{(run.finished_at - run.started_at).total_seconds():.1f}s"
        rows = "-" if run.rows is None else str(run.rows)
        line = f"{started}  {run.name:<28} {run.trigger.value:<8} {took:>10}  rows={rows}"
        if run.missed:
            line += f" missed={run.missed}"
        line += f"  {run.host}:{run.pid}"
        if run.actor is not None:
            line += f"  by {run.actor.employee_no}"
        if run.error:
            line += f"  error: {run.error.splitlines()[0][:200]}"
        click.echo(line)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option(
    "--port",
    default=lambda: int(os.environ.get("PORT", 5000)),
    type=int,
    help="Port (default $PORT or 5000).",
)
@click.option("--workers", default=2, show_default=True, type=int)
def serve_command(host: str, port: int, workers: int) -> None:
    """Serve with gunicorn and run the scheduler beside it; Ctrl-C stops both."""
    url = f"http://{host}:{port}/"
    children = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"{host}:{port}",
                "--workers",
                str(workers),
                "--access-logfile",
                "-",
                "lms.wsgi:app",
            ]
        ),
        subprocess.Popen([sys.executable, "-m", "lms.cli", "scheduler"]),
    ]
    click.echo(
        f"\n  Serving on {url}\n  Demo logins: {', '.join(DEMO_LOGINS)} "
        f"(password {DEMO_PASSWORD})\n  Ctrl-C stops the server and the scheduler.\n"
    )

    def _forward(signum: int, _frame: object) -> None:
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    signal.signal(signal.SIGTERM, _forward)
    signal.signal(signal.SIGINT, _forward)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    finally:
        _forward(signal.SIGTERM, None)
        for child in children:
            try:
                child.wait(timeout=20)
            except subprocess.TimeoutExpired:
                child.kill()
    codes = [child.returncode for child in children]
    if any(code not in (0, -signal.SIGTERM, -signal.SIGINT) for code in codes):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
