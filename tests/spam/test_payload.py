"""What a spammer gains from a comment: readers' plain words carry nothing, spam carries its
payload in many forms."""

from __future__ import annotations

import pytest

from rejoinder.spam.payload import carries_payload
from rejoinder.spam.submission import Submission
from tests.support.timing import best_of

READERS = [
    "Please make a video on this topic, it would help beginners a lot.",
    "How do I subscribe to your newsletter? I could not find the form on mobile.",
    "I have subscribed to your channel, the videos are very helpful.",
    "Very informative post. I learned a lot.",
    "Thanks, subscribed! Looking forward to the next part.",
    "In 2015 I used version 3 and it worked. Feel free to correct me.",
    "Did you win the Kaggle competition with this approach?",
    "Please reply, I have an exam tomorrow. The text is not visible on my phone.",
    "Sir please upload a video on recursion also. Your explanation is very easy to understand.",
]
SPAM = [
    "Great post! Visit kidsmediausa . com for more",
    "Call our helpline 1 8 0 0 5 5 5 0 1 9 9 now",
    "Free talk time, dial *158# to join",
    "Write to recovery.expert@protonmail.com for help",
    "Message me on WhatsApp for the details",
    "Hey guys check out my new channel, I make covers",
    "Please subscribe to my channel, sub4sub",
    "Help me get 50 subs please",
    "I earned $5,000 in a week with bitcoin trading",
    "WINNER! Reply CLAIM to receive your award",
    "Your tone costs 150p per msg",
    "Like & Subscribe /watch?v=abc",
    "สมัครวันนี้ รับเครดิตฟรี",
    "Требуется сотрудник, пишите в ЛС",
]


@pytest.mark.parametrize("text", READERS)
def test_a_readers_plain_words_carry_no_payload(text: str) -> None:
    assert not carries_payload(Submission(content=text))


@pytest.mark.parametrize("text", SPAM)
def test_spam_carries_its_payload_in_the_text(text: str) -> None:
    assert carries_payload(Submission(content=text))


def test_a_link_or_a_web_address_is_a_payload() -> None:
    assert carries_payload(Submission(content="Nice post", author_url="https://deals.example/"))
    assert carries_payload(Submission(content="Nice post https://deals.example/"))
    assert not carries_payload(Submission(content="Nice post"))


def test_a_reply_to_a_reader_by_name_is_no_handle_but_a_handle_on_a_platform_is() -> None:
    assert not carries_payload(Submission(content="@Ravi try restarting the kernel first."))
    assert carries_payload(Submission(content="Follow the expert on Instagram @fx_trader_amy"))
    assert carries_payload(Submission(content="Ask @fx_trader_amy on insta, she helped me"))


@pytest.mark.parametrize(
    "text",
    ["ab-" * 1333, "a" * 4000, "my " + " " * 3990 + "x", "word " * 800, "@" + "a" * 3999],
)
def test_the_scan_is_linear_even_on_crafted_text(text: str) -> None:
    """Every repeat is bounded: "ab-ab-…" took 278 ms when the domain label was unbounded."""
    assert best_of(lambda: carries_payload(Submission(content=text)), under_ms=25.0).cpu_ms < 25.0
