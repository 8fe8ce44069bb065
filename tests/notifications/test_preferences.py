"""Email preferences (defaults by role, the page) and marking one notification read."""

from __future__ import annotations

import re

import sqlalchemy as sa

from lms import notifications
from lms.extensions import db
from lms.notifications.models import Notification, NotificationDelivery, NotificationPreference
from lms.notifications.preferences import email_preference, set_email_preference
from tests.conftest import csrf_token
from tests.notifications.conftest import T0, configure_mail, free_port


def checked(html: str) -> list[str]:
    """The values of the checked radio buttons."""
    tags = re.findall(r"<input[^>]*>", html)
    return [
        re.search(r'value="([^"]*)"', t).group(1) for t in tags if "radio" in t and "checked" in t
    ]


def test_defaults_by_role_and_a_stored_choice(app, make):
    assert email_preference(make.employee()) == "immediate"
    for role in ("mentor", "supervisor", "hr"):
        assert email_preference(make.employee(roles={role})) == "digest"
    assert email_preference(make.employee(roles={"admin"})) == "immediate"
    person = make.employee(roles={"mentor"})
    set_email_preference(person, "immediate", now=T0)
    assert email_preference(person) == "immediate"
    set_email_preference(person, "off", now=T0)
    assert email_preference(person) == "off"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NotificationPreference)) == 1


def test_the_preferences_page(app, client, make, sign_in):
    me = make.employee("me", roles={"mentor"}, email="me@example.test")
    sign_in(me)
    html = client.get("/notifications/preferences").get_data(as_text=True)
    assert "me@example.test" in html and 'data-testid="email-off"' in html
    assert checked(html) == ["digest"]

    response = client.post(
        "/notifications/preferences",
        data={"email": "off", "csrf_token": csrf_token(client, "/notifications/preferences")},
    )
    assert response.status_code == 302
    assert email_preference(me) == "off"
    html = client.get("/notifications/preferences").get_data(as_text=True)
    assert checked(html) == ["off"]

    response = client.post(
        "/notifications/preferences",
        data={"email": "weekly", "csrf_token": csrf_token(client, "/notifications/preferences")},
    )
    assert response.status_code == 200 and "invalid-feedback" in response.get_data(as_text=True)
    assert email_preference(me) == "off"


def test_the_page_says_when_email_is_on_and_when_there_is_no_address(app, client, make, sign_in):
    configure_mail(app, free_port())
    sign_in(make.employee("me", email=None))
    html = client.get("/notifications/preferences").get_data(as_text=True)
    assert 'data-testid="email-off"' not in html
    assert "We have no email address for you" in html


def test_the_inbox_links_to_the_preferences(app, client, make, sign_in):
    sign_in(make.employee("me"))
    html = client.get("/notifications").get_data(as_text=True)
    assert 'href="/notifications/preferences"' in html


def test_choosing_the_digest_drops_mails_waiting(app, make):
    configure_mail(app, free_port())
    me = make.employee(email="me@example.test")
    notifications.notify(me, "enrolled", now=T0, params={"course": "c"})
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NotificationDelivery)) == 1
    set_email_preference(me, "digest", now=T0)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(NotificationDelivery)) == 0


def test_mark_one_read(app, client, make, sign_in):
    me = make.employee("me")
    first = notifications.notify(me, "enrolled", now=T0, params={"course": "a"})
    second = notifications.notify(me, "enrolled", now=T0, params={"course": "b"})
    first_id, second_id = first.id, second.id
    sign_in(me)
    html = client.get("/notifications").get_data(as_text=True)
    assert html.count('data-testid="mark-read"') == 2
    assert f'action="/notifications/{first_id}/read"' in html

    token = csrf_token(client, "/notifications")
    response = client.post(f"/notifications/{first_id}/read", data={"csrf_token": token})
    assert response.status_code == 302 and response.location.endswith("/notifications")
    db.session.expire_all()
    assert db.session.get(Notification, first_id).read_at is not None
    assert db.session.get(Notification, second_id).read_at is None
    html = client.get("/notifications").get_data(as_text=True)
    assert html.count('data-testid="mark-read"') == 1
    assert (
        client.post(f"/notifications/{first_id}/read", data={"csrf_token": token}).status_code
        == 302
    )


def test_marking_someone_elses_notification_is_not_found(app, client, make, sign_in):
    me, other = make.employee("me"), make.employee("other")
    theirs = notifications.notify(other, "enrolled", now=T0, params={"course": "a"})
    theirs_id = theirs.id
    sign_in(me)
    token = csrf_token(client, "/notifications")
    assert (
        client.post(f"/notifications/{theirs_id}/read", data={"csrf_token": token}).status_code
        == 404
    )
    assert client.post("/notifications/999999/read", data={"csrf_token": token}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Notification, theirs_id).read_at is None


def test_the_pages_need_a_signed_in_person(app, client):
    assert client.get("/notifications/preferences").status_code == 302
    assert client.post("/notifications/1/read").status_code in (302, 400)
