"""Author names that are link text or keywords, with a web address to link to, are evidence;
people's names, and any name without a web address, are not."""

from __future__ import annotations

import pytest

from rejoinder.core.records.verdict import Hit
from rejoinder.spam.signals.author_names import (
    LINK_TEXT_SCORE,
    TOPIC_SCORE,
    AuthorNameSignal,
)
from rejoinder.spam.submission import Submission
from tests.support.timing import best_of

URL = "http://www.example-shop.com/"


def hits(author: str, url: str = URL) -> list[Hit]:
    fields = {
        "comment_content": "I just want to say I am new to blogging.",
        "comment_author": author,
    }
    return AuthorNameSignal().evaluate(
        Submission.from_fields({**fields, "comment_author_url": url})
    )


@pytest.mark.parametrize(
    "author",
    ["click here", "Look Here", "our website", "read this article", "important link",
     "learn this here now", "homepage", "go to my blog", "you can look here", "explanation"],
)  # fmt: skip
def test_link_text_as_the_name_is_evidence(author: str) -> None:
    (hit,) = hits(author)
    assert hit.symbol == "AUTHOR_NAME_LINK_TEXT"
    assert hit.score == LINK_TEXT_SCORE
    assert author in hit.detail


@pytest.mark.parametrize(
    "author",
    ["Technology", "Digital Marketing Agency", "Home Improvement", "Health & Fitness", "kitchen remodel ideas",
     "how to start a business", "Definition of Technology", "cheap plane tickets"],
)  # fmt: skip
def test_a_topic_or_keyword_as_the_name_is_evidence(author: str) -> None:
    (hit,) = hits(author)
    assert hit.symbol == "AUTHOR_NAME_TOPIC"
    assert hit.score == TOPIC_SCORE < LINK_TEXT_SCORE


@pytest.mark.parametrize(
    "author",
    ["Maria Lopez", "Jane Doe", "Art", "Grace", "Dave from Ohio", "lisa_k", "Tech Guy",
     "田中", "Wei Chen", "J. R. R. Tolkien", "Dr. Business-Smith"],
)  # fmt: skip
def test_peoples_names_are_not(author: str) -> None:
    assert hits(author) == []


def test_without_a_web_address_the_name_links_nowhere() -> None:
    assert hits("click here", url="") == []
    assert hits("Technology", url="") == []


@pytest.mark.parametrize("author", ["here " * 100_000, "\x00" * 10_000, "ß" * 500_000, ""])
def test_bad_input_is_fast_and_never_raises(author: str) -> None:
    sub = Submission.from_fields({"comment_author": author, "comment_author_url": URL})
    run = best_of(lambda: AuthorNameSignal().evaluate(sub), under_ms=20)
    assert isinstance(run.value, list)
    assert run.cpu_ms < 20
