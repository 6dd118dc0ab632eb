"""Unicode tricks: invisible characters, bidi overrides, look-alike letters, styled letters.

Spammers hide words from filters with zero-width characters inside words, Cyrillic or Greek
letters that look Latin ("vіagra" with a Cyrillic і), and "mathematical" bold or fullwidth
letters. Legitimate uses are spared: joiners inside emoji sequences and Persian/Indic text,
bidi marks in right-to-left text, and words entirely in one script.
"""

from __future__ import annotations

import re

from rejoinder.core.records.verdict import Hit
from rejoinder.spam.submission import Submission

SAMPLE = 20_000
# Zero-width characters that have no business between Latin letters.
_HIDDEN_RE = re.compile(
    "[\u200b\u2060\u2061\u2062\u2063\u2064\u180e\u034f]|(?<=[A-Za-z])[\u200c\u200d\u00ad\ufeff](?=[A-Za-z])"
)
_BIDI_OVERRIDE_RE = re.compile("[\u202a-\u202e\u2066-\u2069]")
_RTL_RE = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
_WORD_RE = re.compile(r"[^\W\d_]{2,40}")
_LATIN_RE = re.compile(r"[A-Za-z]")
_LOOKALIKE_RE = re.compile(r"[\u0370-\u03ff\u0400-\u04ff]")
# Letters that only a disguise puts inside a Latin or Cyrillic word: small capitals ("ᴏ", "ᴀ",
# "ᴛ"; not the IPA letters a linguist writes, "ɪ", "ʊ") and Cherokee letters ("Ꮶ", "Ꮲ").
_DISGUISE_RE = re.compile("[\u1d00-\u1d2b\u13a0-\u13ff]")
_SCRIPT_LETTER_RE = re.compile(r"[A-Za-z\u0370-\u03ff\u0400-\u04ff]")
# Mathematical alphanumerics, fullwidth forms, circled/squared letters (NFKC folds them away).
_STYLED_RE = re.compile("[\U0001d400-\U0001d7ff\uff01-\uff5e\u24b6-\u24e9\U0001f130-\U0001f189]")


class UnicodeTricksSignal:
    name = "unicode_tricks"

    def evaluate(self, submission: Submission) -> list[Hit]:
        raw = submission.content[:SAMPLE]
        if raw.isascii():
            return []
        hits: list[Hit] = []
        hidden = len(_HIDDEN_RE.findall(raw))
        if hidden:
            hits.append(
                Hit(
                    "UNICODE_INVISIBLE",
                    1.0 if hidden < 3 else 1.5,
                    f"{hidden} invisible character(s) hidden between letters.",
                )
            )
        if _BIDI_OVERRIDE_RE.search(raw) and not _RTL_RE.search(raw):
            hits.append(
                Hit(
                    "UNICODE_BIDI",
                    1.2,
                    "Text-direction override characters in a text with no right-to-left script.",
                )
            )
        mixed = _mixed_words(submission.text[:SAMPLE])
        if mixed:
            hits.append(
                Hit(
                    "UNICODE_MIXED_SCRIPT",
                    1.2 if len(mixed) < 3 else 2.0,
                    f"{len(mixed)} word(s) mix scripts with look-alike letters, e.g. {mixed[0]!r}.",
                )
            )
        styled = len(_STYLED_RE.findall(raw))
        if styled >= 3:
            hits.append(
                Hit(
                    "UNICODE_STYLED_LETTERS",
                    1.0,
                    f"{styled} letters written in 'fancy' Unicode styles (bold, fullwidth, circled).",
                )
            )
        return hits


def _mixed_words(text: str) -> list[str]:
    """Words that mix Latin with Cyrillic or Greek look-alikes, or either with a disguise
    letter (at most 50)."""
    lookalike, disguise = _LOOKALIKE_RE.search(text), _DISGUISE_RE.search(text)
    if not (lookalike or disguise):
        return []
    return [w for w in _WORD_RE.findall(text) if _is_mixed(w)][:50]


def _is_mixed(word: str) -> bool:
    if _DISGUISE_RE.search(word) and _SCRIPT_LETTER_RE.search(word):
        return True
    return bool(_LATIN_RE.search(word) and _LOOKALIKE_RE.search(word))
