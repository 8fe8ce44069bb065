"""HR's certificate pages through HTTP: the issued list (search, filters, sorting, paging,
a bounded number of statements), a certificate's audit trail, revoking and re-rendering, and
bulk downloads from the form to the zip."""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
import zipfile

import pytest
import sqlalchemy as sa

from lms import clock
from lms.certificates import batches
from lms.certificates.models import BatchStatus, CertificateBatch, CertificateEvent
from lms.extensions import db
from lms.storage import storage
from tests.certificates.conftest import days
from tests.certification.conftest import CertificationFactory
from tests.conftest import csrf_from, login
from tests.test_query_counts import count_statements

D = dt.date


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def serials(page: str) -> list[str]:
    """The serials listed in the issued table, in order."""
    return re.findall(r'<tr data-serial="([^"]+)"', page)


@pytest.fixture
def hr(make):
    person = make.employee("hr", roles={"hr"})
    db.session.commit()
    return person


@pytest.fixture
def hr_client(hr, sign_in):
    return sign_in(hr)


# --- access --------------------------------------------------------------------------------------


def test_hr_pages_refuse_everyone_but_hr_and_admins(app, make, certificates, hr):
    certificate = certificates.certificate()
    batch = batches.create_batch({}, actor=hr, now=clock.now())
    make.employee("emp")
    make.employee("men", roles={"mentor"})
    make.employee("lead", roles={"supervisor"})
    make.employee("adm", roles={"admin"})
    db.session.commit()
    pages = [
        "/certificates/issued",
        f"/certificates/batches/{batch.id}",
        f"/certificates/batches/{batch.id}.json",
        f"/certificates/batches/{batch.id}.zip",
    ]
    posts = [
        f"/certificates/{certificate.serial}/revoke",
        f"/certificates/{certificate.serial}/rerender",
        "/certificates/batches",
    ]
    for name in ("emp", "men", "lead"):
        client = app.test_client()
        login(client, name)
        token = csrf_from(client.get("/certificates").get_data(as_text=True))
        assert [client.get(url).status_code for url in pages] == [403] * 4, name
        data = {"csrf_token": token, "reason": "x"}
        assert [client.post(url, data=data).status_code for url in posts] == [403] * 3, name
    client = app.test_client()
    login(client, "adm")
    assert client.get("/certificates/issued").status_code == 200
    # a batch is seen only by the person who asked for it
    assert client.get(f"/certificates/batches/{batch.id}").status_code == 404
    assert client.get(f"/certificates/batches/{batch.id}.json").status_code == 404
    assert app.test_client().get("/certificates/issued").status_code == 302


# --- the list ------------------------------------------------------------------------------------


@pytest.fixture
def issued(make, certificates):
    """Five certificates: three people in two teams, two courses and a certification."""
    today = clock.today()
    north, south = make.team("北区"), make.team("南区")
    amy = make.employee(name="Amy Zhang", employee_no="E100", team=north)
    bob = make.employee(name="Bob Li", employee_no="E200", team=south)
    cat = make.employee(name="Cat Wang", employee_no="E300", team=north)
    first = certificates.catalogue.course("first", title="沟通")
    second = certificates.catalogue.course("second", title="退货")
    design = certificates.design()
    made = {
        "amy1": certificates.certificate(
            person=amy, course=first, design=design, issued_on=today - days(30)
        ),
        "amy2": certificates.certificate(
            person=amy, course=second, design=design, issued_on=today - days(10)
        ),
        "bob1": certificates.certificate(
            person=bob,
            course=first,
            design=design,
            issued_on=today - days(400),
            expires_on=today - days(35),
        ),
        "cat1": certificates.certificate(
            person=cat,
            course=first,
            design=design,
            issued_on=today - days(5),
            revoked_at=clock.now(),
            revocation_reason="错误发放",
        ),
    }
    certification = CertificationFactory().certification(title="质检认证")
    certificates.award(certification=certification, design=design)
    db.session.commit()
    return {
        "people": (amy, bob, cat),
        "teams": (north, south),
        "courses": (first, second),
        "certification": certification,
        **{k: v.serial for k, v in made.items()},
    }


def test_list_shows_everything_newest_first_with_status_and_actions(hr_client, issued):
    page = text(hr_client.get("/certificates/issued"))
    assert serials(page) == [issued["cat1"], issued["amy2"], issued["amy1"], issued["bob1"]]
    assert f'data-serial="{issued["bob1"]}" data-status="expired"' in page
    assert f'data-serial="{issued["cat1"]}" data-status="revoked"' in page
    assert f'href="/certificates/{issued["amy1"]}.pdf"' in page
    assert f'action="/certificates/{issued["amy1"]}/rerender"' in page
    assert f'action="/certificates/{issued["amy1"]}/revoke"' in page
    assert f'action="/certificates/{issued["cat1"]}/revoke"' not in page  # revoked already
    assert 'data-bs-toggle="modal"' in page and "required" in page


