"""The phone-number signal: call-centre spam is filed, readers' numbers and code are not."""

from __future__ import annotations

import pytest

from rejoinder.core.records.verdict import Hit
from rejoinder.spam.signals.phones import (
    PITCH_SCORE,
    SUPPORT_SCORE,
    PhoneSignal,
    find_numbers,
    is_toll_free,
)
from rejoinder.spam.submission import Submission
from tests.support.timing import best_of


def hits(content: str, **fields: str) -> list[Hit]:
    return PhoneSignal().evaluate(Submission.from_fields({"comment_content": content, **fields}))


@pytest.mark.parametrize(
    "text",
    [
        "Call HP Printer Support Number +1-888-555-0199 for instant help.",
        "QuickBooks customer service number 1-800-555-0123 (toll free).",
        "Delta Airlines reservations: call 1 (888) 555 0111 now",
        "dial our tech support helpline 1 8 0 0 - 5 5 5 - 0 1 9 9 now",
        "Cash App customer care ☎ 1-8OO-555-0142 for a refund",
        "Contact us 24/7 on +44 20 7946 0958",
        "Norton antivirus help desk: 1.855.555.0100",
        "Binance support team +91 98765 43210 available round the clock",
    ],
)
def test_a_number_offered_as_support_is_a_call_centre_pitch(text: str) -> None:
    (hit,) = hits(text)
    assert hit.symbol == "PHONE_SUPPORT"
    assert hit.score == SUPPORT_SCORE
    assert "call-centre" in hit.detail


def test_fancy_digits_and_a_support_name_count_too() -> None:
    (hit,) = hits("Any problem? 𝟏𝟖𝟖𝟖𝟓𝟓𝟓𝟎𝟏𝟗𝟗", comment_author="Epson Printer Support")
    assert hit.symbol == "PHONE_SUPPORT"


def test_a_number_to_call_without_support_words_leans_only() -> None:
    (hit,) = hits("Call me on 555 123 4567 if you want to talk about the event.")
    assert hit.symbol == "PHONE_CALL_PITCH"
    assert hit.score == PITCH_SCORE < SUPPORT_SCORE


def test_a_bare_toll_free_number_is_mild() -> None:
    (hit,) = hits("The number on the back of my card was 1-800-555-0100 and nobody answered.")
    assert hit.symbol == "PHONE_TOLL_FREE"
    assert hit.score < PITCH_SCORE


@pytest.mark.parametrize(
    "text",
    [
        'Traceback (most recent call last):\n  File "x.py", line 1234567890, in <module>',
        "It ran at 2024-03-15 10:15:02 and took 12.345 s; version 3.11.4.",
        "The house sold for $1,299,000 in 2019 (listing 2019/03/15).",
        "ISBN 978-0-13-468599-1 is the second edition.",
        "Pointer 0x7f8b4c0e1d30 and hash 3f2a9b8c7d6e5f40 in the log.",
        "Timestamps 1700000000 and 1700000001 differ by one second.",
        "My order id is 000000000, placeholder 123456789.",
        "Thanks for your support, this helped me a lot!",
        "",
    ],
)
def test_code_dates_prices_and_ids_are_not_phone_pitches(text: str) -> None:
    assert hits(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "The script fails on my phone number column because some numbers look like +91 98765 "
        "43210 and others 09876543210. How do I normalise them?",
        "Your regex fails on +44 20 7946 0958, the support for spaces is missing.",
        "Does the library support numbers formatted as (800) 555-0199 for the US?",
    ],
)
def test_a_number_a_reader_treats_as_data_pitches_nothing(text: str) -> None:
    assert hits(text) == []


def test_data_words_far_from_the_number_do_not_excuse_a_pitch() -> None:
    text = "Great column, thanks! " + "x " * 60 + "Call HP printer support 1-888-555-0199 now."
    assert [h.symbol for h in hits(text)] == ["PHONE_SUPPORT"]


def test_toll_free_areas() -> None:
    assert is_toll_free("18885550199")
    assert is_toll_free("8445550199")
    assert not is_toll_free("2025550199")
    assert not is_toll_free("448885550199")


@pytest.mark.parametrize(
    "text",
    ["1" * 1_000_000, ("1-" * 500_000), ("+1 (" * 200_000), "O" * 300_000, "\x00" * 10_000],
)
def test_bad_input_is_fast_and_never_raises(text: str) -> None:
    run = best_of(lambda: find_numbers(text), under_ms=200)
    assert isinstance(run.value, list)
    assert run.cpu_ms < 200


def test_a_number_ending_a_clause_is_read_a_thousands_list_is_not() -> None:
    (number,) = find_numbers("call the HP Printer Support Number +1-888-555-0199, we are 24/7")
    assert number.digits == "18885550199"
    assert find_numbers("population 123456789,012 people") == []
