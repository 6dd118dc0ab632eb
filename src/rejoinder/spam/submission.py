"""One normalised object for everything the engine looks at.

Built from Akismet form fields (``Submission.from_fields``) or, later, from the widget. The raw
client IP and user agent live only in memory on this object; anything written to disk is derived
from them by ``privacy`` (keyed hashes, coarse families).

Every regular expression here is linear in its input (bounded repeats, no nested quantifiers,
lookbehinds that pin matches to the start of a run), so a 1 MB comment or 10 000 URLs cost
milliseconds, not minutes.
"""

from __future__ import annotations

import hashlib
import html
import ipaddress
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from rejoinder.spam.linktext import LinkCounts, extract_links

# Zero-width and bidi controls: noted, then stripped for matching.
BIDI_CHARS = frozenset("\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c")
INVISIBLE_CHARS = (
    frozenset("\u200b\u200c\u200d\u2060\u2061\u2062\u2063\u2064\ufeff\u00ad\u180e\u034f")
    | BIDI_CHARS
)
_INVISIBLE_RE = re.compile("[" + "".join(sorted(INVISIBLE_CHARS)) + "]")
_BIDI_RE = re.compile("[" + "".join(sorted(BIDI_CHARS)) + "]")
_EMAIL_RE = re.compile(
    r"(?i)(?<![a-z0-9._%+-])[a-z0-9._%+-]{1,64}@(?:[a-z0-9-]{1,63}\.){1,8}[a-z]{2,63}(?![a-z0-9-])"
)
_SPACE_RE = re.compile(r"\s+")

MAX_MATCH_CHARS = 1_100_000  # text beyond this (over 1 MB) is kept but not scanned
MAX_EMAILS = 50

# Latin look-alikes from Cyrillic and Greek, and leetspeak digits, for matching words.
_CONFUSABLES = str.maketrans("аеорсухіѕјԁӏɑοαεκνρτυχ", "aeopcyxisjdlaoaekvptyx")
_LEET = str.maketrans("0134578@$", "oieastbas")
_CONFUSABLES_AND_LEET = {**_CONFUSABLES, **_LEET}  # disjoint keys, no value is a key: one pass


def fold_lookalikes(text: str, *, leet: bool = False) -> str:
    """Casefold and map look-alike letters (and with ``leet`` digits) to Latin ones."""
    return text.casefold().translate(_CONFUSABLES_AND_LEET if leet else _CONFUSABLES)


ACCEPTED_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",  # WordPress (MySQL style, GMT)
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d",
    "%a, %d %b %Y %H:%M:%S %z",  # RFC 2822, as some HTTP-minded clients send
    "%a, %d %b %Y %H:%M:%S GMT",
)

TRUE_VALUES = frozenset({"1", "true", "yes", "on"})

