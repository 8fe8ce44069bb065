"""The certificate API: a person's certificates (the person, their lead or supervisor, HR and
admins; 404 for anyone else), one certificate with its revocation and audit trail (HR and
admin), and revocation (422 without a reason, 409 the second time)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from lms import clock
from lms.accounts.services import create_token
from lms.certificates import issuing
from lms.certificates.models import Certificate, CertificateEvent
from lms.extensions import db
from lms.organisation.models import Employee
from tests.certification.conftest import at, complete
from tests.test_query_counts import count_statements

D = dt.date
NOW = at(D(2027, 6, 15))


def bearer(person: Employee) -> dict[str, str]:
    _token, secret = create_token(person, "test", clock.now())
    return {"Authorization": f"Bearer {secret}"}


def assert_error(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert error["status"] == status and error["message"]
    if field:
        assert field in error["fields"], error
    return error


@dataclass
class World:
    hr: Employee
    admin: Employee
    lead: Employee
    supervisor: Employee
    member: Employee
    colleague: Employee
    certificate: Certificate


@pytest.fixture
def world(make, certificates) -> World:
    lead = make.employee(roles={"supervisor"})
    supervisor = make.employee(roles={"supervisor"})
    team = make.team(lead=lead)
    member = make.employee(team=team, supervisor=supervisor, employee_no="A001", name="王小明")
    colleague = make.employee(team=team, employee_no="A002")
    course = certificates.catalogue.course("returns", lessons=1)
    certificates.award(course=course)
    db.session.commit()
    complete(member, course, at(D(2027, 6, 1)))
    certificate = db.session.scalar(sa.select(Certificate))
    return World(
        make.employee(roles={"hr"}),
        make.employee(roles={"admin"}),
        lead,
        supervisor,
        member,
        colleague,
        certificate,
    )


def get(client, url: str, person: Employee):
    with clock.frozen(NOW):
        return client.get(url, headers=bearer(person))


def test_a_persons_certificates_by_role(client, world):
    url = "/api/v1/employees/A001/certificates"
    for viewer in (world.member, world.lead, world.supervisor, world.hr, world.admin):
        response = get(client, url, viewer)
        assert response.status_code == 200, viewer
        body = response.get_json()
        assert body["employee"] == {"employee_no": "A001", "name": "王小明"}
        assert body["total"] == 1
    [item] = body["items"]
    assert item["serial"] == "2027-000001" and item["status"] == "valid"
    assert item["subject"] == {
        "kind": "course",
        "id": world.certificate.course_id,
        "slug": "returns",
    }
    assert item["issued_on"] == "2027-06-01" and item["expires_on"] is None
    assert item["revoked_on"] is None
    assert item["verification_url"].endswith(f"/verify/{world.certificate.grouped_code}")
    assert item["badge_url"].endswith(f"/badges/assertions/{world.certificate.grouped_code}.json")
    assert "revocation" not in item and "events" not in item

    assert_error(get(client, url, world.colleague), 404)
    assert_error(get(client, "/api/v1/employees/NOPE/certificates", world.hr), 404)
    assert client.get(url).status_code == 401


def test_the_list_takes_a_fixed_number_of_statements(client, world, certificates):
    url = "/api/v1/employees/A001/certificates"
    headers = bearer(world.hr)
    db.session.commit()
    client.get(url, headers=headers)  # the token's first use is recorded once
    with count_statements() as one:
        assert client.get(url, headers=headers).get_json()["total"] == 1
    for _ in range(4):
        certificates.certificate(person=world.member)
    db.session.commit()
    with count_statements() as five:
        assert client.get(url, headers=headers).get_json()["total"] == 5
    assert len(one) == len(five)


def test_one_certificate_for_hr_and_admin_only(client, world):
    url = f"/api/v1/certificates/{world.certificate.serial}"
    for viewer in (world.hr, world.admin):
        body = get(client, url, viewer).get_json()
        assert body["serial"] == world.certificate.serial
        assert body["employee"] == {"employee_no": "A001", "name": "王小明"}
        assert body["revocation"] is None
        assert [e["action"] for e in body["events"]] == ["issued"]
    for viewer in (world.member, world.lead, world.colleague):
        assert_error(get(client, url, viewer), 403)
    assert_error(get(client, "/api/v1/certificates/2027-999999", world.hr), 404)
    assert_error(get(client, "/api/v1/certificates/nonsense", world.hr), 404)


def test_revoke(client, world):
    url = f"/api/v1/certificates/{world.certificate.serial}/revoke"
    headers = bearer(world.hr)
    with clock.frozen(NOW):
        assert_error(client.post(url, json={"reason": "x"}, headers=bearer(world.member)), 403)
        assert_error(client.post(url, data="reason", headers=headers), 400)
        assert_error(client.post(url, json={"reason": "x", "why": 1}, headers=headers), 400)
        assert_error(client.post(url, json={}, headers=headers), 422, "reason")
        assert_error(client.post(url, json={"reason": "   "}, headers=headers), 422, "reason")
        assert_error(client.post(url, json={"reason": 5}, headers=headers), 422, "reason")
        assert_error(client.post(url, json={"reason": "x" * 501}, headers=headers), 422, "reason")
        assert db.session.get(Certificate, world.certificate.id).revoked_at is None

        response = client.post(url, json={"reason": " 资料造假 "}, headers=headers)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        assert body["status"] == "revoked" and body["revoked_on"] == "2027-06-15"
        assert body["revocation"]["reason"] == "资料造假"
        assert body["revocation"]["revoked_by"]["employee_no"] == world.hr.employee_no
        assert [e["action"] for e in body["events"]] == ["issued", "revoked"]
        assert body["events"][1]["detail"] == "资料造假"

        assert_error(client.post(url, json={"reason": "again"}, headers=headers), 409)
        missing = client.post("/api/v1/certificates/2027-999999/revoke", json={"reason": "x"})
        assert missing.status_code == 401
        assert_error(
            client.post(
                "/api/v1/certificates/2027-999999/revoke", json={"reason": "x"}, headers=headers
            ),
            404,
        )
    db.session.expire_all()
    revoked = db.session.get(Certificate, world.certificate.id)
    assert revoked.revocation_reason == "资料造假" and revoked.revoked_by_id == world.hr.id
    events = db.session.scalars(
        sa.select(CertificateEvent.action).where(CertificateEvent.certificate_id == revoked.id)
    ).all()
    assert sorted(events) == ["issued", "revoked"]

    # listing shows the revocation date to the person, never the reason
    item = get(client, "/api/v1/employees/A001/certificates", world.member).get_json()["items"][0]
    assert item["status"] == "revoked" and item["revoked_on"] == "2027-06-15"
    assert "资料造假" not in str(item)
    # a revoked certificate is not issued again by the sweep
    assert issuing.issue_missing(NOW) == 0


def test_openapi_documents_the_routes(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/employees/{employee_no}/certificates"]
    assert "get" in paths["/certificates/{serial}"]
    assert "post" in paths["/certificates/{serial}/revoke"]
