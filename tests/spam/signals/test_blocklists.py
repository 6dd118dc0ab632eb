"""SmokeDetector's blocklists: listed sites and numbers fire, readers' links and numbers do not."""

from __future__ import annotations

import pytest

from rejoinder.core.records.verdict import Hit
from rejoinder.spam.signals.blocklisted_numbers import (
    BlocklistedNumberSignal,
    forms,
    number_list,
)
from rejoinder.spam.signals.blocklisted_sites import (
    SCORE,
    BlocklistedSiteSignal,
    parse,
    plain_domain,
    required_literal,
    site_list,
)
from rejoinder.spam.submission import Submission
from tests.support.timing import best_of


def sites(content: str = "", **fields: str) -> list[Hit]:
    return BlocklistedSiteSignal().evaluate(
        Submission.from_fields({"comment_content": content, **fields})
    )


def numbers(content: str, **fields: str) -> list[Hit]:
    return BlocklistedNumberSignal().evaluate(
        Submission.from_fields({"comment_content": content, **fields})
    )


# --- sites ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "host"),
    [
        ("Great post! More at http://www.mindmajix.com/python-training", "www.mindmajix.com"),
        ('Thanks <a href="https://tekslate.com/">tekslate</a>', "tekslate.com"),
        ("see [this](https://blog.cromacampus.com/x) course", "blog.cromacampus.com"),
        ("[url=http://assignmentcamp.com]help[/url]", "assignmentcamp.com"),  # entry \.co
        ("call them: https://fita.in/ for java", "fita.in"),  # \Wfita\.in\W
        ("visit http://healthyguide.net/pills", "healthyguide.net"),  # healthy?(?:…|guide)
        ("https://vk.com/lpanasenko1 is great", "vk.com"),  # an account path
        ("http://EKEEDA.com/course", "ekeeda.com"),  # whole-name entry, any case
    ],
)
def test_a_link_to_a_listed_site_fires_and_names_the_host(text: str, host: str) -> None:
    (hit,) = sites(text)
    assert hit.symbol == "BLOCKLISTED_SITE"
    assert hit.score == SCORE
    assert host in hit.detail


def test_the_author_url_alone_fires() -> None:
    (hit,) = sites("Nice article, thanks.", comment_author_url="https://www.janbasktraining.com")
    assert "author's web site www.janbasktraining.com" in hit.detail


@pytest.mark.parametrize(
    "url",
    [
        "https://en.wikipedia.org/wiki/Regular_expression",
        "https://github.com/python/cpython/pull/1",
        "https://docs.python.org/3/library/re.html",
        "https://stackoverflow.com/questions/1/x",
        "https://www.bbc.co.uk/news/technology-1",
        "https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        "https://notekeeda.com/",  # ekeeda.com only as a whole name
        "https://predictway.com.example/",  # a listed name inside another domain
        "https://healthfinder.gov/",  # `finder` was taken out of healthy?(…)
        "https://preply.com/en/",  # left out: a legitimate company
        "https://www.reddit.com/r/grammy2017awards/",  # left out: a subreddit
        "https://www.nvidia.com/download/official-driver",  # a fragment in a path
        "http://192.168.1.1/",  # an IP host is never looked up
    ],
)
def test_readers_links_do_not_fire(url: str) -> None:
    assert sites(f"See {url} for details.") == []
    assert sites("Me.", comment_author_url=url) == []


@pytest.mark.parametrize(
    ("entry", "domain"),
    [
        (r"predictway\.com", "predictway.com"),
        (r"SELLCVV\.SHOP", "sellcvv.shop"),
        (r"\b(?<![^\W_]-)ning\.com(?![.-][^\W_])\b", "ning.com"),
        (r"loufida\.com(?#a comment)", "loufida.com"),
        (r"kalimadedot\.blogspot", ""),  # no public suffix: a pattern
        (r"smartfixer\.(?:net|org)", ""),
    ],
)
def test_plain_domains_are_told_from_patterns(entry: str, domain: str) -> None:
    assert plain_domain(entry) == domain


@pytest.mark.parametrize(
    ("pattern", "needs"),
    [
        (r"healthy?(?:advise|guide)", "health"),
        (r"\Wfita\.in\W", "fita.in"),
        (r"fifa\d*online", "online"),
        (r"(?:premium|priceless)-inkjet\.com", "-inkjet.com"),
        (r"diwaliimages\d{1,3}\.in", "diwaliimages"),
        (r"a|b", ""),
    ],
)
def test_required_literal(pattern: str, needs: str) -> None:
    assert required_literal(pattern) == needs


