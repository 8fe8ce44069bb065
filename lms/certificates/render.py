"""A certificate as a document: its context (plain dicts built from the rows), its HTML (our
templates, autoescaped), its QR code, and its PDF.

WeasyPrint runs in a worker process (a ``forkserver`` pool, so no worker is forked from a
process holding database connections) and is given only an HTML string and the storage root.
Its URL fetcher serves packaged assets (``lms-asset:<name>`` from ``lms/static/certificates``),
uploaded images from our own storage (``lms-storage:<key>``) and ``data:`` URLs, and refuses
everything else; a refusal stops the render. A render that takes longer than
``CERTIFICATE_RENDER_TIMEOUT`` seconds has its worker killed (the pool is replaced), and a PDF
larger than ``CERTIFICATE_MAX_BYTES`` is refused.
"""

from __future__ import annotations

import atexit
import base64
import datetime as dt
import multiprocessing
import re
import signal
import threading
import unicodedata
from functools import cache
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import unquote_to_bytes

import jinja2
import segno
from flask import current_app
from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from markupsafe import Markup

ASSET_DIR = Path(__file__).resolve().parent.parent / "static" / "certificates"
ASSET_TYPES = {".css": "text/css", ".svg": "image/svg+xml", ".png": "image/png"}
ASSET_NAME = re.compile(r"[a-z0-9][a-z0-9_-]*\.[a-z]{2,4}")
STORAGE_KEY = re.compile(r"[0-9a-f]{64}")
IMAGE_TYPES = ("image/png", "image/jpeg")  # uploaded logos and signatures
IMAGE_MAX_BYTES = 2 * 1024 * 1024
HTML_MAX_CHARS = 2 * 1024 * 1024
# Longest text printed from each user-controlled field (the columns allow as much).
NAME_MAX, TITLE_MAX, ISSUER_MAX, SIGNATORY_MAX = 200, 200, 200, 100
# A preview's sample holder in each language, and its course title in both.
SAMPLE_NAMES = {"zh_CN": "张伟", "en": "Emily Carter"}
SAMPLE_TITLES = {"zh_CN": "售后服务沟通技巧", "en": "After-Sales Communication Skills"}
SAMPLE_CODE = "7K2M9QXP4TABH3ZDW8RE"


class RenderError(Exception):
    """A certificate could not be rendered; ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RenderTimeout(RenderError):
    pass


class RenderTooLarge(RenderError):
    pass


def timed_out(seconds: float, serial: str | None = None) -> RenderTimeout:
    text = _("Rendering took longer than %(s)s seconds and was stopped.", s=f"{seconds:g}")
    return RenderTimeout(f"{serial}: {text}" if serial else text)


# --- the worker side: plain data in, PDF out ---------------------------------------------


def _sniff_image(data: bytes) -> str | None:
    """PNG or JPEG by content (the only kinds a design accepts as uploads), else None."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return None


def _data_url(url: str) -> tuple[bytes, str]:
    header, comma, payload = url[5:].partition(",")
    if not comma or len(payload) > IMAGE_MAX_BYTES * 2:
        raise ValueError("malformed or oversized data: URL")
    parts = header.split(";")
    mime = parts[0].strip().lower() or "text/plain"
    raw = unquote_to_bytes(payload)
    data = base64.b64decode(raw, validate=False) if "base64" in parts[1:] else raw
    return data, mime


def fetcher(storage_root: str):
    """WeasyPrint's URL fetcher for certificates: packaged assets, our stored uploads and
    ``data:`` URLs; anything else raises."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    root = Path(storage_root)

    class CertificateFetcher(URLFetcher):
        def __init__(self) -> None:
            super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=True)

        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            data, mime = self.resolve(url)
            return URLFetcherResponse(url, data, {"Content-Type": mime})

        def resolve(self, url: str) -> tuple[bytes, str]:
            scheme, _colon, rest = url.partition(":")
            scheme = scheme.lower()
            if scheme == "data":
                return _data_url(url)
            if scheme == "lms-asset" and ASSET_NAME.fullmatch(rest):
                path = ASSET_DIR / rest
                if path.suffix in ASSET_TYPES and path.is_file():
                    return path.read_bytes(), ASSET_TYPES[path.suffix]
            if scheme == "lms-storage" and STORAGE_KEY.fullmatch(rest):
                path = root / rest[:2] / rest
                if path.is_file() and path.stat().st_size <= IMAGE_MAX_BYTES:
                    data = path.read_bytes()
                    mime = _sniff_image(data)
                    if mime is not None:
                        return data, mime
            raise ValueError(
                f"refused to fetch {url[:100]!r}: certificates load only packaged assets, "
                "stored uploads and data: URLs"
            )

    return CertificateFetcher()


def write_pdf(html: str, storage_root: str, max_bytes: int) -> bytes:
    """The PDF of a certificate's HTML, in this process (workers call this)."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    try:
        pdf = HTML(string=html, url_fetcher=fetcher(storage_root)).write_pdf()
    except FatalURLFetchingError as error:
        raise RenderError(str(error.__cause__ or error)) from None
    except RenderError:
        raise
    except Exception as error:
        raise RenderError(f"{type(error).__name__}: {error}") from None
    if len(pdf) > max_bytes:
        raise RenderTooLarge(
            _(
                "The PDF would be %(size)d bytes, over the %(max)d allowed.",
                size=len(pdf),
                max=max_bytes,
            )
        )
    return pdf


