"""HR's certificate designs and awards through HTTP: creating and editing designs with logo
and signature uploads checked by content, the preview PDF, re-rendering stale certificates,
and which courses and certifications grant a certificate in which design."""

from __future__ import annotations

import html
import io
import os

import pytest
import sqlalchemy as sa
from PIL import Image
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from lms.certificates.models import Certificate, CertificateAward, CertificateDesign
from lms.extensions import db
from lms.storage import storage
from tests.certification.conftest import CertificationFactory
from tests.conftest import csrf_from, login


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def image_bytes(size=(40, 20), kind="PNG", mode="RGBA", noise=False) -> bytes:
    if noise:
        image = Image.frombytes(mode, size, os.urandom(size[0] * size[1] * len(mode)))
    else:
        image = Image.new(mode, size, (13, 92, 99) if mode == "RGB" else (13, 92, 99, 255))
    out = io.BytesIO()
    image.save(out, kind)
    return out.getvalue()


SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b'<rect width="10" height="10"/></svg>'
)


@pytest.fixture
def hr(make):
    person = make.employee("hr", roles={"hr"})
    db.session.commit()
    return person


@pytest.fixture
def hr_client(hr, sign_in):
    return sign_in(hr)


def fields(**values) -> dict:
    data = {
        "name": "标准证书",
        "template": "classic",
        "issuer_name": "星河电商客服学院",
        "issuer_name_en": "Xinghe Service Academy",
        "signatory_name": "陈建华",
        "signatory_title": "培训总监",
        "signatory_title_en": "Head of Training",
        "bilingual": "y",
    }
    return data | values


def post_design(client, url: str, **values):
    token = csrf_from(client.get(url).get_data(as_text=True))
    return client.post(
        url, data={"csrf_token": token, **fields(**values)}, content_type="multipart/form-data"
    )


def post_files(client, url: str, token: str, files: dict, **values):
    """A multipart post built in memory (the test client would spool a large body to a
    temporary file it never closes)."""
    parts = MultiDict({"csrf_token": token, **fields(**values)})
    for name, (data, filename) in files.items():
        parts.add(name, FileStorage(io.BytesIO(data), filename=filename))
    boundary, body = encode_multipart(parts)
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def design_count() -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(CertificateDesign))


# --- access --------------------------------------------------------------------------------------


def test_design_and_award_pages_are_for_hr_and_admins(app, make, certificates):
    design = certificates.design()
    make.employee("emp")
    make.employee("lead", roles={"supervisor"})
    make.employee("adm", roles={"admin"})
    db.session.commit()
    pages = [
        "/certificates/designs",
        "/certificates/designs/new",
        f"/certificates/designs/{design.id}",
        f"/certificates/designs/{design.id}/preview.pdf",
        "/certificates/awards",
    ]
    posts = [f"/certificates/designs/{design.id}/rerender", "/certificates/awards"]
    for name in ("emp", "lead"):
        client = app.test_client()
        login(client, name)
        token = csrf_from(client.get("/certificates").get_data(as_text=True))
        assert [client.get(url).status_code for url in pages] == [403] * len(pages), name
        assert [client.post(u, data={"csrf_token": token}).status_code for u in posts] == [
            403,
            403,
        ]
    client = app.test_client()
    login(client, "adm")
    assert [client.get(url).status_code for url in pages[:3] + pages[4:]] == [200] * 4
    anonymous = app.test_client()
    assert anonymous.get("/certificates/designs").status_code == 302
    assert app.test_client().get("/certificates/designs/999999").status_code == 302
    assert client.get("/certificates/designs/999999").status_code == 404


# --- designs -----------------------------------------------------------------------------------


def test_empty_design_list_says_what_a_design_is(hr_client):
    page = text(hr_client.get("/certificates/designs"))
    assert 'data-testid="no-designs"' in page
    assert "/certificates/designs/new" in page


