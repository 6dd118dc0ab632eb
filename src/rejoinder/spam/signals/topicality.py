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
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Protocol
from urllib.parse import unquote

from rejoinder.core.records.verdict import Hit
from rejoinder.core.urls import bare_host, url_host, with_scheme
from rejoinder.spam.stems import outside_markup, words
from rejoinder.spam.submission import Submission, on_host

SYMBOL = "OFF_TOPIC_LINK"
SCORE = 1.0
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


class OffTopicSignal:
    name = "topicality"

    def __init__(self, threads: ThreadWords | None = None):
        self.threads = threads

    def evaluate(self, submission: Submission) -> list[Hit]:
        own = bare_host(submission.site or submission.permalink)
        away = [u for u in submission.urls if not on_host(url_host(u), own)]
        if not away:
            return []
        article = article_words(submission)
        if len(article) < MIN_ARTICLE_WORDS and self.threads is None:
            return []
        said = words(outside_markup(submission.text))
        for url in away:
            said |= url_words(url)
        if said & article:
            return []
        thread = self.threads.on_topic(submission, said) if self.threads is not None else None
        if thread or (thread is None and len(article) < MIN_ARTICLE_WORDS):
            return []
        host = url_host(away[0]) or "another site"
        about = "the article" if thread is None else "the article or what readers said under it"
        detail = f"Links to {host}, and nothing in the comment is about {about}."
        return [Hit(SYMBOL, SCORE, detail)]
