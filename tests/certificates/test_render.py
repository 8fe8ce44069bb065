"""Certificate documents: the plain context, both designs on one A4 landscape page, Chinese
names in an embedded CJK font, hostile and unusual names printed literally, the stored PDF and
its re-render, and the time and size caps of the render worker."""

from __future__ import annotations

import io
import multiprocessing
import re
import xml.etree.ElementTree as ET

import pytest
import segno
import sqlalchemy as sa
from PIL import Image
from pypdf import PdfReader

from lms import clock
from lms.certificates import documents, render
from lms.certificates.models import CertificateEvent
from lms.extensions import db
from lms.storage import storage


@pytest.fixture(scope="module", autouse=True)
def _render_worker():
    yield
    render.shutdown()  # no worker outlives the module


def pdf_text(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def squeezed(text: str) -> str:
    """Text without whitespace: long lines wrap, and extraction puts line breaks there."""
    return "".join(text.split())


def font_names(reader: PdfReader) -> list[str]:
    fonts = reader.pages[0]["/Resources"]["/Font"]
    return [str(fonts[key].get_object()["/BaseFont"]) for key in fonts]


def render_pdf(certificate) -> bytes:
    return render.html_to_pdf(render.render_html(render.certificate_context(certificate)))


def png(colour: str = "#b03a2e") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (60, 24), colour).save(out, "PNG")
    return out.getvalue()


def plain(value) -> bool:
    if isinstance(value, dict):
        return all(isinstance(k, str) and plain(v) for k, v in value.items())
    return value is None or type(value) in (str, int, bool)


def test_the_context_is_plain_data_in_the_holders_language(app, certificates):
    app.config["PUBLIC_URL"] = "https://lms.example.cn/"
    design = certificates.design(bilingual=True, signatory_title_en="Director of Training")
    certificate = certificates.certificate(
        design=design,
        locale="en",
        title="投诉处理",
        title_en="Complaint Handling",
        code="7K2M9QXP4TABH3ZDW8RE",
        expires_on=clock.today().replace(year=clock.today().year + 2),
    )
    context = render.certificate_context(certificate)
    assert plain(context)
    assert context["title"] == "Complaint Handling" and context["title_alt"] == "投诉处理"
    assert (
        context["issuer"] == "Xinghe Service Academy"
        and context["issuer_alt"] == "星河电商客服学院"
    )
    assert context["signatory_title"] == "Director of Training"
    assert context["labels"]["heading"] == "Certificate of Completion"
    assert context["labels_alt"] is not None  # bilingual: the other language's labels too
    assert context["code"] == "7K2M-9QXP-4TAB-H3ZD-W8RE" == certificate.grouped_code
    assert context["verification_url"] == "https://lms.example.cn/verify/7K2M9QXP4TABH3ZDW8RE"
    assert context["qr"].startswith("data:image/svg+xml")
    assert str(certificate.issued_on.year) in context["issued_on"]
    assert context["logo"] is None and context["signature"] is None

    design.bilingual = False
    chinese = render.certificate_context(certificates.certificate(design=design, locale="zh_CN"))
    assert chinese["lang"] == "zh-Hans" and chinese["labels_alt"] is None
    assert chinese["title_alt"] is None and chinese["issuer"] == "星河电商客服学院"
    assert chinese["expires_on"] is None


def test_text_is_capped_and_control_characters_dropped():
    assert render.clean("王\x00小\x1b明\n  先生", 200) == "王小明 先生"
    assert len(render.clean("名" * 250, render.NAME_MAX)) == 200
    assert render.clean("\u202eعلي", 10) == "\u202eعلي"  # bidi marks are text, kept


def test_qr_code_svg_encodes_the_verification_url(app):
    url = render.verification_url("7K2M9QXP4TABH3ZDW8RE")
    svg = render.qr_svg(url)
    root = ET.fromstring(svg)  # noqa: S314 - our own QR code
    assert root.tag.endswith("svg") and "viewBox" in root.attrib and "width" not in root.attrib
    expected = segno.make(url, error="m", micro=False)
    assert f"0 0 {expected.symbol_size(scale=1, border=2)[0]}" in root.attrib["viewBox"]