# Fields the Submission holds as attributes; everything else stays in ``extra``.
LINKBACK_TYPES = frozenset({"pingback", "trackback"})
KNOWN_FIELDS = frozenset(
    {"blog", "comment_content", "comment_author", "comment_author_email", "comment_author_url",
     "user_ip", "user_agent", "referrer", "permalink", "comment_type", "blog_lang", "user_role",
     "is_test", "comment_date_gmt", "comment_post_modified_gmt", "api_key", "key"}
)  # fmt: skip

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_date(value: str | None) -> datetime | None:
    """Parse every date shape real clients send (§2.2); None when absent or unreadable.

    WordPress ``2015-10-02 18:56:05`` (GMT, no zone), PHP ``2025-01-01T12:00:00+00:00``,
    JavaScript ``2025-01-01T12:00:00.000Z``, unix seconds or milliseconds, RFC 2822.
    """
    if not value:
        return None
    text = value.strip()[:64]
    if text.isascii() and text.isdigit():  # unix timestamp (seconds or ms)
        number = int(text)
        try:
            return datetime.fromtimestamp(number / 1000 if number > 10**11 else number, UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if text.startswith("0000-00-00"):  # MySQL's "no date"
        return None
    iso = text[:-1] + "+00:00" if text[-1:] in ("Z", "z") else text
    try:
        parsed: datetime | None = datetime.fromisoformat(iso)
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


def parse_ip(value: str | None) -> IPAddress | None:
    """Parse an IPv4 or IPv6 address, tolerating ``[v6]:port``, ``v4:port`` and zone ids.

    A comma-separated list (an ``X-Forwarded-For`` passed through) yields its first address.
    """
    if not value:
        return None
    text = value.strip()[:200].split(",", 1)[0].strip()
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
    return _folded_hash(normalise_text(text)[0])


def _folded_hash(normalised: str) -> str:
    folded = _SPACE_RE.sub(" ", normalised.casefold()).strip()
    return hashlib.sha256(folded.encode("utf-8", "replace")).hexdigest()[:32]


def extract_emails(text: str) -> list[str]:
    if "@" not in text:
        return []
    found: list[str] = []
    for match in _EMAIL_RE.finditer(text):
        found.append(match.group(0).lower())
        if len(found) >= MAX_EMAILS:
            break
    return found


def parse_seconds(value: str | None) -> float | None:
    """A non-negative decimal number of seconds, or None (absent, unreadable, negative, NaN)."""
    if value is None or not value.strip():
        return None
    try:
        number = float(value.strip()[:32])
    except ValueError:
        return None
    if math.isnan(number) or math.isinf(number) or number < 0:
        return None
    return number


@dataclass(slots=True)
class Submission:
    """A comment as the engine sees it."""

    site: str = ""
    content: str = ""
    author: str = ""
    email: str = ""
    author_url: str = ""
    ip: IPAddress | None = None
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
    text: str = ""  # normalised content used for matching (NFKC, entities decoded, no invisibles)
    invisible_chars: int = 0  # zero-width and bidi characters stripped from the content
    bidi_controls: int = 0  # of which bidi controls
    urls: list[str] = field(default_factory=list)  # body URLs (at most MAX_URLS)
    link_counts: LinkCounts = field(default_factory=LinkCounts)
    emails: list[str] = field(default_factory=list)  # addresses written in the body
    _fingerprint: str = field(default="", repr=False, compare=False)
    _author_text: str | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        unescaped = html.unescape(self.content) if "&" in self.content else self.content
        nfkc = unicodedata.normalize("NFKC", unescaped)
        self.bidi_controls = 0 if nfkc.isascii() else len(_BIDI_RE.findall(nfkc))
        self.text, self.invisible_chars = _INVISIBLE_RE.subn("", nfkc)
        scan = self.text[:MAX_MATCH_CHARS]
        self.urls, self.link_counts = extract_links(scan)
        self.emails = extract_emails(scan)
        raw = nfkc if unescaped is self.content else unicodedata.normalize("NFKC", self.content)
        self._fingerprint = _folded_hash(_INVISIBLE_RE.sub("", raw))

    @classmethod
    def from_fields(cls, fields: Mapping[str, str], *, site: str = "") -> Submission:
        """Build from Akismet comment-check fields (already decoded to str)."""
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
            extra={k: v for k, v in fields.items() if k not in KNOWN_FIELDS},
        )

    @property
    def is_recheck(self) -> bool:
        """A client checking a stored comment again (``recheck_reason``: WordPress' "Check for
        Spam", an edit, a retry after the server was down)."""
        return bool(self.extra.get("recheck_reason", "").strip())

    @property
    def is_linkback(self) -> bool:
        """A pingback or trackback: its author "name" is the linking post's title."""
        return self.comment_type.strip().lower() in LINKBACK_TYPES

    @property
    def roles(self) -> set[str]:
        return {r.strip().lower() for r in self.user_role.split(",") if r.strip()}

    @property
    def fingerprint(self) -> str:
        """Exact-duplicate key of the content: ``fingerprint(content)``, computed once."""
        return self._fingerprint

    @property
    def all_urls(self) -> list[str]:
        """Body URLs plus the author URL."""
        return [*self.urls, self.author_url] if self.author_url else list(self.urls)

    @property
    def url_total(self) -> int:
        """How many links the body contains (all of them, not only the ones kept)."""
        return self.link_counts.total

    @property
    def author_text(self) -> str:
        """The author name as matched: NFKC, without invisible characters (computed once:
        several signals read it)."""
        if self._author_text is None:
            self._author_text = normalise_text(self.author[:1000])[0].strip()
        return self._author_text

    @property
    def email_domain(self) -> str:
        _, at, domain = self.email.strip().lower().rpartition("@")
        return domain.rstrip(".") if at else ""

    @property
    def form_age_seconds(self) -> float | None:
        """Seconds between the signed form render and the submit, when the widget knows it."""
        return parse_seconds(self.extra.get("form_age_seconds"))

    @property
    def blog_languages(self) -> list[str]:
        """ISO 639-1 codes from ``blog_lang`` (``en_US, fr_ca`` → ``['en', 'fr']``)."""
        codes: list[str] = []
        for part in self.blog_lang.replace(";", ",").split(",")[:20]:
            code = part.strip().lower().replace("-", "_").split("_", 1)[0]
            if 2 <= len(code) <= 3 and code.isalpha() and code not in codes:
                codes.append(code)
        return codes
