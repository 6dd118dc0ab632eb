from __future__ import annotations

import re

import pytest

from rejoinder.core.records.verdict import Hit
from rejoinder.spam.learning.textnorm import normalise_for_model
from rejoinder.spam.signals.topics import (
    MENTION_SCORE,
    SALE_SCORE,
    SpamTopicSignal,
    Strength,
    lexicon,
)
from rejoinder.spam.submission import Submission


def hits(content: str, **fields: str) -> list[Hit]:
    return SpamTopicSignal().evaluate(
        Submission.from_fields({"comment_content": content, **fields})
    )


@pytest.mark.parametrize(
    ("text", "trade"),
    [
        ("Buy cheap viagra online without prescription", "prescription drugs"),
        ("Online casino: free spins and a 200% deposit bonus!", "gambling"),
        ("Need a payday loan? Bad credit OK, apply today", "loans and credit"),
        ("Best essay writing service, order your term paper", "essay writing"),
        ("Buy instagram followers and youtube views, cheap", "search-engine and social-media"),
        ("Garcinia cambogia free trial, lose weight fast", "diet pills"),
    ],
)
def test_a_sales_pitch_for_a_spam_trade_scores_high(text: str, trade: str) -> None:
    (hit,) = hits(text)
    assert hit.symbol == "SPAM_TOPIC_SALE"
    assert hit.score >= SALE_SCORE
    assert trade in hit.detail


@pytest.mark.parametrize(
    "text",
    [
        "Order V1AGRA and C1AL1S here",  # leetspeak
        "Order v\u0456agra here",  # a Cyrillic і
        "Play at our c a s i n o, get a bonus",  # spaced out
        "ＣＨＥＡＰ ＶＩＡＧＲＡ",  # fullwidth
    ],
)
def test_obfuscated_spellings_are_read_as_the_word(text: str) -> None:
    assert [h.symbol for h in hits(text)] == ["SPAM_TOPIC_SALE"]


def test_a_term_with_a_link_is_a_sale_without_a_pitch_word() -> None:
    (hit,) = hits("tramadol http://rx.example/t")
    assert hit.symbol == "SPAM_TOPIC_SALE" and "with a link" in hit.detail


def test_a_mention_without_a_pitch_or_link_is_mild_evidence() -> None:
    (hit,) = hits("The FDA approved Viagra in 1998 and it changed the drug industry.")
    assert hit.symbol == "SPAM_TOPIC" and hit.score == MENTION_SCORE
    assert hit.detail == "Mentions prescription drugs (viagra)."


@pytest.mark.parametrize(
    "text",
    [
        "I had to buy pills for my dog at the vet, they were not cheap!",  # weak words + pitch
        "Great article about student loans and credit, I wish I had read it before.",
        "Love you, see you tomorrow xxx",  # a kiss, not adult content
        "Judi Dench was wonderful in that film.",
        "",
    ],
)
def test_everyday_words_of_a_trade_are_not_evidence(text: str) -> None:
    assert hits(text) == []


def test_a_prescription_is_not_a_pitch() -> None:
    assert [h.symbol for h in hits("My doctor wrote me a prescription for Viagra.")] == [
        "SPAM_TOPIC"
    ]


def test_everyday_words_need_a_pitch_a_link_and_a_second_term() -> None:
    assert hits("cheap pills at http://x.example") == []
    (hit,) = hits("cheap pills and meds at http://x.example")
    assert hit.symbol == "SPAM_TOPIC_SALE"


def test_one_hit_for_the_strongest_trade() -> None:
    found = hits("casino and viagra and payday loans, buy now")
    assert len(found) == 1 and found[0].symbol == "SPAM_TOPIC_SALE"


