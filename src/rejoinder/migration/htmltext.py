"""Comment HTML from another system (WordPress, Disqus, Remark42) as rejoinder's Markdown.

A comment's source here is Markdown, rendered once by ``comments.sanitize.render_markdown``;
the text of an imported comment must be Markdown too, so that an edit or an export round trip
treats it like any other. The conversion keeps what the renderer can express — paragraphs,
line breaks, bold, italics, code, preformatted blocks, quotes, lists, links, rules — and turns
everything else into its text. Text that Markdown would read as markup is escaped.

Converting the HTML this module's own output renders to gives the same Markdown back, so an
export to WXR (which carries the rendered HTML) and an import of it are lossless.

WordPress stores a comment as typed: line breaks are meaningful (``wpautop`` turns a blank line
into a paragraph and a newline into ``<br>``) and only inline tags appear. Text with block tags
(``<p>``, ``<br>``, lists…) is read as HTML, where line breaks are just spaces.

The parser is in ``htmlconvert.py``, the Markdown it writes in ``mdsyntax.py`` and
``emphasis.py``.
"""

from __future__ import annotations

import re

from rejoinder.migration.htmlconvert import Converter

_HAS_BLOCKS_RE = re.compile(r"<(?:p|br|div|ul|ol|li|blockquote|pre|h[1-6]|table|hr)\b", re.I)


def has_html_blocks(text: str) -> bool:
    """Whether the text is HTML with block structure (else: WordPress-style typed text)."""
    return bool(_HAS_BLOCKS_RE.search(text))


def html_to_markdown(text: str, *, typed: bool | None = None) -> str:
    """The comment as Markdown. ``typed``: line breaks are meaningful (WordPress' stored
    comments); by default, whenever the text has no block tags."""
    newlines = not has_html_blocks(text) if typed is None else typed
    converter = Converter(newlines)
    if "<" not in text and "&" not in text:  # no markup at all: no parser needed
        converter.handle_data(text)
        return converter.markdown()
    try:
        converter.feed(text)
        return converter.markdown()
    except AssertionError:  # markup html.parser gives up on (`<![x`): all of it is text
        plain = Converter(newlines)
        plain.handle_data(text)
        return plain.markdown()
