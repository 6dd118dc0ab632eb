"""The link-topic signal: a web address that names a spam trade is evidence; ordinary sites and
run-together words that only contain a trade's letters are not."""

from __future__ import annotations

import pytest

from rejoinder.core.records.verdict import Hit
from rejoinder.spam.signals.link_topics import SCORE, LinkTopicSignal, host_words, vocabulary
from rejoinder.spam.submission import Submission
from tests.support.timing import best_of

PRAISE = "Very nice post. I just stumbled upon your blog and wanted to say I enjoyed it."


def hits(content: str = PRAISE, **fields: str) -> list[Hit]:
    sub = Submission.from_fields({"comment_content": content, **fields})
    return LinkTopicSignal().evaluate(sub)


@pytest.mark.parametrize(
    "author_url",
    [
        "https://www.casino-online-bonus.de/",
        "https://replicawatchesuk.co/",
        "https://tiffany.example/payday-loans-online",
        "http://slotgacor88.xyz/",
        "https://www.ketodietpills-review.net/",
        "https://hpprintersupport-help.com/",
        "https://pythontraininginchennai.in/",
        "https://essaywriters-pro.com/order",
    ],
)
def test_a_commenters_web_address_that_names_a_trade_is_evidence(author_url: str) -> None:
    (hit,) = hits(comment_author_url=author_url)
    assert hit.symbol == "LINK_SPAM_TOPIC"
    assert hit.score == SCORE
    assert "web address" in hit.detail


def test_a_linked_sites_name_counts_but_not_its_path() -> None:
    (hit,) = hits("Great read, see https://www.casino-bonus-online.com/ for more")
    assert "linked site" in hit.detail and "gambling" in hit.detail
    assert hits("The council voted: https://news.example.org/2024/casino-licence-vote") == []


@pytest.mark.parametrize(
    "author_url",
    [
        "https://specialist.example.com/",  # contains "cialis"
        "https://ambientmusic.org/",  # starts with "ambien"
        "https://replicated.io/",
        "https://janedoe.dev/",
        "https://github.com/weichen",
        "https://docs.python.org/3/library/functools.html",
        "https://www.bbc.co.uk/news/business-123",
        "https://192.0.2.7/",
        "not a url at all",
        "",
    ],
)
def test_ordinary_addresses_are_not_evidence(author_url: str) -> None:
    assert hits(comment_author_url=author_url) == []


def test_the_commenters_own_path_is_read_even_on_a_known_site() -> None:
    # The commenter chose this address as "their site", so its path is read as the words it
    # says; that is why only a trade's strong terms count.
    assert hits(comment_author_url="https://en.wikipedia.org/wiki/Online_casino") != []


def test_run_together_labels_split_only_into_known_words() -> None:
    vocab = vocabulary()
    assert host_words("replicawatchesuk.co", vocab) == ["replica", "watches", "uk"]
    assert host_words("specialist.com", vocab) == ["specialist"]
    assert host_words("www.casino-online-bonus.co.uk", vocab) == ["casino", "online", "bonus"]
    assert host_words("shop.cheap-pills.example", vocab)[:1] == ["shop"]
    assert host_words("10.0.0.1", vocab) == []


@pytest.mark.parametrize(
    "author_url",
    [
        "http://" + "a" * 5000 + ".com/",
        "http://x.com/" + "casino" * 10_000,
        "http://[::1",
        "\x00" * 999,
    ],
)
def test_bad_input_is_fast_and_never_raises(author_url: str) -> None:
    run = best_of(lambda: hits(comment_author_url=author_url), under_ms=20)
    assert isinstance(run.value, list)
    assert run.cpu_ms < 20