def test_chinese_name_is_printed_in_an_embedded_cjk_font_and_stored_once(app, certificates, make):
    person = make.employee(name="张伟", locale="zh_CN")
    certificate = certificates.certificate(person=person, title="售后服务沟通技巧")
    now = clock.now()

    pdf = documents.pdf_bytes(certificate, now=now)

    reader, text = pdf_text(pdf)
    assert "张伟" in text and "售后服务沟通技巧" in text and certificate.serial in text
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)  # A4 landscape
    assert any("CJK" in name for name in font_names(reader)), font_names(reader)
    db.session.expire_all()
    assert certificate.pdf_key is not None and storage().get(certificate.pdf_key) == pdf
    assert certificate.rendered_version == certificate.design.version == 1
    assert not documents.is_stale(certificate)
    # the stored PDF is served as it is: no second render, no second event
    assert documents.pdf_bytes(certificate, now=now) == pdf
    events = db.session.scalars(
        sa.select(CertificateEvent.action).where(CertificateEvent.certificate_id == certificate.id)
    ).all()
    assert events == ["rendered"]

    certificate.design.version += 1  # HR changed the design
    certificate.design.signatory_name = "李娜"
    db.session.flush()
    assert documents.is_stale(certificate)
    assert db.session.scalars(documents.stale_ids()).all() == [certificate.id]
    hr = make.employee(roles={"hr"})
    assert documents.rerender([certificate], now=now, actor=hr) == 1
    db.session.expire_all()
    assert not documents.is_stale(certificate) and certificate.rendered_version == 2
    assert "李娜" in pdf_text(storage().get(certificate.pdf_key))[1]
    actors = db.session.scalars(
        sa.select(CertificateEvent.actor_id).where(
            CertificateEvent.certificate_id == certificate.id
        )
    ).all()
    assert actors == [None, hr.id]


def test_awkward_names_print_literally(app, certificates):
    design = certificates.design(template="modern", signatory_title="O'Neil & <Partners>")
    tricky = 'Zoë <b>&amp; "O\'Brien"</b> > 1 שלום עליכם محمد عبد الله'
    first = certificates.certificate(design=design, name=tricky, title='A < B & "C"', title_en=None)
    long_name = ("Maximiliane Alexandra von Hohenberg-Lichtenstein " * 5)[:200]
    second = certificates.certificate(design=design, name=long_name)

    _reader, text = pdf_text(render_pdf(first))
    for part in (tricky, 'A < B & "C"', "O'Neil & <Partners>"):
        assert squeezed(part) in squeezed(text), part

    reader, text = pdf_text(render_pdf(second))
    assert len(long_name) == 200 and squeezed(long_name) in squeezed(text)
    assert len(reader.pages) == 1


def test_both_designs_differ_and_print_both_titles_when_bilingual(app, certificates):
    logo_key = storage().put(png())
    signature_key = storage().put(png("#1b2a4a"))
    texts = {}
    for template in ("classic", "modern"):
        design = certificates.design(
            template=template,
            bilingual=True,
            logo_key=logo_key,
            logo_type="image/png",
            signature_key=signature_key,
            signature_type="image/png",
        )
        certificate = certificates.certificate(
            design=design, locale="zh_CN", title="投诉处理", title_en="Complaint Handling"
        )
        html = render.render_html(render.certificate_context(certificate))
        assert f"certificate-{template}.css" in html and f"lms-storage:{logo_key}" in html
        reader, texts[template] = pdf_text(render.html_to_pdf(html))
        assert "投诉处理" in texts[template] and "Complaint Handling" in texts[template]
        # bilingual: the English labels too (letter-spaced capitals on the page)
        assert "certificateofcompletion" in squeezed(texts[template]).lower()
        images = [
            xobject
            for xobject in reader.pages[0]["/Resources"]["/XObject"].values()
            if xobject.get_object().get("/Subtype") == "/Image"
        ]
        assert len(images) >= 2  # the logo and the signature
    assert texts["classic"] != texts["modern"]


def test_preview_uses_sample_data_in_the_chosen_language(app, certificates):
    design = certificates.design()
    chinese = render.sample_context(design, "zh_CN")
    english = render.sample_context(design, "en")
    assert chinese["holder_name"] == "张伟" and chinese["sample"] is True
    assert re.fullmatch(r"[A-Za-z ]+", english["holder_name"])
    assert english["labels"]["sample"] == "Sample"
    _reader, text = pdf_text(render.preview_pdf(design, "zh_CN"))
    assert "张伟" in text


def test_a_slow_render_is_stopped_and_the_next_one_works(app):
    render.shutdown()
    others = {child.pid for child in multiprocessing.active_children()}
    assert render.html_to_pdf("<p>up</p>").startswith(b"%PDF")
    worker = {child.pid for child in multiprocessing.active_children()} - others
    assert len(worker) == 1
    app.config["CERTIFICATE_RENDER_TIMEOUT"] = 0.5
    endless = "<p>" + "Lorem ipsum dolor sit amet. " * 40 + "</p>"
    with pytest.raises(render.RenderTimeout, match="longer than 0.5 seconds"):
        render.html_to_pdf(endless * 500)
    # the worker was killed, not left running
    assert worker.isdisjoint(child.pid for child in multiprocessing.active_children())
    app.config["CERTIFICATE_RENDER_TIMEOUT"] = 30
    assert render.html_to_pdf("<p>ok</p>").startswith(b"%PDF")


def test_size_caps(app):
    app.config["CERTIFICATE_MAX_BYTES"] = 2000
    with pytest.raises(render.RenderTooLarge, match="over the 2000 allowed"):
        render.html_to_pdf("<p>这份文件太大了</p>")
    with pytest.raises(render.RenderTooLarge):
        render.html_to_pdf("x" * (render.HTML_MAX_CHARS + 1))
