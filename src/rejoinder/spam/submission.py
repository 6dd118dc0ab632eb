"""One normalised object for everything the engine looks at.

Built from Akismet form fields (``Submission.from_fields``) or, later, from the widget. The raw
client IP and user agent live only in memory on this object; anything written to disk is derived
from them by ``privacy`` (keyed hashes, coarse families).
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit

# Zero-width and bidi controls: noted, then stripped for matching.
INVISIBLE_CHARS = frozenset(
    "\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u00ad\u180e"
)
_INVISIBLE_RE = re.compile("[" + "".join(sorted(INVISIBLE_CHARS)) + "]")
_URL_RE = re.compile(r"""(?i)\b(?:https?://|www\.)[^\s<>"'\]\[)(]{1,2000}""")
_HREF_RE = re.compile(r"""(?i)<a\b[^>]{0,500}?\bhref\s*=\s*["']?([^"'\s>]{1,2000})""")
_BBCODE_RE = re.compile(r"(?i)\[url(?:=([^\]\s]{1,2000}))?\]([^\[]{0,2000})\[/url\]")
_MD_LINK_RE = re.compile(r"\[[^\]]{0,500}\]\(\s*([^)\s]{1,2000})")
_EMAIL_RE = re.compile(r"(?i)\b[a-z0-9._%+-]{1,64}@[a-z0-9.-]{1,253}\.[a-z]{2,63}\b")
_SPACE_RE = re.compile(r"\s+")

ACCEPTED_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",  # WordPress (MySQL style, GMT)
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d",
)

TRUE_VALUES = frozenset({"1", "true", "yes", "on"})


def parse_date(value: str | None) -> datetime | None:
    """Parse every date shape real clients send (§2.2); None when absent or unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.isdigit():  # unix timestamp (seconds or ms)
        number = int(text)
        try:
            return datetime.fromtimestamp(number / 1000 if number > 10**11 else number, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    iso = text.replace("Z", "+00:00").replace("z", "+00:00")
    try:
        parsed = datetime.fromisoformat(iso)
    except ValueError:
        parsed = None
        for fmt in ACCEPTED_DATE_FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def parse_ip(value: str | None) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """Parse an IPv4 or IPv6 address, tolerating ``[v6]:port``, ``v4:port`` and zone ids."""
    if not value:
        return None
    text = value.strip()
    if text.startswith("["):
        text = text[1:].split("]", 1)[0]
    elif text.count(":") == 1 and "." in text:
        text = text.split(":", 1)[0]
    text = text.split("%", 1)[0]
    try:
        addr = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def normalise_text(text: str) -> tuple[str, int]:
    """NFKC-normalise and strip invisible characters; return (text, invisible count)."""
    nfkc = unicodedata.normalize("NFKC", text)
    stripped, count = _INVISIBLE_RE.subn("", nfkc)
    return stripped, count


def fingerprint(text: str) -> str:
    """A stable hash of the casefolded, whitespace-collapsed text (exact-duplicate key)."""
    folded = _SPACE_RE.sub(" ", normalise_text(text)[0].casefold()).strip()
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()[:32]


def extract_urls(text: str) -> list[str]:
    """URLs from plain text, HTML anchors, BBCode and Markdown, in order, without duplicates."""
    found: list[str] = []
    for match in _HREF_RE.finditer(text):
        found.append(match.group(1))
    for match in _BBCODE_RE.finditer(text):
        found.append(match.group(1) or match.group(2).strip())
    for match in _MD_LINK_RE.finditer(text):
        found.append(match.group(1))
    for match in _URL_RE.finditer(text):
        found.append(match.group(0).rstrip(".,;:!?"))
    seen: set[str] = set()
    unique: list[str] = []
    for url in found:
        if url and url not in seen:
            seen.add(url)
            unique.append(url)
    return unique


def url_host(url: str) -> str:
    """Lower-case host of a URL ('' when it has none)."""
    candidate = url if "://" in url else "http://" + url
    try:
        return (urlsplit(candidate).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


@dataclass(slots=True)
class Submission:
    """A comment as the engine sees it."""

    site: str = ""
    content: str = ""
    author: str = ""
    email: str = ""
    author_url: str = ""
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None = None
    user_agent: str = ""
    referrer: str = ""
    permalink: str = ""
    comment_type: str = ""
    blog_lang: str = ""
    user_role: str = ""
    is_test: bool = False
    created_at: datetime | None = None
    post_modified_at: datetime | None = None
    extra: dict[str, str] = field(default_factory=dict)
    # derived
    text: str = ""  # normalised content used for matching
    invisible_chars: int = 0
    urls: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.text, self.invisible_chars = normalise_text(self.content)
        self.urls = extract_urls(self.text)
        self.emails = _EMAIL_RE.findall(self.text)

    @classmethod
    def from_fields(cls, fields: Mapping[str, str], *, site: str = "") -> Submission:
        """Build from Akismet comment-check fields (already decoded to str)."""
        known = {
            "blog", "comment_content", "comment_author", "comment_author_email",
            "comment_author_url", "user_ip", "user_agent", "referrer", "permalink",
            "comment_type", "blog_lang", "user_role", "is_test", "comment_date_gmt",
            "comment_post_modified_gmt", "api_key", "key",
        }  # fmt: skip
        return cls(
            site=site or fields.get("blog", ""),
            content=fields.get("comment_content", ""),
            author=fields.get("comment_author", ""),
            email=fields.get("comment_author_email", "").strip(),
            author_url=fields.get("comment_author_url", "").strip(),
            ip=parse_ip(fields.get("user_ip")),
            user_agent=fields.get("user_agent", ""),
            referrer=fields.get("referrer", ""),
            permalink=fields.get("permalink", ""),
            comment_type=fields.get("comment_type", ""),
            blog_lang=fields.get("blog_lang", ""),
            user_role=fields.get("user_role", ""),
            is_test=fields.get("is_test", "").strip().lower() in TRUE_VALUES,
            created_at=parse_date(fields.get("comment_date_gmt")),
            post_modified_at=parse_date(fields.get("comment_post_modified_gmt")),
            extra={k: v for k, v in fields.items() if k not in known},
        )

    @property
    def roles(self) -> set[str]:
        return {r.strip().lower() for r in self.user_role.split(",") if r.strip()}

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.content)

    @property
    def all_urls(self) -> list[str]:
        """Body URLs plus the author URL."""
        return [*self.urls, self.author_url] if self.author_url else list(self.urls)
