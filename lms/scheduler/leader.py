"""The leader lock: of all scheduler processes of a deployment, only the one holding it works.

PostgreSQL: a session-level advisory lock (``pg_try_advisory_lock``) on a dedicated
connection kept for the life of the process; losing the connection loses the lock, and
``still_held()`` notices. SQLite: an exclusive, non-blocking ``flock`` on a file next to the
database (``<db>.scheduler.lock``), released by the kernel when the process ends.

    lock = LeaderLock.for_app(app)
    if lock.acquire():
        ...  # lead
    lock.release()

or ``with LeaderLock(url) as lock: if lock.held: ...``.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
from pathlib import Path
from types import TracebackType

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.pool import NullPool

log = logging.getLogger("lms.scheduler")

# The advisory lock key of the scheduler's leadership ("LMSSCHED" in ASCII).
LEADER_KEY = 0x4C4D535343484544


class LeaderLock:
    def __init__(self, database_url: str | sa.URL, *, lock_path: str | Path | None = None):
        self.url = sa.make_url(database_url)
        self.is_postgres = self.url.get_backend_name() == "postgresql"
        self.lock_path = None if self.is_postgres else Path(lock_path or _lock_path(self.url))
        self._engine: sa.Engine | None = None
        self._connection: sa.Connection | None = None
        self._fd: int | None = None

    @classmethod
    def for_app(cls, app: Flask) -> LeaderLock:
        """The lock of the app's database (its bound engine's URL, with relative SQLite paths
        resolved as the app resolves them)."""
        from lms.extensions import db

        with app.app_context():
            url = db.engine.url
        lock_path = None
        if url.get_backend_name() == "sqlite" and _in_memory(url):
            lock_path = Path(app.instance_path) / "scheduler.lock"
        return cls(url, lock_path=lock_path)

    @property
    def held(self) -> bool:
        return self._connection is not None or self._fd is not None

    def acquire(self) -> bool:
        """Take the lock if nobody holds it; never waits. True when this process holds it."""
        if self.held:
            return True
        return self._acquire_postgres() if self.is_postgres else self._acquire_file()

    def still_held(self) -> bool:
        """Check the lock is still ours (the connection is alive, the lock file is the one we
        locked); forget it when it is not."""
        if not self.held:
            return False
        if self._connection is not None:
            try:
                self._connection.execute(sa.text("SELECT 1"))
            except sa.exc.DBAPIError:
                log.warning("the leader lock's database connection was lost")
                self._drop_connection()
                return False
            return True
        assert self._fd is not None and self.lock_path is not None
        try:
            same = os.stat(self.lock_path).st_ino == os.fstat(self._fd).st_ino
        except FileNotFoundError:
            same = False
        if not same:
            log.warning("the leader lock file %s was removed or replaced", self.lock_path)
            self.release()
        return same

    def release(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(sa.exc.DBAPIError):  # a lost connection released it
                self._connection.execute(
                    sa.text("SELECT pg_advisory_unlock(:key)"), {"key": LEADER_KEY}
                )
            self._drop_connection()
        if self._fd is not None:
            fd, self._fd = self._fd, None
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)

    def __enter__(self) -> LeaderLock:
        self.acquire()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.release()

    # --- backends -------------------------------------------------------------------------

    def _acquire_postgres(self) -> bool:
        if self._engine is None:
            self._engine = sa.create_engine(
                self.url,
                poolclass=NullPool,
                isolation_level="AUTOCOMMIT",
                connect_args={
                    "keepalives": 1,
                    "keepalives_idle": 30,
                    "keepalives_interval": 10,
                    "keepalives_count": 3,
                    "application_name": "lms-scheduler-leader",
                },
            )
        connection = self._engine.connect()
        try:
            won = connection.scalar(
                sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": LEADER_KEY}
            )
        except BaseException:
            connection.close()
            raise
        if not won:
            connection.close()
            return False
        self._connection = connection
        return True

    def _drop_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(sa.exc.DBAPIError):
                connection.close()
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def _acquire_file(self) -> bool:
        assert self.lock_path is not None
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        except BaseException:
            os.close(fd)
            raise
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return True


def _in_memory(url: sa.URL) -> bool:
    return url.database in (None, "", ":memory:") or "mode=memory" in str(url)


def _lock_path(url: sa.URL) -> Path:
    if _in_memory(url):
        raise ValueError("an in-memory SQLite database has no file to put the lock beside")
    return Path(f"{url.database}.scheduler.lock")
