"""`lms db upgrade` from empty and `lms db downgrade base` back, and the migrations match the
models (no autogenerate differences), on the database the suite runs on."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from lms.extensions import db
from tests.conftest import _throwaway_postgres, make_app


@pytest.fixture
def empty_database_url(tmp_path) -> Iterator[str]:
    server = os.environ.get("LMS_TEST_DATABASE_URL")
    if not server:
        yield f"sqlite:///{tmp_path / 'migrate.sqlite3'}"
        return
    url, name, admin = _throwaway_postgres(server)
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def test_upgrade_from_empty_matches_models_and_downgrades_to_nothing(empty_database_url):
    app = make_app(empty_database_url)
    runner = app.test_cli_runner()
    with app.app_context():
        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            differences = compare_metadata(context, db.metadata)
            tables = set(sa.inspect(conn).get_table_names())
        assert differences == [], differences
        assert {"employee", "department", "team", "post", "api_token"} <= tables

        result = runner.invoke(args=["db", "downgrade", "base"])
        assert result.exit_code == 0, result.output
        with db.engine.connect() as conn:
            left = set(sa.inspect(conn).get_table_names()) - {"alembic_version"}
        assert left == set()

        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0  # and up again
        db.engine.dispose()
