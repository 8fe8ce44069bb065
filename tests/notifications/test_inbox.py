"""The in-app inbox and the navbar's unread count."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from flask import render_template_string

from lms import notifications
from lms.extensions import db
from lms.notifications.models import Notification
from tests.conftest import csrf_token
from tests.test_query_counts import count_statements

T0 = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


def test_the_inbox_lists_my_notifications_newest_first(app, client, make, sign_in):
    me, other = make.employee("me"), make.employee("other")
    notifications.notify(me, "enrolled", now=T0, params={"course": "退货政策"})
    notifications.notify(
        me,
        "attempt_graded",
        now=T0 + dt.timedelta(hours=1),
        params={"quiz": "期末测验", "percent": 90.0, "attempt_id": 7},
    )
    notifications.notify(other, "enrolled", now=T0, params={"course": "别人的课程"})
    sign_in(me)

    html = client.get("/notifications", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert html.count("data-notification=") == 2
    assert "别人的课程" not in html
    graded = html.index("Your attempt at “期末测验” has been graded: 90.0%.")
    assert graded < html.index("You have been enrolled in “退货政策”.")
    assert html.count('data-unread="true"') == 2


def test_mark_all_read(app, client, make, sign_in):
    me, other = make.employee("me"), make.employee("other")
    for n in range(3):
        notifications.notify(me, "enrolled", now=T0, params={"course": f"课程{n}"})
    notifications.notify(other, "enrolled", now=T0, params={"course": "x"})
    sign_in(me)
    response = client.post(
        "/notifications/read", data={"csrf_token": csrf_token(client, "/notifications")}
    )
    assert response.status_code == 302
    unread = db.session.scalars(sa.select(Notification).where(Notification.read_at.is_(None)))
    assert [n.employee_id for n in unread] == [other.id]
    html = client.get("/notifications").get_data(as_text=True)
    assert 'data-unread="true"' not in html and html.count("data-notification=") == 3


def test_the_inbox_needs_a_signed_in_person(app, client):
    assert client.get("/notifications").status_code == 302
    assert client.post("/notifications/read").status_code in (302, 400)


def test_unread_count_is_one_count_query_only_when_used(app, make):
    from flask_login import login_user

    me = make.employee("me")
    for _ in range(4):
        notifications.notify(me, "enrolled", now=T0, params={"course": "c"})
    notifications.notify(make.employee(), "enrolled", now=T0, params={"course": "c"})
    db.session.commit()
    template = "{{ unread_notifications }}|{{ 'yes' if unread_notifications else 'no' }}|"
    template += "{{ '9+' if unread_notifications > 9 else unread_notifications|int }}"
    with app.app_context(), app.test_request_context("/"):  # a request's own ``g``
        login_user(db.session.get(type(me), me.id))
        with count_statements() as statements:
            assert render_template_string(template) == "4|yes|4"
        assert len(statements) == 1 and "count" in statements[0].lower()
        with count_statements() as statements:
            render_template_string("nothing")
        assert statements == []
    with app.app_context(), app.test_request_context("/"):  # nobody signed in
        with count_statements() as statements:
            assert render_template_string("{{ unread_notifications|default('none') }}") == "none"
        assert statements == []
