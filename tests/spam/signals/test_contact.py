"""The e-mail contact signal: recovery, loan and hacker spam leans toward spam; readers' and
code's addresses do not; a spelled-out address is a filter dodge."""

from __future__ import annotations

import pytest

from rejoinder.core.records.verdict import Hit
from rejoinder.spam.signals.contact import (
    PITCH_SCORE,
    SAMPLE,
    SPELLED_SCORE,
    ContactSignal,
    _spelled,
    find_addresses,
)
from rejoinder.spam.submission import Submission
from tests.support.timing import best_of


def hits(content: str) -> list[Hit]:
    return ContactSignal().evaluate(Submission.from_fields({"comment_content": content}))


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("Contact them via email: spywallrecovery@gmail.com today", "contact"),
        ("I got my funds back thanks to them. Email: Recovery.Team_01@proton.me", "email"),
        ("reach Dr Oduduwa on droduduwa@outlook.co.uk he is real", "reach"),
        ("write to the lender fastloans@yahoo.com or WhatsApp him", "write"),
    ],
)
def test_an_address_offered_to_get_in_touch_leans_toward_spam(text: str, word: str) -> None:
    (hit,) = hits(text)
    assert hit.symbol == "EMAIL_CONTACT_PITCH" and hit.score == PITCH_SCORE
    assert f'"{word}"' in hit.detail


@pytest.mark.parametrize(
    "text",
    [
        "contact hackerjohn99 at gmail dot com, he is legit",
        "email me: jamesloan (at) yahoo (dot) com",
        "reach her on spellhome @ gmail . com",
        "DrWale[at]gmail[dot]com",
    ],
)
def test_an_address_spelled_out_is_a_filter_dodge(text: str) -> None:
    (hit,) = hits(text)
    assert hit.symbol == "EMAIL_SPELLED_OUT" and hit.score == SPELLED_SCORE


@pytest.mark.parametrize(
    "text",
    [
        "Clone it with git clone git@github.com:pandas-dev/pandas.git and run the tests.",
        "Pin lodash@4.17.21 in package.json, the next release broke it.",
        "The mail server logs showed user@example.com was rejected.",  # no request to write
        "I looked at gmail yesterday and the spam folder was full.",
        "We met at noon. Contact the author through the form on the about page.",
        "",
    ],
)
def test_addresses_in_code_logs_and_plain_talk_are_no_pitch(text: str) -> None:
    assert hits(text) == []


def test_only_the_first_sample_is_read() -> None:
    text = "x " * SAMPLE + "contact me at spam@example.com"
    assert find_addresses(Submission(content=text)) == ([], [])
    assert hits(text) == []


@pytest.mark.parametrize(
    "text",
    [
        ("x@" + "a" * 253) * 2_000,
        "a" * 1_000_000 + "@",
        ("a." * 200_000) + "@b.c",
        ("q at gmail " * 100_000),
        "@" * 500_000,
        "\x00" * 10_000,
    ],
)
def test_bad_input_is_fast_and_never_raises(text: str) -> None:
    submission, signal = Submission(content=text), ContactSignal()

    def uncached() -> list[Hit]:
        _spelled.cache_clear()  # each run reads the text anew
        return signal.evaluate(submission)

    run = best_of(uncached, under_ms=100)
    assert isinstance(run.value, list)
    assert run.cpu_ms < 100
