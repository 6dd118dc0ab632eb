"""E-mail addresses written into a comment: the payload of recovery, loan and hacker spam.

The comment spam blogs get most after call-centre numbers needs no link at all: "I lost
$86,000 to a fake platform until I found RECOVERY EXPERT, contact them via email:
…@gmail.com", "Do you need a loan? … email us", "contact hackerjohn99 at gmail dot com", "Dr
Oduduwa the great spell caster, email …". Readers rarely write an address into a comment, and
almost never one spelled out to dodge filters. So this signal finds addresses, plain and
spelled ("name at gmail dot com", "name(at)yahoo(dot)com"), and reads the words around them:

* ``EMAIL_CONTACT_PITCH`` — an address next to "contact", "email", "reach", "WhatsApp"…:
  leans toward spam, as a phone number with "call" does; a reader asking others to write
  needs no other evidence against them to stay published.
* ``EMAIL_SPELLED_OUT`` — an address spelled out in words: written to pass a filter.

What it sells is the spam-topic signal's business (:mod:`~rejoinder.spam.signals.topics`),
which counts an address as a way to reach the seller, like a link or a phone number.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rejoinder.core.records.verdict import Hit
from rejoinder.spam.submission import Submission

SAMPLE = 4_000
PITCH_SCORE = 1.5
SPELLED_SCORE = 2.0
CONTEXT_CHARS = 80  # characters read on each side of an address
SPELLED_DETAIL = "An e-mail address spelled out in words, as if to pass a filter."

# Bounded, unnested repetitions: linear in the input. Plain addresses are the ones
# ``Submission`` found (``Submission.emails``); only the spelled-out forms are searched here.
_PROVIDERS = (
    r"gmail|googlemail|yahoo|hotmail|outlook|live|aol|icloud|proton(?:mail)?|gmx|yandex|mail"
)
_SPELLED_RE = re.compile(
    rf"(?<![\w.])[a-z0-9][a-z0-9._+-]{{1,63}}\s{{0,3}}(?:\(at\)|\[at\]|\{{at\}}|\bat\b|@)\s{{0,3}}"
    rf"(?:{_PROVIDERS})\s{{0,3}}(?:\(dot\)|\[dot\]|\{{dot\}}|\bdot\b|\.)\s{{0,3}}(?:com|net|org|me|ru)\b",
    re.IGNORECASE,
)
_DISGUISE_RE = re.compile(r"\s|[(\[{]|\b(?:at|dot)\b", re.IGNORECASE)  # not a plain address
_WORD_RE = re.compile(r"[a-z]+")
CONTACT_WORDS = frozenset(
    {"contact", "email", "reach", "write", "whatsapp", "telegram", "viber", "text",
     "via", "message", "dm"}
)  # fmt: skip


def find_addresses(submission: Submission) -> tuple[list[str], list[str]]:
    """(plain addresses, spelled-out addresses) in the first ``SAMPLE`` characters, lower case."""
    sample = submission.text[:SAMPLE]
    lowered = sample.lower() if submission.emails else ""  # most comments have none
    return [a for a in submission.emails if a in lowered], _spelled(sample)


@lru_cache(maxsize=8)
def _spelled(sample: str) -> list[str]:
    return [m for m in _SPELLED_RE.findall(sample) if _DISGUISE_RE.search(m)]


def has_address(submission: Submission) -> bool:
    plain, spelled = find_addresses(submission)
    return bool(plain or spelled)


def _contact_word(lowered: str, address: str) -> str:
    at = lowered.find(address)
    around = lowered[max(0, at - CONTEXT_CHARS) : at + len(address) + CONTEXT_CHARS]
    words = _WORD_RE.findall(around.replace(address, " "))
    return next((w for w in words if w in CONTACT_WORDS), "")


class ContactSignal:
    name = "contact"

    def evaluate(self, submission: Submission) -> list[Hit]:
        plain, spelled = find_addresses(submission)
        if spelled:
            return [Hit("EMAIL_SPELLED_OUT", SPELLED_SCORE, SPELLED_DETAIL)]
        lowered = submission.text[:SAMPLE].lower() if plain else ""
        for address in plain:
            word = _contact_word(lowered, address)
            if word:
                detail = f'An e-mail address with "{word}": an invitation to get in touch.'
                return [Hit("EMAIL_CONTACT_PITCH", PITCH_SCORE, detail)]
        return []