def test_create_a_design_with_a_png_logo_and_a_jpeg_signature(hr_client):
    logo, signature = image_bytes(), image_bytes((60, 30), "JPEG", "RGB")
    token = csrf_from(hr_client.get("/certificates/designs/new").get_data(as_text=True))
    response = hr_client.post(
        "/certificates/designs/new",
        data={
            "csrf_token": token,
            **fields(template="modern"),
            "logo": (io.BytesIO(logo), "logo.png"),
            "signature": (io.BytesIO(signature), "sig.jpg"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, text(response)[:2000]
    design = db.session.scalar(sa.select(CertificateDesign))
    assert response.headers["Location"].endswith(f"/certificates/designs/{design.id}")
    assert (design.name, design.template, design.version, design.bilingual) == (
        "标准证书",
        "modern",
        1,
        True,
    )
    assert design.signatory_title_en == "Head of Training"
    assert (design.logo_type, design.signature_type) == ("image/png", "image/jpeg")
    assert storage().get(design.logo_key) == logo
    assert storage().get(design.signature_key) == signature
    page = text(hr_client.get(f"/certificates/designs/{design.id}"))
    assert 'data-testid="current-logo"' in page and "data:image/png;base64," in page
    assert 'data-testid="current-signature"' in page
    assert f"/certificates/designs/{design.id}/preview.pdf?locale=zh_CN" in page
    assert f"/certificates/designs/{design.id}/preview.pdf?locale=en" in page
    listing = text(hr_client.get("/certificates/designs"))
    assert "标准证书" in listing and "v1" in listing


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"not an image at all, just text", "logo.png", "Upload a PNG or JPEG image."),
        (SVG, "logo.svg", "Upload a PNG or JPEG image."),
        (image_bytes(kind="GIF", mode="RGB"), "logo.gif", "Upload a PNG or JPEG image."),
        (image_bytes((4001, 8)), "wide.png", "4001 × 8 pixels"),
        (image_bytes((700, 700), mode="RGB", noise=True), "big.png", "larger than 1 MB"),
        (image_bytes()[:60], "cut.png", "Upload a PNG or JPEG image."),
    ],
    ids=["text-as-png", "svg", "gif", "too-many-pixels", "over-1mb", "truncated"],
)
def test_bad_uploads_are_refused_on_their_field_and_nothing_is_saved(
    hr_client, data, filename, message
):
    token = csrf_from(hr_client.get("/certificates/designs/new").get_data(as_text=True))
    response = post_files(hr_client, "/certificates/designs/new", token, {"logo": (data, filename)})
    assert response.status_code == 200
    page = text(response)
    assert 'data-testid="logo-error"' in page
    assert message in page
    assert design_count() == 0


def test_a_bad_upload_on_edit_leaves_the_design_as_it_was(hr_client, certificates):
    design = certificates.design(name="现有")
    db.session.commit()
    url = f"/certificates/designs/{design.id}"
    token = csrf_from(hr_client.get(url).get_data(as_text=True))
    response = hr_client.post(
        url,
        data={
            "csrf_token": token,
            **fields(name="现有", issuer_name="新的机构"),
            "signature": (io.BytesIO(SVG), "sig.png"),
        },
        content_type="multipart/form-data",
    )
    assert 'data-testid="signature-error"' in text(response)
    db.session.expire_all()
    assert (design.issuer_name, design.version, design.signature_key) == (
        "星河电商客服学院",
        1,
        None,
    )


def test_editing_what_is_printed_makes_a_new_version_renaming_does_not(hr_client, certificates):
    design = certificates.design(name="旧名", bilingual=True, signatory_title_en="Head of Training")
    db.session.commit()
    url = f"/certificates/designs/{design.id}"
    assert post_design(hr_client, url, name="新名").status_code == 302
    db.session.expire_all()
    assert (design.name, design.version) == ("新名", 1)
    assert post_design(hr_client, url, name="新名", issuer_name="另一个学院").status_code == 302
    db.session.expire_all()
    assert (design.issuer_name, design.version) == ("另一个学院", 2)


def test_remove_the_logo(hr_client, certificates):
    key = storage().put(image_bytes())
    design = certificates.design(logo_key=key, logo_type="image/png", bilingual=True)
    db.session.commit()
    url = f"/certificates/designs/{design.id}"
    page = text(hr_client.get(url))
    assert 'data-testid="current-logo"' in page
    response = post_design(hr_client, url, name=design.name, remove_logo="y")
    assert response.status_code == 302
    db.session.expire_all()
    assert (design.logo_key, design.logo_type, design.version) == (None, None, 2)


def test_a_taken_name_and_missing_fields_are_reported(hr_client, certificates):
    certificates.design(name="已有")
    db.session.commit()
    response = post_design(hr_client, "/certificates/designs/new", name="已有")
    assert response.status_code == 200
    assert "Another design has this name." in text(response)
    response = post_design(hr_client, "/certificates/designs/new", name="新", issuer_name="")
    assert 'id="issuer_name"' in text(response) and "is-invalid" in text(response)
    response = post_design(hr_client, "/certificates/designs/new", name="新", template="fancy")
    assert response.status_code == 200
    assert design_count() == 1


