"""Rendering imported comments quickly: most are plain sentences, which need no Markdown parser.

``render`` gives exactly what ``comments.sanitize.render_markdown`` gives (a test compares the
two on generated text): paragraphs and line breaks of text with no character Markdown or HTML
treats specially are written directly; anything else goes to ``render_markdown``. It makes an
import of 100,000 comments several times faster (bench/import_speed.py).
"""

from __future__ import annotations

import re

from rejoinder.comments.sanitize import render_markdown

# Characters that never need Markdown's attention: not its punctuation, not HTML's, no
# whitespace but spaces and newlines, nothing html5ever writes as an entity (no-break space).
_PLAIN_RE = re.compile(
    r"^[^\\`*_\[\]<>&~|{}\t\r\x0b\x0c\x00-\x08\x0e-\x1f\x7f\u00a0\u2028\u2029]*$"
)
# A line that could start a block (list, quote, rule, heading, fence, indented code).
_BLOCK_START_RE = re.compile(r"^(?:[ #=+\-]|\d{1,9}[.)])")
_BLANK_RE = re.compile(r"\n(?: *\n)+")


def fast_html(text: str) -> str | None:
    """The HTML of plain text, or None when the text needs the Markdown parser."""
    if not _PLAIN_RE.match(text) or "\n " in text or " \n" in text or text != text.strip():
        return None
    paragraphs = []
    for paragraph in _BLANK_RE.split(text):
        lines = paragraph.split("\n")
        if any(_BLOCK_START_RE.match(line) for line in lines):
            return None
        paragraphs.append("<p>" + "<br>\n".join(lines) + "</p>")
    return "\n".join(paragraphs)


def render(text: str) -> str:
    """``render_markdown(text)``, without the parser when the text is plain."""
    found = fast_html(text)
    return render_markdown(text) if found is None else found
