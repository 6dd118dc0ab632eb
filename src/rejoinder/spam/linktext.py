"""Links in a comment's text: plain URLs, HTML anchors, BBCode and Markdown, counted by how
they were written (``Submission.urls``, ``Submission.link_counts``).

Every regular expression here is linear in its input (bounded repeats, no nested
quantifiers), so 10 000 URLs cost milliseconds.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass

from rejoinder.core.urls import url_host

MAX_URLS = 500  # URLs kept for signals (all are counted)
_URL_RE = re.compile(r"""(?i)\b(?:https?://|www\.)[^\s<>"'\]\[)(]{1,2000}""")
_HREF_RE = re.compile(r"""(?i)<a\b[^<>]{0,500}?\bhref\s*=\s*["']?([^"'\s<>]{1,2000})""")
_BBCODE_RE = re.compile(r"(?i)\[url(?:=([^\[\]\s]{1,2000}))?\]([^\[]{0,2000})\[/url\]")
_MD_LINK_RE = re.compile(r"\[[^\[\]]{0,500}\]\(\s*([^)\s]{1,2000})")


@dataclass(frozen=True, slots=True)
class LinkCounts:
    """How the links of a comment were written."""

    anchors: int = 0  # <a href=…>
    bbcode: int = 0  # [url=…] / [url]…[/url]
    markdown: int = 0  # [text](url)
    plain: int = 0  # bare http(s):// or www.

    @property
    def total(self) -> int:
        return self.anchors + self.bbcode + self.markdown + self.plain


# Links written as markup, in LinkCounts' order, and how to read the URL from each match.
_MARKUP_LINKS: tuple[tuple[re.Pattern[str], Callable[[re.Match[str]], str]], ...] = (
    (_HREF_RE, lambda m: m.group(1)),
    (_BBCODE_RE, lambda m: m.group(1) or m.group(2).strip()),
    (_MD_LINK_RE, lambda m: m.group(1)),
)


def extract_links(text: str, skip_host: str = "") -> tuple[list[str], LinkCounts]:
    """URLs from HTML anchors, BBCode, Markdown and plain text, in order, without duplicates.

    Returns at most ``MAX_URLS`` URLs, and how many links of each kind were written (all
    counted). A URL inside a link's markup, or repeated as its visible text
    (``<a href="U">U</a>``, as WordPress writes autolinks), is one link, not two. With
    ``skip_host``, links to that host (or its subdomains) are left out of the counts.
    """
    found: list[str] = []
    spans: list[tuple[int, int]] = []
    marked_counts: list[int] = []  # anchors, BBCode, Markdown: LinkCounts' order
    autolinks = 0  # anchors that show their own URL: plain links, as a blog writes them
    for regex, url_of in _MARKUP_LINKS:
        count = 0
        for match in regex.finditer(text):
            url = url_of(match)
            found.append(url)
            spans.append(match.span())
            counted = 0 if _on_host(url, skip_host) else 1
            if regex is _HREF_RE and _shows_own_url(text, match.end(), url):
                autolinks += counted
            else:
                count += counted
        marked_counts.append(count)
    marked = set(found)
    starts, ends = _sorted_spans(spans)
    plain = 0
    for match in _URL_RE.finditer(text):
        url = match.group(0).rstrip(".,;:!?")
        found.append(url)
        if url not in marked and not _covered(match.start(), starts, ends):
            plain += 0 if _on_host(url, skip_host) else 1
    seen: set[str] = set()
    unique: list[str] = []
    for url in found:
        if url and url not in seen and len(unique) < MAX_URLS:
            seen.add(url)
            unique.append(url)
    anchors, bbcode, markdown = marked_counts
    return unique, LinkCounts(anchors, bbcode, markdown, plain + autolinks)


def _shows_own_url(text: str, tag_end: int, url: str) -> bool:
    """Whether the anchor opened before ``tag_end`` shows its own URL as its text
    (``<a href="U">U</a>``, with or without the scheme, ``www.`` or a final slash)."""
    start = text.find(">", tag_end, tag_end + 500)
    end = text.find("<", start + 1, start + 2002) if start >= 0 else -1
    return end > 0 and _bare_url(text[start + 1 : end]) == _bare_url(url)


def _bare_url(url: str) -> str:
    bare = url.strip().lower().split("://", 1)[-1]
    return bare.removeprefix("www.").rstrip("/")


def _sorted_spans(spans: list[tuple[int, int]]) -> tuple[list[int], list[int]]:
    """Span starts in order, and the furthest end reached by each prefix of them."""
    spans.sort()
    ends: list[int] = []
    furthest = -1
    for _start, end in spans:
        furthest = max(furthest, end)
        ends.append(furthest)
    return [start for start, _end in spans], ends


def _covered(position: int, starts: list[int], ends: list[int]) -> bool:
    i = bisect.bisect_right(starts, position) - 1
    return i >= 0 and position < ends[i]


def _on_host(url: str, host: str) -> bool:
    return bool(host) and on_host(url_host(url), host)


def on_host(found: str, own: str) -> bool:
    """True when host ``found`` is ``own`` (given without ``www.``), its ``www.`` or a subdomain."""
    found = found.removeprefix("www.")
    return bool(own) and (found == own or found.endswith("." + own))
