"""Host names: registrable domains, and the shipped host lists (shorteners, referrer spammers).

The lists are plain data files in ``spam/data/`` copied from public repositories (see
``spam/data/NOTICE.md`` for their sources and licenses). A host matches a list when it or any
parent domain is on it. The e-mail disposable-domain list comes from the maintained
``disposable-email-domains`` package, not from a copy.
"""

from __future__ import annotations

import ipaddress
from functools import cache, lru_cache
from importlib import resources

from publicsuffixlist import PublicSuffixList

DATA_PACKAGE = "rejoinder.spam.data"

# TLDs that carry far more spam than mail or comments from real people (Spamhaus' and
# Interisle's yearly "most abused TLDs" reports list most of these; kept short on purpose).
SUSPICIOUS_TLDS = frozenset(
    {"top", "xyz", "click", "link", "work", "loan", "win", "bid", "racing", "date", "download",
     "stream", "review", "trade", "accountant", "science", "party", "gq", "cf", "tk", "ml", "ga",
     "men", "kim", "country", "cricket", "faith", "webcam", "rest", "icu", "cyou", "buzz", "sbs",
     "cfd", "bond", "monster", "quest", "zip", "mov", "su"}
)  # fmt: skip

# Big consumer mail providers: millions share each, so the domain says nothing about the sender
# (the content model folds them into one token, reputation keeps no record of them).
FREEMAIL_DOMAINS = frozenset(
    {"gmail.com", "googlemail.com", "yahoo.com", "ymail.com", "rocketmail.com", "hotmail.com",
     "outlook.com", "live.com", "msn.com", "aol.com", "icloud.com", "me.com", "mac.com",
     "protonmail.com", "proton.me", "gmx.com", "gmx.net", "gmx.de", "web.de", "mail.com",
     "mail.ru", "yandex.ru", "yandex.com", "qq.com", "163.com", "126.com", "zoho.com"}
)  # fmt: skip

# Where one domain holds many people's sites or accounts, reputation keys the site or account,
# not the domain: spam from one wordpress.com blog or one GitHub account must not make every
# wordpress.com blogger or GitHub user suspect.
# Hosts whose subdomains are someone's own site (jane.wordpress.com), beyond those the Public
# Suffix List already splits (blogspot.com, github.io, …).
SUBDOMAIN_PLATFORMS = frozenset(
    {"wordpress.com", "tumblr.com", "substack.com", "livejournal.com", "wixsite.com",
     "weebly.com", "typepad.com", "over-blog.com", "jimdofree.com", "medium.com"}
)  # fmt: skip
# Hosts whose first path segment names the account (github.com/jane, t.me/jane, x.com/jane).
PATH_PLATFORMS = frozenset(
    {"github.com", "gitlab.com", "twitter.com", "x.com", "facebook.com", "instagram.com",
     "linkedin.com", "medium.com", "youtube.com", "t.me", "telegram.me", "vk.com", "ok.ru",
     "tiktok.com", "reddit.com", "pinterest.com", "threads.net", "bsky.app", "mastodon.social",
     "soundcloud.com", "patreon.com", "behance.net", "dribbble.com", "flickr.com", "youtu.be"}
)  # fmt: skip
# First path segments that only say what kind of page follows; the account is the next one
# (linkedin.com/in/jane, youtube.com/channel/UC…, reddit.com/user/jane, facebook.com/groups/x).
ACCOUNT_PREFIXES = frozenset(
    {"in", "company", "channel", "c", "user", "u", "r", "groups", "people", "profile", "pub",
     "orgs", "s"}
)  # fmt: skip
# First path segments of pages that belong to no one account (a video, a post, a search).
ACCOUNTLESS_PAGES = frozenset(
    {"watch", "embed", "shorts", "live", "playlist", "results", "search", "hashtag", "explore",
     "share", "sharer", "sharer.php", "intent", "home", "login", "signup", "about", "help",
     "settings", "p", "reel", "reels", "tv", "video", "videos", "feed", "topics", "trending",
     "tag", "tags", "events", "photo.php", "permalink.php", "story.php", "i", "joinchat",
     "+", "features", "marketplace", "notifications", "sponsors", "wall"}
)  # fmt: skip

# Names that can never receive mail (RFC 2606 / RFC 6761 reserved, or local-only).
RESERVED_TLDS = frozenset({"test", "example", "invalid", "localhost", "local", "internal", "lan"})


@cache
def _psl() -> PublicSuffixList:
    return PublicSuffixList()


def is_ip_host(host: str) -> bool:
    """True for a dotted IPv4, an IPv6 literal, or a bare integer/hex IPv4 (``http://3232235777``)."""
    text = host.strip("[]")
    if not text:
        return False
    if ":" in text or not text.strip("0123456789."):  # may be a literal (else skip parsing)
        try:
            ipaddress.ip_address(text)
            return True
        except ValueError:
            pass
    return text.isdigit() or (text.startswith("0x") and len(text) > 2)


@lru_cache(maxsize=8192)
def registrable_domain(host: str) -> str:
    """``www.example.co.uk`` → ``example.co.uk``; IP hosts and bare suffixes are returned as is."""
    host = host.lower().rstrip(".")
    if not host or is_ip_host(host):
        return host
    return _psl().privatesuffix(host) or host


def has_known_suffix(name: str) -> bool:
    """True when ``name`` ends in a suffix of the Public Suffix List (``x.co.uk``: yes;
    ``x.blogspot`` or ``x.webs``, names cut short: no)."""
    return _psl().publicsuffix(name.lower(), accept_unknown=False) is not None


def tld(host: str) -> str:
    return host.rstrip(".").rsplit(".", 1)[-1].lower() if "." in host else ""


@cache
def _load(name: str) -> frozenset[str]:
    text = resources.files(DATA_PACKAGE).joinpath(name).read_text("utf-8")
    return frozenset(
        line.strip().strip("/").lower()
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


def shorteners() -> frozenset[str]:
    return _load("url_shorteners.txt")


def referrer_spammers() -> frozenset[str]:
    return _load("referrer_spam_domains.txt")


def on_list(host: str, listed: frozenset[str]) -> bool:
    """True when the host or one of its parent domains is on the list: the whole name, then
    every suffix after a dot but the last (``a.b.example.com``: itself, ``b.example.com``,
    ``example.com``; never the bare TLD). A name without a dot is looked up as given."""
    if not host:
        return False
    name = host.lower().rstrip(".")
    last = name.rfind(".")
    if last < 0:
        return host in listed
    start = 0
    while name[start:] not in listed:
        start = name.find(".", start) + 1
        if start > last:
            return False
    return True


def is_shortener(host: str) -> bool:
    return on_list(host, shorteners())


def is_referrer_spammer(host: str) -> bool:
    return on_list(host, referrer_spammers())


@cache
def _disposable() -> frozenset[str]:
    from disposable_email_domains import blocklist

    return frozenset(d.lower() for d in blocklist)


def is_disposable_email_domain(domain: str) -> bool:
    return on_list(domain, _disposable())


def warm_up() -> None:
    """Load the public-suffix list and every host list now (about 100 ms), not mid-request."""
    registrable_domain("www.example.co.uk")
    shorteners()
    referrer_spammers()
    _disposable()
