"""Fixtures in the manner of Flaskr: an app per test, a client, a runner, and one-line
factories. The suite runs on SQLite by default and on PostgreSQL when
``LMS_TEST_DATABASE_URL`` names a server: a throw-away database is created there for the
run and dropped afterwards."""

from __future__ import annotations

import contextvars
import datetime as dt
import os
import re
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask, has_app_context
from flask.testing import FlaskClient

from config import TestingConfig
from lms import create_app
from lms.db import write_intent
from lms.extensions import db
from lms.organisation.models import Department, Employee, EmployeeStatus, Post, Team

PASSWORD = "correct-horse-9"


def _throwaway_postgres(server_url: str) -> tuple[str, str, sa.Engine]:
    url = sa.make_url(server_url)
    name = f"lms_test_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False), name, admin


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = os.environ.get("LMS_TEST_DATABASE_URL")
    if not server:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    url, name, admin = _throwaway_postgres(server)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def make_app(database_url: str, **overrides: object) -> Flask:
    config = TestingConfig()
    config.SQLALCHEMY_DATABASE_URI = database_url
    return create_app(config, **overrides)


@pytest.fixture(scope="session")
def _schema(database_url: str) -> Iterator[None]:
    app = make_app(database_url)
    with app.app_context():
        db.drop_all()
        db.create_all()
        db.engine.dispose()
    yield


def wipe(app: Flask) -> None:
    with app.app_context():
        db.session.remove()
        tables = list(reversed(db.metadata.sorted_tables))
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                # TRUNCATE costs per table whether it holds rows or not: truncate only those
                # a test wrote to (CASCADE takes any table referring to them along).
                probe = " UNION ALL ".join(
                    f"SELECT '{t.name}' WHERE EXISTS (SELECT FROM \"{t.name}\")" for t in tables
                )
                full = [name for (name,) in conn.exec_driver_sql(probe)]
                if full:
                    names = ", ".join(f'"{name}"' for name in full)
                    conn.exec_driver_sql(f"TRUNCATE {names} RESTART IDENTITY CASCADE")
            else:
                conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
                for table in tables:
                    conn.execute(table.delete())


class IsolatedClient(FlaskClient):
    """Each request runs in its own app context, as in production (its own session and
    ``g``), not in the test's. The test's session is committed before the request, so the
    request sees what the test built, and after it, so the test reads what the request did."""

    def open(self, *args, **kwargs):
        if not has_app_context():  # a redirect being followed inside an isolated request
            return super().open(*args, **kwargs)
        db.session.commit()
        try:
            return contextvars.Context().run(super().open, *args, **kwargs)
        finally:
            db.session.commit()


@pytest.fixture(scope="session")
def _shared_app(database_url: str, _schema: None) -> Flask:
    """One application for the whole run: building one compiles some nine hundred URL rules,
    a fifth of a second that every test would otherwise pay. The ``app`` fixture gives each
    test a fresh context and puts back whatever a test changed on it."""
    app = make_app(database_url)
    app.test_client_class = IsolatedClient
    return app


@pytest.fixture
def app(_shared_app: Flask) -> Iterator[Flask]:
    from lms.extensions import limiter

    app = _shared_app
    config = dict(app.config)
    wsgi_app = app.wsgi_app
    ctx = app.app_context()
    ctx.push()
    intent = write_intent.set(False)  # the test's own reads take no write lock
    try:
        yield app
    finally:
        write_intent.reset(intent)
        db.session.remove()
        ctx.pop()
        wipe(app)
        with app.app_context():
            db.engine.dispose()
            limiter.reset()
        app.config.clear()
        app.config.update(config)
        app.wsgi_app = wsgi_app
        app.test_client_class = IsolatedClient


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask):
    return app.test_cli_runner()


# --- factories ------------------------------------------------------------------------


class Factory:
    """Builds organisation data in one line: ``make.employee(roles={"hr"})``."""

    def __init__(self) -> None:
        self._n = 0

    def _next(self) -> int:
        self._n += 1
        return self._n

    def department(self, name: str | None = None) -> Department:
        dept = Department(name=name or f"部门{self._next()}", name_en=None)
        db.session.add(dept)
        db.session.flush()
        return dept

    def team(
        self,
        name: str | None = None,
        department: Department | None = None,
        lead: Employee | None = None,
    ) -> Team:
        team = Team(
            name=name or f"团队{self._next()}",
            department=department or self.department(),
            lead=lead,
        )
        db.session.add(team)
        db.session.flush()
        return team

    def post(self, title: str | None = None, level: int = 1) -> Post:
        post = Post(title=title or f"岗位{self._next()}", level=level)
        db.session.add(post)
        db.session.flush()
        return post

    def employee(
        self,
        username: str | None = None,
        *,
        roles: set[str] | None = None,
        team: Team | None = None,
        post: Post | None = None,
        supervisor: Employee | None = None,
        password: str | None = PASSWORD,
        status: EmployeeStatus = EmployeeStatus.ACTIVE,
        **fields: object,
    ) -> Employee:
        from lms.accounts.services import hash_password

        n = self._next()
        person = Employee(
            employee_no=fields.pop("employee_no", f"T{n:05d}"),
            name=fields.pop("name", f"测试员工{n}"),
            hire_date=fields.pop("hire_date", dt.date(2024, 1, 1)),
            username=username,
            status=status,
            team=team,
            post=post,
            supervisor=supervisor,
            locale=fields.pop("locale", "en"),
            timezone="Asia/Shanghai",
            password_hash=hash_password(password) if password else None,
            **fields,
        )
        person.set_roles((roles or set()) | {"employee"})
        db.session.add(person)
        db.session.flush()
        return person


@pytest.fixture
def make(app: Flask) -> Factory:
    return Factory()


# --- signing in -------------------------------------------------------------------------

_CSRF = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|'
    r'type="hidden" name="csrf_token" value="([^"]+)"'
)


def csrf_from(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF token in the page"
    return match.group(1) or match.group(2)


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    return csrf_from(client.get(path).get_data(as_text=True))


def login(client: FlaskClient, login_name: str, password: str = PASSWORD, follow: bool = False):
    token = csrf_token(client, "/login")
    return client.post(
        "/login",
        data={"login": login_name, "password": password, "csrf_token": token},
        follow_redirects=follow,
        headers={"Accept-Language": "en"},
    )


@pytest.fixture
def sign_in(client: FlaskClient):
    def _sign_in(person: Employee, password: str = PASSWORD) -> FlaskClient:
        db.session.commit()
        response = login(client, person.username or person.employee_no, password)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return _sign_in
