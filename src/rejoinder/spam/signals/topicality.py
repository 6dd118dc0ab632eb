"""Topicality: a link that has nothing to do with the article it is posted under.

Blog spam's most common shape is praise with a payload: "Thanks for sharing this tutorial,
very informative! <a href=…>cheap flights</a>". The praise fits any post; the link fits none.
A reader's link is usually about what the post or the reader is discussing. Where the
article's words are known, this signal compares them with what the comment says and where its
links point (a training-free form of the known language-model disagreement between a post and
a comment):

* the article's words: the permalink's path ("/2024/03/pandas-groupby-tutorial/" → pandas,
  groupby, tutorial) and its title when the client sends one (the widget sends the thread's
  title as ``post_title``);
* the comment's words: its text outside the link markup, without function words and the
  praise that fits every post ("great", "article", "sharing", "informative"…), plus the words
  of its links' host names and paths.

``OFF_TOPIC_LINK`` fires when a comment links to another site and not one of its words shares
a stem with the article's. It is mild evidence (a reader's "see also" link to a related
library can miss the article's words too): it tips a text the content model already doubts.
WordPress's Akismet plugin sends no title, so where a thread's profile is known (what at least
three earlier accepted comments on the same permalink said, ``learning/profiles.py``) a comment
sharing a stem with it is on topic too, and a comment sharing none with either fires. Nothing
fires when neither is known (a plain ``?p=123`` permalink, no title, under three accepted
comments).

``OFF_TOPIC_AUTHOR_SITE`` is the same test for praise whose payload is the commenter's web
address, with no link in the text: "Great insights! This post really helped me understand the
concept better." from ``luxuryvillarentals-bali.com``. WordPress links the name to that address,
which is what the comment is posted for. It fires only when the address names a business (a
word of ``COMMERCIAL_WORDS`` in its host: rentals, deals, agency, services, repair, store…);
a reader's own home page (``janedoe.dev``, ``codingwithjane.com``) never counts, whatever the
comment says. Equally mild.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol
from urllib.parse import unquote

from rejoinder.core.records.verdict import Hit
from rejoinder.core.urls import bare_host, url_host, with_scheme
from rejoinder.spam.domains import registrable_domain
from rejoinder.spam.linktext import on_host
from rejoinder.spam.signals.link_topics import host_words, vocabulary
from rejoinder.spam.stems import outside_markup, words
from rejoinder.spam.submission import Submission
from rejoinder.spam.words import COMMERCIAL_WORDS

SYMBOL = "OFF_TOPIC_LINK"
SCORE = 1.0
AUTHOR_SYMBOL = "OFF_TOPIC_AUTHOR_SITE"
AUTHOR_SCORE = 1.0
# Commercial words long enough to find inside a run-together host name ("luxuryvillarentals"):
# shorter ones ("spa", "shop", "free") hide inside ordinary words ("space", "workshop").
MIN_INNER_WORD = 6
_INNER_WORDS = tuple(sorted(w for w in COMMERCIAL_WORDS if len(w) >= MIN_INNER_WORD))
MIN_ARTICLE_WORDS = 2
MAX_TITLE = 300
MAX_PATH = 300
TITLE_FIELDS = ("post_title", "comment_post_title")


def url_words(url: str) -> set[str]:
    """The stems of a URL's host and path words."""
    rest = with_scheme(url).split("://", 1)[-1]
    host, _, path = rest.partition("/")
    return words(unquote(f"{host} {path[:MAX_PATH]}").replace("-", " ").replace("_", " "))


def article_words(submission: Submission) -> set[str]:
    """Stems of what the article is about: its permalink's path and its title if sent."""
    found: set[str] = set()
    if submission.permalink:
        path = with_scheme(submission.permalink).split("://", 1)[-1].partition("/")[2]
        path = re.split(r"[?#]", path, maxsplit=1)[0]  # "watch?v=9bZkp7q19f0" says nothing
        found |= words(unquote(path[:MAX_PATH]).replace("-", " ").replace("_", " "))
    for name in TITLE_FIELDS:
        found |= words(submission.extra.get(name, "")[:MAX_TITLE])
    return found


class ThreadWords(Protocol):
    """What earlier accepted comments on the same permalink said (``learning/profiles.py``)."""

    def on_topic(self, submission: Submission, said: Iterable[str]) -> bool | None:
        """Shares a stem with them; None when the thread has too few accepted comments."""
        ...


def business_word(host: str) -> str:
    """A word of ``COMMERCIAL_WORDS`` the host name is made of, or ``""``."""
    known = [w for w in host_words(host, vocabulary()) if w in COMMERCIAL_WORDS]
    if known:
        return known[0]
    name = registrable_domain(host).split(".", 1)[0]
    return next((w for w in _INNER_WORDS if w in name), "")


class OffTopicSignal:
    name = "topicality"

    def __init__(self, threads: ThreadWords | None = None):
        self.threads = threads

    def evaluate(self, submission: Submission) -> list[Hit]:
        own = bare_host(submission.site or submission.permalink)
        away = [u for u in submission.urls if not on_host(url_host(u), own)]
        if away:
            return self._links(submission, away)
        return self._author_site(submission, own)

    def _links(self, submission: Submission, away: list[str]) -> list[Hit]:
        said = words(outside_markup(submission.text))
        for url in away:
            said |= url_words(url)
        about = self._unrelated(submission, said)
        if about is None:
            return []
        host = url_host(away[0]) or "another site"
        return [
            Hit(SYMBOL, SCORE, f"Links to {host}, and nothing in the comment is about {about}.")
        ]

    def _author_site(self, submission: Submission, own: str) -> list[Hit]:
        host = url_host(submission.author_url) if submission.author_url else ""
        if not host or submission.is_linkback or on_host(host, own):
            return []
        business = business_word(host)
        if not business:
            return []
        said = words(outside_markup(submission.text)) | url_words(submission.author_url)
        about = self._unrelated(submission, said)
        if about is None:
            return []
        detail = (
            f"The commenter’s web address names a business ({host}: {business!r}), and "
            f"nothing in the comment is about {about}."
        )
        return [Hit(AUTHOR_SYMBOL, AUTHOR_SCORE, detail)]

    def _unrelated(self, submission: Submission, said: set[str]) -> str | None:
        """What the comment has nothing to do with ("the article"…), or None when it is on
        topic or the article's words are not known."""
        article = article_words(submission)
        if len(article) < MIN_ARTICLE_WORDS and self.threads is None:
            return None
        if said & article:
            return None
        thread = self.threads.on_topic(submission, said) if self.threads is not None else None
        if thread or (thread is None and len(article) < MIN_ARTICLE_WORDS):
            return None
        return "the article" if thread is None else "the article or what readers said under it"
