"""Links: how many, how dense, how they are written, where they point, and links as a name."""

from __future__ import annotations

import re
from collections.abc import Callable

from rejoinder.core.records.verdict import Hit
from rejoinder.core.urls import bare_host, url_host
from rejoinder.spam.domains import (
    SUSPICIOUS_TLDS,
    is_ip_host,
    is_referrer_spammer,
    is_shortener,
    tld,
)
from rejoinder.spam.linktext import LinkCounts, extract_links, on_host
from rejoinder.spam.submission import MAX_MATCH_CHARS, Submission
from rejoinder.spam.words import COMMERCIAL_WORDS

_WORD_RE = re.compile(r"[^\W_]+")
_NAME_URL_RE = re.compile(
    r"(?i)(?:https?://|www\.|\b[a-z0-9-]{2,63}\.(?:com|net|org|info|biz|ru|xyz|top|online|site|shop|store|io|co)\b)"
)
_LINK_MARKUP_RE = re.compile(r"(?i)<a\b[^<>]{0,2000}>|</a>|\[/?url[^\[\]]{0,2000}\]")
_BARE_URL_RE = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"']{1,2000}")
# Link text of an HTML anchor, a BBCode [url=…] or a Markdown link, with its target.
_ANCHOR_TEXT_RE = re.compile(
    r"(?i)<a\b[^<>]{0,500}?\bhref\s*=\s*[\"']?([^\"'\s<>]{1,2000})[^<>]{0,500}>([^<]{1,200})</a>"
    r"|\[url=([^\[\]\s]{1,2000})\]([^\[]{1,200})\[/url\]"
    r"|\[([^\[\]]{1,200})\]\(\s*(https?://[^)\s]{1,2000})"
)
KEYWORD_ANCHOR_SCORE = 2.0
# Commercial words that innocent link text uses too ("the best markdown editor", "free
# library", "terms of service"): alone they do not make an anchor an advertisement.
EVERYDAY_WORDS = frozenset(
    {
        "best",
        "free",
        "online",
        "review",
        "reviews",
        "service",
        "services",
        "movies",
        "course",
        "courses",
        "download",
        "price",
        "prices",
        "company",
        "solutions",
        "development",
        "store",
        "shop",
        "writing",
        "classes",
        "support",
        "customer",
        "booking",
        "tickets",
    }
)
TEXT_PER_LINK = 8  # words per link below which a comment is "mostly links"
MAX_OWN_LINK_SCAN = 100  # links to the site itself are looked for only up to this many links


class LinkSignal:
    """Links in the body and the author fields."""

    name = "links"

    def __init__(self, limit: int = 3):
        self.limit = limit

    def evaluate(self, submission: Submission) -> list[Hit]:
        own = site_host(submission)
        counts = outside_links(submission, own)
        hits = self._count(submission, counts)
        hits.extend(_markup(counts))
        hits.extend(_destinations(submission, own))
        hits.extend(_author_name(submission))
        hits.extend(_keyword_anchor(submission, own))
        return hits

    def _count(self, sub: Submission, counts: LinkCounts) -> list[Hit]:
        count = counts.total
        hits: list[Hit] = []
        if count > self.limit:
            extra = min(count - self.limit, 5)
            hits.append(
                Hit(
                    "LINKS_MANY",
                    1.0 + 0.3 * extra,
                    f"{count} links in the comment (more than {self.limit}).",
                )
            )
        if count:
            words = len(_WORD_RE.findall(_strip_links(sub.text[:20_000])))
            if words < 3:
                hits.append(Hit("LINKS_ONLY", 1.2, "The comment is little more than links."))
            elif count >= 2 and words / count < TEXT_PER_LINK:
                hits.append(
                    Hit("LINK_DENSITY_HIGH", 0.8, f"{count} links for about {words} words of text.")
                )
        return hits


def site_host(sub: Submission) -> str:
    """The host of the site the comment was posted to, without ``www.`` ('' if unknown)."""
    return bare_host(sub.site) if sub.site else ""


def outside_links(sub: Submission, own: str) -> LinkCounts:
    """The comment's links, leaving out links to the site itself: a reader pointing to
    another post of the same blog is not advertising anything."""
    counts = sub.link_counts
    if not own or not 0 < counts.total <= MAX_OWN_LINK_SCAN:
        return counts  # with hundreds of links, a few to the site itself change nothing
    if own not in sub.text[:MAX_MATCH_CHARS].lower():
        return counts
    return extract_links(sub.text[:MAX_MATCH_CHARS], skip_host=own)[1]