def test_preview_is_a_pdf_in_the_asked_language(hr_client, certificates):
    design = certificates.design()
    db.session.commit()
    response = hr_client.get(f"/certificates/designs/{design.id}/preview.pdf?locale=en")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    assert response.headers["Content-Disposition"].startswith("inline;")


def test_stale_certificates_are_counted_and_rendered_again(hr_client, certificates, make):
    design = certificates.design()
    stored = storage().put(b"%PDF-old")
    old = certificates.certificate(design=design, pdf_key=stored, rendered_version=1)
    certificates.certificate(design=design)  # never rendered: not stale
    design.version = 2
    db.session.commit()
    url = f"/certificates/designs/{design.id}"
    page = text(hr_client.get(url))
    assert "1 certificate was rendered before the last change." in page
    listing = text(hr_client.get("/certificates/designs"))
    assert 'data-testid="stale-count"' in listing
    token = csrf_from(page)
    response = hr_client.post(f"{url}/rerender", data={"csrf_token": token})
    assert response.status_code == 302
    db.session.expire_all()
    assert old.rendered_version == 2
    assert old.pdf_key != stored
    assert "every PDF made so far uses the current version" in text(hr_client.get(url))
    assert hr_client.post(f"{url}/rerender", data={}).status_code == 400


# --- awards --------------------------------------------------------------------------------------


def award_of(**subject) -> CertificateAward | None:
    db.session.expire_all()
    ((column, value),) = subject.items()
    return db.session.scalar(
        sa.select(CertificateAward).where(getattr(CertificateAward, column) == value)
    )


def post_award(client, kind: str, subject_id: int, design) -> str:
    token = csrf_from(client.get("/certificates/awards").get_data(as_text=True))
    response = client.post(
        "/certificates/awards",
        data={
            "csrf_token": token,
            "kind": kind,
            "subject": str(subject_id),
            "design": str(design.id) if design else "",
        },
        follow_redirects=True,
    )
    assert response.status_code == 200
    return text(response)


def test_awards_need_a_design_first(hr_client, certificates):
    certificates.catalogue.course("solo")
    db.session.commit()
    page = text(hr_client.get("/certificates/awards"))
    assert 'data-testid="no-designs"' in page


def test_awards_create_change_and_remove(hr_client, certificates):
    first, second = certificates.design(name="甲"), certificates.design(name="乙")
    course = certificates.catalogue.course("granting")
    draft = certificates.catalogue.course("draft-one", publish=False)
    certification = CertificationFactory().certification()
    db.session.commit()
    page = text(hr_client.get("/certificates/awards"))
    assert f'data-course="{course.id}"' in page
    assert f'data-course="{draft.id}"' not in page  # only published courses
    assert f'data-certification="{certification.id}"' in page

    assert "The certificate is now granted." in post_award(hr_client, "course", course.id, first)
    assert award_of(course_id=course.id).design_id == first.id
    assert "design has been changed" in post_award(hr_client, "course", course.id, second)
    assert award_of(course_id=course.id).design_id == second.id
    assert "No certificate is granted" in post_award(hr_client, "course", course.id, None)
    assert award_of(course_id=course.id) is None
    assert "Nothing changed." in post_award(hr_client, "course", course.id, None)

    post_award(hr_client, "certification", certification.id, first)
    assert award_of(certification_id=certification.id).design_id == first.id
    page = text(hr_client.get("/certificates/awards"))
    assert f'data-certification="{certification.id}" data-design="{first.id}"' in page


def test_award_posts_for_unknown_subjects_or_designs_change_nothing(hr_client, certificates):
    design = certificates.design()
    course = certificates.catalogue.course("granting")
    db.session.commit()
    token = csrf_from(hr_client.get("/certificates/awards").get_data(as_text=True))
    for data in (
        {"kind": "course", "subject": "999999", "design": str(design.id)},
        {"kind": "team", "subject": str(course.id), "design": str(design.id)},
        {"kind": "course", "subject": str(course.id), "design": "999999"},
        {"kind": "course", "subject": "x", "design": str(design.id)},
    ):
        response = hr_client.post(
            "/certificates/awards", data={"csrf_token": token, **data}, follow_redirects=True
        )
        assert response.status_code == 200
        assert "could not be saved" in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CertificateAward)) == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Certificate)) == 0
