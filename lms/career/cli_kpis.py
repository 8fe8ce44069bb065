"""``lms career import-kpis FILE [--dry-run]`` and ``lms career metrics``."""

from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from lms import clock
from lms.career.cli import CommandError, career_group


@career_group.command("import-kpis")
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and show the counts; write nothing.")
@with_appcontext
def import_kpis(path: Path, dry_run: bool) -> None:
    """Import monthly service-KPI figures from a CSV or XLSX file (all rows or none)."""
    from lms.career.kpi_import import import_file
    from lms.extensions import db

    try:
        data = path.read_bytes()
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror or error}.") from None
    report = import_file(
        path.name,
        data,
        actor=None,
        now=clock.now(),
        source="cli",
        dry_run=dry_run,
        max_rows=current_app.config["IMPORT_MAX_ROWS"],
    )
    if not report.ok:
        db.session.rollback()
        for problem in report.problems:
            where = f"line {problem.line}" if problem.line else "file"
            if problem.column:
                where += f", column {problem.column}"
            click.echo(f"{path.name}: {where}: {problem.message}", err=True)
        raise CommandError("Nothing was imported.")
    counts = (
        f"{report.rows} rows, {len(report.figures)} figures: {report.created} new, "
        f"{report.updated} updated, {report.unchanged} unchanged; "
        f"{report.people} people, {report.months} months."
    )
    if dry_run:
        db.session.rollback()
        click.echo(f"{counts}\nDry run: nothing was written.")
        return
    db.session.commit()
    click.echo(f"Import {report.import_id}: {counts}")


@career_group.command("metrics")
@with_appcontext
def list_metrics() -> None:
    """List the service-KPI metric definitions (the import's columns)."""
    from lms.career.kpis import all_metrics

    metrics = all_metrics()
    if not metrics:
        click.echo("No metrics are defined.")
        return
    for metric in metrics:
        low = "" if metric.min_value is None else f"{metric.min_value:g}"
        high = "" if metric.max_value is None else f"{metric.max_value:g}"
        direction = "higher is better" if metric.higher_is_better else "lower is better"
        click.echo(
            f"{metric.code}\t{metric.name}\t{metric.name_en or ''}\tunit={metric.unit or '-'}\t"
            f"{direction}\trange={low}..{high}\tdecimals={metric.decimals}\t"
            f"{metric.aggregate.value}"
        )
