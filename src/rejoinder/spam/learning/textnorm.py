"""Text normalisation for the content model: undo the usual obfuscations before hashing.

Spammers write ``V1AGRA``, ``c a s h``, ``pаypal`` (a Cyrillic ``а``) or ``ｆｒｅｅ`` to slip past
word lists. The model sees the text after these steps, so the obfuscated and the plain spelling
give the same features:

1. cap the length (features only look at the first ``max_chars`` characters);
2. decode HTML entities (``&amp;``, ``&#39;``), lower-case;
3. fold look-alike letters to ASCII inside words that mix them with ASCII letters (the
   Unicode confusables table, from the ``confusable-homoglyphs`` package);
4. join letters spelled out with spaces or dots (``f r e e``, ``f.r.e.e``);
5. read leetspeak inside words that mix letters and digits (``c4sh`` → ``cash``);
6. collapse runs of white space.

NFKC (fullwidth and mathematical letters) and stripping zero-width characters already
happened in :class:`~rejoinder.spam.submission.Submission`.
"""

from __future__ import annotations

import html
import json
import re
from functools import cache, lru_cache
from importlib import resources

_WORD_RE = re.compile(r"\w+")
# Three or more single letters or digits separated by one separator: "f r e e", "c.a.s.h".
_SPACED_RE = re.compile(r"(?<![\w.])(?:[a-z0-9][ .\-_*·|]){2,}[a-z0-9](?![\w])")
_SPACED_SEP_RE = re.compile(r"[ .\-_*·|]")
# Words mixing letters with digits or @/$ (a leetspeak candidate).
_LEET_RE = re.compile(r"(?<![\w@$])(?=[a-z0-9@$]*[a-z])(?=[a-z0-9@$]*[0-9@$])[a-z0-9@$]{3,}")
_LEET_MAP = str.maketrans(
    {"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s"}
)
_LEET_TRIGGERS = frozenset("0123456789@$")
_ASCII_LETTER_RE = re.compile(r"[a-z]")


@cache
def confusable_fold_table() -> dict[int, str]:
    """Map every non-ASCII character that looks like one ASCII letter or digit to it."""
    raw = resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8")
    table: dict[int, str] = {}
    for char, lookalikes in json.loads(raw).items():
        if len(char) != 1 or char.isascii():
            continue
        for entry in lookalikes:
            target = entry.get("c", "")
            if len(target) == 1 and target.isascii() and target.isalnum():
                table[ord(char)] = target.lower()
                break
    return table


@cache
def _foldable() -> frozenset[str]:
    """The characters the look-alike table maps."""
    return frozenset(map(chr, confusable_fold_table()))


def _fold_mixed_word(match: re.Match[str]) -> str:
    word = match.group(0)
    if word.isascii() or not _ASCII_LETTER_RE.search(word):
        return word
    return word.translate(confusable_fold_table())


def _unleet(match: re.Match[str]) -> str:
    word = match.group(0)
    letters = sum(ch.isalpha() for ch in word)
    if letters < 2 or (word[0] in "@$" and letters == len(word) - 1):
        return word
    return word.translate(_LEET_MAP)


def _unspace(match: re.Match[str]) -> str:
    return _SPACED_SEP_RE.sub("", match.group(0))


# The content model and the spam-topic signal read the same text of the same check: the second
# call is a dictionary hit (a str caches its hash). Few entries, as a key may be a 1 MB text.
@lru_cache(maxsize=8)
def normalise_for_model(text: str, max_chars: int) -> str:
    """The text as the content model reads it (see the module docstring)."""
    text = text[:max_chars]
    if "&" in text:
        text = html.unescape(text)
    text = text.lower()[:max_chars]  # "İ" lower-cases to two characters
    if not text.isascii() and not _foldable().isdisjoint(text):  # else folding changes nothing
        text = _WORD_RE.sub(_fold_mixed_word, text)
    text = _SPACED_RE.sub(_unspace, text)
    if not _LEET_TRIGGERS.isdisjoint(text):
        text = _LEET_RE.sub(_unleet, text)
    return " ".join(text.split())