def test_parse_sorts_entries_into_domains_and_patterns() -> None:
    listed = parse(["# header", "", r"spam\.example\.com", r"junk(?:a|b)", r"t\.me/spammer"])
    assert listed.domains == {"spam.example.com"}
    assert listed.matches("http://x.spam.example.com/") == "x.spam.example.com"
    assert listed.matches("https://junkb.org/") == "junkb.org"
    assert listed.matches("https://t.me/spammer") == "t.me"
    assert listed.matches("https://t.me/someone") == ""


def test_the_shipped_list_loads_thousands_of_entries() -> None:
    listed = site_list()
    assert len(listed.domains) > 2_500
    assert "preply.com" not in listed.domains


@pytest.mark.parametrize(
    "fields",
    [
        {"comment_content": "http://" + "a" * 100_000},
        {"comment_content": "http://[::1 http://%zz/ http:// www. //"},
        {"comment_content": "x", "comment_author_url": "http://[::1"},
        {"comment_content": " ".join(f"http://h{i}.example.xyz/p" for i in range(10_000))},
        {"comment_content": "\x00" * 10_000, "comment_author_url": "\ufffd" * 5_000},
    ],
)
def test_bad_input_is_fast_and_never_raises(fields: dict[str, str]) -> None:
    signal = BlocklistedSiteSignal()
    signal.warm_up()
    sub = Submission.from_fields(fields)
    run = best_of(lambda: signal.evaluate(sub), under_ms=50)
    assert run.value == []
    assert run.cpu_ms < 50


def test_a_comment_with_links_costs_well_under_a_millisecond() -> None:
    signal = BlocklistedSiteSignal()
    signal.warm_up()
    sub = Submission.from_fields(
        {
            "comment_content": "See https://docs.python.org/3/ and https://github.com/a/b and "
            "https://en.wikipedia.org/wiki/X",
            "comment_author_url": "https://jane.example.org/",
        }
    )
    run = best_of(lambda: [signal.evaluate(sub) for _ in range(100)], under_ms=100)
    assert run.cpu_ms / 100 < 1.0


# --- numbers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Call +1 (844) 550 9222 for help",  # as listed
        "Call 844.550.9222 now",  # dotted, no country code
        "Call 1 844 550 9222 now",  # spaced
        "support 1-8OO-826-8068",  # the letter O for zero (listed 1-800-826-8068)
        "WhatsApp +971 56 421 2067",  # listed as 0564212067
        "call 0564212067",
        "Ring 00971564212067 today",  # 00 for +
    ],
)
def test_a_listed_number_fires_in_every_form(text: str) -> None:
    (hit,) = numbers(text)
    assert hit.symbol == "BLOCKLISTED_NUMBER"
    assert hit.score == 5.0
    assert "SmokeDetector" in hit.detail


def test_a_listed_number_in_the_author_name_fires() -> None:
    (hit,) = numbers("Thanks!", comment_author="Printer help +1-888-787-9274")
    assert "18887879274" in hit.detail


@pytest.mark.parametrize(
    "text",
    [
        "Call me on 555 123 4567 about the event.",  # a number, not listed
        "It ran at 2024-03-15 10:15:02 and took 12.345 s; version 3.11.4.",
        "The house sold for $1,299,000 in 2019 (listing 2019/03/15).",
        "Order 7789936 shipped",  # listed, but only 7 digits: never compared
        "Account 9100055599",  # like a listed number, one digit apart
        "",
    ],
)
def test_other_numbers_dates_prices_and_versions_do_not_fire(text: str) -> None:
    assert numbers(text) == []


def test_forms_of_one_number() -> None:
    assert forms("18445509222") == {"18445509222", "8445509222"}
    assert forms("00971564212067") == {"971564212067", "564212067"}
    assert forms("0564212067") == {"0564212067", "564212067"}
    assert forms("7827765304") == {"7827765304"}  # 7 + 9 digits is not a Russian number
    assert forms("9100055546") == {"9100055546"}  # 91 + 8 digits is too short
    assert forms("7789936") == set()


def test_the_shipped_number_list_has_no_short_forms() -> None:
    listed = number_list()
    assert len(listed) > 2_000
    assert min(map(len, listed)) >= 9


@pytest.mark.parametrize("text", ["1" * 1_000_000, "+1 (" * 200_000, "8" * 14 + " " * 10_000])
def test_bad_numbers_are_fast_and_never_raise(text: str) -> None:
    signal = BlocklistedNumberSignal()
    signal.warm_up()
    sub = Submission.from_fields({"comment_content": text})
    run = best_of(lambda: signal.evaluate(sub), under_ms=200)
    assert isinstance(run.value, list)
    assert run.cpu_ms < 200
