"""The daily digest: one mail a day per person who wants it, listing what is new."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from lms import notifications
from lms.extensions import db
from lms.notifications.delivery import send_daily_digests
from lms.notifications.models import NotificationDelivery, NotificationDigest
from lms.notifications.preferences import set_email_preference
from tests.notifications.conftest import T0, html_of, text_of

HOUR = dt.timedelta(hours=1)


def enrol(person, course: str, at: dt.datetime) -> None:
    notifications.notify(person, "enrolled", now=at, params={"course": course})


def test_a_mentor_gets_one_digest_a_day_listing_whats_new(app, make, mail_server):
    mentor = make.employee(email="m@example.test", roles={"mentor"}, locale="en")
    enrol(mentor, "Too old", T0 - 30 * HOUR)
    for n in range(3):
        enrol(mentor, f"Course {n}", T0 - (n + 1) * HOUR)
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NotificationDelivery)) == 0

    assert send_daily_digests(T0) == 1
    [digest] = mail_server.messages
    assert digest["Subject"] == "[Service Academy] Your daily digest: 3 new notifications"
    text = text_of(digest)
    for n in range(3):
        assert f"You have been enrolled in “Course {n}”." in text
        assert f"Course {n}" in html_of(digest)
    assert "Too old" not in text
    assert digest["Message-ID"] == f"<digest-{mentor.id}-2026-11-20@lms.example.test>"

    assert send_daily_digests(T0 + 2 * HOUR) == 0  # the same day
    assert len(mail_server.messages) == 1
    [row] = db.session.scalars(sa.select(NotificationDigest))
    assert (row.day, row.count) == (dt.date(2026, 11, 20), 3)

    # the next day lists only what came after the previous digest
    enrol(mentor, "Course new", T0 + 3 * HOUR)
    db.session.commit()
    assert send_daily_digests(T0 + 24 * HOUR) == 1
    latest = text_of(mail_server.messages[-1])
    assert "Course new" in latest and "Course 0" not in latest


def test_digest_in_the_recipients_language(app, make, mail_server):
    mentor = make.employee(email="m@example.test", roles={"supervisor"}, locale="zh_CN")
    enrol(mentor, "退货政策", T0 - HOUR)
    db.session.commit()
    assert send_daily_digests(T0) == 1
    text = text_of(mail_server.messages[0])
    assert "你已被指派学习“退货政策”。" in text
    assert mail_server.messages[0]["Subject"].startswith("[客服学院] ")


def test_who_gets_no_digest(app, make, mail_server):
    off = make.employee(email="off@example.test", roles={"hr"})
    set_email_preference(off, "off", now=T0)
    immediate = make.employee(email="i@example.test")  # gets each mail instead
    no_address = make.employee(email=None, roles={"mentor"})
    quiet = make.employee(email="q@example.test", roles={"mentor"})  # nothing new
    enrol(quiet, "old", T0 - 48 * HOUR)
    for person in (off, immediate, no_address):
        enrol(person, "c", T0 - HOUR)
    db.session.commit()
    assert send_daily_digests(T0) == 0
    assert mail_server.messages == []
    assert db.session.scalars(sa.select(NotificationDigest)).all() == []


def test_digests_wait_for_the_morning(app, make, mail_server):
    mentor = make.employee(email="m@example.test", roles={"mentor"})
    enrol(mentor, "c", T0 - HOUR)
    db.session.commit()
    early = dt.datetime(2026, 11, 20, 23, 0, tzinfo=dt.UTC)  # 07:00 on the 21st in Shanghai
    assert send_daily_digests(early) == 0
    assert send_daily_digests(early + HOUR) == 1
    assert db.session.scalar(sa.select(NotificationDigest.day)) == dt.date(2026, 11, 21)


def test_a_failed_digest_is_sent_by_a_later_run(app, make, mail_server):
    people = [make.employee(email=f"m{i}@example.test", roles={"mentor"}) for i in range(3)]
    for person in people:
        enrol(person, "c", T0 - HOUR)
    db.session.commit()
    mail_server.stop()
    assert send_daily_digests(T0) == 0
    assert db.session.scalars(sa.select(NotificationDigest)).all() == []  # given back
    mail_server.start()
    assert send_daily_digests(T0 + HOUR, batch_size=2) == 3
    assert sorted(str(m["To"]) for m in mail_server.messages) == sorted(
        f"{p.name} <{p.email}>" for p in people
    )
    assert send_daily_digests(T0 + 2 * HOUR) == 0


def test_without_smtp_nothing_is_claimed(app, make):
    mentor = make.employee(email="m@example.test", roles={"mentor"})
    enrol(mentor, "c", T0 - HOUR)
    db.session.commit()
    assert send_daily_digests(T0) == 0
    assert db.session.scalars(sa.select(NotificationDigest)).all() == []
