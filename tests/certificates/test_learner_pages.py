"""The learner's certificate pages through HTTP: "My certificates" with status, QR code and
share link, the page of one certificate, and the PDF download for the holder, their lead, HR
and administrators (everyone else gets 404)."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from lms import clock
from lms.extensions import db
from tests.certificates.conftest import days
from tests.conftest import login
from tests.test_query_counts import count_statements


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def cards(page: str) -> dict[str, str]:
    """Serial → the HTML of its card on /certificates."""
    found = {}
    for part in re.split(r'(?=<section class="card[^"]*" data-serial=")', page)[1:]:
        serial = re.search(r'data-serial="([^"]+)"', part).group(1)
        found[serial] = part.split("</section>")[0]
    return found


def test_my_certificates_lists_only_mine_with_status_qr_and_share_link(
    app, make, certificates, sign_in
):
    today = clock.today()
    amy = make.employee("amy", locale="en")
    other = make.employee("bob")
    valid = certificates.certificate(person=amy, title="沟通技巧", title_en="Communication")
    expired = certificates.certificate(
        person=amy, issued_on=today - days(400), expires_on=today - days(35)
    )
    revoked = certificates.certificate(
        person=amy,
        revoked_at=clock.now(),
        revocation_reason="复制了别人的作业",
    )
    theirs = certificates.certificate(person=other)
    client = sign_in(amy)
    page = text(client.get("/certificates"))
    found = cards(page)
    assert set(found) == {valid.serial, expired.serial, revoked.serial}
    assert theirs.serial not in page
    assert 'data-status="valid"' in found[valid.serial]
    assert "Communication" in found[valid.serial] and "沟通技巧" not in found[valid.serial]
    assert 'data-status="expired"' in found[expired.serial]
    assert 'data-status="revoked"' in found[revoked.serial]
    assert "复制了别人的作业" not in page  # the reason stays with HR
    share = f"{app.config['PUBLIC_URL'].rstrip('/')}/verify/{valid.code}"
    assert f'value="{share}"' in found[valid.serial]
    assert "<svg" in found[valid.serial] and 'role="img"' in found[valid.serial]
    assert f'href="/certificates/{valid.serial}.pdf"' in found[valid.serial]
    assert ".pdf" not in found[revoked.serial]
    assert "js/certificates.js" in page
    assert "<script>" not in page  # the CSP allows only files


def test_titles_follow_the_viewers_language(make, certificates, sign_in):
    li = make.employee("li", locale="zh_CN")
    certificates.certificate(person=li, title="沟通技巧", title_en="Communication")
    page = text(sign_in(li).get("/certificates"))
    assert "沟通技巧" in page and "Communication" not in page


def test_no_certificates_says_how_to_earn_one(make, certificates, sign_in):
    granting = certificates.catalogue.course("granting", title="投诉处理")
    certificates.award(course=granting)
    certificates.catalogue.course("plain", title="普通课程")
    person = make.employee("new")
    page = text(sign_in(person).get("/certificates"))
    assert 'data-testid="no-certificates"' in page
    assert "Complete a course that grants a certificate" in page
    assert "投诉处理" in page and "普通课程" not in page


def test_my_certificates_statements_do_not_grow(make, certificates, sign_in):
    person = make.employee("amy")
    course = certificates.catalogue.course("shared")
    design = certificates.design()
    certificates.certificate(person=person, course=course, design=design)
    client = sign_in(person)

    def measure() -> int:
        with count_statements() as statements:
            assert client.get("/certificates").status_code == 200
        return len(statements)

    small = measure()
    for _ in range(8):
        certificates.certificate(person=person, design=design)
    db.session.commit()
    assert measure() == small


# --- one certificate and its PDF -----------------------------------------------------------------


@pytest.fixture
def people(make):
    lead = make.employee("lead", roles={"supervisor"})
    team_lead = make.employee("tl", roles={"supervisor"})
    team = make.team(lead=team_lead)
    holder = make.employee("amy", supervisor=lead, team=team)
    make.employee("peer", team=team)
    make.employee("other_lead", roles={"supervisor"})
    make.employee("mentor", roles={"mentor"})
    make.employee("hr", roles={"hr"})
    make.employee("adm", roles={"admin"})
    return holder


def test_download_for_holder_lead_hr_and_admin_and_404_for_others(app, people, certificates):
    certificate = certificates.certificate(person=people)
    db.session.commit()
    url = f"/certificates/{certificate.serial}.pdf"
    results = {}
    for name in ("amy", "lead", "tl", "hr", "adm", "peer", "other_lead", "mentor"):
        client = app.test_client()
        login(client, name)
        response = client.get(url)
        results[name] = response.status_code
        if response.status_code == 200:
            assert response.mimetype == "application/pdf"
            assert response.data.startswith(b"%PDF")
            assert response.headers["Content-Disposition"] == (
                f'attachment; filename="certificate-{certificate.serial}.pdf"'
            )
            assert "no-store" in response.headers["Cache-Control"]
    assert results == {
        "amy": 200,
        "lead": 200,
        "tl": 200,
        "hr": 200,
        "adm": 200,
        "peer": 404,
        "other_lead": 404,
        "mentor": 404,
    }
    db.session.expire_all()
    assert certificate.pdf_key is not None  # rendered once, then served from the storage
    anonymous = app.test_client().get(url)
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_unknown_or_malformed_serials_are_404(app, people, certificates, sign_in):
    client = sign_in(people)
    for url in (
        "/certificates/2020-999999",
        "/certificates/2020-999999.pdf",
        "/certificates/nonsense",
        "/certificates/..%2F..%2Fetc.pdf",
    ):
        assert client.get(url).status_code == 404, url


def test_certificate_page_for_the_holder_without_hr_tools(people, certificates, sign_in):
    certificate = certificates.certificate(
        person=people, title_en="Complaint handling", expires_on=clock.today() + days(300)
    )
    page = text(sign_in(people).get(f"/certificates/{certificate.serial}"))
    assert "Complaint handling" in page
    assert certificate.grouped_code in page
    assert 'data-testid="qr"' in page and 'data-testid="share-link"' in page
    assert f"/certificates/{certificate.serial}.pdf" in page
    assert 'data-testid="audit-trail"' not in page
    assert "/revoke" not in page and "/rerender" not in page
    assert 'href="/certificates"' in page  # the breadcrumb back to my certificates


def test_certificate_page_of_someone_else_is_404(app, people, certificates):
    certificate = certificates.certificate(person=people)
    db.session.commit()
    client = app.test_client()
    login(client, "peer")
    assert client.get(f"/certificates/{certificate.serial}").status_code == 404
    client = app.test_client()
    login(client, "lead")
    page = text(client.get(f"/certificates/{certificate.serial}"))
    assert certificate.serial in page and 'data-testid="audit-trail"' not in page


def test_a_revoked_certificate_tells_the_holder_without_the_reason(people, certificates, sign_in):
    certificate = certificates.certificate(
        person=people,
        revoked_at=dt.datetime(2027, 1, 5, tzinfo=dt.UTC),
        revocation_reason="内部原因",
    )
    page = text(sign_in(people).get(f"/certificates/{certificate.serial}"))
    assert 'data-testid="revoked-alert"' in page
    assert "内部原因" not in page
    assert 'data-testid="download"' not in page
