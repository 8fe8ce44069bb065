"""Two schedulers sending at once (threads, each with its own connection): every mail goes
out exactly once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from lms import notifications
from lms.extensions import db
from lms.notifications import delivery
from tests.notifications.conftest import T0

pytestmark = pytest.mark.concurrency


def race(app, func, workers: int = 2) -> list[int]:
    barrier = threading.Barrier(workers)

    def run(_i: int) -> int:
        barrier.wait()
        with app.app_context():
            try:
                return func(T0)
            finally:
                db.session.remove()

    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(run, range(workers)))


def test_two_schedulers_deliver_each_mail_once(app, make, mail_server, monkeypatch):
    monkeypatch.setattr(delivery, "BATCH_SIZE", 3)
    people = [make.employee(email=f"p{i}@example.test") for i in range(12)]
    notifications.notify_many("enrolled", [(p.id, {"course": "c"}, None) for p in people], now=T0)
    db.session.commit()

    assert sum(race(app, delivery.deliver_email)) == 12
    ids = [m["Message-ID"] for m in mail_server.messages]
    assert len(ids) == len(set(ids)) == 12


def test_two_schedulers_send_each_digest_once(app, make, mail_server, monkeypatch):
    monkeypatch.setattr(delivery, "BATCH_SIZE", 3)
    people = [make.employee(email=f"m{i}@example.test", roles={"mentor"}) for i in range(8)]
    notifications.notify_many("enrolled", [(p.id, {"course": "c"}, None) for p in people], now=T0)
    db.session.commit()

    assert sum(race(app, delivery.send_daily_digests)) == 8
    assert sorted(str(m["To"]) for m in mail_server.messages) == sorted(
        f"{p.name} <{p.email}>" for p in people
    )
