"""HR's KPI pages: upload, preview (problems, or the first rows with counts), confirm through
the stored upload, the recent imports, the template file and the metric definitions. HR and
admin only."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
import sqlalchemy as sa

from lms import clock
from lms.career import kpis
from lms.career.models import KpiImport, KpiMetric, KpiValue
from lms.extensions import db
from tests.conftest import csrf_from, csrf_token

NOW = dt.datetime(2026, 11, 15, 2, 0, tzinfo=dt.UTC)
GOOD = [
    ["工号", "姓名", "月份", "客户满意度", "complaint_rate", "Handled tickets"],
    ["C1001", "王芳", "2026-10", "93.5", "0.4", "620"],
    ["C1002", "李娜", "2026-10", "88", "", "580"],
]


def csv_bytes(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8-sig")


@pytest.fixture
def hr(app, make, sign_in):
    kpis.ensure_default_metrics()
    person = make.employee("hr", roles={"hr"}, name="赵敏")
    make.employee(employee_no="C1001", name="王芳")
    make.employee(employee_no="C1002", name="李娜")
    db.session.commit()
    sign_in(person)
    return person


def upload(client, rows, filename="kpi.csv"):
    token = csrf_token(client, "/career/kpis")
    with clock.frozen(NOW):
        return client.post(
            "/career/kpis/preview",
            data={"csrf_token": token, "file": (io.BytesIO(csv_bytes(rows)), filename)},
        )


def hidden(page: str, name: str) -> str:
    match = re.search(rf'name="{name}" type="hidden" value="([^"]*)"', page)
    assert match, f"no hidden {name}"
    return match.group(1)


def confirm(client, page: str, **changes):
    data = {
        "csrf_token": csrf_from(page),
        "key": hidden(page, "key"),
        "filename": hidden(page, "filename"),
    } | changes
    with clock.frozen(NOW):
        return client.post("/career/kpis/confirm", data=data)


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_a_file_with_problems_is_previewed_with_each_problem_and_no_confirm(client, hr):
    response = upload(
        client,
        [
            ["工号", "月份", "客户满意度"],
            ["C9999", "2026-10", "90"],
            ["C1001", "2027-01", "91"],
            ["C1002", "2026-10", "130"],
        ],
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Nothing was imported." in page
    for where in ("A (工号)", "B (月份)", "C (客户满意度)", "C9999", "2027-01", "130"):
        assert where in page
    assert 'name="key"' not in page
    assert count(KpiValue) == 0 and count(KpiImport) == 0


def test_preview_then_confirm_imports_and_lists_the_import(client, hr):
    response = upload(client, GOOD, "十月 KPI.csv")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'data-count="created">5<' in page
    assert 'data-count="people">2<' in page and 'data-count="months">1<' in page
    assert "王芳" in page and "93.5 %" in page and "620" in page
    assert count(KpiValue) == 0  # the preview writes nothing

    response = confirm(client, page)
    assert response.status_code == 302 and response.location.endswith("/career/kpis")
    assert count(KpiValue) == 5
    record = db.session.scalars(sa.select(KpiImport)).one()
    assert (record.source, record.filename, record.rows, record.created) == (
        "upload",
        "十月 KPI.csv",
        2,
        5,
    )
    assert record.imported_by_id == hr.id
    listing = client.get("/career/kpis").get_data(as_text=True)
    assert "Imported 2 rows: 5 new figures, 0 updated, 0 unchanged." in listing
    assert "赵敏" in listing and "十月 KPI.csv" in listing


def test_the_same_file_again_is_previewed_as_unchanged(client, hr):
    confirm(client, upload(client, GOOD).get_data(as_text=True))
    changed = [GOOD[0], GOOD[1], ["C1002", "李娜", "2026-10", "90", "", "580"]]
    page = upload(client, changed).get_data(as_text=True)
    assert 'data-count="created">0<' in page and 'data-count="updated">1<' in page
    assert 'data-count="unchanged">4<' in page
    assert 'data-status="updated"' in page and "was 88.0 %" in page
    confirm(client, page)
    again = upload(client, changed).get_data(as_text=True)
    assert "stored already; importing it changes nothing" in again
    assert count(KpiValue) == 5


def test_confirm_checks_the_file_again(client, hr):
    page = upload(client, GOOD).get_data(as_text=True)
    csat = db.session.scalars(sa.select(KpiMetric).where(KpiMetric.code == "csat")).one()
    csat.max_value = 90.0  # HR narrows the range between the preview and the confirmation
    db.session.commit()
    response = confirm(client, page)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "no longer passes the checks" in body and "D (客户满意度)" in body
    assert count(KpiValue) == 0 and count(KpiImport) == 0


def test_confirm_without_the_stored_file_asks_for_it_again(client, hr):
    page = upload(client, GOOD).get_data(as_text=True)
    response = confirm(client, page, key="0" * 64)
    assert response.status_code == 302
    assert "no longer available" in client.get("/career/kpis").get_data(as_text=True)
    response = confirm(client, page, key="../../etc/passwd")
    assert response.status_code == 302
    assert count(KpiValue) == 0


def test_an_upload_without_a_file_shows_the_form_again(client, hr):
    token = csrf_token(client, "/career/kpis")
    response = client.post("/career/kpis/preview", data={"csrf_token": token})
    assert response.status_code == 400
    assert "is-invalid" in response.get_data(as_text=True)


def test_the_templates_have_the_headers_in_both_languages(client, hr):
    with clock.frozen(NOW):
        zh = client.get("/career/kpis/template-zh.csv")
        en = client.get("/career/kpis/template-en.csv")
    assert zh.mimetype == "text/csv" and "attachment" in zh.headers["Content-Disposition"]
    text = zh.get_data().decode("utf-8")
    assert text.startswith("\ufeff工号,姓名,月份,客户满意度,首次解决率,平均首次响应时长,投诉率")
    assert "C1001,张三,2026-10,93.5" in text
    assert en.get_data().decode("utf-8").startswith("\ufeffemployee_no,name,month,csat,fcr,frt")
    assert client.get("/career/kpis/template-fr.csv").status_code == 404


def test_a_template_imports_cleanly(client, hr):
    with clock.frozen(NOW):
        text = client.get("/career/kpis/template-en.csv").get_data().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    page = upload(client, rows).get_data(as_text=True)
    assert "Unknown employee number “C1001”" not in page and 'data-count="created">6<' in page


def test_metric_definitions_are_listed_created_and_edited(client, hr):
    page = client.get("/career/kpis/metrics").get_data(as_text=True)
    assert all(f'data-metric="{m["code"]}"' in page for m in kpis.DEFAULT_METRICS)
    token = csrf_from(client.get("/career/kpis/metrics/new").get_data(as_text=True))
    form = {
        "csrf_token": token,
        "code": "aht",
        "name": "平均处理时长",
        "name_en": "Average handling time",
        "unit": "s",
        "direction": "lower",
        "min_value": "0",
        "max_value": "3600",
        "decimals": "0",
        "aggregate": "mean",
    }
    bad = client.post("/career/kpis/metrics/new", data=form | {"code": "AHT", "name": "投诉率"})
    assert bad.status_code == 200
    body = bad.get_data(as_text=True)
    assert "lowercase letters" in body and "already used by the metric complaint_rate" in body
    assert count(KpiMetric) == 6
    worse = client.post("/career/kpis/metrics/new", data=form | {"min_value": "x", "decimals": "9"})
    assert worse.status_code == 200 and count(KpiMetric) == 6
    response = client.post("/career/kpis/metrics/new", data=form)
    assert response.status_code == 302
    metric = db.session.scalars(sa.select(KpiMetric).where(KpiMetric.code == "aht")).one()
    assert (metric.higher_is_better, metric.max_value, metric.decimals) == (False, 3600, 0)

    edit = client.get(f"/career/kpis/metrics/{metric.id}").get_data(as_text=True)
    assert 'value="aht"' in edit and '<option selected value="lower">' in edit
    response = client.post(
        f"/career/kpis/metrics/{metric.id}",
        data=form | {"max_value": "7200", "direction": "higher"},
    )
    assert response.status_code == 302
    db.session.refresh(metric)
    assert metric.max_value == 7200 and metric.higher_is_better
    assert client.get("/career/kpis/metrics/999999").status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/career/kpis",
        "/career/kpis/metrics",
        "/career/kpis/metrics/new",
        "/career/kpis/template-zh.csv",
    ],
)
def test_only_hr_and_admin_reach_the_pages(client, app, make, sign_in, path):
    kpis.ensure_default_metrics()
    lead = make.employee("lead", roles={"supervisor", "mentor"})
    assert client.get(path).status_code == 302  # signed out: to the sign-in page
    sign_in(lead)
    assert client.get(path).status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    admin = make.employee("admin", roles={"admin"})
    sign_in(admin)
    assert client.get(path).status_code == 200


def test_others_cannot_post_a_file_or_confirm(client, make, sign_in):
    kpis.ensure_default_metrics()
    agent = make.employee("agent")
    sign_in(agent)
    token = csrf_token(client, "/")
    response = client.post(
        "/career/kpis/preview",
        data={"csrf_token": token, "file": (io.BytesIO(csv_bytes(GOOD)), "kpi.csv")},
    )
    assert response.status_code == 403
    response = client.post(
        "/career/kpis/confirm", data={"csrf_token": token, "key": "0" * 64, "filename": "k.csv"}
    )
    assert response.status_code == 403
