"""``lms certificates``: render PDFs into a directory, list certificates, revoke one, and issue
the ones completions and certified cycles are owed. Every refusal is a clear message with exit
code 2 and writes nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click
import sqlalchemy as sa
from flask.cli import AppGroup

from lms import clock

certificates_group = AppGroup("certificates", help="Certificates: render, list, revoke, issue.")
DATE = click.DateTime(formats=["%Y-%m-%d"])


class CommandError(click.ClickException):
    """A refused command: the message, and exit code 2."""

    exit_code = 2


def _team_id(text: str) -> int:
    from lms.extensions import db
    from lms.organisation.models import Team

    text = text.strip()
    found = None
    if text.isdigit() and int(text) < 2**31:
        found = db.session.scalar(sa.select(Team.id).where(Team.id == int(text)))
    if found is None:
        found = db.session.scalar(sa.select(Team.id).where(Team.name == text))
    if found is None:
        raise CommandError(f"No team {text!r} (give its name or its id).")
    return found


def _course_id(slug: str) -> int:
    from courses.services import course_by_slug

    course = course_by_slug(slug.strip())
    if course is None:
        raise CommandError(f"No course {slug!r}.")
    return course.id


def _certification_id(slug: str) -> int:
    from lms.certification.models import Certification
    from lms.extensions import db

    found = db.session.scalar(sa.select(Certification.id).where(Certification.slug == slug))
    if found is None:
        raise CommandError(f"No certification {slug!r}.")
    return found


class Progress:
    """Prints ``rendered 40/200`` about every tenth of the way, and at the end."""

    def __init__(self) -> None:
        self.shown = -1

    def __call__(self, done: int, total: int) -> None:
        step = max(1, total // 10)
        if done != self.shown and (done == total or done - max(self.shown, 0) >= step):
            self.shown = done
            click.echo(f"  {done}/{total} ready")


@certificates_group.command("render")
@click.option("--team", metavar="NAME|ID", help="Holders in this team.")
@click.option("--course", metavar="SLUG", help="Certificates of this course.")
@click.option("--certification", metavar="SLUG", help="Certificates of this certification.")
@click.option("--from", "issued_from", type=DATE, metavar="YYYY-MM-DD", help="Issued on or after.")
@click.option("--to", "issued_to", type=DATE, metavar="YYYY-MM-DD", help="Issued on or before.")
@click.option("--status", type=click.Choice(["valid", "expired", "revoked"]), help="Only these.")
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, writable=True, path_type=Path),
    help="Directory the PDFs are written into (made when missing).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1, max=64),
    default=None,
    help="Render processes (default: LMS_CERTIFICATE_WORKERS, 0 there: one per CPU).",
)
def render_command(
    team: str | None,
    course: str | None,
    certification: str | None,
    issued_from: dt.datetime | None,
    issued_to: dt.datetime | None,
    status: str | None,
    out_dir: Path,
    workers: int | None,
) -> None:
    """Write the PDFs of the selected certificates into a directory, rendering the missing."""
    from lms.certificates import bulk, render
    from lms.extensions import db

    if issued_from and issued_to and issued_from > issued_to:
        raise CommandError("--from is after --to.")
    filters = {
        "team_id": _team_id(team) if team is not None else None,
        "course_id": _course_id(course) if course is not None else None,
        "certification_id": _certification_id(certification) if certification else None,
        "issued_from": issued_from.date() if issued_from else None,
        "issued_to": issued_to.date() if issued_to else None,
        "status": status,
    }
    total = db.session.scalar(
        sa.select(sa.func.count()).select_from(bulk.filtered(filters).order_by(None).subquery())
    )
    if not total:
        click.echo("No certificates match; nothing written.")
        return
    workers = workers or bulk.worker_count()
    click.echo(f"{total} certificates into {out_dir} ({workers} render processes):")
    try:
        written = bulk.render_to_directory(filters, out_dir, workers=workers, progress=Progress())
    except render.RenderError as error:
        db.session.rollback()
        raise CommandError(f"Rendering failed: {error.message}") from None
    except OSError as error:
        raise CommandError(f"Cannot write into {out_dir}: {error.strerror or error}.") from None
    click.echo(f"Wrote {written} PDFs to {out_dir}.")


@certificates_group.command("list")
@click.option("--employee", "employee_no", metavar="NO", help="Only this person's.")
@click.option("--limit", type=click.IntRange(min=1), default=100, show_default=True)
def list_command(employee_no: str | None, limit: int) -> None:
    """Certificates, newest first: serial, holder, dates, status and the stored PDF."""
    from lms.certificates.models import Certificate, CertificateDesign
    from lms.extensions import db
    from lms.organisation import queries as org_queries
    from lms.organisation.models import Employee

    query = (
        sa.select(Certificate, Employee.employee_no, CertificateDesign.version)
        .join(Employee, Employee.id == Certificate.employee_id)
        .join(CertificateDesign, CertificateDesign.id == Certificate.design_id)
        .order_by(Certificate.issued_on.desc(), Certificate.id.desc())
        .limit(limit + 1)
    )
    if employee_no is not None:
        person = org_queries.employee_by_no(employee_no)
        if person is None:
            raise CommandError(f"No employee {employee_no!r}.")
        query = query.where(Certificate.employee_id == person.id)
    rows = db.session.execute(query).all()
    if not rows:
        click.echo("No certificates.")
        return
    today = clock.today()
    click.echo(
        f"{'serial':<12} {'employee':<10} {'issued':<10} {'expires':<10} {'status':<8} "
        f"{'pdf':<7} holder / title"
    )
    for certificate, number, version in rows[:limit]:
        if certificate.pdf_key is None:
            pdf = "none"
        else:
            pdf = "stored" if certificate.rendered_version == version else "stale"
        expires = certificate.expires_on.isoformat() if certificate.expires_on else "-"
        click.echo(
            f"{certificate.serial:<12} {number:<10} {certificate.issued_on.isoformat():<10} "
            f"{expires:<10} {certificate.status(today).value:<8} {pdf:<7} "
            f"{certificate.holder_name} / {certificate.title}"
        )
    if len(rows) > limit:
        click.echo(f"(first {limit} shown; --limit shows more)")


@certificates_group.command("revoke")
@click.argument("serial")
@click.option("--reason", required=True, help="Why (kept for HR and the audit trail).")
def revoke_command(serial: str, reason: str) -> None:
    """Revoke the certificate SERIAL (e.g. 2026-000123)."""
    from lms.certificates import services
    from lms.certificates.models import Certificate
    from lms.extensions import db

    certificate = db.session.scalar(
        sa.select(Certificate).where(Certificate.serial == serial.strip())
    )
    if certificate is None:
        raise CommandError(f"No certificate {serial!r}.")
    try:
        services.revoke(certificate, reason=reason, actor=None, now=clock.now())
    except services.CertificateError as error:
        db.session.rollback()
        raise CommandError(error.message) from None
    db.session.commit()
    click.echo(f"Revoked {certificate.serial} ({certificate.holder_name}).")


@certificates_group.command("issue-missing")
def issue_missing_command() -> None:
    """Issue every certificate a completed course or certification cycle is owed."""
    from lms.certificates import issuing
    from lms.extensions import db

    issued = issuing.issue_missing(clock.now())
    db.session.commit()
    click.echo(f"Issued {issued} missing certificates.")
