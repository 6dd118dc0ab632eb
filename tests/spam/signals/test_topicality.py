"""The topicality signal: praise with a link to an unrelated site is mildly suspicious; a link
about the article, a link to the site itself, or an unknown article is not."""

from __future__ import annotations

import pytest

from rejoinder.core.records.verdict import Hit
from rejoinder.spam.signals.topicality import (
    AUTHOR_SCORE,
    SCORE,
    OffTopicSignal,
    article_words,
    business_word,
    url_words,
)
from rejoinder.spam.submission import Submission
from tests.support.timing import best_of

BLOG = "https://blog.example.com"
POST = BLOG + "/2024/03/pandas-groupby-tutorial/"


def hits(content: str, permalink: str = POST, **extra: str) -> list[Hit]:
    fields = {"blog": BLOG, "permalink": permalink, "comment_content": content, **extra}
    return OffTopicSignal().evaluate(Submission.from_fields(fields))


@pytest.mark.parametrize(
    "content",
    [
        "Thanks for sharing this tutorial, very informative! "
        "<a href='https://www.cheapflights-deals.com/'>cheap flights</a>",
        "Great article. I found this useful: https://www.acme-agency.com/web-development-services",
        "Really appreciate it [click here](https://best-mattress.example/deals)",
    ],
)
def test_praise_with_an_unrelated_link_is_off_topic(content: str) -> None:
    (hit,) = hits(content)
    assert hit.symbol == "OFF_TOPIC_LINK"
    assert hit.score == SCORE
    assert "nothing in the comment is about the article" in hit.detail


@pytest.mark.parametrize(
    "content",
    [
        "The docs: https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.groupby.html",
        "I wrote about grouping data too: https://janedoe.dev/posts/grouping",
        "Your groupby example fails on my machine, see https://gist.example.com/abc",
        "See the earlier part: https://blog.example.com/2024/02/intro/",  # the site itself
        "Great tutorial, thanks!",  # no link
    ],
)
def test_a_link_about_the_article_or_no_link_to_elsewhere_is_not(content: str) -> None:
    assert hits(content) == []


@pytest.mark.parametrize(
    "url",
    [
        "https://www.luxuryvillarentals-bali.com/",
        "https://www.topdigitalagency.co/",
        "http://kitchen-remodeling-services.example/",
    ],
)
def test_praise_whose_payload_is_a_business_address_is_off_topic(url: str) -> None:
    praise = "Great insights! This post really helped me understand the concept better."
    (hit,) = hits(praise, comment_author_url=url)
    assert hit.symbol == "OFF_TOPIC_AUTHOR_SITE" and hit.score == AUTHOR_SCORE
    assert "names a business" in hit.detail and "nothing in the comment" in hit.detail


@pytest.mark.parametrize(
    ("content", "url"),
    [
        ("Great insights! This post really helped me.", "https://janedoe.dev/"),  # a home page
        ("Great insights! This post really helped me.", "https://codingwithjane.com"),
        ("Your groupby example saved me a day.", "https://www.acme-rentals.example/"),  # on topic
        ("Great insights, thanks!", BLOG + "/about/"),  # the site itself
    ],
)
def test_a_readers_home_page_or_a_comment_on_topic_is_not(content: str, url: str) -> None:
    assert hits(content, comment_author_url=url) == []


def test_an_unknown_article_or_a_linkback_says_nothing_about_the_author_site() -> None:
    praise, url = "Great insights, thanks!", "https://www.luxuryvillarentals-bali.com/"
    assert hits(praise, permalink=BLOG + "/?p=123", comment_author_url=url) == []
    assert hits(praise, comment_author_url=url, comment_type="pingback") == []


def test_a_business_is_read_from_the_hosts_words() -> None:
    assert business_word("www.luxuryvillarentals-bali.com") == "rental"  # the first, sorted
    assert business_word("best-deals.example") in ("best", "deals")
    assert business_word("myworkshop.org") == ""  # "shop" hides in "workshop"
    assert business_word("github.com") == business_word("danluu.com") == ""


def test_the_title_counts_when_the_client_sends_it() -> None:
    content = "Useful, thanks. More at https://realpython.example/dataframes-explained"
    assert hits(content, permalink=BLOG + "/?p=123") == []  # article words unknown
    assert hits(content, permalink=BLOG + "/?p=123", post_title="Cooking with lentils") != []
    assert hits(content, permalink=BLOG + "/?p=123", post_title="Working with DataFrames") == []


def test_query_strings_and_ids_are_not_article_words() -> None:
    sub = Submission.from_fields({"permalink": "https://www.youtube.com/watch?v=9bZkp7q19f0"})
    assert article_words(sub) == {"watch"}
    assert url_words("https://www.cheap-flights.example/deals-today") >= {"cheap", "fligh"}


@pytest.mark.parametrize(
    "content",
    ["https://x.example/" + "a-" * 200_000, "<a " * 100_000, "http://" + "x" * 1_000_000],
)
def test_bad_input_is_fast_and_never_raises(content: str) -> None:
    fields = {"blog": BLOG, "permalink": POST + "z-" * 50_000, "comment_content": content}
    sub = Submission.from_fields(fields)
    run = best_of(lambda: OffTopicSignal().evaluate(sub), under_ms=50)
    assert isinstance(run.value, list)
    assert run.cpu_ms < 50
