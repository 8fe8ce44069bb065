"""Exactly once: a key is stored once per person; notify_many stores many in one statement."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lms import notifications
from lms.extensions import db
from lms.notifications.models import Notification, NotificationDelivery
from tests.notifications.conftest import T0, configure_mail, free_port
from tests.test_query_counts import count_statements


def rows(**where) -> list[Notification]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Notification).filter_by(**where).order_by("id")))


def test_the_same_key_twice_stores_one_notification(app, make):
    me = make.employee()
    first = notifications.notify(me, "enrolled", now=T0, params={"course": "a"}, key="course:1")
    again = notifications.notify(me, "enrolled", now=T0, params={"course": "b"}, key="course:1")
    assert first is not None and first.key == "course:1" and first.params == {"course": "a"}
    assert again is None
    assert [n.id for n in rows(employee_id=me.id)] == [first.id]


def test_a_key_is_per_person_and_no_key_is_never_a_duplicate(app, make):
    me, you = make.employee(), make.employee()
    assert notifications.notify(me, "enrolled", now=T0, params={}, key="course:1")
    assert notifications.notify(you, "enrolled", now=T0, params={}, key="course:1")
    assert notifications.notify(me, "enrolled", now=T0, params={})
    assert notifications.notify(me, "enrolled", now=T0, params={})
    assert len(rows(key="course:1")) == 2
    assert len(rows(employee_id=me.id)) == 3


def test_unknown_kinds_are_refused(app, make):
    with pytest.raises(ValueError, match="unknown notification kind"):
        notifications.notify(make.employee(), "no-such-kind", now=T0)
    with pytest.raises(ValueError, match="unknown notification kind"):
        notifications.notify_many("no-such-kind", [], now=T0)


def test_notify_many_skips_keys_already_there(app, make):
    a, b, c = make.employee(), make.employee(), make.employee()
    old = notifications.notify(a, "enrolled", now=T0, params={"course": "x"}, key="k")
    created = notifications.notify_many(
        "enrolled",
        [
            (a.id, {"course": "x"}, "k"),  # a has it already
            (b.id, {"course": "x"}, "k"),
            (b.id, {"course": "x"}, "k"),  # repeated in the same call
            (c.id, {"course": "y"}, None),
            (c.id, {"course": "z"}, None),
        ],
        now=T0,
    )
    assert len(created) == 3
    assert {n.id for n in rows()} == set(created) | {old.id}
    assert sorted(n.employee_id for n in rows() if n.id in created) == sorted([b.id, c.id, c.id])
    assert {n.params["course"] for n in rows(employee_id=c.id)} == {"y", "z"}
    assert notifications.notify_many("enrolled", [(b.id, {}, "k")], now=T0) == []
    assert notifications.notify_many("enrolled", [], now=T0) == []


def test_notify_many_statements_do_not_grow_with_recipients(app, make):
    configure_mail(app, free_port())  # email on: the outbox is filled too
    ids = [make.employee(email=f"p{i}@example.test").id for i in range(50)]
    db.session.commit()
    db.session.execute(sa.select(1))  # the transaction has begun before measuring

    def measure(recipients: list[int], key: str) -> int:
        batch = [(employee_id, {"course": "c"}, key) for employee_id in recipients]
        with count_statements() as statements:
            created = notifications.notify_many("enrolled", batch, now=T0)
        assert len(created) == len(recipients)
        return len(statements)

    small = measure(ids[:2], "two")
    large = measure(ids, "fifty")
    assert small == large == 2  # the notifications, the outbox
    queued = db.session.scalar(sa.select(sa.func.count()).select_from(NotificationDelivery))
    assert queued == 52


def test_notify_many_chunks_large_sets(app, make, monkeypatch):
    monkeypatch.setattr(notifications, "CHUNK", 2)
    people = [make.employee() for _ in range(5)]
    created = notifications.notify_many(
        "enrolled", [(p.id, {"course": "c"}, "k") for p in people], now=T0
    )
    assert len(set(created)) == 5 and len(rows(key="k")) == 5
