"""Certificates are safe by construction: whatever people type into names, titles and designs
is printed as text, and the renderer's URL fetcher serves only packaged assets, our own stored
uploads and ``data:`` URLs. A loopback HTTP listener counts every request that gets out."""

from __future__ import annotations

import http.server
import io
import threading

import pytest
from PIL import Image
from pypdf import PdfReader

from lms.certificates import render
from lms.storage import storage


class Listener(http.server.ThreadingHTTPServer):
    """Answers everything (a redirect to file:///etc/passwd on /redirect) and counts it."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        listener = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the standard library's name
                listener.paths.append(self.path)
                if self.path.startswith("/redirect"):
                    self.send_response(302)
                    self.send_header("Location", "file:///etc/passwd")
                    self.end_headers()
                    return
                body = b"body { background: red }"
                self.send_response(200)
                self.send_header("Content-Type", "text/css")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        self.port = self.server_address[1]


@pytest.fixture(scope="module")
def listener():
    server = Listener()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(5)
    render.shutdown()


def corpus(port: int) -> list[str]:
    """Payloads of at most 50 characters, so two fit every field (signatories hold 100)."""
    here = f"http://127.0.0.1:{port}"
    return [
        "<img src=file:///etc/passwd>{{ 7*7 }}",
        "<link rel=attachment href=file:///etc/passwd>",
        f'<style>@import "{here}/i"</style>',
        f"</style><img src={here}/b>",
        "x{background:url(http://169.254.169.254/)}",
        f"<a rel=attachment href={here}/a>",
        f'"><iframe src={here}/f>',
        '{{ config }}{% include "base.html" %}',
    ]


def test_payloads_in_every_field_print_as_text_and_fetch_nothing(app, certificates, listener):
    payloads = corpus(listener.port)
    assert all(len(p) <= 50 for p in payloads)
    for n in range(0, len(payloads), 2):
        pair = f"{payloads[n]} {payloads[n + 1]}"
        design = certificates.design(
            name=f"{n}{pair}"[:100],
            template=("classic", "modern")[n // 2 % 2],
            bilingual=True,
            issuer_name=pair,
            issuer_name_en=pair,
            signatory_name=pair,
            signatory_title=pair,
            signatory_title_en=pair,
        )
        certificate = certificates.certificate(
            design=design, name=pair, title=pair, title_en=pair, locale="zh_CN"
        )
        pdf = render.html_to_pdf(render.render_html(render.certificate_context(certificate)))

        reader = PdfReader(io.BytesIO(pdf))
        text = "".join(reader.pages[0].extract_text().split()).lower()  # some print in capitals
        # the name, the title, the issuer in both languages, the signatory and their title
        assert text.count("".join(pair.split()).lower()) == 6
        assert b"/EmbeddedFile" not in pdf and b"/FileAttachment" not in pdf
        assert not reader.attachments
        assert "/Annots" not in reader.pages[0]  # no links, no attachment annotations
    assert listener.paths == []


def test_the_renderer_refuses_outside_resources_and_never_asks_for_them(app, listener):
    here = f"http://127.0.0.1:{listener.port}"
    for html in (
        '<img src="file:///etc/passwd">',
        f'<link rel="stylesheet" href="{here}/style.css"><p>x</p>',
        f"<style>@import url({here}/import.css);</style><p>x</p>",
        f'<p style="background: url({here}/redirect)">x</p>',
        '<img src="http://169.254.169.254/latest/meta-data/">',
        '<link rel="attachment" href="file:///etc/passwd"><p>x</p>',
    ):
        with pytest.raises(render.RenderError, match="refused to fetch"):
            render.html_to_pdf(html)
    assert listener.paths == []


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), "#123456").save(out, "PNG")
    return out.getvalue()


def test_the_url_fetcher_serves_only_assets_uploads_and_data(app, listener):
    files = storage()
    image, text = files.put(png()), files.put(b"#!/bin/sh\necho not an image\n")
    fetch = render.fetcher(str(files.root))

    served = {
        "lms-asset:certificate-base.css": "text/css",
        "lms-asset:seal.svg": "image/svg+xml",
        f"lms-storage:{image}": "image/png",
        "data:image/svg+xml;base64,PHN2Zy8+": "image/svg+xml",
        "data:text/plain,hello%20world": "text/plain",
    }
    for url, mime in served.items():
        response = fetch(url)
        assert response.content_type == mime, url
        assert response.read()
    assert fetch(f"lms-storage:{image}").read() == png()

    here = f"http://127.0.0.1:{listener.port}"
    for url in (
        "file:///etc/passwd",
        f"{here}/",
        f"{here}/redirect",
        "https://example.com/logo.png",
        "http://169.254.169.254/latest/meta-data/",
        "ftp://127.0.0.1/x",
        "gopher://127.0.0.1:70/",
        "javascript:alert(1)",
        "unknown-scheme:thing",
        "lms-asset:../../config.py",
        "lms-asset:/etc/passwd",
        "lms-asset:certificates/../../app.css",
        "lms-asset:missing.css",
        f"lms-storage:{text}",  # stored, but not an image
        "lms-storage:" + "0" * 64,  # no such file
        f"lms-storage:../{image}",
        "LMS-ASSET:../../config.py",
        "relative/path.png",
    ):
        with pytest.raises(ValueError, match="refused to fetch"):
            fetch(url)
    assert listener.paths == []
