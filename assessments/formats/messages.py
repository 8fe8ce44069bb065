"""Parser messages that are translated when they are shown, not when they are made.

The parsers are pure and run without a Flask app (tests, scripts), so they cannot call
Flask-Babel's ``gettext``. They call :func:`_` instead (which ``pybabel extract`` finds like
any other ``_(...)``): it keeps the English msgid and its ``%(name)s`` parameters, and
``str()`` translates them into the language of the request (or of ``LMS_CLI_LOCALE`` in a
command) when an app context is there, and gives the English text otherwise.

    message = _("expected option %(expected)s, found %(found)s", expected="B", found="C")
    str(message)  # "expected option B, found C", or "应为选项 B，实为 C" in Chinese
"""

from __future__ import annotations

from typing import Any

from flask import has_app_context


class LazyMessage:
    """An English msgid and its parameters; ``str()`` translates when it can."""

    __slots__ = ("msgid", "params")

    def __init__(self, msgid: str, params: dict[str, Any]) -> None:
        self.msgid = msgid
        self.params = params

    @property
    def english(self) -> str:
        return self.msgid % self.params if self.params else self.msgid

    def __str__(self) -> str:
        if has_app_context():
            from flask_babel import gettext

            return gettext(self.msgid, **self.params)
        return self.english

    def __html__(self) -> str:
        from markupsafe import escape

        return str(escape(str(self)))

    def __repr__(self) -> str:
        return f"LazyMessage({self.english!r})"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyMessage):
            return (self.msgid, self.params) == (other.msgid, other.params)
        if isinstance(other, str):
            return other in (self.english, str(self))
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self.english)

    def __contains__(self, text: str) -> bool:
        return text in str(self)

    def __len__(self) -> int:
        return len(str(self))

    def __add__(self, other: str) -> str:
        return str(self) + other

    def __radd__(self, other: str) -> str:
        return other + str(self)


def _(msgid: str, **params: Any) -> LazyMessage:
    """A message to translate when shown; ``%(name)s`` placeholders, English msgid."""
    return LazyMessage(msgid, params)


__all__ = ["LazyMessage", "_"]