def _strip_links(text: str) -> str:
    return _BARE_URL_RE.sub(" ", _LINK_MARKUP_RE.sub(" ", text))


def _markup(counts: LinkCounts) -> list[Hit]:
    hits = []
    if counts.anchors:
        hits.append(
            Hit(
                "LINK_HTML_ANCHOR",
                min(0.6 + 0.2 * counts.anchors, 1.4),
                f"{counts.anchors} HTML link tag(s) (<a href>) in the comment.",
            )
        )
    if counts.bbcode:
        hits.append(
            Hit(
                "LINK_BBCODE",
                1.5,
                f"{counts.bbcode} forum-style [url] link(s): a spam bot's format, not a blog's.",
            )
        )
    return hits


def _suspicious_tld(host: str) -> bool:
    return tld(host) in SUSPICIOUS_TLDS


# Where links point: symbol, weight, which hosts count, the reason (the hosts fill in "{}").
_DESTINATION_CHECKS: tuple[tuple[str, float, Callable[[str], bool], str], ...] = (
    (
        "LINK_SHORTENER",
        1.2,
        is_shortener,
        "Links through a URL shortener that hides the destination: {}.",
    ),
    ("LINK_IP_HOST", 1.5, is_ip_host, "Links to a bare IP address instead of a name: {}."),
    (
        "LINK_SUSPICIOUS_TLD",
        0.8,
        _suspicious_tld,
        "Links to a domain ending often used by spammers: {}.",
    ),
    (
        "LINK_KNOWN_SPAM_DOMAIN",
        2.0,
        is_referrer_spammer,
        "Links to a domain on the public referrer-spam list: {}.",
    ),
)


def _destinations(sub: Submission, own: str) -> list[Hit]:
    hosts = {h for h in map(url_host, sub.all_urls[:200]) if h and not on_host(h, own)}
    hits = []
    for symbol, weight, matches, reason in _DESTINATION_CHECKS:
        found = sorted(h for h in hosts if matches(h))
        if found:
            hits.append(Hit(symbol, weight, reason.format(_few(found))))
    return hits


def _author_name(sub: Submission) -> list[Hit]:
    name = sub.author_text[:300]
    if not name:
        return []
    if _NAME_URL_RE.search(name):
        return [Hit("AUTHOR_NAME_URL", 1.5, "The name field holds a web address, not a name.")]
    words = [w.casefold() for w in _WORD_RE.findall(name)]
    commercial = [w for w in words if w in COMMERCIAL_WORDS]
    if len(words) >= 2 and commercial:
        return [
            Hit(
                "AUTHOR_NAME_KEYWORDS",
                1.2,
                f"The name reads like advertising keywords ({', '.join(commercial[:3])}).",
            )
        ]
    if not sub.is_linkback and (len(words) >= 5 or name.count(",") >= 2):  # not a post title
        return [Hit("AUTHOR_NAME_KEYWORDS", 0.6, "The name is a long list of words, not a name.")]
    return []


def _keyword_anchor(sub: Submission, own: str) -> list[Hit]:
    """Link text that is an advertising phrase ("python training in chennai", "best
    mattress") pointing away from the site: the SEO anchor that pays for blog spam."""
    for match in _ANCHOR_TEXT_RE.finditer(sub.text[:MAX_MATCH_CHARS]):
        url, text = _anchor_parts(match)
        host = url_host(url)
        if not host or (own and on_host(host, own)):
            continue
        words = [w.casefold() for w in _WORD_RE.findall(text)]
        commercial = [w for w in words if w in COMMERCIAL_WORDS]
        if len(words) >= 2 and (len(commercial) >= 2 or set(commercial) - EVERYDAY_WORDS):
            return [
                Hit(
                    "LINK_KEYWORD_ANCHOR",
                    KEYWORD_ANCHOR_SCORE,
                    f'Link text "{" ".join(words[:6])}" advertises ({commercial[0]}) a site '
                    f"elsewhere ({host}).",
                )
            ]
    return []


def _anchor_parts(match: re.Match[str]) -> tuple[str, str]:
    """(target, link text) of an anchor, BBCode or Markdown link match."""
    groups = match.groups()
    if groups[0] is not None:
        return groups[0], groups[1]
    if groups[2] is not None:
        return groups[2], groups[3]
    return groups[5], groups[4]


def _few(items: list[str]) -> str:
    shown = ", ".join(items[:3])
    return shown + (f" and {len(items) - 3} more" if len(items) > 3 else "")
