"""The leader lock is exclusive across real processes: a file lock beside a SQLite database,
an advisory lock on PostgreSQL; the lock frees when its holder exits or loses its
connection."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from lms.scheduler.leader import LeaderLock

ROOT = Path(__file__).resolve().parents[2]

# A process that takes orders on stdin: "acquire" answers leader/standby, "exit" ends it
# without releasing (the kernel or the database server frees the lock).
CONTENDER = """
import sys
from lms.scheduler.leader import LeaderLock
lock = LeaderLock(sys.argv[1])
for line in sys.stdin:
    if line.strip() == "acquire":
        print("leader" if lock.acquire() else "standby", flush=True)
    else:
        break
"""


class Contender:
    def __init__(self, url: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", CONTENDER, url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )

    def ask(self) -> None:
        self.process.stdin.write("acquire\n")
        self.process.stdin.flush()

    def answer(self) -> str:
        return self.process.stdout.readline().strip()

    def acquire(self) -> str:
        self.ask()
        return self.answer()

    def exit(self) -> None:
        self.process.stdin.write("exit\n")
        self.process.stdin.close()
        self.process.wait(timeout=30)
        self.process.stdout.close()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        for stream in (self.process.stdin, self.process.stdout):
            if not stream.closed:
                stream.close()


def acquire_soon(contender: Contender, tries: int = 100) -> str:
    """The database server frees a departed session's locks a moment after it goes."""
    answer = contender.acquire()
    while answer == "standby" and tries:
        time.sleep(0.05)
        tries -= 1
        answer = contender.acquire()
    return answer


def exclusive_across_processes(url: str) -> None:
    first, second = Contender(url), Contender(url)
    try:
        first.ask()
        second.ask()  # both try at once
        answers = [first.answer(), second.answer()]
        assert sorted(answers) == ["leader", "standby"]
        holder, waiting = (first, second) if answers[0] == "leader" else (second, first)
        assert waiting.acquire() == "standby"  # still held
        holder.exit()
        assert acquire_soon(waiting) == "leader"
    finally:
        first.kill()
        second.kill()


def test_file_lock_is_exclusive_across_processes(tmp_path):
    url = f"sqlite:///{tmp_path / 'lms.sqlite3'}"
    exclusive_across_processes(url)
    assert (tmp_path / "lms.sqlite3.scheduler.lock").exists()


def test_file_lock_in_one_process(tmp_path):
    url = f"sqlite:///{tmp_path / 'lms.sqlite3'}"
    with LeaderLock(url) as first:
        second = LeaderLock(url)
        assert first.held and first.still_held()
        assert second.acquire() is False and not second.held
    assert not first.held
    assert second.acquire() is True
    second.release()


def test_a_replaced_lock_file_loses_leadership(tmp_path):
    url = f"sqlite:///{tmp_path / 'lms.sqlite3'}"
    lock = LeaderLock(url)
    assert lock.acquire()
    (tmp_path / "lms.sqlite3.scheduler.lock").unlink()
    assert lock.still_held() is False and not lock.held


@pytest.fixture
def postgres_url(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("needs PostgreSQL (LMS_TEST_DATABASE_URL)")
    return database_url


def test_advisory_lock_is_exclusive_across_processes(postgres_url):
    exclusive_across_processes(postgres_url)


def test_a_lost_connection_loses_leadership(postgres_url):
    first, second = LeaderLock(postgres_url), LeaderLock(postgres_url)
    try:
        assert first.acquire() and first.still_held()
        assert second.acquire() is False
        admin = sa.create_engine(postgres_url, poolclass=sa.pool.NullPool)
        with admin.begin() as conn:
            killed = conn.scalar(
                sa.text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE application_name = 'lms-scheduler-leader' "
                    "AND datname = current_database()"
                )
            )
        admin.dispose()
        assert killed == 1
        assert first.still_held() is False and not first.held
        tries = 100
        while not second.acquire() and tries:
            time.sleep(0.05)
            tries -= 1
        assert second.held
    finally:
        first.release()
        second.release()
