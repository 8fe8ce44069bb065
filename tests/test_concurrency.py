"""Invariants backed by the database, hit with real concurrent requests (threads, each with
its own connection) on the suite's database, SQLite file or PostgreSQL server."""

from __future__ import annotations

import io
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from lms import clock
from lms.accounts.services import create_token
from lms.extensions import db
from lms.organisation.models import Employee
from tests.conftest import csrf_token, login

pytestmark = pytest.mark.concurrency
WORKERS = 8


def _race(func, count: int = WORKERS) -> list:
    barrier = threading.Barrier(count)

    def run(i: int):
        barrier.wait()
        return func(i)

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(run, range(count)))


@pytest.fixture
def hr_secret(make):
    hr = make.employee("hr", roles={"hr"})
    _t, secret = create_token(hr, "race", clock.now())
    make.team("售后一组")
    db.session.commit()
    return secret


def test_same_employee_created_by_concurrent_api_calls_once(app, hr_secret):
    body = {"employee_no": "R0001", "name": "并发", "hire_date": "2026-11-01"}

    def create(_i: int) -> int:
        response = app.test_client().post(
            "/api/v1/employees", json=body, headers={"Authorization": f"Bearer {hr_secret}"}
        )
        return response.status_code

    statuses = _race(create)
    assert sorted(statuses) == [201] + [409] * (WORKERS - 1)
    assert db.session.scalar(sa.select(sa.func.count()).where(Employee.employee_no == "R0001")) == 1


def test_same_email_taken_by_concurrent_api_calls_once(app, hr_secret):
    def create(i: int) -> int:
        body = {
            "employee_no": f"R1{i:03d}",
            "name": "并发",
            "hire_date": "2026-11-01",
            "email": "same@example.com",
        }
        return (
            app.test_client()
            .post("/api/v1/employees", json=body, headers={"Authorization": f"Bearer {hr_secret}"})
            .status_code
        )

    statuses = _race(create)
    assert statuses.count(201) == 1 and statuses.count(409) == WORKERS - 1


def test_concurrent_imports_of_one_file_create_each_person_once(app, make):
    make.employee("hr2", roles={"hr"})
    make.team("售后二组")
    db.session.commit()
    rows = "\n".join(f"Q{i:03d},员工{i},2026-11-01,售后二组" for i in range(20))
    data = ("工号,姓名,入职日期,团队\n" + rows + "\n").encode()

    clients = []
    for _ in range(4):
        client = app.test_client()
        login(client, "hr2")
        clients.append((client, csrf_token(client, "/people/import")))

    def upload(i: int) -> int:
        client, token = clients[i]
        response = client.post(
            "/people/import", data={"csrf_token": token, "file": (io.BytesIO(data), "people.csv")}
        )
        return response.status_code

    statuses = _race(upload, 4)
    assert all(status == 200 for status in statuses)
    numbers = db.session.scalars(
        sa.select(Employee.employee_no).where(Employee.employee_no.like("Q%"))
    ).all()
    assert sorted(numbers) == [f"Q{i:03d}" for i in range(20)]
