"""Verification codes: 20 characters of Crockford base 32 from ``secrets`` (100 bits), printed
in groups of four (``7K2M-9QXP-4TAB-H3ZD-W8RE``). Reading one back forgives case, spaces,
dashes and the look-alikes O→0 and I/L→1; anything else is malformed. Codes are looked up by
the SHA-256 of their canonical form and then compared in constant time."""

from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
LENGTH = 20  # 20 × 5 bits = 100 bits
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
_ALLOWED = frozenset(ALPHABET)


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def canonical(text: str | None) -> str | None:
    """The code in canonical form, or None when it cannot be one."""
    if not text or len(text) > 64:
        return None
    cleaned = text.upper().replace("-", "").replace(" ", "").translate(_LOOKALIKES)
    if len(cleaned) != LENGTH or not set(cleaned) <= _ALLOWED:
        return None
    return cleaned


def digest(code: str) -> str:
    return hashlib.sha256(code.encode("ascii")).hexdigest()


def grouped(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def same(stored: str, given: str) -> bool:
    return hmac.compare_digest(stored.encode("ascii"), given.encode("ascii"))
