"""Phone numbers on SmokeDetector's list of numbers used in spam.

SmokeDetector (Charcoal-SE) keeps the numbers that "support", "helpline" and "reservations"
spam asks people to call (``spam/data/smokedetector_numbers.txt``, see
``spam/data/NOTICE.md``), written every way the spam wrote them: ``+1 (844) 550 9222``,
``1-888-787-9274``, ``+91-9694102888``, ``0564212067``.

Numbers in a comment are found by the phone signal's reader (``phones.find_numbers``: 9 to 15
digits, separators, the letter O between digits, fancy digits), so dates, prices, versions and
code never count. A list entry and a number in a comment are compared as digits, in every form
the same phone has: as written (after a ``00`` or ``+``), without its country code (``1`` and
``7`` when 10 digits remain, other codes when 9 to 11 remain) and without a trunk ``0``. So
``+1 844 550 9222`` matches ``844-550-9222`` and ``+971 56 421 2067`` matches ``0564212067``.
A form shorter than 9 digits is never compared.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from importlib import resources

from rejoinder.core.records.verdict import Hit
from rejoinder.spam.domains import DATA_PACKAGE
from rejoinder.spam.signals.phones import MAX_DIGITS, MIN_DIGITS, numbers_in
from rejoinder.spam.submission import Submission

SYMBOL = "BLOCKLISTED_NUMBER"
SCORE = 5.0
LIST_FILE = "smokedetector_numbers.txt"
NATIONAL_DIGITS = (9, 11)  # shortest and longest national number once a country code is off
NANP_DIGITS = 10  # after 1 (North America) or 7 (Russia, Kazakhstan)

# ITU calling codes: 1 and 7 alone; these two-digit codes; and three digits after these
# prefixes (zones 2, 3, 4, 5, 6, 8 and 9 share out two- and three-digit codes).
TWO_DIGIT_CODES = frozenset(
    {"20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45", "46",
     "47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63",
     "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98"}
)  # fmt: skip
THREE_DIGIT_PREFIXES = frozenset(
    {"21", "22", "23", "24", "25", "26", "28", "29", "35", "37", "38", "42", "50", "59", "67",
     "68", "69", "85", "87", "88", "96", "97", "99"}
)  # fmt: skip

_COMMENT_RE = re.compile(r"\(\?#[^)]*\)")
_NON_DIGIT_RE = re.compile(r"\D")


def country_code(digits: str) -> str:
    """The calling code ``digits`` would start with if written internationally."""
    if digits[:1] in ("1", "7"):
        return digits[:1]
    if digits[:2] in TWO_DIGIT_CODES:
        return digits[:2]
    return digits[:3] if digits[:2] in THREE_DIGIT_PREFIXES else ""


def forms(digits: str) -> set[str]:
    """Every form of one phone number worth comparing (see the module docstring)."""
    number = digits[2:] if digits.startswith("00") else digits
    found = {number} if MIN_DIGITS <= len(number) <= MAX_DIGITS else set()
    national = without_country_code(number)
    for form in (national, _without_trunk(number), _without_trunk(national)):
        if NATIONAL_DIGITS[0] <= len(form) <= NATIONAL_DIGITS[1]:
            found.add(form)
    return found


def without_country_code(number: str) -> str:
    """The national number when ``number`` reads as a calling code and a national number of
    a plausible length, else ''."""
    code = country_code(number)
    national = number[len(code) :]
    if not code:
        return ""
    if code in ("1", "7"):
        return national if len(national) == NANP_DIGITS else ""
    return national if NATIONAL_DIGITS[0] <= len(national) <= NATIONAL_DIGITS[1] else ""


def _without_trunk(number: str) -> str:
    return number[1:] if number.startswith("0") else ""


def entry_digits(line: str) -> str:
    """The digits of one list entry (its ``(?#…)`` comments removed)."""
    text = unicodedata.normalize("NFKC", _COMMENT_RE.sub("", line))
    return _NON_DIGIT_RE.sub("", text).encode("ascii", "ignore").decode()


def parse(lines: list[str]) -> frozenset[str]:
    listed: set[str] = set()
    for line in lines:
        if line.strip() and not line.startswith("#"):
            listed |= forms(entry_digits(line))
    return frozenset(listed)


@cache
def number_list() -> frozenset[str]:
    text = resources.files(DATA_PACKAGE).joinpath(LIST_FILE).read_text("utf-8")
    return parse(text.splitlines())


class BlocklistedNumberSignal:
    name = "blocklisted_numbers"

    def warm_up(self) -> None:
        number_list()

    def evaluate(self, submission: Submission) -> list[Hit]:
        listed = number_list()
        for number in numbers_in(submission):
            if forms(number.digits) & listed:
                detail = (
                    f"The phone number {number.digits} is on SmokeDetector's list of numbers "
                    "used in spam."
                )
                return [Hit(SYMBOL, SCORE, detail)]
        return []
