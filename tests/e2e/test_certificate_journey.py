"""A learner passes a course that grants a certificate, downloads the PDF, scans the QR code on
their certificates page (decoded from a screenshot), and the verification page says "valid";
HR revokes the certificate and the same page says "revoked" — in both languages."""

from __future__ import annotations

import io

import pytest
import zxingcpp
from flask import Flask
from PIL import Image
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from courses import enrolment
from lms import clock
from lms.certificates.models import Certificate
from lms.extensions import db
from tests.assessments.conftest import QuizFactory, true_false
from tests.certificates.conftest import CertificateFactory
from tests.conftest import Factory
from tests.courses.conftest import CatalogueFactory
from tests.e2e.conftest import Steps, Translate
from tests.e2e.test_quiz_journey import answer_true_false, sign_in, sign_out, submit

PASSWORD = "correct-horse-9"
NAME = "欧阳晓雯"
REASON = "复核发现考试由他人代考"


@pytest.fixture
def course_with_certificate(live_app: Flask, live_server: str, lang: str) -> dict:
    """An agent and HR (speaking ``lang``), and a one-lesson course whose quiz must be passed,
    granting a certificate in the classic design."""
    live_app.config["PUBLIC_URL"] = live_server  # the QR code points at this server
    with live_app.app_context():
        make = Factory()
        agent = make.employee("agent", locale=lang, password=PASSWORD, name=NAME)
        make.employee("hr", roles={"hr"}, locale=lang, password=PASSWORD, name="人事小李")
        course = CatalogueFactory().course("returns-basics", lessons=1, title="七天无理由退货实务")
        QuizFactory().quiz(
            definitions=[true_false(1, True), true_false(2, False)],
            course=course,
            lesson_key="lesson-1",
            pass_percent=100,
        )
        CertificateFactory(make).award(course=course)
        enrolment.enrol(agent, course, now=clock.now())
        db.session.commit()
        return {"course": course.slug}


def decode_qr(page: Page) -> str:
    png = page.get_by_test_id("qr").first.screenshot()
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))
    assert len(found) == 1, "exactly one QR code on the certificate card"
    return found[0].text


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_certificate_journey(
    page: Page,
    live_server: str,
    live_app: Flask,
    course_with_certificate: dict,
    step: Steps,
    tr: Translate,
    lang: str,
) -> None:
    page.on("dialog", lambda dialog: dialog.accept())  # "submit now?"
    slug = course_with_certificate["course"]
    sign_in(page, live_server, tr, lang, "agent")
    page.goto(f"{live_server}/courses/{slug}/lessons/lesson-1")
    page.get_by_test_id("take-quiz").click()
    page.get_by_test_id("start-attempt").click()
    answer_true_false(page, [True, False])
    submit(page)
    expect(page.get_by_test_id("result")).to_have_text(tr(lang, "Passed"))
    step(page, "quiz-passed")

    # My certificates: the new certificate, its PDF and its QR code
    page.get_by_test_id("certifications-menu").click()
    page.get_by_test_id("certificates-link").click()
    card = page.get_by_test_id("my-certificates").locator("section").first
    expect(card).to_have_attribute("data-status", "valid")
    serial = card.get_attribute("data-serial")
    step(page, "my-certificates")
    with page.expect_download() as download:
        card.get_by_test_id("download").click()
    pdf = download.value.path().read_bytes()
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert NAME in text and serial in text

    url = decode_qr(page)
    with live_app.app_context():
        certificate = db.session.scalar(db.select(Certificate).where(Certificate.serial == serial))
        assert url == f"{live_server}/verify/{certificate.code}"

    # The verification page, as a phone that scanned the code would open it (no sign-in)
    sign_out(page, tr, lang)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    page.goto(url)
    result = page.get_by_test_id("verify-result")
    expect(result.locator("[data-status]")).to_have_attribute("data-status", "valid")
    expect(result).to_contain_text(tr(lang, "Valid certificate"))
    expect(page.get_by_test_id("holder")).to_have_text(NAME)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    step(page, "verified-valid-on-a-phone")
    page.set_viewport_size({"width": 1280, "height": 900})

    # HR revokes it, with a reason
    sign_in(page, live_server, tr, lang, "hr")
    page.goto(f"{live_server}/certificates/issued")
    row = page.get_by_test_id("issued-table").locator("tr", has_text=serial)
    row.get_by_role("button", name=tr(lang, "Revoke…")).or_(
        row.get_by_role("link", name=tr(lang, "Revoke…"))
    ).click()
    dialog = page.locator(".modal.show")
    dialog.locator('textarea[name="reason"]').fill(REASON)
    step(page, "revoking")
    dialog.locator('button[type="submit"]').click()
    expect(page.get_by_text(serial).first).to_be_visible()
    step(page, "revoked-in-hr-list")
    sign_out(page, tr, lang)

    page.goto(url)
    result = page.get_by_test_id("verify-result")
    expect(result.locator("[data-status]")).to_have_attribute("data-status", "revoked")
    expect(result).to_contain_text(tr(lang, "Revoked certificate"))
    expect(page.get_by_text(REASON)).to_have_count(0)  # the reason stays with HR
    step(page, "verified-revoked")