def test_lexicon_terms_are_kept_as_the_signal_reads_text() -> None:
    """Terms are normalised like the text ("bet365" is read "bete6s"), so each one matches
    itself written in a comment, and pitch words are single words."""
    lex = lexicon()
    word = re.compile(r"\w+")
    for first, entries in lex.by_first_word.items():
        for entry in entries:
            text = " ".join(entry.phrase)
            assert entry.phrase and entry.phrase[0] == first
            assert tuple(word.findall(normalise_for_model(text, 200))) == entry.phrase, text
            assert entry.strength in Strength
    assert all(len(word.findall(p)) == 1 for p in lex.pitch)
    assert [h.symbol for h in hits("bet365 and 1xbet, sign up for the bonus")] == [
        "SPAM_TOPIC_SALE"
    ]
    assert set(lex.labels) >= {"pharma", "gambling", "loans", "adult"}


@pytest.mark.parametrize(
    ("text", "trade"),
    [
        ("QuickBooks error 6123? Contact our QuickBooks support online", "tech-support"),
        ("Join the best Python training in Chennai, 100% placement", "training institutes"),
        ("Watch free movies online in HD at our site, click here", "free-movie streaming"),
        ("Trusted packers and movers, call for a discount", "local services"),
        ("Cheap essay writers: do my homework today", "essay writing"),
        ("Nice post. I also wrote about mod apk games here https://modapk.example", "modded apps"),
        ("Get free robux now, no human verification https://robux.example", "modded apps"),
    ],
)
def test_the_trades_of_blog_comment_spam_are_sales(text: str, trade: str) -> None:
    (hit,) = hits(text)
    assert hit.symbol == "SPAM_TOPIC_SALE"
    assert trade in hit.detail


@pytest.mark.parametrize(
    "text",
    [
        "I called the toll free number twice and nobody answered.",
        "My printer is offline again after the update, any idea?",
        "The training in Chennai was postponed because of the floods.",
        "We watched the movie online with the kids; the streaming was fine.",
        "I built the APK with gradle and installed it on my phone, it works.",
        "As a mod, I can move comments to chat from the mod menu: click the link.",
    ],
)
def test_readers_talking_about_those_things_are_not_sales(text: str) -> None:
    assert all(h.symbol != "SPAM_TOPIC_SALE" for h in hits(text))


@pytest.mark.parametrize(
    ("text", "channel"),
    [
        (
            "I lost $86,000 to a fake platform until a crypto recovery expert got it back. "
            "Contact them via email: spywallrecovery@gmail.com",
            "with an e-mail address",
        ),
        (
            "Do you need a loan to pay your bills? We offer loans at 2% interest. "
            "Contact us: fastloanfinance@gmail.com",
            "with an e-mail address",
        ),
        (
            "Dr Oduduwa the great spell caster brought my husband back. "
            "WhatsApp him on +234 801 234 5678",
            "with a phone number",
        ),
        ("Hire a hacker to catch a cheating spouse: hackerjohn99 at gmail dot com", ""),
        ("Situs toto terpercaya, daftar sekarang https://toto4d.example", "with a link"),
        (
            "I invested $1,000 with Mrs Sandra Williams and got $12,500 in two weeks. She is a "
            "certified bitcoin trader. Reach her on WhatsApp +1 (415) 555-0123.",
            "with a phone number",
        ),
    ],
)
def test_recovery_loan_hacker_and_gambling_pitches_are_sales(text: str, channel: str) -> None:
    (hit,) = hits(text)
    assert hit.symbol == "SPAM_TOPIC_SALE" and hit.score >= SALE_SCORE
    assert channel in hit.detail


@pytest.mark.parametrize(
    "text",
    [
        "Be careful, scammers in these comments offer crypto recovery. Do not contact them.",
        "Anyone offering to hire a hacker for you is a scammer; call the police instead.",
        "My student loan and car loan payments went up; I had to call the bank twice.",
    ],
)
def test_asking_to_get_in_touch_without_a_way_to_do_it_sells_nothing(text: str) -> None:
    assert all(h.symbol != "SPAM_TOPIC_SALE" for h in hits(text))


def test_contact_words_are_kept_as_the_signal_reads_text() -> None:
    lex = lexicon()
    assert {"contact", "call", "whatsapp"} <= lex.contact
    assert not lex.contact & lex.pitch