def store_pdf(html: str, storage_root: str, max_bytes: int) -> str:
    """Render in this process and keep the PDF in the storage; returns its key (bulk workers
    call this, so only the key travels back)."""
    from lms.storage import FileStorage

    return FileStorage(storage_root).put(write_pdf(html, storage_root, max_bytes))


def _worker_started() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the parent, which ends us


def process_pool(processes: int):
    """A pool of render workers started from a fork server (never forked from this process,
    which may hold database connections). Callers terminate it."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["lms.certificates.render", "weasyprint"])  # ~2 s each
    return context.Pool(processes, initializer=_worker_started)


# --- one render at a time, in a long-lived worker ------------------------------------------

_lock = threading.Lock()
_pool: Any = None


def shutdown() -> None:
    """Stop the shared render worker (at exit, and in tests)."""
    global _pool
    with _lock:
        if _pool is not None:
            _pool.terminate()
            _pool.join()
            _pool = None


atexit.register(shutdown)


def html_to_pdf(html: str) -> bytes:
    """Render HTML to PDF in the shared worker, under the configured time and size caps."""
    global _pool
    if len(html) > HTML_MAX_CHARS:
        raise RenderTooLarge(_("The certificate's text is too large to render."))
    config = current_app.config
    timeout = config["CERTIFICATE_RENDER_TIMEOUT"]
    args = (html, str(config["STORAGE_PATH"]), config["CERTIFICATE_MAX_BYTES"])
    with _lock:
        if _pool is None:
            _pool = process_pool(1)
        pending = _pool.apply_async(write_pdf, args)
        try:
            return pending.get(timeout)
        except multiprocessing.TimeoutError:
            _pool.terminate()
            _pool.join()
            _pool = None
            raise RenderTimeout(
                _(
                    "Rendering took longer than %(seconds)s seconds and was stopped.",
                    seconds=timeout,
                )
            ) from None


# --- context: plain dicts from the rows -----------------------------------------------------


def clean(text: str | None, limit: int) -> str:
    """User text as printed: control characters dropped (bidi marks kept), at most ``limit``
    characters."""
    if not text:
        return ""
    kept = "".join(ch for ch in text if unicodedata.category(ch) != "Cc" or ch in "\t\n").strip()
    return " ".join(kept.split())[:limit]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _size(text: str, steps: tuple[int, ...]) -> str:
    """``s``, ``m``, ``l`` or ``xl``: how long a text is, so a template can shrink it."""
    width = _width(text)
    for name, limit in zip(("s", "m", "l"), steps, strict=True):
        if width <= limit:
            return name
    return "xl"


def language(locale: str | None) -> str:
    languages = current_app.config["LANGUAGES"]
    return locale if locale in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def _labels(kind: str, locale: str) -> dict[str, str]:
    course = kind == "course"
    with force_locale(locale):
        return {
            "heading": _("Certificate of Completion")
            if course
            else _("Certificate of Qualification"),
            "certify": _("This is to certify that"),
            "achievement": _("has successfully completed the course")
            if course
            else _("has met every requirement of the certification"),
            "issued_on": _("Issued on"),
            "valid_until": _("Valid until"),
            "serial": _("Serial number"),
            "code": _("Verification code"),
            "verify": _("Scan or visit to verify"),
            "sample": _("Sample"),
        }


def _date(day: dt.date | None, locale: str) -> str | None:
    if day is None:
        return None
    with force_locale(locale):
        return format_date(day, "long")


def verification_url(code: str) -> str:
    base = current_app.config["PUBLIC_URL"].rstrip("/")
    return f"{base}/verify/{code}"


def qr_svg(url: str, *, dark: str = "#1b2a4a") -> Markup:
    """The QR code of a URL as inline SVG (sized by CSS: it has a viewBox, no width)."""
    code = segno.make(url, error="m", micro=False)
    svg = code.svg_inline(scale=1, border=2, dark=dark, light="#fff", omitsize=True)
    return Markup(svg)  # noqa: S704 - segno's own markup, the URL is only encoded in it


def _qr_data_uri(url: str) -> str:
    code = segno.make(url, error="m", micro=False)
    return code.svg_data_uri(scale=1, border=0, dark="#1b2a4a", light=None)


def _image(key: str | None, kind: str | None) -> str | None:
    if key and STORAGE_KEY.fullmatch(key) and (kind or "").lower() in IMAGE_TYPES:
        return f"lms-storage:{key}"
    return None


def _document(design: Any, facts: Any, *, kind: str, sample: bool) -> dict[str, Any]:
    """The context of ``facts`` (a certificate, or sample data with the same attributes)."""
    locale = language(facts.locale)
    english = locale == "en"
    bilingual = bool(design.bilingual)
    title_zh = clean(facts.title, TITLE_MAX)
    title_en = clean(facts.title_en, TITLE_MAX)
    shown_title = (title_en or title_zh) if english else title_zh
    other_title = (title_zh if english else title_en) if bilingual else ""
    issuer_zh = clean(design.issuer_name, ISSUER_MAX)
    issuer_en = clean(design.issuer_name_en, ISSUER_MAX)
    issuer = (issuer_en or issuer_zh) if english else issuer_zh
    issuer_alt = (issuer_zh if english else issuer_en) if bilingual else None
    signatory_en = clean(design.signatory_title_en, SIGNATORY_MAX)
    signatory_zh = clean(design.signatory_title, SIGNATORY_MAX)
    signatory = clean(design.signatory_name, SIGNATORY_MAX)
    signatory_title = (signatory_en or signatory_zh) if english else signatory_zh
    holder = clean(facts.holder_name, NAME_MAX)
    code = facts.code
    url = verification_url(code)
    return {
        "template": design.template,
        "design_name": clean(design.name, 100),
        "lang": "en" if english else "zh-Hans",
        "kind": kind,
        "sample": sample,
        "labels": _labels(kind, locale),
        "labels_alt": _labels(kind, "zh_CN" if english else "en") if bilingual else None,
        "holder_name": holder,
        "name_size": _size(holder, (16, 30, 60)),
        "title": shown_title,
        "title_alt": other_title if other_title and other_title != shown_title else None,
        "title_size": _size(shown_title, (30, 60, 110)),
        "issued_on": _date(facts.issued_on, locale),
        "expires_on": _date(facts.expires_on, locale),
        "serial": clean(facts.serial, 16),
        "code": "-".join(code[i : i + 4] for i in range(0, len(code), 4)),
        "verification_url": url,
        "qr": _qr_data_uri(url),
        "issuer": issuer,
        "issuer_alt": issuer_alt,
        "issuer_size": _size(max(issuer, issuer_alt or "", key=_width), (24, 48, 100)),
        "signatory_name": signatory,
        "signatory_title": signatory_title,
        "signatory_size": _size(max(signatory, signatory_title, key=_width), (24, 48, 90)),
        "logo": _image(design.logo_key, design.logo_type),
        "signature": _image(design.signature_key, design.signature_type),
    }


def certificate_context(certificate: Any) -> dict[str, Any]:
    """Everything a certificate's document shows, as plain strings and dicts."""
    kind = "course" if certificate.course_id is not None else "certification"
    return _document(certificate.design, certificate, kind=kind, sample=False)


