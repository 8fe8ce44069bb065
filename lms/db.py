"""Database foundations: the declarative base, UTC timestamps and SQLite connection policy."""

from __future__ import annotations

import datetime as dt
import enum
import zlib
from contextvars import ContextVar
from typing import Any

import sqlalchemy as sa
import sqlalchemy.dialects.postgresql
from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, registry

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.types.TypeDecorator):
    """A timezone-aware UTC timestamp on every backend (SQLite stores no zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where an aware UTC timestamp is required")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={dt.datetime: UTCDateTime()},
    )


# Whether transactions begun in this context take SQLite's write lock up front. None: decide
# from the request (GET, HEAD and OPTIONS read; every other method writes) and, outside a
# request (commands, the scheduler), take it.
write_intent: ContextVar[bool | None] = ContextVar("sqlite_write_intent", default=None)
_READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def wants_write_lock() -> bool:
    forced = write_intent.get()
    if forced is not None:
        return forced
    if has_request_context():
        return request.method not in _READING_METHODS
    return True


def configure_sqlite(engine: Engine, synchronous: str, busy_timeout_ms: int) -> None:
    """WAL, foreign keys, a busy timeout, and BEGIN IMMEDIATE for transactions that write.

    A writer takes the write lock when its transaction begins, so two writers queue on the
    busy timeout instead of failing when both try to upgrade a read snapshot (SQLITE_BUSY).
    Readers use plain BEGIN: in WAL mode they never block a writer, nor a writer them.
    """
    if synchronous not in {"OFF", "NORMAL", "FULL", "EXTRA"}:
        raise ValueError(f"unsupported SQLite synchronous level {synchronous!r}")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA synchronous = {synchronous}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if wants_write_lock() else "BEGIN")


def serialise(session: Any, name: str) -> None:
    """Queue this transaction behind any other holding the same named lock until it ends.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: writing transactions already hold
    the database's write lock from BEGIN IMMEDIATE, so there is nothing more to take.
    """
    if session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(name.encode()) - 2**31
        session.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def dialect_insert(table: Any) -> Any:
    """An INSERT of the bound database's dialect, for ON CONFLICT clauses (PostgreSQL and
    SQLite spell them the same way)."""
    from sqlalchemy.dialects import postgresql, sqlite

    from lms.extensions import db

    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def value_enum(kind: type[enum.Enum], length: int = 16) -> sa.Enum:
    """A column holding an enum's values (not its names) as checked text, the same on every
    database."""
    return sa.Enum(
        kind,
        native_enum=False,
        length=length,
        validate_strings=True,
        values_callable=lambda e: [m.value for m in e],
    )


# JSON documents: JSONB on PostgreSQL, JSON text on SQLite.
JSONType = sa.JSON().with_variant(sa.dialects.postgresql.JSONB(), "postgresql")
