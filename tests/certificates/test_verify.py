"""Public verification, signed out: valid, expired and revoked certificates on the page and in
JSON, showing the holder, the title in the viewer's language, the dates and the status and
nothing else; unknown and malformed codes answer the same 404; the form by GET and by POST;
the language switch; one rate limit per client address over every public document."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from lms import clock
from lms.certificates import codes, services
from lms.extensions import db
from tests.certificates.conftest import days
from tests.conftest import csrf_token

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}
TODAY = dt.date(2027, 6, 15)
NOW = dt.datetime(2027, 6, 15, 4, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _today():
    with clock.frozen(NOW):
        yield


@pytest.fixture
def holder(make):
    return make.employee(
        name="赵敏", employee_no="E7788", email="zhaomin@example.com", phone="13800000000"
    )


@pytest.fixture
def valid(certificates, holder):
    return certificates.certificate(
        person=holder, title="退货政策", title_en="Returns policy", issued_on=TODAY - days(10)
    )


def page(client, code: str, headers=EN):
    return client.get(f"/verify/{code}", headers=headers)


def text_of(response) -> str:
    return response.get_data(as_text=True)


def assert_private(body: str) -> None:
    for secret in ("E7788", "zhaomin@example.com", "13800000000"):
        assert secret not in body


def test_valid_certificate_page_shows_only_what_the_certificate_says(client, valid):
    response = page(client, valid.grouped_code)
    body = text_of(response)
    assert response.status_code == 200
    assert 'data-status="valid"' in body and "text-bg-success" in body
    assert "Valid certificate" in body
    assert "赵敏" in body and "Returns policy" in body and "退货政策" not in body
    assert "Jun 5, 2027" in body  # issued on, in the viewer's language
    assert "No expiry" in body
    assert '<meta name="viewport"' in body
    assert_private(body)
    assert response.headers["X-Robots-Tag"].startswith("noindex")

    chinese = text_of(page(client, valid.grouped_code, ZH))
    assert "退货政策" in chinese and "Returns policy" not in chinese
    # the code is read forgivingly: lower case, no dashes, look-alike letters
    loose = valid.code.lower().replace("0", "o").replace("1", "l")
    assert page(client, loose).status_code == 200


def test_valid_certificate_json(client, valid):
    response = client.get(f"/verify/{valid.code}.json", headers=EN)
    assert response.status_code == 200
    body = response.get_json()
    assert body == {
        "status": "valid",
        "revoked": False,
        "revoked_on": None,
        "holder_name": "赵敏",
        "title": "Returns policy",
        "issued_on": "2027-06-05",
        "expires_on": None,
        "serial": valid.serial,
        "code": codes.grouped(valid.code),
    }
    assert_private(text_of(response))


def test_expired_certificate(client, certificates, holder):
    expired = certificates.certificate(
        person=holder, issued_on=TODAY - days(400), expires_on=TODAY - days(35)
    )
    body = text_of(page(client, expired.code))
    assert 'data-status="expired"' in body and "text-bg-secondary" in body
    assert "Expired certificate" in body and "May 11, 2027" in body
    response = client.get(f"/verify/{expired.code}.json")
    assert response.status_code == 200
    assert response.get_json()["status"] == "expired"
    assert response.get_json()["expires_on"] == "2027-05-11"
    # valid until the day before its expiry date
    almost = certificates.certificate(person=holder, expires_on=TODAY + days(1))
    assert client.get(f"/verify/{almost.code}.json").get_json()["status"] == "valid"


def test_revoked_certificate_shows_the_date_never_the_reason(client, valid, make):
    hr = make.employee(roles={"hr"})
    services.revoke(valid, reason="考试作弊，已核实", actor=hr, now=NOW - days(2))
    db.session.commit()
    response = page(client, valid.code)
    body = text_of(response)
    assert response.status_code == 200
    assert 'data-status="revoked"' in body and "text-bg-danger" in body
    assert "Revoked certificate" in body and "Revoked on Jun 13, 2027" in body
    assert "作弊" not in body and hr.name not in body
    assert_private(body)

    response = client.get(f"/verify/{valid.code}.json")
    assert response.status_code == 410
    data = response.get_json()
    assert data["revoked"] is True and data["revoked_on"] == "2027-06-13"
    assert data["status"] == "revoked" and data["holder_name"] == "赵敏"
    assert "作弊" not in text_of(response)


def _without_token(body: str) -> str:
    return re.sub(r'name="csrf_token" value="[^"]*"', 'name="csrf_token" value=""', body)


@pytest.mark.parametrize(
    "malformed", ["not-a-code", "ZZZZ", "0" * 21, "UUUU-UUUU-UUUU-UUUU-UUUU", "a/b", "%3Cscript%3E"]
)
def test_unknown_and_malformed_codes_get_the_same_404(client, valid, malformed):
    unknown = codes.grouped(codes.new_code())
    first = page(client, unknown)
    second = page(client, malformed)
    assert first.status_code == second.status_code == 404
    assert _without_token(text_of(first)) == _without_token(text_of(second))
    assert "No certificate found" in text_of(first)
    assert unknown not in text_of(first) and unknown.replace("-", "") not in text_of(first)

    first = client.get(f"/verify/{unknown}.json")
    second = client.get(f"/verify/{malformed}.json")
    assert first.status_code == second.status_code == 404
    assert first.get_data() == second.get_data()
    assert first.get_json()["error"]["message"]


def test_the_form_by_get_and_by_post(client, valid):
    form = client.get("/verify", headers=EN)
    assert form.status_code == 200 and 'name="code"' in text_of(form)
    assert 'method="get"' in text_of(form)

    found = client.get("/verify", query_string={"code": valid.code.lower()})
    assert found.status_code == 302
    assert found.headers["Location"].endswith(f"/verify/{valid.grouped_code}")
    unknown = client.get("/verify", query_string={"code": codes.new_code()})
    malformed = client.get("/verify", query_string={"code": "nonsense"})
    assert unknown.status_code == malformed.status_code == 404
    assert _without_token(text_of(unknown)) == _without_token(text_of(malformed))
    blank = client.get("/verify", query_string={"code": "  "}, headers=EN)
    assert blank.status_code == 200 and "Enter the verification code" in text_of(blank)

    token = csrf_token(client, "/verify")
    posted = client.post("/verify", data={"csrf_token": token, "code": valid.grouped_code})
    assert posted.status_code == 303
    assert posted.headers["Location"].endswith(f"/verify/{valid.grouped_code}")
    forged = client.post("/verify", data={"csrf_token": "forged", "code": valid.code})
    assert forged.status_code == 400


def test_language_switch_works_signed_out(client, valid):
    url = f"/verify/{valid.grouped_code}"
    body = text_of(client.get(url, headers=ZH))
    assert "退货政策" in body and 'name="next" value="' + url + '"' in body
    token = csrf_token(client, url)
    switched = client.post("/language", data={"csrf_token": token, "lang": "en", "next": url})
    assert switched.status_code == 302 and switched.headers["Location"].endswith(url)
    assert "Returns policy" in text_of(client.get(url, headers=ZH))


def test_rate_limit_per_address_over_every_public_document(app, client, valid):
    app.config["VERIFY_RATE_LIMIT"] = "4 per minute"
    assert client.get("/verify").status_code == 200  # the bare form is not counted
    statuses = [
        page(client, valid.code).status_code,
        client.get(f"/verify/{valid.code}.json").status_code,
        client.get(f"/badges/assertions/{valid.code}.json").status_code,
        client.get("/verify", query_string={"code": "nonsense"}).status_code,
    ]
    assert statuses == [200, 200, 200, 404]
    limited = page(client, valid.code)
    assert limited.status_code == 429
    assert "Too many attempts" in text_of(limited)
    limited_json = client.get("/badges/issuer.json")
    assert limited_json.status_code == 429 and limited_json.get_json()["error"]["status"] == 429
    assert client.get(f"/verify/{valid.code}.json").status_code == 429

    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "10.1.2.3"
    assert page(other, valid.code).status_code == 200
