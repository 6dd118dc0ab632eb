"""Phone numbers in a comment: the payload of tech-support and "customer service number" spam.

The comment spam blogs get most today is not a link but a number to call: "<brand> printer
support number +1-888-…", "QuickBooks customer service 1 800 …", "airline reservations
number …", often spelled with spaces, dots, look-alike letters (``1-8OO``) or fancy digits.
A reader rarely writes a full phone number, and almost never next to "support number" or
"toll free". So this signal finds phone-shaped digit runs (9 to 15 digits, separators allowed,
the letter O read as a zero between digits) and reads the words around them:

* ``PHONE_SUPPORT`` — a number next to a support phrase ("customer service", "helpline",
  "toll free", "reservations", "24/7"…): the sales pitch of a call centre. Scored as a spam
  topic sale, enough to file the comment as spam on its own.
* ``PHONE_CALL_PITCH`` — a number next to "call", "dial", "contact", "WhatsApp": leans
  toward spam; a comment needs other evidence to be held.
* ``PHONE_TOLL_FREE`` — a North American toll-free number (800, 833, 844, 855, 866, 877,
  888) without either: mild.

Dates, times, prices, version numbers and code are not phone-shaped: a run needs at least 9
digits and may not contain ``:`` or ``,`` (a comma may end it: "call 1-888-555-0199, we…");
only the first ``SAMPLE`` characters are read. A number a reader writes as data ("my phone
number column has +91 98765 43210 and 09876543210, how do I normalise them?", "the regex
does not match +44 20 7946 0958") is an example, not an offer: with data words around it
(``DATA_WORDS``: column, regex, format, parse, validate, dataset…) it pitches nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from rejoinder.core.records.verdict import Hit
from rejoinder.spam.submission import Submission

SAMPLE = 4_000
SUPPORT_SCORE = 8.0
PITCH_SCORE = 2.0
TOLL_FREE_SCORE = 1.0
CONTEXT_CHARS = 80  # characters read on each side of a number
MIN_DIGITS, MAX_DIGITS = 9, 15
TOLL_FREE_AREAS = frozenset({"800", "833", "844", "855", "866", "877", "888"})

# A digit, then up to 14 more, each after at most three separator characters. Bounded
# repetition without nesting: linear in the input.
_SEP = r"[ \t\-.()/_~‒–—\[\]{}+]"
_NUMBER_RE = re.compile(
    rf"(?<![\w.,:])\+?(?:\d{_SEP}{{0,3}}){{{MIN_DIGITS - 1},{MAX_DIGITS - 1}}}\d(?![\w:]|,\d)"
)
_LETTER_O_RE = re.compile(r"(?<=\d)[Oo]{1,3}(?=[\d\- .])|(?<=[\d\- .])[Oo]{1,3}(?=\d)")
_NON_DIGIT_RE = re.compile(r"\D")
_WORD_RE = re.compile(r"[a-z0-9/]+")

SUPPORT_PHRASES = (
    "support", "helpline", "help line", "help desk", "helpdesk", "customer service",
    "customer care", "customer support", "tech support", "technical support", "toll free",
    "tollfree", "toll-free", "reservation", "reservations", "booking number", "contact number",
    "phone number", "support number", "service number", "care number", "hotline", "24/7",
    "24x7", "24*7", "round the clock", "refund",
)  # fmt: skip
PITCH_WORDS = frozenset({"call", "dial", "contact", "whatsapp", "phone", "telegram", "viber"})
# Words of a reader treating numbers as data: a tutorial on parsing phone numbers is not a call
# centre. Spam offering a number to call has no use for them.
DATA_WORDS = frozenset(
    {"column", "columns", "regex", "regexp", "format", "formats", "formatted", "formatting",
     "field", "fields", "string", "strings", "parse", "parsing", "parser", "validate",
     "validating", "validation", "normalise", "normalize", "normalising", "normalizing",
     "dataset", "csv", "dataframe", "database", "script", "function", "library", "placeholder",
     "dummy", "pattern"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class PhoneNumber:
    digits: str
    context: str  # lower-cased text around the number


def find_numbers(text: str) -> list[PhoneNumber]:
    """Phone-shaped digit runs in ``text`` with the words around them."""
    sample = _LETTER_O_RE.sub(lambda m: "0" * len(m.group()), text[:SAMPLE])
    found: list[PhoneNumber] = []
    for match in _NUMBER_RE.finditer(sample):
        digits = _NON_DIGIT_RE.sub("", match.group())
        if MIN_DIGITS <= len(digits) <= MAX_DIGITS and not _repeated(digits):
            start, end = match.span()
            around = sample[max(0, start - CONTEXT_CHARS) : end + CONTEXT_CHARS]
            found.append(PhoneNumber(digits, around.casefold()))
    return found


def numbers_in(submission: Submission) -> list[PhoneNumber]:
    """Phone-shaped numbers in the comment and in the author's name. Several signals read
    them; the last few comments' numbers are kept, so each comment is read once."""
    return list(_numbers(submission.text, submission.author_text))


@lru_cache(maxsize=8)
def _numbers(text: str, author: str) -> tuple[PhoneNumber, ...]:
    return (*find_numbers(text), *find_numbers(author))


def _repeated(digits: str) -> bool:
    """``000000000`` or ``123456789``: placeholders and counters, not numbers to call."""
    return len(set(digits)) <= 2 or digits in "01234567890123456789"


def is_toll_free(digits: str) -> bool:
    local = digits[1:] if len(digits) == 11 and digits.startswith("1") else digits
    return len(local) == 10 and local[:3] in TOLL_FREE_AREAS


def _support_phrase(context: str) -> str:
    return next((p for p in SUPPORT_PHRASES if p in context), "")


def _is_data(context: str) -> bool:
    return any(w in DATA_WORDS for w in _WORD_RE.findall(context))


def _pitch_word(context: str) -> str:
    return next((w for w in _WORD_RE.findall(context) if w in PITCH_WORDS), "")


class PhoneSignal:
    name = "phones"

    def evaluate(self, submission: Submission) -> list[Hit]:
        numbers = numbers_in(submission)
        if not numbers:
            return []
        strongest = self._strongest(numbers, submission.author_text.casefold())
        return [strongest] if strongest else []

    def _strongest(self, numbers: list[PhoneNumber], author: str) -> Hit | None:
        numbers = [n for n in numbers if not _is_data(n.context)]
        for number in numbers:
            phrase = _support_phrase(number.context) or _support_phrase(author)
            if phrase:
                return Hit(
                    "PHONE_SUPPORT",
                    SUPPORT_SCORE,
                    f'A phone number offered as "{phrase}": a call-centre pitch.',
                )
        for number in numbers:
            word = _pitch_word(number.context)
            if word:
                return Hit(
                    "PHONE_CALL_PITCH",
                    PITCH_SCORE,
                    f'A phone number with "{word}": an invitation to get in touch.',
                )
        if any(is_toll_free(n.digits) for n in numbers):
            return Hit("PHONE_TOLL_FREE", TOLL_FREE_SCORE, "A toll-free phone number.")
        return None
