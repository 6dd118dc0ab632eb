"""Submission: normalised text, links, e-mails, IPs, dates and extras from Akismet fields."""

from __future__ import annotations

import ipaddress
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rejoinder.core.urls import url_host
from rejoinder.spam.linktext import extract_links
from rejoinder.spam.submission import (
    Submission,
    extract_emails,
    parse_date,
    parse_ip,
    parse_seconds,
)


def test_text_is_nfkc_with_invisibles_noted_and_stripped() -> None:
    sub = Submission(content="ｆｒｅｅ v\u200biag\u200dra \u202eevil\u202c &amp; more")
    assert sub.text == "free viagra evil & more"
    assert sub.invisible_chars == 4
    assert sub.bidi_controls == 2
    assert "\u200b" in sub.content  # the original is kept as sent


def test_links_from_every_notation_and_the_author_url() -> None:
    sub = Submission(
        content=(
            "Plain http://plain.example/a, www.bare.example and "
            '<a href="https://anchor.example/x">x</a> [url=http://bb.example]y[/url] '
            "[url]http://bb2.example/z[/url] and [md](https://md.example/p)."
        ),
        author_url="http://author.example",
    )
    hosts = {url_host(u) for u in sub.all_urls}
    assert hosts == {"plain.example", "www.bare.example", "anchor.example", "bb.example",
                     "bb2.example", "md.example", "author.example"}  # fmt: skip
    counts = sub.link_counts
    assert (counts.anchors, counts.bbcode, counts.markdown) == (1, 2, 1)
    assert counts.plain == 2  # the URLs inside the markup are not counted again
    assert "http://plain.example/a" in sub.urls  # trailing comma dropped


@pytest.mark.parametrize(
    ("content", "total"),
    [
        ('<a href="https://a.example/x">the post</a>', 1),
        ('<a href="http://a.example/x" rel="nofollow">http://a.example/x</a>', 1),  # autolink
        ("[the docs](https://docs.example/x)", 1),
        ("[url=http://a.example]a[/url] and [url]http://b.example[/url]", 2),
        ('<a href="https://a.example/x">x</a> and then https://b.example/y', 2),
        ("https://a.example/x and again https://a.example/x", 2),  # written twice: two links
    ],
)
def test_each_link_is_counted_once_however_it_is_written(content: str, total: int) -> None:
    assert Submission(content=content).url_total == total


@pytest.mark.parametrize(
    "content",
    [
        '<a href="http://a.example/x" rel="nofollow">http://a.example/x</a>',
        '<a href="https://www.a.example/x/">a.example/x</a>',
    ],
)
def test_an_anchor_that_shows_its_own_url_is_a_plain_link(content: str) -> None:
    """An autolink is how a blog writes a pasted URL, not keyword anchor text."""
    counts = Submission(content=content).link_counts
    assert (counts.anchors, counts.plain) == (0, 1)
    keyword = Submission(content='<a href="http://a.example/x">cheap flights</a>').link_counts
    assert (keyword.anchors, keyword.plain) == (1, 0)


def test_links_to_a_skipped_host_are_left_out_of_the_counts() -> None:
    text = (
        '<a href="https://myblog.example/p">my post</a> https://www.myblog.example/q '
        "http://cdn.myblog.example/r https://notmyblog.example/s [x](https://other.example/t)"
    )
    urls, counts = extract_links(text, skip_host="myblog.example")
    assert (counts.anchors, counts.markdown, counts.plain) == (0, 1, 1)
    assert len(urls) == 5  # every URL is still kept for the other signals


def test_ten_thousand_urls_are_counted_but_capped() -> None:
    sub = Submission(content=" ".join(f"http://h{i}.example/" for i in range(10_000)))
    assert sub.url_total == 10_000
    assert len(sub.urls) == 500


def test_emails_in_body() -> None:
    assert extract_emails("mail ME@Example.com or x.y+z@sub.example.org.") == [
        "me@example.com", "x.y+z@sub.example.org"
    ]  # fmt: skip
    assert extract_emails("a@b") == []
    assert extract_emails("x" * 100 + "@example.com") == []  # a local part over 64 characters


def test_ipv4_ipv6_and_their_odd_spellings() -> None:
    assert parse_ip("203.0.113.9") == ipaddress.ip_address("203.0.113.9")
    assert parse_ip("203.0.113.9:8080") == ipaddress.ip_address("203.0.113.9")
    assert parse_ip("[2001:db8::1]:443") == ipaddress.ip_address("2001:db8::1")
    assert parse_ip("fe80::1%eth0") == ipaddress.ip_address("fe80::1")
    assert parse_ip("::ffff:198.51.100.4") == ipaddress.ip_address("198.51.100.4")
    assert parse_ip("198.51.100.4, 10.0.0.1") == ipaddress.ip_address("198.51.100.4")
    assert parse_ip("not an ip") is None
    assert parse_ip("") is None


def test_every_date_format_of_the_akismet_clients() -> None:
    want = datetime(2015, 10, 2, 18, 56, 5, tzinfo=UTC)
    for text in ("2015-10-02 18:56:05", "2015-10-02T18:56:05", "2015-10-02T18:56:05+00:00",
                 "2015-10-02T18:56:05.000Z", "2015-10-02T20:56:05+02:00", "1443812165",
                 "1443812165000", "Fri, 02 Oct 2015 18:56:05 +0000"):  # fmt: skip
        assert parse_date(text) == want, text
    assert parse_date("2015-10-02") == datetime(2015, 10, 2, tzinfo=UTC)
    assert parse_date("0000-00-00 00:00:00") is None
    assert parse_date("yesterday") is None
    assert parse_date("") is None


def test_from_fields_keeps_extras_and_reads_the_widget_contract() -> None:
    sub = Submission.from_fields(
        {"blog": "https://b.example", "comment_content": "hi", "user_ip": "2001:db8::5",
         "comment_date_gmt": "2025-01-01T12:00:00.000Z", "blog_lang": "en_US, fr_ca",
         "comment_post_modified_gmt": "2020-01-01 00:00:00", "honeypot_field_name": "hp",
         "hp": "", "form_age_seconds": "12.5", "POST_ak_js": "123", "is_test": "0"}
    )  # fmt: skip
    assert sub.ip == ipaddress.ip_address("2001:db8::5")
    assert sub.created_at == datetime(2025, 1, 1, 12, tzinfo=UTC)
    assert sub.post_modified_at == datetime(2020, 1, 1, tzinfo=UTC)
    assert sub.extra == {"honeypot_field_name": "hp", "hp": "", "form_age_seconds": "12.5",
                         "POST_ak_js": "123"}  # fmt: skip
    assert sub.form_age_seconds == 12.5
    assert sub.blog_languages == ["en", "fr"]
    assert sub.is_test is False


def test_form_age_rejects_nonsense() -> None:
    for bad in ("", "abc", "-1", "nan", "inf", None):
        assert parse_seconds(bad) is None
    assert parse_seconds(" 0.25 ") == 0.25


@given(st.text(max_size=300))
def test_parsers_never_raise(text: str) -> None:
    parse_date(text)
    parse_ip(text)
    parse_seconds(text)
    url_host(text)
    Submission.from_fields({"comment_content": text, "comment_author_url": text, "user_ip": text})
