"""Links to web sites on SmokeDetector's list of spam sites.

SmokeDetector (Charcoal-SE) has caught spam on Stack Exchange since 2014; its list of web sites
(``spam/data/smokedetector_websites.txt``, see ``spam/data/NOTICE.md``) names the support-number
shops, essay mills, supplement sellers and "training institutes" that post the comment spam
blogs get. Each entry is a regular expression; most are an escaped domain name.

The list is matched against the links a comment carries (the body's URLs and the author's
URL), never against its text, and in three ways so that thousands of entries cost microseconds:

* an entry that is a domain name (``predictway\\.com``) goes into a set, looked up with the
  link's host and each parent domain (``www.predictway.com``, ``predictway.com``); an entry
  ending in ``.co`` also matches ``.com`` and ``.co.uk`` (upstream matched it as a prefix);
* any other entry (``healthy?(?:advise|order)``, ``\\Wfita\\.in\\W``) is searched in
  ``//host/``, but only when the literal text it cannot match without (``health``) is there;
* an entry with a path (``vk\\.com/lpanasenko1``) is searched in ``//host/path?query``.

``BLOCKLISTED_SITE`` scores as a strong spam sign: these sites are on the list because their
owners paid for spam, and the labelled data rarely contains them.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib import resources
from urllib.parse import urlsplit

from rejoinder.core.records.verdict import Hit
from rejoinder.core.urls import url_host, with_scheme
from rejoinder.spam.domains import DATA_PACKAGE, has_known_suffix, is_ip_host
from rejoinder.spam.submission import Submission

SYMBOL = "BLOCKLISTED_SITE"
SCORE = 5.0
LIST_FILE = "smokedetector_websites.txt"
MAX_LINKS = 100  # distinct links looked at (a comment with more is caught by LINKS_MANY)
MAX_KEY_CHARS = 300

_COMMENT_RE = re.compile(r"\(\?#[^)]*\)")
# SmokeDetector's "whole name" wrapper: \b(?<![^\W_]-)NAME(?![.-][^\W_])\b
_WHOLE_NAME_RE = re.compile(r"^\\b\(\?<!\[\^\\W_\]-\)(.+)\(\?!\[\.-\]\[\^\\W_\]\)\\b$")
_DOMAIN_RE = re.compile(r"^[a-z0-9-]+(?:\.[a-z0-9-]+)+$")
_ESCAPED = re.compile(r"\\([./-])")
_URL_ENTRY_MARKS = ("/", "\\S", "=")


@dataclass(frozen=True, slots=True)
class Pattern:
    """One entry that is not a plain domain: searched only where ``needs`` occurs."""

    regex: re.Pattern[str]
    needs: str  # lower-case text every match contains ('' when none could be found)


@dataclass(frozen=True, slots=True)
class PatternIndex:
    """Patterns filed under a three-letter piece of the text they need, so a key wakes only
    the few patterns whose piece it contains (the rest, with less to go on, always run)."""

    by_trigram: dict[str, tuple[Pattern, ...]]
    always: tuple[Pattern, ...]

    @classmethod
    def build(cls, patterns: list[Pattern], common: Counter[str]) -> PatternIndex:
        """``common`` counts three-letter pieces of host names: each pattern is filed under
        the rarest piece of what it needs, so that few keys wake it."""
        filed: dict[str, list[Pattern]] = {}
        always: list[Pattern] = []
        for pattern in patterns:
            pieces = _trigrams(pattern.needs)
            if pieces:
                filed.setdefault(min(sorted(pieces), key=common.__getitem__), []).append(pattern)
            else:
                always.append(pattern)
        return cls({k: tuple(v) for k, v in filed.items()}, tuple(always))

    def __len__(self) -> int:
        return len(self.always) + sum(map(len, self.by_trigram.values()))

    def search(self, key: str) -> bool:
        if _any_search(self.always, key):
            return True
        filed = self.by_trigram
        pieces = (key[i : i + 3] for i in range(len(key) - 2))
        return any(_any_search(filed[p], key) for p in pieces if p in filed)


@dataclass(frozen=True, slots=True)
class SiteList:
    domains: frozenset[str]
    host_patterns: PatternIndex
    url_patterns: tuple[Pattern, ...]  # few: a plain scan is quicker than an index

    def matches(self, url: str) -> str:
        """The URL's host when the URL is on the list, else ''."""
        host = url_host(url)
        if not host or is_ip_host(host):
            return ""
        if self._listed_domain(host) or self.host_patterns.search(f"//{host}/"):
            return host
        if _any_search(self.url_patterns, _url_key(url, host)):
            return host
        return ""

    def _listed_domain(self, host: str) -> bool:
        """The host or a parent domain is listed (never the bare TLD)."""
        name = host
        while "." in name:
            if name in self.domains or _co_prefix(name) in self.domains:
                return True
            name = name.split(".", 1)[1]
        return False


