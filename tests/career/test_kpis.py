"""Service KPI definitions: the default metrics (inserted once), HR's create/edit validation,
a person's recent figures in one statement, and how a figure is written out."""

from __future__ import annotations

import datetime as dt

import pytest

from lms.career import kpis
from lms.career.models import KpiAggregate, KpiMetric, KpiValue
from lms.extensions import db
from tests.test_query_counts import count_statements

TODAY = dt.date(2026, 11, 15)


def by_code() -> dict[str, KpiMetric]:
    return {m.code: m for m in kpis.all_metrics()}


def valid(**changes) -> dict:
    return {
        "code": "aht",
        "name": "平均处理时长",
        "name_en": "Average handling time",
        "unit": "s",
        "higher_is_better": False,
        "min_value": 0,
        "max_value": 7200,
        "decimals": 0,
        "aggregate": "mean",
    } | changes


def test_default_metrics_are_inserted_once(app):
    assert kpis.ensure_default_metrics() == 6
    assert kpis.ensure_default_metrics() == 0
    metrics = kpis.all_metrics()
    assert [m.code for m in metrics] == [
        "csat",
        "fcr",
        "frt",
        "complaint_rate",
        "qa_score",
        "tickets",
    ]
    csat, frt, complaints, tickets = (
        by_code()[c] for c in ("csat", "frt", "complaint_rate", "tickets")
    )
    assert (csat.name, csat.name_en, csat.unit, csat.decimals) == ("客户满意度", "CSAT", "%", 1)
    assert csat.higher_is_better and (csat.min_value, csat.max_value) == (0, 100)
    assert (frt.unit, frt.higher_is_better, frt.max_value, frt.decimals) == ("s", False, 86400, 0)
    assert (complaints.higher_is_better, complaints.decimals) == (False, 2)
    assert tickets.aggregate == KpiAggregate.SUM and tickets.max_value == 100000


def test_defaults_leave_a_metric_hr_defined_alone(app):
    kpis.save_metric(None, valid(code="csat", name="满意度", name_en="Satisfaction"))
    assert kpis.ensure_default_metrics() == 5
    assert by_code()["csat"].name == "满意度"  # not overwritten


def test_defaults_on_a_connection_as_a_migration_does(app):
    with db.engine.begin() as connection:
        assert kpis.ensure_default_metrics(connection) == 6
    assert len(kpis.all_metrics()) == 6


def test_a_new_metric_is_saved_after_the_others(app):
    kpis.ensure_default_metrics()
    metric = kpis.save_metric(None, valid(code=" aht ", name=" 平均处理时长 "))
    assert (metric.code, metric.name, metric.unit, metric.higher_is_better) == (
        "aht",
        "平均处理时长",
        "s",
        False,
    )
    assert kpis.all_metrics()[-1].code == "aht"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "AHT"}, "code"),
        ({"code": "1st"}, "code"),
        ({"code": "a-b"}, "code"),
        ({"code": "x" * 33}, "code"),
        ({"code": ""}, "code"),
        ({"name": ""}, "name"),
        ({"name_en": "  "}, "name_en"),
        ({"unit": "u" * 17}, "unit"),
        ({"min_value": 10, "max_value": 5}, "max_value"),
        ({"min_value": "ten"}, "min_value"),
        ({"max_value": float("inf")}, "max_value"),
        ({"decimals": 5}, "decimals"),
        ({"decimals": None}, "decimals"),
        ({"aggregate": "median"}, "aggregate"),
        ({"code": "csat"}, "code"),  # another metric's code
        ({"name": "客户满意度"}, "name"),  # another metric's Chinese name
        ({"name_en": "qa SCORE"}, "name_en"),  # another's English name, any case
        ({"name_en": "Tickets"}, "name_en"),  # another's code as a header
        ({"name": "月份"}, "name"),  # a column of the import
        ({"code": "month"}, "code"),
    ],
)
def test_a_definition_is_refused_with_the_field_named(app, changes, field):
    kpis.ensure_default_metrics()
    with pytest.raises(kpis.MetricError) as caught:
        kpis.save_metric(None, valid(**changes))
    assert field in caught.value.errors and caught.value.errors[field]
    assert "aht" not in by_code()


