"""HR's service-KPI pages: the monthly import (upload, preview, confirm), its template file,
the recent imports and the metric definitions. HR and admin only.

The preview keeps nothing in the process: the upload is stored (``lms.storage``, addressed by
its SHA-256) and its key travels in the confirmation form, which checks the file again before
writing, so any worker can take the confirmation."""

from __future__ import annotations

import csv
import io

from flask import Response, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms import access, clock
from lms.career import kpi_import, kpis
from lms.career.forms_kpis import (
    AGGREGATE_LABELS,
    DIRECTION_LABELS,
    KpiConfirmForm,
    KpiUploadForm,
    MetricForm,
)
from lms.career.kpi_import import FigureStatus
from lms.career.models import KpiMetric
from lms.career.views import bp
from lms.extensions import db
from lms.storage import storage

HR = ("hr", "admin")
EXAMPLE = {
    "csat": "93.5",
    "fcr": "78.2",
    "frt": "35",
    "complaint_rate": "0.40",
    "qa_score": "91.0",
    "tickets": "620",
}


def _page(form: KpiUploadForm, status: int = 200):
    return (
        render_template(
            "career/kpis/index.html",
            form=form,
            imports=kpi_import.recent_imports(),
            metrics=kpis.all_metrics(),
        ),
        status,
    )


def _preview(report: kpi_import.KpiReport, confirm: KpiConfirmForm | None, *, stale: bool):
    return render_template(
        "career/kpis/preview.html",
        report=report,
        confirm=confirm,
        stale=stale,
        statuses=FigureStatus,
        format_value=kpis.format_value,
    )


def _check(filename: str, data: bytes, *, write: bool) -> kpi_import.KpiReport:
    return kpi_import.import_file(
        filename,
        data,
        actor=current_user,
        now=clock.now(),
        dry_run=not write,
        max_rows=current_app.config["IMPORT_MAX_ROWS"],
    )


@bp.get("/kpis")
@access.roles(*HR)
def kpi_imports():
    return _page(KpiUploadForm())


@bp.post("/kpis/preview")
@access.roles(*HR)
def kpi_preview():
    form = KpiUploadForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    filename, data = form.file.data.filename or "", form.file.data.read()
    report = _check(filename, data, write=False)
    db.session.rollback()
    confirm = None
    if report.ok:
        confirm = KpiConfirmForm(key=storage().put(data), filename=filename[:255])
    return _preview(report, confirm, stale=False)


@bp.post("/kpis/confirm")
@access.roles(*HR)
def kpi_confirm():
    form = KpiConfirmForm()
    if not form.validate_on_submit() or not storage().exists(form.key.data):
        flash(_("The checked file is no longer available. Upload it again."), "danger")
        return redirect(url_for(".kpi_imports"))
    report = _check(form.filename.data, storage().get(form.key.data), write=True)
    if not report.ok:  # the people or the metrics changed since the preview
        db.session.rollback()
        return _preview(report, None, stale=True), 409 if report.conflict else 422
    db.session.commit()
    flash(
        _(
            "Imported %(rows)d rows: %(created)d new figures, %(updated)d updated, "
            "%(unchanged)d unchanged.",
            rows=report.rows,
            created=report.created,
            updated=report.updated,
            unchanged=report.unchanged,
        ),
        "success",
    )
    return redirect(url_for(".kpi_imports"))


@bp.get("/kpis/template-<any(zh, en):headers>.csv")
@access.roles(*HR)
def kpi_template(headers: str):
    """A CSV (UTF-8 with BOM, so Excel opens it) with the header row and one example row."""
    metrics = kpis.all_metrics()
    if headers == "zh":
        header = ["工号", "姓名", "月份"] + [m.name for m in metrics]
    else:
        header = ["employee_no", "name", "month"] + [m.code for m in metrics]
    month = kpis.shift_month(kpis.month_start(clock.today()), -1)
    example = ["C1001", "张三", f"{month:%Y-%m}"] + [EXAMPLE.get(m.code, "") for m in metrics]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([header, example])
    return Response(
        "\ufeff" + out.getvalue(),
        mimetype="text/csv",
        headers={"Content-Disposition": f"attachment; filename=kpi-template-{headers}.csv"},
    )


# --- metric definitions -----------------------------------------------------------------


@bp.get("/kpis/metrics")
@access.roles(*HR)
def kpi_metrics():
    return render_template(
        "career/kpis/metrics.html",
        metrics=kpis.all_metrics(),
        aggregate_labels=AGGREGATE_LABELS,
    )


def _metric_form(metric: KpiMetric | None):
    form = MetricForm(obj=metric)
    if metric is not None and not form.is_submitted():
        form.direction.data = "higher" if metric.higher_is_better else "lower"
        form.aggregate.data = metric.aggregate.value
    if form.validate_on_submit():
        try:
            saved = kpis.save_metric(metric, form.values())
        except kpis.MetricError as error:
            db.session.rollback()
            for name, message in error.errors.items():
                getattr(form, name).errors.append(message)
        else:
            db.session.commit()
            flash(_("The metric %(code)s has been saved.", code=saved.code), "success")
            return redirect(url_for(".kpi_metrics"))
    return render_template(
        "career/kpis/metric_form.html",
        form=form,
        metric=metric,
        direction_labels=DIRECTION_LABELS,
    )


@bp.route("/kpis/metrics/new", methods=["GET", "POST"])
@access.roles(*HR)
def kpi_metric_new():
    return _metric_form(None)


@bp.route("/kpis/metrics/<int(max=2147483647):metric_id>", methods=["GET", "POST"])
@access.roles(*HR)
def kpi_metric_edit(metric_id: int):
    return _metric_form(db.get_or_404(KpiMetric, metric_id))
