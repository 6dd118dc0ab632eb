"""Everything a stranger types, made safe once, at write time.

Markdown (a CommonMark subset, ``markdown-it-py``, raw HTML off) is rendered and then cleaned by
``nh3`` to an allow-list of tags and attributes: links get ``rel="nofollow ugc noopener"`` and
only http, https and mailto URLs survive. Author name and website are validated and rendered to
``author_html`` with every attribute quote-escaped. Overlong input is rejected with a clear
message, never truncated.

:func:`clean_author_fields` and :func:`render_markdown` are the only ways author fields and
comment text become HTML: create, self-edit, moderator edit and import all call them.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import urlsplit

import nh3
from markdown_it import MarkdownIt

from rejoinder.errors import RejoinderError, ValidationFailed

MAX_AUTHOR = 100
MAX_EMAIL = 254
MAX_WEBSITE = 500
MAX_TITLE = 300

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr"}
)
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"

_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_LINE_CONTROL_RE = re.compile("[\x00-\x1f\x7f\u2028\u2029]")
_SPACES_RE = re.compile(r"\s+")
_EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,253}\.[^@\s.]{2,63}$")
_THREAD_KEY_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9._~-]{0,127}$")

_md = MarkdownIt("commonmark", {"html": False, "breaks": True, "linkify": False})
_md.disable(["image", "heading", "lheading", "html_block", "html_inline"])


class BadIdentifier(RejoinderError):
    """An id in a URL or request is malformed (D8: 400, and the input is never echoed)."""

    status = 400


def too_long(what: str, length: int, limit: int) -> ValidationFailed:
    return ValidationFailed(
        f"The {what} is {length} characters long; the limit is {limit}. Please shorten it."
    )


def clean_text(text: str, limit: int) -> str:
    """Comment source: same newlines everywhere, control characters dropped, length checked."""
    if len(text) > limit:
        raise too_long("comment", len(text), limit)
    cleaned = _CONTROL_RE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    cleaned = unicodedata.normalize("NFC", cleaned).strip()
    if not cleaned:
        raise ValidationFailed("The comment is empty.")
    if len(cleaned) > limit:  # NFC can (rarely) lengthen text
        raise too_long("comment", len(cleaned), limit)
    return cleaned


def render_markdown(source: str) -> str:
    """Markdown → sanitized HTML. Safe to insert into any page as it is."""
    rendered = _md.render(source)
    return nh3.clean(
        rendered,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    ).strip()


def _one_line(value: str) -> str:
    return _SPACES_RE.sub(
        " ", _LINE_CONTROL_RE.sub(" ", unicodedata.normalize("NFC", value))
    ).strip()


def clean_author(author: str) -> str:
    if len(author) > MAX_AUTHOR:
        raise too_long("name", len(author), MAX_AUTHOR)
    return _one_line(author)


def clean_email(email: str) -> str:
    if len(email) > MAX_EMAIL:
        raise too_long("email address", len(email), MAX_EMAIL)
    value = _one_line(email)
    if value and not _EMAIL_RE.match(value):
        raise ValidationFailed("The email address does not look valid (name@example.com).")
    return value


def clean_website(website: str) -> str:
    """An http(s) URL or ''. A bare host gets https://; any other scheme is refused."""
    if len(website) > MAX_WEBSITE:
        raise too_long("website", len(website), MAX_WEBSITE)
    value = website.strip()
    if not value:
        return ""
    if _LINE_CONTROL_RE.search(value) or any(c.isspace() for c in value):
        raise ValidationFailed("The website must not contain spaces or control characters.")
    if "://" not in value and ":" not in value.split("/", 1)[0]:
        value = "https://" + value
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        host = None
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not host:
        raise ValidationFailed("The website must be an http:// or https:// address.")
    if len(value) > MAX_WEBSITE:
        raise too_long("website", len(value), MAX_WEBSITE)
    return value


def author_html(author: str, website: str) -> str:
    """The author as safe HTML: escaped name, linked to the website with quote-escaped href."""
    name = html.escape(author, quote=True)
    if not website:
        return name
    href = html.escape(website, quote=True)
    return f'<a href="{href}" rel="{LINK_REL}">{name or href}</a>'


@dataclass(frozen=True, slots=True)
class AuthorFields:
    author: str
    email: str
    website: str
    author_html: str


def clean_author_fields(author: str, email: str, website: str) -> AuthorFields:
    """Validate and render a commenter's name, email and website — for every write path."""
    name = clean_author(author)
    site = clean_website(website)
    return AuthorFields(name, clean_email(email), site, author_html(name, site))


def clean_title(title: str) -> str:
    if len(title) > MAX_TITLE:
        raise too_long("title", len(title), MAX_TITLE)
    return _one_line(title)


def clean_article_url(url: str) -> str:
    """The article's URL if it is http(s), else ''. Stored for links back; never fetched."""
    value = url.strip()
    if len(value) > 2000 or _LINE_CONTROL_RE.search(value):
        return ""
    try:
        parts = urlsplit(value)
    except ValueError:
        return ""
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return ""
    return value


def validate_thread_key(key: str) -> str:
    """An explicit thread id: letters, digits and ``._~-``; never ``..`` (D8)."""
    if not _THREAD_KEY_RE.match(key) or ".." in key:
        raise BadIdentifier(
            "Invalid thread id: use 1-128 letters, digits, dots, underscores, tildes or hyphens (no double dots)."
        )
    return key


def thread_key_for_url(url: str) -> str:
    """The thread id for an article that gave none: a hash of its URL path."""
    try:
        path = urlsplit(url.strip()).path
    except ValueError as exc:
        raise BadIdentifier("Invalid article URL.") from exc
    path = path.rstrip("/") or "/"
    return "p-" + hashlib.sha256(path.encode("utf-8", "replace")).hexdigest()[:24]
