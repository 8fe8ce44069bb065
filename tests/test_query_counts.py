"""Pages run a bounded number of SQL statements whatever the number of people."""

from __future__ import annotations

import contextlib

import pytest
from sqlalchemy import event

from lms import clock
from lms.accounts.services import create_token
from lms.extensions import db
from tests.conftest import login


@contextlib.contextmanager
def count_statements():
    statements: list[str] = []

    def before(_conn, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", before)


def populate(make, n: int, boss=None):
    teams = [make.team(lead=boss) for _ in range(3)]
    posts = [make.post() for _ in range(3)]
    for i in range(n):
        make.employee(
            team=teams[i % 3], post=posts[i % 3], supervisor=boss, hire_date=clock.today()
        )


PAGES = ["/", "/people", "/people?sort=team&dir=desc", "/organisation"]


@pytest.mark.parametrize("url", PAGES)
def test_page_statements_do_not_grow_with_people(app, make, url):
    hr = make.employee("hr", roles={"hr", "supervisor"})
    _t, secret = create_token(hr, "count", clock.now())
    db.session.commit()
    client = app.test_client()
    login(client, "hr")

    def measure() -> int:
        with count_statements() as statements:
            assert client.get(url).status_code == 200
        return len(statements)

    populate(make, 5, boss=hr)
    small = measure()
    populate(make, 120, boss=hr)
    large = measure()
    assert large == small, f"{url}: {small} statements with 5 people, {large} with 125"
    assert small <= 15


def test_api_list_statements_do_not_grow(app, make, client):
    hr = make.employee("hr", roles={"hr"})
    _t, secret = create_token(hr, "count", clock.now())
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}

    def measure() -> int:
        with count_statements() as statements:
            assert client.get("/api/v1/employees?per_page=100", headers=headers).status_code == 200
        return len(statements)

    populate(make, 5)
    measure()  # the first call also records the token's last use
    small = measure()
    populate(make, 120)
    assert measure() == small