def sample_context(design: Any, locale: str) -> dict[str, Any]:
    """A design's preview: sample holder (a Chinese name in Chinese, a Latin one in English),
    title, serial and code, issued today and valid for a year."""
    from lms import clock

    today, locale = clock.today(), language(locale)
    facts = SimpleNamespace(
        locale=locale,
        holder_name=SAMPLE_NAMES.get(locale, SAMPLE_NAMES["en"]),
        title=SAMPLE_TITLES["zh_CN"],
        title_en=SAMPLE_TITLES["en"],
        serial=f"{today.year}-000123",
        code=SAMPLE_CODE,
        issued_on=today,
        expires_on=today + dt.timedelta(days=365),
    )
    return _document(design, facts, kind="course", sample=True)


# --- HTML ---------------------------------------------------------------------------------


@cache
def _environment(folder: str) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(context: dict[str, Any]) -> str:
    """A certificate's HTML from its context (only the context reaches the template)."""
    from lms.certificates.models import TEMPLATES

    if context["template"] not in TEMPLATES:
        raise RenderError(_("Unknown certificate template %(name)s.", name=context["template"]))
    folder = str(Path(current_app.template_folder or "templates") / "certificates" / "document")
    template = _environment(folder).get_template(f"{context['template']}.html")
    return template.render(cert=context)


def preview_pdf(design: Any, locale: str) -> bytes:
    """A design's PDF with sample data (not stored)."""
    return html_to_pdf(render_html(sample_context(design, locale)))
