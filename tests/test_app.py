"""Configuration, security headers, error pages, the health check and the scheduler."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from config import ConfigError, get_config
from lms.extensions import db
from lms.scheduler.models import SweepRun
from lms.scheduler.runner import run_all_once
from tests.conftest import make_app


def test_production_refuses_to_start_without_a_secret(monkeypatch):
    monkeypatch.delenv("LMS_SECRET_KEY", raising=False)
    monkeypatch.setenv("LMS_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    with pytest.raises(ConfigError, match="LMS_SECRET_KEY"):
        get_config("production")


def test_production_refuses_a_per_process_rate_limit_store(monkeypatch):
    monkeypatch.setenv("LMS_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("LMS_RATELIMIT_STORAGE_URI", "memory://")
    with pytest.raises(ConfigError, match="shared store"):
        get_config("production")


def test_production_starts_with_what_it_needs(monkeypatch, database_url):
    monkeypatch.setenv("LMS_SECRET_KEY", "x" * 40)
    monkeypatch.setenv("LMS_RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("LMS_DATABASE_URL", database_url)
    config = get_config("production")
    assert config.SECRET_KEY == "x" * 40 and config.SESSION_COOKIE_SECURE is True
    assert database_url == config.SQLALCHEMY_DATABASE_URI


def test_unknown_environment_is_an_error():
    with pytest.raises(ConfigError, match="Unknown LMS_ENV"):
        get_config("staging")


def test_bad_integer_setting_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("LMS_MAX_UPLOAD_MB", "lots")
    with pytest.raises(ConfigError, match="LMS_MAX_UPLOAD_MB"):
        get_config("development")


def test_security_headers(client):
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_pages_load_nothing_from_elsewhere(client):
    page = client.get("/login").get_data(as_text=True)
    assert "http://" not in page.replace("http://www.w3.org", "")
    assert "https://" not in page


def test_unexpected_errors_render_the_500_page(database_url, _schema):
    app = make_app(database_url, RENDER_ERRORS_IN_TESTS=True)

    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    response = app.test_client().get("/boom", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)
    assert "kaboom" not in response.get_data(as_text=True)
    with app.app_context():
        db.engine.dispose()


def test_healthz_reports_an_unreachable_database(tmp_path):
    app = make_app(f"sqlite:///{tmp_path}/missing/dir/db.sqlite3")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"]["ok"] is False
    with app.app_context():
        db.engine.dispose()


def test_scheduler_runs_its_sweeps_and_healthz_shows_it(app, client):
    from lms.scheduler.jobs import all_sweeps

    results = run_all_once(app)
    # every sweep ran, and on an empty database none had anything to do
    assert results == {sweep.name: 0 for sweep in all_sweeps()}
    assert {"heartbeat", "close-overdue-attempts", "open-certification-windows"} <= set(results)
    again = run_all_once(app)
    assert again == results
    run = db.session.scalar(sa.select(SweepRun).where(SweepRun.name == "heartbeat"))
    assert run.runs == 2 and run.last_error is None
    assert client.get("/healthz").get_json()["scheduler"]["last_run_at"] is not None


def test_scheduler_command_once(runner):
    result = runner.invoke(args=["scheduler", "--once"])
    assert result.exit_code == 0 and "heartbeat: 0" in result.output


def test_behind_a_proxy_the_client_address_is_the_forwarded_one(database_url, _schema):
    app = make_app(database_url, LOGIN_LIMIT_PER_IP="2 per minute")
    app.config["PROXY_HOPS"] = 1
    from werkzeug.middleware.proxy_fix import ProxyFix

    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1)
    client = app.test_client()

    def attempt(address: str) -> int:
        token_page = client.get("/login", headers={"X-Forwarded-For": address})
        from tests.conftest import csrf_from

        return client.post(
            "/login",
            data={
                "login": f"u-{address}",
                "password": "x" * 10,
                "csrf_token": csrf_from(token_page.get_data(as_text=True)),
            },
            headers={"X-Forwarded-For": address},
        ).status_code

    assert [attempt("203.0.113.7") for _ in range(3)] == [200, 200, 429]
    assert attempt("203.0.113.8") == 200  # another client behind the same proxy
    with app.app_context():
        db.engine.dispose()
