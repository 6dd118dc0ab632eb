"""The rules for values from outside: identifiers, numbers and text.

An identifier or count in a URL path, query string, form field, token or JSON body is 1 to 18
ASCII digits. ``str.isdigit`` is not that rule: it accepts "²" and "٣", which ``int`` refuses or
reads, and a 20-digit number overflows a 64-bit column. Eighteen digits always fit one
(``ID_MAX`` < 2**63), so one rule serves every column and every token.

Text decoded from JSON may hold lone surrogates (``"\\ud800"``), which no encoder accepts; they
are replaced with U+FFFD at the edge, as undecodable bytes in forms are.

Nothing here imports the rest of rejoinder: every layer may use it (the ground floor).
"""

from __future__ import annotations

import re
from typing import Any

ID_MAX_DIGITS = 18
ID_MAX: int = 10**ID_MAX_DIGITS - 1
ID_PATTERN = f"[0-9]{{1,{ID_MAX_DIGITS}}}"
_SURROGATES = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")


def parse_id(text: str) -> int | None:
    """The number ``text`` spells in 1-18 ASCII digits, else None. Never raises."""
    if 0 < len(text) <= ID_MAX_DIGITS and text.isascii() and text.isdigit():
        return int(text)
    return None


def id_in_range(value: int) -> bool:
    """An integer that arrived already parsed (a JSON number) obeys the same range."""
    return 0 <= value <= ID_MAX


def clamp_count(text: str | None, default: int, high: int) -> int:
    """A lenient count (Akismet's ``limit``/``offset``): ``default`` unless valid, at most
    ``high``."""
    value = parse_id((text or "").strip())
    return default if value is None else min(value, high)


def replace_surrogates(text: str) -> str:
    return _SURROGATES.sub("\ufffd", text)


def may_hold_surrogates(raw_json: bytes) -> bool:
    """Cheap pre-check: only a ``\\uD800``-``\\uDFFF`` escape makes a surrogate in JSON."""
    return _SURROGATE_ESCAPE.search(raw_json) is not None


def without_surrogates(value: Any) -> Any:
    """``value`` (decoded JSON) with every lone surrogate in its strings and keys replaced."""
    if isinstance(value, str):
        return replace_surrogates(value)
    if isinstance(value, list):
        return [without_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {replace_surrogates(k): without_surrogates(v) for k, v in value.items()}
    return value
