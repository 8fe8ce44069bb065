"""Signing in and out, sessions that die, passwords, redirects, CSRF and rate limits."""

from __future__ import annotations

import datetime as dt

import pytest

from lms import clock
from lms.extensions import db
from lms.organisation.models import EmployeeStatus
from tests.conftest import PASSWORD, csrf_token, login


def test_sign_in_by_username_or_employee_number(client, make):
    person = make.employee("amy", employee_no="C1001")
    db.session.commit()
    assert login(client, "AMY").status_code == 302
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    assert login(client, "C1001").status_code == 302
    db.session.refresh(person)
    assert person.last_login_at is not None


def test_wrong_password_is_refused_with_a_message(client, make):
    make.employee("amy", locale="en")
    db.session.commit()
    response = login(client, "amy", "wrong-password")
    assert response.status_code == 200
    assert "Wrong username or password." in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_unknown_account_gets_the_same_message(client):
    response = login(client, "nobody", "whatever-123")
    assert "Wrong username or password." in response.get_data(as_text=True)


def test_people_who_left_cannot_sign_in(client, make):
    make.employee("gone", status=EmployeeStatus.LEFT)
    db.session.commit()
    assert login(client, "gone").status_code == 200
    assert client.get("/").status_code == 302


def test_logout_kills_the_session_cookie_for_good(app, client, make):
    make.employee("amy")
    db.session.commit()
    login(client, "amy")
    stolen = client.get_cookie("session").value
    client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})
    thief = app.test_client()
    thief.set_cookie("session", stolen)
    response = thief.get("/")
    assert response.status_code == 302 and "/login" in response.location


def test_logout_needs_a_post_with_csrf(client, make):
    make.employee("amy")
    db.session.commit()
    login(client, "amy")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no CSRF token: refused
    assert client.get("/").status_code == 200  # still signed in


def test_password_change_ends_other_sessions_but_not_this_one(app, client, make):
    person = make.employee("amy")
    db.session.commit()
    other_device = app.test_client()
    login(other_device, "amy")
    login(client, "amy")
    response = client.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "new": "a-new-secret-42",
            "confirm": "a-new-secret-42",
            "csrf_token": csrf_token(client, "/account/password"),
        },
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    assert other_device.get("/").status_code == 302
    db.session.refresh(person)
    assert login(app.test_client(), "amy", "a-new-secret-42").status_code == 302


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("short", "at least 8 characters"),
        ("12345678901", "digits only"),
        ("amy", "at least 8"),
    ],
)
def test_weak_passwords_are_refused(client, make, new, message):
    make.employee("amy")
    db.session.commit()
    login(client, "amy")
    response = client.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "new": new,
            "confirm": new,
            "csrf_token": csrf_token(client, "/account/password"),
        },
    )
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)


def test_wrong_current_password_changes_nothing(client, make):
    make.employee("amy")
    db.session.commit()
    login(client, "amy")
    response = client.post(
        "/account/password",
        data={
            "current": "not-it-000",
            "new": "a-new-secret-42",
            "confirm": "a-new-secret-42",
            "csrf_token": csrf_token(client, "/account/password"),
        },
    )
    assert "The current password is wrong." in response.get_data(as_text=True)


def test_first_sign_in_forces_a_password_change(client, make):
    make.employee("newbie", must_change_password=True)
    db.session.commit()
    login(client, "newbie")
    response = client.get("/")
    assert response.status_code == 302 and response.location.endswith("/account/password")
    client.post(
        "/account/password",
        data={
            "current": PASSWORD,
            "new": "my-own-secret-1",
            "confirm": "my-own-secret-1",
            "csrf_token": csrf_token(client, "/account/password"),
        },
    )
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    ("target", "safe"),
    [
        ("/people", True),
        ("/account?tab=tokens", True),
        ("https://evil.example/", False),
        ("//evil.example/path", False),
        ("/\\evil.example", False),
        ("javascript:alert(1)", False),
        ("http:/evil.example", False),
        (" /people", False),
    ],
)
def test_next_redirects_only_to_this_site(client, make, target, safe):
    make.employee("amy", roles={"hr"})
    db.session.commit()
    token = csrf_token(client, "/login")
    response = client.post(
        "/login", data={"login": "amy", "password": PASSWORD, "next": target, "csrf_token": token}
    )
    assert response.status_code == 302
    assert response.location == (target if safe else "/")


def test_forged_csrf_token_is_refused_and_changes_nothing(client, make):
    person = make.employee("amy")
    db.session.commit()
    login(client, "amy")
    response = client.post(
        "/account", data={"locale": "zh_CN", "timezone": "UTC", "csrf_token": "forged"}
    )
    assert response.status_code == 400
    assert "expired or was forged" in response.get_data(as_text=True)
    db.session.refresh(person)
    assert person.timezone == "Asia/Shanghai"


def test_login_rate_limit_per_account(app, make):
    make.employee("amy")
    db.session.commit()
    attacker = app.test_client()
    statuses = [login(attacker, "amy", f"guess-{i}").status_code for i in range(6)]
    assert statuses[:5] == [200] * 5
    assert statuses[5] == 429
    # the right password from another address is refused too while the account is limited
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    assert login(other, "amy").status_code == 429


def test_login_rate_limit_per_address(app, make):
    app.config["LOGIN_LIMIT_PER_IP"] = "3 per 5 minutes"
    client = app.test_client()
    statuses = [login(client, f"user{i}", "guess-1234").status_code for i in range(4)]
    assert statuses == [200, 200, 200, 429]
    assert "Too many attempts" in login(client, "x", "y").get_data(as_text=True)


def test_successful_logins_do_not_use_up_the_limit(app, make):
    make.employee("amy")
    db.session.commit()
    client = app.test_client()
    for _ in range(7):
        assert login(client, "amy").status_code == 302
        client.post("/logout", data={"csrf_token": csrf_token(client, "/account")})


def test_dates_show_in_the_users_time_zone(client, make):
    person = make.employee("amy", locale="en")
    person.timezone = "America/New_York"
    person.last_login_at = None
    db.session.commit()
    with clock.frozen(dt.datetime(2026, 3, 1, 2, 30, tzinfo=dt.UTC)):
        login(client, "amy")
        page = client.get("/account").get_data(as_text=True)
    assert "Feb 28, 2026" in page  # 02:30 UTC is the previous evening in New York
