"""Comment HTML from other systems as rejoinder Markdown, and back without change."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rejoinder.comments.sanitize import clean_text, render_markdown
from rejoinder.migration.htmltext import html_to_markdown


def markdown(html: str) -> str:
    return clean_text(html_to_markdown(html), 1_000_000)


def again(md: str) -> str:
    """What an export to WXR (the rendered HTML) and an import of it make of the Markdown."""
    return markdown(render_markdown(md))


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("Hello", "Hello"),
        ("Line one\nLine two\n\nNew paragraph", "Line one\nLine two\n\nNew paragraph"),
        ("<p>Disqus <em>style</em></p><p>two &amp; three</p>", "Disqus *style*\n\ntwo & three"),
        ('See <a href="https://example.org/a b">this</a>', "See [this](https://example.org/a%20b)"),
        ('<a href="javascript:alert(1)">click</a>', "click"),
        ("<b>bold</b> and <i>it</i>", "**bold** and *it*"),
        ("<strong> spaced </strong>out", "**spaced** out"),
        ("use <code>a*b</code>", "use `a*b`"),
        ("<code> 1 </code>", "`  1  `"),  # CommonMark takes one space off each end
        ("<pre><code>x = `y`\n  indented\n</code></pre>", "```\nx = `y`\n  indented\n```"),
        ("<blockquote>quoted</blockquote>reply", "> quoted\n\nreply"),
        ("<ul><li>one</li><li>two</li></ul>", "- one\n- two"),
        ('<ol start="3"><li>three</li></ol>', "3. three"),
        ("2024. A year", "2024\\. A year"),
        ("- not a list\n> not a quote", "\\- not a list\n\\> not a quote"),
        ("snake_case *stars* [brackets] C:\\temp &lt;tag&gt; <unknown>", "snake\\_case \\*stars\\* \\[brackets\\] C:\\\\temp \\<tag>"),
        ("&amp;copy; stays", "\\&copy; stays"),
        ("<script>alert(1)</script>text", "text"),
        ('<img src="x.png" alt="a cat"> photo', "a cat photo"),
        ("x<br>y", "x\ny"),
    ],
)  # fmt: skip
def test_conversions(html: str, expected: str) -> None:
    assert markdown(html) == expected
    assert again(expected) == expected


def test_what_the_renderer_shows_is_the_text_typed() -> None:
    typed = "I don't *agree* with C:\\temp & <b>that</b> [link]"
    rendered = render_markdown(markdown(typed))
    assert rendered == "<p>I don't *agree* with C:\\temp &amp; <strong>that</strong> [link]</p>"


TEXT = st.text(alphabet=st.sampled_from(list("ab cd\n\n*_`[]()<>&#!-+.1)\\~|=:'\"é")), max_size=60)
TAGS = st.sampled_from(
    ["p", "strong", "em", "b", "i", "code", "blockquote", "br", "li", "ul", "ol", "pre", "span"]
)


@st.composite
def html_fragments(draw: st.DrawFn) -> str:
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        tag, inner = draw(TAGS), draw(TEXT)
        parts.append(f"<{tag}>" if tag == "br" else f"<{tag}>{inner}</{tag}>")
        parts.append(draw(TEXT))
    return "".join(parts)


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_typed_text_survives_an_export_round_trip(text: str) -> None:
    if html_to_markdown(text).strip():
        md = markdown(text)
        assert again(md) == md


@settings(max_examples=300, deadline=None)
@given(html_fragments())
def test_html_survives_an_export_round_trip(html: str) -> None:
    if html_to_markdown(html).strip():
        md = markdown(html)
        assert again(md) == md
