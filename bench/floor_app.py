"""The floor of the exam-day benchmark: a bare Flask app doing the same writes as starting,
saving and submitting an attempt (one INSERT, one UPDATE, one UPDATE) on the same database,
with no access control, no grading and no integrity checks."""

from __future__ import annotations

import os

import sqlalchemy as sa
from flask import Flask, jsonify, request

engine = sa.create_engine(os.environ["LMS_DATABASE_URL"], pool_pre_ping=True)
if engine.dialect.name == "sqlite":

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 15000")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")


app = Flask(__name__)


@app.post("/floor/start/<int:user>")
def start(user: int):
    with engine.begin() as conn:
        row = conn.execute(
            sa.text(
                "INSERT INTO bench_floor (user_id, answers, state) VALUES (:u, '{}', 'open') "
                "RETURNING id"
            ),
            {"u": user},
        ).one()
    return jsonify({"id": row[0]}), 201


@app.put("/floor/save/<int:attempt_id>")
def save(attempt_id: int):
    body = request.get_json()
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE bench_floor SET answers = :a WHERE id = :i"),
            {"a": str(body), "i": attempt_id},
        )
    return jsonify({"saved": True})


@app.post("/floor/submit/<int:attempt_id>")
def submit(attempt_id: int):
    with engine.begin() as conn:
        conn.execute(
            sa.text("UPDATE bench_floor SET state = 'done' WHERE id = :i"), {"i": attempt_id}
        )
    return jsonify({"submitted": True})
