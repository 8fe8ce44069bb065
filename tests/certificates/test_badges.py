"""Open Badges 2.0 hosted verification: the Assertion, BadgeClass and Issuer documents carry
every field the specification requires, with absolute ids under LMS_PUBLIC_URL that resolve
to the same documents; a revoked assertion answers 410."""

from __future__ import annotations

import datetime as dt
import hashlib
from urllib.parse import urlsplit

import pytest

from lms import clock
from lms.certificates import services
from lms.extensions import db
from tests.certificates.conftest import days
from tests.certification.conftest import CertificationFactory

BASE = "https://academy.example.com"
CONTEXT = "https://w3id.org/openbadges/v2"
NOW = dt.datetime(2027, 6, 15, 4, 0, tzinfo=dt.UTC)
ASSERTION_REQUIRED = {"@context", "type", "id", "recipient", "badge", "verification", "issuedOn"}
BADGE_CLASS_REQUIRED = {"@context", "type", "id", "name", "description", "image", "criteria"}


@pytest.fixture(autouse=True)
def _setup(app):
    app.config["PUBLIC_URL"] = BASE
    with clock.frozen(NOW):
        yield


def fetch(client, url: str, status: int = 200) -> dict:
    """A document by its absolute id, as a verifier would fetch it."""
    assert url.startswith(BASE + "/"), url
    response = client.get(urlsplit(url).path)
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype in ("application/ld+json", "application/json")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    return response.get_json()


def is_datetime(value: str) -> bool:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).tzinfo is not None


def test_assertion_badge_class_and_issuer_have_the_required_fields(client, certificates, make):
    person = make.employee(name="赵敏", email="ZhaoMin@Example.com")
    design = certificates.design(issuer_name="星河电商客服学院")
    certificate = certificates.certificate(
        person=person, design=design, issued_on=dt.date(2027, 6, 1), expires_on=None
    )
    url = f"{BASE}/badges/assertions/{certificate.grouped_code}.json"
    assertion = fetch(client, url)
    assert set(assertion) >= ASSERTION_REQUIRED
    assert assertion["@context"] == CONTEXT and assertion["type"] == "Assertion"
    assert assertion["id"] == url
    assert assertion["verification"] == {"type": "hosted"}
    assert assertion["issuedOn"] == "2027-06-01T00:00:00Z" and is_datetime(assertion["issuedOn"])
    assert "expires" not in assertion and "revoked" not in assertion
    recipient = assertion["recipient"]
    assert recipient["type"] == "email" and recipient["hashed"] is True
    salted = hashlib.sha256(("zhaomin@example.com" + recipient["salt"]).encode()).hexdigest()
    assert recipient["identity"] == "sha256$" + salted
    body = client.get(urlsplit(url).path).get_data(as_text=True)
    assert "zhaomin" not in body.lower() and person.employee_no not in body
    assert assertion["evidence"][0]["id"].startswith(BASE + "/verify/")

    badge = fetch(client, assertion["badge"])
    assert set(badge) >= BADGE_CLASS_REQUIRED and "issuer" in badge
    assert badge["@context"] == CONTEXT and badge["type"] == "BadgeClass"
    assert badge["id"] == f"{BASE}/badges/classes/course-{certificate.course_id}.json"
    assert badge["name"] and badge["description"]
    assert badge["criteria"]["narrative"]
    assert badge["image"].startswith("data:image/svg+xml;base64,")

    issuer = fetch(client, badge["issuer"])
    assert {"@context", "type", "id", "name", "url"} <= set(issuer)
    assert issuer["type"] in ("Issuer", "Profile") and issuer["id"] == f"{BASE}/badges/issuer.json"
    assert issuer["name"] == "星河电商客服学院" and issuer["url"] == BASE + "/"

    # the same document however the code is written in the address
    assert fetch(client, f"{BASE}/badges/assertions/{certificate.code.lower()}.json") == assertion


def test_expiry_and_a_recipient_without_email(client, certificates, make):
    person = make.employee(email=None)
    certificate = certificates.certificate(
        person=person, issued_on=dt.date(2027, 1, 1), expires_on=dt.date(2027, 4, 1)
    )
    assertion = fetch(client, f"{BASE}/badges/assertions/{certificate.code}.json")
    assert assertion["expires"] == "2027-04-01T00:00:00Z"  # expired documents still resolve
    recipient = assertion["recipient"]
    assert recipient["type"] == "url" and recipient["hashed"] is False
    assert recipient["identity"] == f"{BASE}/verify/{certificate.grouped_code}"


def test_revoked_assertion_answers_410(client, certificates, make):
    certificate = certificates.certificate()
    services.revoke(certificate, reason="内部原因：资料造假", actor=None, now=NOW - days(1))
    db.session.commit()
    url = f"{BASE}/badges/assertions/{certificate.grouped_code}.json"
    document = fetch(client, url, 410)
    assert document["id"] == url and document["revoked"] is True
    assert document["revocationReason"] and "造假" not in document["revocationReason"]
    assert "recipient" not in document


def test_certification_badge_class(client, certificates, app):
    certification = CertificationFactory().certification(
        title="产品知识季度复训", title_en="Product knowledge, quarterly"
    )
    certificates.award(certification=certification)
    db.session.commit()
    badge = fetch(client, f"{BASE}/badges/classes/certification-{certification.id}.json")
    assert set(badge) >= BADGE_CLASS_REQUIRED and badge["type"] == "BadgeClass"
    assert badge["name"] == "产品知识季度复训"
    assert badge["issuer"] == f"{BASE}/badges/issuer.json"
    english = client.get(
        f"/badges/classes/certification-{certification.id}.json",
        headers={"Accept-Language": "en"},
    ).get_json()
    assert english["name"] == "Product knowledge, quarterly"


def test_unknown_documents_answer_404(client, certificates):
    course = certificates.catalogue.course(lessons=1)  # no award, no certificate
    db.session.commit()
    for path in (
        f"/badges/classes/course-{course.id}.json",
        "/badges/classes/course-99999.json",
        "/badges/classes/certification-99999999999.json",
        "/badges/assertions/0000-0000-0000-0000-0000.json",
        "/badges/assertions/nonsense.json",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.get_json()["error"]["status"] == 404
    assert client.get("/badges/classes/team-1.json").status_code == 404