CASES = [
    ("q=amy", ["amy2", "amy1"]),
    ("q=E200", ["bob1"]),
    ("q=%25", []),  # a literal percent sign matches nothing
    ("status=expired", ["bob1"]),
    ("status=revoked", ["cat1"]),
    ("status=valid", ["amy2", "amy1"]),
    ("team={north}", ["cat1", "amy2", "amy1"]),
    ("course={second}", ["amy2"]),
    ("certification={cert}", []),
    ("sort=holder&dir=asc", ["amy1", "amy2", "bob1", "cat1"]),
    ("sort=holder&dir=desc", ["cat1", "bob1", "amy2", "amy1"]),
    ("sort=issued&dir=asc", ["bob1", "amy1", "amy2", "cat1"]),
    ("sort=status&dir=desc", ["cat1", "bob1", "amy2", "amy1"]),
    ("sort=expires", ["bob1", "amy1", "amy2", "cat1"]),
    ("status=bogus&sort=bogus&team=x", ["cat1", "amy2", "amy1", "bob1"]),
]


def test_search_filter_and_sort(hr_client, issued):
    ids = {
        "north": issued["teams"][0].id,
        "second": issued["courses"][1].id,
        "cert": issued["certification"].id,
    }
    for query, expected in CASES:
        page = text(hr_client.get(f"/certificates/issued?{query.format(**ids)}"))
        assert serials(page) == [issued[k] for k in expected], query
        if not expected:
            assert 'data-testid="no-match"' in page, query


def test_search_by_serial_and_issue_dates(hr_client, issued):
    page = text(hr_client.get(f"/certificates/issued?q={issued['bob1']}"))
    assert serials(page) == [issued["bob1"]]
    today = clock.today()
    since = (today - days(12)).isoformat()
    until = (today - days(6)).isoformat()
    page = text(hr_client.get(f"/certificates/issued?from={since}&to={until}"))
    assert serials(page) == [issued["amy2"]]
    page = text(hr_client.get("/certificates/issued?from=yesterday&to=2020-02-30"))
    assert len(serials(page)) == 4  # unreadable dates are ignored


def test_paging(app, hr_client, issued):
    app.config["PAGE_SIZE"] = 3
    first = text(hr_client.get("/certificates/issued"))
    second = text(hr_client.get("/certificates/issued?page=2"))
    assert len(serials(first)) == 3 and len(serials(second)) == 1
    assert "Showing 4–4 of 4" in second
    assert serials(text(hr_client.get("/certificates/issued?page=99"))) == []


def test_nothing_issued_says_what_to_do(hr_client):
    page = text(hr_client.get("/certificates/issued"))
    assert 'data-testid="none-issued"' in page
    assert "/certificates/awards" in page


def test_list_statements_do_not_grow_with_certificates(make, certificates, hr_client):
    design = certificates.design()
    teams = [make.team() for _ in range(3)]

    def add(n: int) -> None:
        for i in range(n):
            person = make.employee(team=teams[i % 3])
            certificates.certificate(person=person, design=design)
        db.session.commit()

    def measure(url: str) -> int:
        with count_statements() as statements:
            assert hr_client.get(url).status_code == 200
        return len(statements)

    add(3)
    urls = ["/certificates/issued", "/certificates/issued?sort=status&q=T&status=valid"]
    small = [measure(url) for url in urls]
    add(40)
    assert [measure(url) for url in urls] == small
    assert max(small) <= 15


# --- one certificate ---------------------------------------------------------------------------


def events_of(certificate) -> list[str]:
    return list(
        db.session.scalars(
            sa.select(CertificateEvent.action)
            .where(CertificateEvent.certificate_id == certificate.id)
            .order_by(CertificateEvent.id)
        )
    )


def test_revoke_needs_a_reason_and_is_audited(hr_client, hr, certificates):
    certificate = certificates.certificate(holder_name="张伟")
    db.session.commit()
    url = f"/certificates/{certificate.serial}"
    page = text(hr_client.get(url))
    assert 'data-testid="audit-trail"' in page and 'data-testid="revoke-form"' in page
    token = csrf_from(page)

    response = hr_client.post(f"{url}/revoke", data={"csrf_token": token, "reason": "   "})
    assert response.status_code == 200
    assert "Give the reason." in text(response)
    db.session.expire_all()
    assert certificate.revoked_at is None

    back = "/certificates/issued?status=valid"
    response = hr_client.post(
        f"{url}/revoke", data={"csrf_token": token, "reason": "资料造假", "next": back}
    )
    assert response.status_code == 302 and response.headers["Location"] == back
    db.session.expire_all()
    assert certificate.revocation_reason == "资料造假"
    assert certificate.revoked_by_id == hr.id
    assert events_of(certificate) == ["revoked"]
    page = text(hr_client.get(url))
    assert 'data-action="revoked"' in page and "资料造假" in page
    assert 'data-testid="revoke-form"' not in page

    again = hr_client.post(
        f"{url}/revoke",
        data={"csrf_token": token, "reason": "再次", "next": "https://evil.example/"},
    )
    assert again.status_code == 302 and again.headers["Location"].endswith(url)
    assert "revoked already" in text(hr_client.get(url))
    db.session.expire_all()
    assert certificate.revocation_reason == "资料造假"
    assert hr_client.post(f"{url}/revoke", data={"reason": "无令牌"}).status_code == 400


