"""Lesson Markdown: rendered with markdown-it-py, then sanitised with nh3.

Links keep http(s) and mailto targets and open safely; images may only come from this site
(lesson attachments) — never a script, an event handler, a style or a ``javascript:`` URL.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = (
    MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    .enable("table")
    .enable("strikethrough")
)

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "code",
    "del",
    "em",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "th",
    "thead",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "code": {"class"},
}


def _filter(tag: str, attribute: str, value: str) -> str | None:
    if tag == "img" and attribute == "src":
        parts = urlsplit(value)
        # only images served by this site: no scheme, no host
        if parts.scheme or parts.netloc or value.startswith("//"):
            return None
    if tag == "code" and attribute == "class" and not value.startswith("language-"):
        return None
    return value


def render(text: str, *, drop_title: Iterable[str | None] = ()) -> Markup:
    """Markdown to safe HTML. A leading level-1 heading whose text is one of ``drop_title``
    (the lesson's own title, which the page shows already) is left out."""
    env: dict = {}
    tokens = _md.parse(text or "", env)
    titles = {t.strip() for t in drop_title if t and t.strip()}
    if (
        titles
        and len(tokens) >= 3
        and tokens[0].type == "heading_open"
        and tokens[0].tag == "h1"
        and tokens[1].content.strip() in titles
    ):
        tokens = tokens[3:]
    html = _md.renderer.render(tokens, _md.options, env)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        attribute_filter=_filter,
        strip_comments=True,
    )
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above