def test_every_problem_is_reported_at_once(app):
    with pytest.raises(kpis.MetricError) as caught:
        kpis.save_metric(None, valid(code="Bad Code", name="", decimals=9))
    assert set(caught.value.errors) == {"code", "name", "decimals"}


def test_editing_keeps_its_own_labels_and_refuses_anothers(app):
    kpis.ensure_default_metrics()
    csat = by_code()["csat"]
    kpis.save_metric(
        csat,
        {
            "code": "csat",
            "name": "客户满意度",
            "name_en": "csat",  # its own code: no clash with itself
            "unit": "%",
            "higher_is_better": True,
            "min_value": 0,
            "max_value": 100,
            "decimals": 2,
            "aggregate": "mean",
        },
    )
    assert (csat.name_en, csat.decimals) == ("csat", 2)
    with pytest.raises(kpis.MetricError) as caught:
        kpis.save_metric(csat, valid(code="fcr", name="新名字", name_en="New"))
    assert "fcr" in caught.value.errors["code"]


def test_person_history_reads_the_complete_months_before_today_in_one_statement(app, make):
    kpis.ensure_default_metrics()
    metrics = by_code()
    person, other = make.employee(), make.employee()
    figures = [
        (person, "csat", dt.date(2026, 8, 1), 80.0),  # before the window
        (person, "csat", dt.date(2026, 9, 1), 90.0),
        (person, "csat", dt.date(2026, 10, 1), 94.0),
        (person, "csat", dt.date(2026, 11, 1), 99.0),  # this month: not complete
        (person, "tickets", dt.date(2026, 9, 1), 600.0),
        (person, "tickets", dt.date(2026, 10, 1), 640.0),
        (other, "csat", dt.date(2026, 10, 1), 50.0),
    ]
    for employee, code, month, value in figures:
        db.session.add(
            KpiValue(employee_id=employee.id, metric_id=metrics[code].id, month=month, value=value)
        )
    db.session.flush()
    with count_statements() as statements:
        history = kpis.person_history(person.id, 3, TODAY)
    assert len(statements) == 1
    assert [h.metric.code for h in history] == [m.code for m in kpis.all_metrics()]
    csat = history[0]
    assert csat.months == [dt.date(2026, 8, 1), dt.date(2026, 9, 1), dt.date(2026, 10, 1)]
    assert csat.series == [
        (dt.date(2026, 8, 1), 80.0),
        (dt.date(2026, 9, 1), 90.0),
        (dt.date(2026, 10, 1), 94.0),
    ]
    assert csat.latest == (dt.date(2026, 10, 1), 94.0)
    assert csat.summary == pytest.approx(88.0)
    tickets = next(h for h in history if h.metric.code == "tickets")
    assert tickets.summary == 1240.0  # summed, not averaged
    assert tickets.format(tickets.summary) == "1,240"
    fcr = next(h for h in history if h.metric.code == "fcr")
    assert fcr.values == {} and fcr.latest is None and fcr.summary is None


def test_a_window_across_the_new_year(app):
    assert kpis.month_window(3, dt.date(2027, 2, 3)) == (dt.date(2026, 11, 1), dt.date(2027, 1, 1))
    assert kpis.shift_month(dt.date(2026, 1, 1), -1) == dt.date(2025, 12, 1)


def test_format_value_uses_the_metrics_decimals_and_unit(app):
    kpis.ensure_default_metrics()
    metrics = by_code()
    assert kpis.format_value(metrics["csat"], 93.46) == "93.5 %"
    assert kpis.format_value(metrics["csat"], 92) == "92.0 %"
    assert kpis.format_value(metrics["frt"], 35.4) == "35 s"
    assert kpis.format_value(metrics["complaint_rate"], 0.4) == "0.40 %"
    assert kpis.format_value(metrics["tickets"], 12400) == "12,400"
    assert kpis.format_value(metrics["qa_score"], None) == "—"
