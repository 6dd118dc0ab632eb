from __future__ import annotations

from rejoinder.spam.signals.links import LinkSignal
from rejoinder.spam.submission import Submission


def symbols(**fields: str) -> dict[str, float]:
    return {h.symbol: h.score for h in LinkSignal(limit=3).evaluate(Submission(**fields))}  # type: ignore[arg-type]


def test_a_plain_comment_fires_nothing() -> None:
    assert symbols(content="I liked the part about tomatoes; mine never ripen before October.",
                   author="Ann Smith", author_url="https://ann.example.org") == {}  # fmt: skip


def test_count_density_and_only_links() -> None:
    many = symbols(content=" ".join(f"see http://s{i}.example.com/" for i in range(6)))
    assert "LINKS_MANY" in many and "LINK_DENSITY_HIGH" in many
    assert "LINKS_ONLY" in symbols(content="http://a.example.com http://b.example.com")


def test_notation_and_destinations() -> None:
    found = symbols(content='<a href="http://1.2.3.4/x">x</a> [url=https://bit.ly/abc]y[/url] '
                    "and http://cheap.xyz/ and http://semalt.com/ plus a few real words here")  # fmt: skip
    for symbol in ("LINK_HTML_ANCHOR", "LINK_BBCODE", "LINK_IP_HOST", "LINK_SHORTENER",
                   "LINK_SUSPICIOUS_TLD", "LINK_KNOWN_SPAM_DOMAIN"):  # fmt: skip
        assert symbol in found, symbol


def test_the_author_url_counts_as_a_destination() -> None:
    assert "LINK_SHORTENER" in symbols(content="nice", author_url="http://tinyurl.com/x")


def test_author_name_as_url_or_keywords() -> None:
    assert "AUTHOR_NAME_URL" in symbols(author="www.cheap-pills.com")
    assert "AUTHOR_NAME_KEYWORDS" in symbols(author="cheap airline flights")
    assert symbols(author="Jean-Luc Picard") == {}
    assert symbols(author="Best") == {}  # one word: may be a real name


def test_no_single_link_hit_decides_alone() -> None:
    assert all(
        score < 3.73 for score in symbols(content=" ".join(["http://x.example"] * 50)).values()
    )


def site_symbols(content: str, site: str = "https://myblog.example") -> dict[str, float]:
    sub = Submission(content=content, site=site)
    return {h.symbol: h.score for h in LinkSignal(limit=3).evaluate(sub)}


def test_links_to_the_site_itself_are_not_advertising() -> None:
    own = (
        'As you wrote in <a href="https://myblog.example/2024/05/solar">May</a>, see also '
        "https://www.myblog.example/a https://myblog.example/b https://myblog.example/c"
    )
    assert site_symbols(own) == {}
    assert "LINK_HTML_ANCHOR" in site_symbols(own, site="https://elsewhere.example")
    assert "LINKS_MANY" in site_symbols(own, site="")


def test_outside_links_still_count_next_to_links_to_the_site() -> None:
    mixed = (
        "https://myblog.example/a https://myblog.example/b "
        + " ".join(f"http://pills{i}.example/" for i in range(4))
        + " http://bit.ly/x"
    )
    found = site_symbols(mixed)
    assert {"LINKS_MANY", "LINKS_ONLY", "LINK_SHORTENER"} <= set(found)
    assert found["LINKS_MANY"] == 1.0 + 0.3 * 2  # five outside links, not seven


def test_where_links_point_ignores_the_site_and_its_subdomains() -> None:
    found = site_symbols(
        "Photos at https://cdn.myblog.xyz/a.jpg and https://www.myblog.xyz/b, "
        "more about it at https://other.xyz/c",
        site="https://myblog.xyz",
    )
    assert found["LINK_SUSPICIOUS_TLD"] > 0
    only_own = site_symbols(
        "Photos at https://cdn.myblog.xyz/a.jpg and the post https://www.myblog.xyz/b itself",
        site="https://myblog.xyz",
    )
    assert "LINK_SUSPICIOUS_TLD" not in only_own


def test_call_centre_and_institute_names_read_as_keywords_ordinary_names_do_not() -> None:
    for name in ("HP Printer Support", "python training in chennai", "QuickBooks Customer"):
        assert "AUTHOR_NAME_KEYWORDS" in symbols(author=name), name
    for name in ("Steve Jobs", "María José García", "lisa_k", "Dave from Ohio", "Tom"):
        assert "AUTHOR_NAME_KEYWORDS" not in symbols(author=name), name


def test_advertising_link_text_to_another_site_is_a_keyword_anchor() -> None:
    site = "https://blog.example.com"
    for text in (
        'Thanks! <a href="https://institute.example.in/py">Python training in Chennai</a>',
        "[url=http://deals.example.net]cheap flights online[/url]",
        "Great post [cheap mattress deals](https://mattress.example.com/) review",
    ):
        found = symbols(content=text, site=site)
        assert found.get("LINK_KEYWORD_ANCHOR") == 2.0, text
    for text in (
        '<a href="https://blog.example.com/pricing">best prices</a> on this very site',
        '<a href="https://github.com/a/b">the code</a> and [docs](https://docs.python.org/3/)',
        "<a href=x>cheap",
        "[The Best Markdown Editor for Windows](https://www.sitepoint.com/best-markdown/)",
        "under [SE Terms of Service](https://stackoverflow.com/legal/terms-of-service)",
        "[" * 5000 + "best buy](",
    ):
        assert "LINK_KEYWORD_ANCHOR" not in symbols(content=text, site=site), text


def test_a_pingbacks_long_title_is_no_keyword_list_a_selling_one_is() -> None:
    title = "Monthly sales reports with pandas, part two | Data Notes"
    assert "AUTHOR_NAME_KEYWORDS" in symbols(author=title)
    assert "AUTHOR_NAME_KEYWORDS" not in symbols(author=title, comment_type="pingback")
    assert "AUTHOR_NAME_KEYWORDS" in symbols(author="Cheap essay writing", comment_type="trackback")
