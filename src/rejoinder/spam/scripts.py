"""Writing systems: which script a text is mostly written in.

Used by the language signal (Cyrillic on an English blog) and by the content model, which
calibrates its score per kind of text (:mod:`rejoinder.spam.learning.calibration`).
"""

from __future__ import annotations

import re
from enum import StrEnum


class Script(StrEnum):
    LATIN = "latin"
    CYRILLIC = "cyrillic"
    GREEK = "greek"
    CJK = "cjk"
    HANGUL = "hangul"
    ARABIC = "arabic"
    HEBREW = "hebrew"
    THAI = "thai"
    DEVANAGARI = "devanagari"


SCRIPTS = {
    Script.LATIN: re.compile(r"[A-Za-z\u00c0-\u024f]"),
    Script.CYRILLIC: re.compile(r"[\u0400-\u04ff]"),
    Script.GREEK: re.compile(r"[\u0370-\u03ff]"),
    Script.CJK: re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]"),
    Script.HANGUL: re.compile(r"[\uac00-\ud7af]"),
    Script.ARABIC: re.compile(r"[\u0600-\u06ff]"),
    Script.HEBREW: re.compile(r"[\u0590-\u05ff]"),
    Script.THAI: re.compile(r"[\u0e00-\u0e7f]"),
    Script.DEVANAGARI: re.compile(r"[\u0900-\u097f]"),
}

_ASCII_LETTERS = bytes(b for b in range(128) if chr(b).isalpha())


def script_of(text: str) -> tuple[Script, int]:
    """The dominant writing system of a text and its number of letters (Latin when none)."""
    if text.isascii():  # letters counted as the bytes a deletion of A-Z and a-z removes
        raw = text.encode("ascii")
        return Script.LATIN, len(raw) - len(raw.translate(None, _ASCII_LETTERS))
    counts = {name: len(rx.findall(text)) for name, rx in SCRIPTS.items()}
    name = max(counts, key=lambda k: counts[k])
    return name, sum(counts.values())
