"""Email through a real SMTP server: one mail per notification, in the recipient's language,
sent once; retried with a pause while the server is down, given up after the last try."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from lms import notifications
from lms.extensions import db
from lms.notifications.delivery import MAX_ATTEMPTS, deliver_email
from lms.notifications.models import DeliveryStatus, Notification, NotificationDelivery
from tests.notifications.conftest import T0, configure_mail, free_port, html_of, text_of


def deliveries() -> list[NotificationDelivery]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(NotificationDelivery).order_by("id")))


def test_one_mail_per_notification_in_the_recipients_language(app, make, mail_server):
    zh = make.employee(locale="zh_CN", email="wang@example.test", name="王芳")
    en = make.employee(locale="en", email="lee@example.test", name="Lee")
    nobody = make.employee(email=None)
    zh_note = notifications.notify(zh, "enrolled", now=T0, params={"course": "退货政策"})
    en_note = notifications.notify(en, "enrolled", now=T0, params={"course": "Refunds"})
    notifications.notify(nobody, "enrolled", now=T0, params={"course": "x"})
    db.session.commit()
    assert len(deliveries()) == 2  # nobody has no address

    assert deliver_email(T0) == 2
    assert len(mail_server.messages) == 2
    [zh_mail] = mail_server.to("wang@example.test")
    [en_mail] = mail_server.to("lee@example.test")
    assert zh_mail["Subject"] == "[客服学院] 你已被指派学习“退货政策”。"
    assert "你已被指派学习“退货政策”。" in text_of(zh_mail)
    assert "王芳" in str(zh_mail["To"])
    assert en_mail["Subject"] == "[Service Academy] You have been enrolled in “Refunds”."
    assert "Hello Lee," in text_of(en_mail)
    assert "https://lms.example.test/notifications" in text_of(en_mail)
    assert 'href="https://lms.example.test/notifications"' in html_of(en_mail)
    assert zh_mail["Message-ID"] == f"<notification-{zh_note.id}@lms.example.test>"
    assert en_mail["Message-ID"] == f"<notification-{en_note.id}@lms.example.test>"
    assert en_mail["From"] == "academy@example.test"
    assert {r.status for r in deliveries()} == {DeliveryStatus.SENT}

    assert deliver_email(T0 + dt.timedelta(hours=1)) == 0
    assert len(mail_server.messages) == 2


def test_html_is_escaped(app, make, mail_server):
    person = make.employee(email="p@example.test")
    notifications.notify(person, "enrolled", now=T0, params={"course": "<b>退货</b>"})
    db.session.commit()
    assert deliver_email(T0) == 1
    html = html_of(mail_server.messages[0])
    assert "&lt;b&gt;退货&lt;/b&gt;" in html and "<b>退货" not in html


def test_server_down_counts_tries_and_sends_when_it_is_back(app, make, mail_server):
    mail_server.stop()
    person = make.employee(email="p@example.test")
    notifications.notify(person, "enrolled", now=T0, params={"course": "c"})
    db.session.commit()

    assert deliver_email(T0) == 0
    [row] = deliveries()
    assert (row.status, row.attempts) == (DeliveryStatus.PENDING, 1)
    assert row.error and row.next_try_at == T0 + dt.timedelta(minutes=5)
    assert deliver_email(T0 + dt.timedelta(minutes=1)) == 0  # not due yet
    assert deliveries()[0].attempts == 1

    mail_server.start()
    assert deliver_email(T0 + dt.timedelta(minutes=5)) == 1
    [row] = deliveries()
    assert (row.status, row.attempts, row.error) == (DeliveryStatus.SENT, 2, None)
    assert row.sent_at == T0 + dt.timedelta(minutes=5)
    assert len(mail_server.messages) == 1


def test_gives_up_after_the_last_try(app, make):
    configure_mail(app, free_port())  # nothing listens there
    person = make.employee(email="p@example.test")
    notifications.notify(person, "enrolled", now=T0, params={"course": "c"})
    db.session.commit()
    at = T0
    for tries in range(1, MAX_ATTEMPTS + 1):
        assert deliver_email(at) == 0
        [row] = deliveries()
        assert row.attempts == tries
        at = row.next_try_at
    assert row.status == DeliveryStatus.FAILED
    assert deliver_email(at + dt.timedelta(days=30)) == 0
    assert deliveries()[0].attempts == MAX_ATTEMPTS


def test_many_mails_in_batches(app, make, mail_server):
    people = [make.employee(email=f"p{i}@example.test") for i in range(7)]
    notifications.notify_many("enrolled", [(p.id, {"course": "c"}, None) for p in people], now=T0)
    db.session.commit()
    from lms.notifications import delivery
    from lms.notifications.channels import CHANNELS

    assert delivery.deliver(CHANNELS["email"], T0, batch_size=3) == 7
    assert sorted(r[0] for r in mail_server.collector.recipients) == sorted(p.email for p in people)


def test_only_immediate_people_with_an_address_are_queued(app, make, mail_server):
    from lms.notifications.preferences import set_email_preference

    employee = make.employee(email="e@example.test")
    mentor = make.employee(email="m@example.test", roles={"mentor"})
    off = make.employee(email="o@example.test")
    set_email_preference(off, "off", now=T0)
    for person in (employee, mentor, off):
        notifications.notify(person, "enrolled", now=T0, params={"course": "c"})
    db.session.commit()
    [row] = deliveries()
    assert row.notification_id == db.session.scalar(
        sa.select(sa.func.max(Notification.id)).where(Notification.employee_id == employee.id)
    )


def test_nothing_is_queued_or_sent_without_smtp(app, make):
    assert app.config["SMTP_HOST"] == ""
    person = make.employee(email="p@example.test")
    notifications.notify(person, "enrolled", now=T0, params={"course": "c"})
    db.session.commit()
    assert deliveries() == []
    assert deliver_email(T0) == 0