def test_rerender_makes_a_new_pdf_with_the_current_design(hr_client, hr, certificates):
    design = certificates.design()
    old = storage().put(b"%PDF-old")
    certificate = certificates.certificate(design=design, pdf_key=old, rendered_version=1)
    design.version = 3
    db.session.commit()
    url = f"/certificates/{certificate.serial}"
    page = text(hr_client.get(url))
    assert 'data-testid="stale"' in page
    response = hr_client.post(f"{url}/rerender", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(url)
    db.session.expire_all()
    assert certificate.rendered_version == 3 and certificate.pdf_key != old
    assert storage().get(certificate.pdf_key).startswith(b"%PDF")
    assert events_of(certificate) == ["rendered"]
    page = text(hr_client.get(url))
    assert 'data-testid="stale"' not in page
    assert 'data-action="rendered"' in page and hr.name in page


# --- bulk downloads ---------------------------------------------------------------------------


def test_bulk_download_from_the_form_to_the_zip(hr_client, hr, issued):
    north = issued["teams"][0]
    page = text(hr_client.get("/certificates/issued"))
    response = hr_client.post(
        "/certificates/batches",
        data={
            "csrf_token": csrf_from(page),
            "team": str(north.id),
            "course": str(issued["courses"][0].id),
            "certification": "",
            "issued_from": "",
            "issued_to": "",
        },
    )
    assert response.status_code == 302
    batch = db.session.scalar(sa.select(CertificateBatch))
    assert response.headers["Location"].endswith(f"/certificates/batches/{batch.id}")
    assert batch.requested_by_id == hr.id and batch.total == 2
    url = f"/certificates/batches/{batch.id}"
    page = text(hr_client.get(url))
    assert "The scheduler renders the PDFs" in page
    assert f'data-status-url="{url}.json"' in page and "js/certificates.js" in page
    assert "北区" in page
    assert json.loads(hr_client.get(f"{url}.json").data)["status"] == "pending"
    assert hr_client.get(f"{url}.zip").status_code == 404  # not ready yet

    assert batches.run_pending_batches(clock.now()) == 1
    status = json.loads(hr_client.get(f"{url}.json").data)
    assert (status["status"], status["done"], status["total"], status["percent"]) == (
        "done",
        2,
        2,
        100,
    )
    assert status["download_url"] == f"{url}.zip" and status["percent_class"] == 100
    page = text(hr_client.get(url))
    assert 'data-testid="batch-download"' in page and "w-100p" in page
    response = hr_client.get(f"{url}.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    data = response.data
    response.close()  # a streamed file: close it as a server would
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert sorted(n.split("-")[0] + "-" + n.split("-")[1] for n in names) == sorted(
            [issued["amy1"], issued["cat1"]]
        )
        assert all(archive.read(n).startswith(b"%PDF") for n in names)
    recent = text(hr_client.get("/certificates/issued"))
    assert f"/certificates/batches/{batch.id}" in recent


def test_a_batch_that_matches_nothing_says_so_at_once(hr_client, issued):
    page = text(hr_client.get("/certificates/issued"))
    response = hr_client.post(
        "/certificates/batches",
        data={
            "csrf_token": csrf_from(page),
            "issued_from": "2001-01-01",
            "issued_to": "2001-12-31",
        },
        follow_redirects=True,
    )
    page = text(response)
    assert 'data-testid="batch-empty"' in page
    assert "No certificate matches these filters" in page


def test_bulk_form_errors_are_shown_and_nothing_is_created(hr_client, issued):
    page = text(hr_client.get("/certificates/issued"))
    token = csrf_from(page)
    for data in (
        {"issued_from": "2027-05-01", "issued_to": "2027-04-01"},
        {"team": "999999"},
        {"issued_from": "not a date"},
    ):
        response = hr_client.post("/certificates/batches", data={"csrf_token": token, **data})
        assert response.status_code == 200
        page = text(response)
        assert "is-invalid" in page and 'data-testid="bulk-form"' in page
        assert 'href="/certificates/batches?' not in page  # no links back to the POST route
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CertificateBatch)) == 0


def test_another_hr_persons_batch_is_not_found(app, make, hr_client, hr):
    other = make.employee("hr2", roles={"hr"})
    theirs = batches.create_batch({}, actor=other, now=clock.now())
    mine = batches.create_batch({}, actor=hr, now=clock.now())
    db.session.commit()
    assert hr_client.get(f"/certificates/batches/{theirs.id}").status_code == 404
    assert hr_client.get(f"/certificates/batches/{theirs.id}.zip").status_code == 404
    assert hr_client.get(f"/certificates/batches/{mine.id}").status_code == 200
    assert mine.status == BatchStatus.PENDING
