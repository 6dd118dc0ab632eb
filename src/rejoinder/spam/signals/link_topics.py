"""Link topics: a web address that names a spam trade ("casino-online-bonus.de",
"replicawatchesuk.co", "…/payday-loans-online").

Comment spam often says nothing at all in its text ("Very nice post, I bookmarked your blog")
and carries its payload in the commenter's web address. The content model reads the address's
words, but only as well as its training data knew them; the trade lexicon of
:mod:`~rejoinder.spam.signals.topics` knows the trades. This signal reads the lexicon's
*strong* terms (terms said almost only where the trade is sold) in:

* the commenter's web address: its host name and its path;
* links in the text: their host names only (a news story's path may well say "casino").

Host labels are often run together ("hpprintersupport", "pythontraininginchennai"): a label is
split into words when it can be read entirely as words the lexicon uses, its sales words and a
few words domain names are built from ("best", "online", "pro", "uk"…). A label that cannot be
read so ("specialist", "ambientmusic") is one word and never matches part of a term.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from rejoinder.core.records.verdict import Hit
from rejoinder.core.urls import url_host, with_scheme
from rejoinder.spam.domains import is_ip_host, registrable_domain
from rejoinder.spam.learning.textnorm import normalise_for_model
from rejoinder.spam.signals.topics import Lexicon, Strength, lexicon
from rejoinder.spam.submission import Submission

SYMBOL = "LINK_SPAM_TOPIC"
SCORE = 3.0
MAX_LABEL = 63  # a DNS label's longest
MAX_PATH = 200  # characters of a path read
MAX_LINKS = 10  # text links read
# Words spam domain names are built from, besides the lexicon's own words and sales words:
# fillers, and the brands and subjects that support lines and training institutes name.
_DOMAIN_WORDS = """
    a the my your our for and of to in at by on best top get go one all new real pro plus
    hub help helps expert experts guide guides review reviews info site sites web world zone
    center centre club direct now today hq usa us uk india au ca official support number
    service services care desk team point house mart land link links box spot tips advice
    news blog daily fast easy quick smart king star city media digital tech solutions
    solution global group co inc ltd llc hd tv app apps
    hp epson canon brother dell lenovo asus acer apple mac windows norton mcafee avast
    kaspersky avg bitdefender gmail yahoo outlook aol cash python java sap aws azure devops
    selenium salesforce hadoop data science angular react android ios marketing design
    development it ai ml cloud
"""
DOMAIN_WORDS = frozenset(_DOMAIN_WORDS.split())
_TOKEN_RE = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Vocabulary:
    words: frozenset[str]
    longest: int

    def segment(self, label: str) -> list[str]:
        """``label`` as the fewest known words (digit runs count as words), or ``[label]``."""
        if len(label) < 6 or label in self.words:
            return [label]
        n = len(label)
        best: list[list[str] | None] = [None] * (n + 1)
        best[0] = []
        for i in range(n):
            head = best[i]
            if head is None:
                continue
            for j in range(i + 1, min(n, i + self.longest) + 1):
                piece = label[i:j]
                if piece in self.words or piece.isdigit():
                    known = best[j]
                    if known is None or len(head) + 1 < len(known):
                        best[j] = [*head, piece]
        return best[n] or [label]


@cache
def vocabulary() -> Vocabulary:
    lex = lexicon()
    words = {w for entries in lex.by_first_word.values() for e in entries for w in e.phrase}
    words |= {w for term in lex.pitch for w in term.split()}
    words |= DOMAIN_WORDS
    return Vocabulary(frozenset(words), max(map(len, words)))


def _read(text: str) -> list[str]:
    return _TOKEN_RE.findall(normalise_for_model(text.lower(), MAX_PATH * 2))


def host_words(host: str, vocab: Vocabulary) -> list[str]:
    """The words of a host name without its public suffix and ``www``."""
    if not host or is_ip_host(host):
        return []
    domain = registrable_domain(host)
    name = domain.split(".", 1)[0]
    labels = [*host.removesuffix(domain).split("."), name]
    words: list[str] = []
    for label in labels:
        if label and label != "www":
            for token in _read(label[:MAX_LABEL]):
                words += vocab.segment(token)
    return words


def path_words(url: str, vocab: Vocabulary) -> list[str]:
    """The words of a URL's path (after the host), run-together words split where known."""
    rest = with_scheme(url).split("://", 1)[-1]
    _, slash, path = rest.partition("/")
    words: list[str] = []
    for token in _read(path[:MAX_PATH]) if slash else []:
        words += vocab.segment(token[:MAX_LABEL])
    return words


class LinkTopicSignal:
    name = "link_topics"

    def __init__(self, lex: Lexicon | None = None):
        self.lexicon = lex or lexicon()
        self.vocabulary = vocabulary()

    def evaluate(self, submission: Submission) -> list[Hit]:
        places: list[tuple[str, list[str]]] = []
        if submission.author_url:
            url = submission.author_url
            words = host_words(url_host(url), self.vocabulary) + path_words(url, self.vocabulary)
            places.append(("the commenter's web address", words))
        for link in submission.urls[:MAX_LINKS]:
            places.append(("a linked site's name", host_words(url_host(link), self.vocabulary)))
        for where, words in places:
            hit = self._strong_terms(words, where)
            if hit is not None:
                return [hit]
        return []

    def _strong_terms(self, words: list[str], where: str) -> Hit | None:
        found = self.lexicon.scan(words) if words else {}
        for trade, terms in sorted(found.items()):
            strong = sorted(terms[Strength.STRONG])
            if strong:
                label = self.lexicon.labels[trade]
                detail = f"{where.capitalize()} names {label} ({', '.join(strong[:3])})."
                return Hit(SYMBOL, SCORE, detail)
        return None