def _co_prefix(name: str) -> str:
    """``example.com`` / ``example.co.uk`` → ``example.co`` (the entry ``example\\.co``)."""
    head, _, rest = name.partition(".")
    return f"{head}.co" if rest == "com" or rest.startswith(("co.", "com.")) else ""


def _trigrams(text: str) -> set[str]:
    return {text[i : i + 3] for i in range(len(text) - 2)}


def _any_search(patterns: tuple[Pattern, ...], key: str) -> bool:
    return any(p.needs in key and p.regex.search(key) for p in patterns)


def _url_key(url: str, host: str) -> str:
    try:
        parts = urlsplit(with_scheme(url)[:MAX_KEY_CHARS])
    except ValueError:
        return f"//{host}/"
    query = f"?{parts.query}" if parts.query else ""
    return f"//{host}{parts.path or '/'}{query}".lower()


def required_literal(pattern: str) -> str:
    """The longest run of plain text a match of ``pattern`` must contain, lower-cased.

    Reads only the top level (text inside a group may be optional or an alternative); a
    quantifier takes back the character it applies to; a top-level ``|`` means none.
    """
    runs: list[str] = []
    run: list[str] = []
    depth, i = 0, 0
    while i < len(pattern):
        char = pattern[i]
        step = 1
        if char == "\\":
            escaped = pattern[i + 1 : i + 2]
            step = 2
            if escaped and not escaped.isalnum() and depth == 0:
                run.append(escaped)
                char = ""
        elif char == "|" and depth == 0:
            return ""
        elif char in "?*{":
            if run:
                run.pop()
            if char == "{":
                step = pattern.find("}", i) - i + 1 if "}" in pattern[i:] else 1
        elif char == "[":
            step = _class_end(pattern, i) - i
        elif depth == 0 and char not in "()+.^$?*{}":
            run.append(char.lower())
            char = ""
        depth += (char == "(") - (char == ")")
        if char:
            runs.append("".join(run))
            run = []
        i += step
    runs.append("".join(run))
    return max(runs, key=len)


def _class_end(pattern: str, start: int) -> int:
    """Index just after the ``]`` closing the class that opens at ``start``."""
    i = start + 1
    if pattern[i : i + 1] == "^":
        i += 1
    if pattern[i : i + 1] == "]":
        i += 1
    while i < len(pattern) and pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    return i + 1


def plain_domain(entry: str) -> str:
    """The domain an entry names when it is nothing but a domain name, else ''."""
    text = _COMMENT_RE.sub("", entry).strip()
    whole = _WHOLE_NAME_RE.match(text)
    text = _ESCAPED.sub(r"\1", whole.group(1) if whole else text).lower()
    return text if _DOMAIN_RE.match(text) and has_known_suffix(text) else ""


def parse(lines: list[str]) -> SiteList:
    domains: set[str] = set()
    host_patterns: list[Pattern] = []
    url_patterns: list[Pattern] = []
    for line in lines:
        entry = line.strip()
        if not entry or entry.startswith("#"):
            continue
        domain = plain_domain(entry)
        if domain:
            domains.add(domain)
            continue
        body = _COMMENT_RE.sub("", entry)
        pattern = Pattern(re.compile(body, re.IGNORECASE), required_literal(body))
        is_url = any(mark in body for mark in _URL_ENTRY_MARKS) or "URL path" in entry
        (url_patterns if is_url else host_patterns).append(pattern)
    common = Counter(piece for domain in domains for piece in _trigrams(f"//{domain}/"))
    index = PatternIndex.build(host_patterns, common)
    return SiteList(frozenset(domains), index, tuple(url_patterns))


@cache
def site_list() -> SiteList:
    text = resources.files(DATA_PACKAGE).joinpath(LIST_FILE).read_text("utf-8")
    return parse(text.splitlines())


class BlocklistedSiteSignal:
    name = "blocklisted_sites"

    def warm_up(self) -> None:
        site_list()

    def evaluate(self, submission: Submission) -> list[Hit]:
        listed = site_list()
        if submission.author_url:
            host = listed.matches(submission.author_url)
            if host:
                detail = f"The author's web site {host} is on SmokeDetector's list of spam sites."
                return [Hit(SYMBOL, SCORE, detail)]
        for url in dict.fromkeys(submission.urls[:MAX_LINKS]):
            host = listed.matches(url)
            if host:
                detail = f"Links to {host}, a site on SmokeDetector's list of spam sites."
                return [Hit(SYMBOL, SCORE, detail)]
        return []
