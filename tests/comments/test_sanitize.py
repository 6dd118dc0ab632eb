"""Markdown and author fields made safe (D1, D3, D4, D5, D15, D16, D19)."""

from __future__ import annotations

import re
from functools import partial

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rejoinder.comments import sanitize
from rejoinder.errors import ValidationFailed
from rejoinder.settings import Settings
from tests.support.timing import timed

QUOTE_BREAKOUT = "http://x.com/?'onmouseover='alert(1)'x='"
TAG_RE = re.compile(r"<\s*/?\s*([a-zA-Z0-9]+)")


def tags_of(html: str) -> set[str]:
    return {t.lower() for t in TAG_RE.findall(html)}


@pytest.mark.parametrize(
    "source",
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "<svg onload=alert(1)>",
        "<a href='javascript:alert(1)'>x</a>",
        "<div><b>broken <i>nesting</b></div>",
        "<iframe src=//evil.example></iframe>",
        '"><script>alert(1)</script>',
        "<<script>script>alert(1)<</script>/script>",
    ],
)
def test_raw_html_never_survives(source: str) -> None:  # D3
    out = sanitize.render_markdown(source)
    assert tags_of(out) <= {"p"}, out
    assert "onerror=" not in out.replace("&lt;", "<") or "<img" not in out


@pytest.mark.parametrize(
    "source",
    [
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[x](vbscript:msgbox(1))",
        "[x](file:///etc/passwd)",
        "![x](javascript:alert(1))",
        "<javascript:alert(1)>",
    ],
)
def test_only_http_https_mailto_links(source: str) -> None:  # D4
    out = sanitize.render_markdown(source)
    for href in re.findall(r'href="([^"]*)"', out):
        assert href.split(":", 1)[0] in ("http", "https", "mailto"), out


def test_links_get_rel_and_allowed_markup_stays() -> None:
    out = sanitize.render_markdown(
        "**b** *i* `c` [l](https://example.com/a?b=1&c=2) [m](mailto:a@example.com)\n\n> q\n\n- x"
    )
    assert '<a href="https://example.com/a?b=1&amp;c=2" rel="nofollow ugc noopener">l</a>' in out
    assert 'href="mailto:a@example.com"' in out
    assert {"strong", "em", "code", "blockquote", "ul", "li", "a", "p"} <= tags_of(out)


def test_images_and_headings_are_not_rendered() -> None:
    out = sanitize.render_markdown("# Big\n\n![pixel](https://tracker.example/p.gif)")
    assert "<img" not in out and "<h1" not in out


@pytest.mark.parametrize("author", ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>'])
def test_author_and_website_quote_escaped(author: str) -> None:  # D1, D5
    fields = sanitize.clean_author_fields(author, "", QUOTE_BREAKOUT)
    assert fields.author == author  # stored as plain text
    assert "<script" not in fields.author_html and "<img" not in fields.author_html
    assert "'" not in fields.author_html.split('href="', 1)[1].split('"', 1)[0]
    assert "&#x27;onmouseover=&#x27;" in fields.author_html
    href = fields.author_html.split('href="', 1)[1].split('"', 1)[0]
    assert " " not in href and '"' not in href


@pytest.mark.parametrize(
    "website", ["javascript:alert(1)", "data:text/html,<script>", "ftp://x.example", "http://"]
)
def test_website_other_schemes_refused(website: str) -> None:
    with pytest.raises(ValidationFailed, match="http"):
        sanitize.clean_website(website)


def test_website_bare_host_gets_https() -> None:
    assert sanitize.clean_website("example.com/me") == "https://example.com/me"


def test_overlong_is_refused_with_numbers_never_truncated() -> None:  # D15
    with pytest.raises(ValidationFailed) as info:
        sanitize.clean_text("a" * 10_001, 10_000)
    assert "10001" in info.value.message and "10000" in info.value.message
    with pytest.raises(ValidationFailed, match="name"):
        sanitize.clean_author("n" * 101)
    with pytest.raises(ValidationFailed, match="website"):
        sanitize.clean_website("https://x.example/" + "a" * 500)


def test_four_byte_characters_round_trip() -> None:  # D16
    text = "emoji 😀🎉 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 <b>"
    assert sanitize.clean_text(text, 100) == text
    assert "😀🎉" in sanitize.render_markdown(text)
    assert sanitize.clean_author_fields("Zoë 🦊", "", "").author_html == "Zoë 🦊"


def test_control_characters_dropped_newlines_kept() -> None:
    assert sanitize.clean_text("a\x00b\r\nc\x1bd", 100) == "ab\ncd"
    assert sanitize.clean_author("Bob\r\nX-Injected: 1") == "Bob X-Injected: 1"


@pytest.mark.parametrize(
    "key", ["..", "a/../b", "%2e%2e", "a\x00b", "a\r\nb", "a/b", "", ".hidden", "a..b", "x" * 129]
)
def test_bad_thread_ids_are_refused_without_echo(key: str) -> None:  # D8
    with pytest.raises(sanitize.BadIdentifier) as info:
        sanitize.validate_thread_key(key)
    assert info.value.status == 400
    assert key not in info.value.message or key == ""


def test_thread_key_for_url_ignores_query_and_trailing_slash() -> None:
    a = sanitize.thread_key_for_url("https://blog.example.com/2024/post/?utm=1#c3")
    assert a == sanitize.thread_key_for_url("https://blog.example.com/2024/post")
    assert sanitize.validate_thread_key(a) == a


@given(st.text(max_size=300))
def test_rendered_markdown_never_has_active_content(source: str) -> None:
    out = sanitize.render_markdown(source)
    assert tags_of(out) <= sanitize.ALLOWED_TAGS
    assert not re.search(r"<[^>]+\son\w+\s*=", out)
    for href in re.findall(r'href="([^"]*)"', out):
        assert not href.lower().startswith(("javascript:", "data:", "vbscript:"))


PATHOLOGICAL = {
    "open brackets": "[",
    "open links": "[a](",
    "emphasis": "*a ",
    "underscores": "_a",
    "mixed markers": "*_[`",
    "entities": "&#",
    "angle brackets": "<",
    "autolinks": "<http://",
    "reference definitions": "[a]: ",
    "html comments": "<!--",
}


def _render_cpu_ms(source: str) -> float:
    """The least CPU time of three renderings (a lucky run shows the parser's real cost)."""
    return min(timed(partial(sanitize.render_markdown, source)).cpu_ms for _ in range(3))


@pytest.mark.parametrize("unit", list(PATHOLOGICAL.values()), ids=list(PATHOLOGICAL))
def test_pathological_markdown_renders_in_linear_time(unit: str) -> None:  # D19
    """Untrusted input never makes the renderer backtrack: at the default length limit it
    takes well under a second, and four times the text takes about four times as long (a
    quadratic parser would take sixteen)."""
    limit = Settings.model_fields["comment_max_length"].default
    short = unit * (limit // (4 * len(unit)))
    full = unit * (limit // len(unit))
    full_ms = _render_cpu_ms(full)
    assert full_ms < 1000, f"{len(full)} characters took {full_ms:.0f} ms"
    short_ms = max(_render_cpu_ms(short), 1.0)
    assert full_ms / short_ms < 10, (short_ms, full_ms)
