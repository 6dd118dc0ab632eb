"""Plain text rendered without the Markdown parser is exactly what the parser would give."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rejoinder.comments.sanitize import clean_text, render_markdown
from rejoinder.errors import ValidationFailed
from rejoinder.migration.render import fast_html, render

ALPHABET = st.sampled_from(
    [*"ab cd\n\n.,;:!?'\"()/%$@+=-#0123456789éß—“”", "\u00a0", "\t", "*", "&", "<", "_"]
)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=80))
def test_the_fast_path_renders_as_the_parser_does(text: str) -> None:
    try:
        text = clean_text(text, 10_000)
    except ValidationFailed:
        return
    found = fast_html(text)
    if found is not None:
        assert found == render_markdown(text)
    assert render(text) == render_markdown(text)


@pytest.mark.parametrize(
    ("text", "fast"),
    [
        ("Thanks, this helped.\nA lot.\n\nSecond paragraph", True),
        ('He said "hi" (twice) #tag 50% off', True),
        ("- a list", False),
        ("1. ordered", False),
        ("**bold**", False),
        ("a & b", False),
        ("    indented code", False),
    ],
)
def test_which_texts_take_the_fast_path(text: str, fast: bool) -> None:
    assert (fast_html(text) is not None) == fast
    assert render(text) == render_markdown(text)
