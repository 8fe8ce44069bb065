"""The jobs page: administrators see every sweep and the log, and "Run now" runs a sweep as
the timetable would, logged as manual with who asked."""

from __future__ import annotations

from lms import clock
from lms.scheduler import jobs
from lms.scheduler.models import Trigger
from lms.scheduler.runner import run_sweep
from tests.conftest import csrf_token
from tests.scheduler.conftest import T, departments, job_runs


def test_the_page_lists_every_sweep_of_the_application(app, make, sign_in):
    client = sign_in(make.employee("root", roles={"admin"}))
    page = client.get("/admin/jobs", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for sweep in jobs.SWEEPS:
        assert f'data-sweep="{sweep.name}"' in html
    assert "Daily at 07:30 (Asia/Shanghai)" in html and "Every 15 minutes" in html
    assert 'data-testid="job-log-empty"' in html
    assert 'data-testid="jobs-link"' in html  # the admin's navbar links here


def test_the_log_shows_runs_newest_first_and_filters_by_sweep(app, make, sign_in, test_sweeps):
    admin = make.employee("root", roles={"admin"}, locale="en")
    with clock.frozen(T):
        run_sweep(jobs.sweep_by_name("counter"), trigger="cli")
        run_sweep(jobs.sweep_by_name("broken"), trigger="schedule")
    client = sign_in(admin)
    html = client.get("/admin/jobs").get_data(as_text=True)
    assert html.index('data-trigger="schedule"') < html.index('data-trigger="cli"')
    assert "RuntimeError: the mail server refused the connection" in html
    only = client.get("/admin/jobs?sweep=counter").get_data(as_text=True)
    log = only[only.index('data-testid="job-log"') :]
    assert 'data-trigger="cli"' in log and 'data-trigger="schedule"' not in log


def test_run_now_runs_the_sweep_and_logs_who_asked(app, make, sign_in, test_sweeps, calls):
    admin = make.employee("root", roles={"admin"}, locale="en")
    client = sign_in(admin)
    token = csrf_token(client, "/admin/jobs")
    response = client.post(
        "/admin/jobs/writer/run", data={"csrf_token": token}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "Writer ran: 1 row touched." in response.get_data(as_text=True)
    [run] = job_runs("writer")
    assert (run.trigger, run.actor_id, run.rows, run.error) == (Trigger.MANUAL, admin.id, 1, None)
    assert len(departments()) == 1


def test_run_now_reports_the_error(app, make, sign_in, test_sweeps):
    client = sign_in(make.employee("root", roles={"admin"}, locale="en"))
    token = csrf_token(client, "/admin/jobs")
    response = client.post(
        "/admin/jobs/broken/run", data={"csrf_token": token}, follow_redirects=True
    )
    html = response.get_data(as_text=True)
    assert "Broken failed: RuntimeError: the mail server refused the connection" in html
    assert job_runs("broken")[0].trigger == Trigger.MANUAL


def test_run_now_of_an_unknown_sweep_is_not_found(app, make, sign_in, test_sweeps):
    client = sign_in(make.employee("root", roles={"admin"}))
    token = csrf_token(client, "/admin/jobs")
    assert client.post("/admin/jobs/nope/run", data={"csrf_token": token}).status_code == 404
    assert job_runs() == []


def test_run_now_needs_the_csrf_token(app, make, sign_in, test_sweeps):
    client = sign_in(make.employee("root", roles={"admin"}))
    assert client.post("/admin/jobs/writer/run").status_code == 400
    assert job_runs() == []


def test_only_administrators_reach_the_jobs_page(app, make, sign_in, client, test_sweeps):
    assert client.get("/admin/jobs").status_code == 302  # anonymous: to the sign-in page
    assert "/login" in client.get("/admin/jobs").location
    hr = make.employee("hr", roles={"hr", "supervisor", "mentor"})
    sign_in(hr)
    assert client.get("/admin/jobs").status_code == 403
    token = csrf_token(client, "/account")
    assert client.post("/admin/jobs/writer/run", data={"csrf_token": token}).status_code == 403
    assert job_runs() == []
    assert 'data-testid="jobs-link"' not in client.get("/").get_data(as_text=True)
