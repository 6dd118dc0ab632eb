"""Author names that are not names: the anchor text of the commenter's link.

WordPress shows a commenter's name as a link to the web address they gave, so link spam puts
its anchor text in the name field. Two kinds fill moderation queues:

* ``AUTHOR_NAME_LINK_TEXT`` — words that point at the link: "click here", "look here", "our
  website", "read this article", "important link", "homepage";
* ``AUTHOR_NAME_TOPIC`` — a blog category or search keyword: "Technology", "Home
  Improvement", "Health & Fitness", "kitchen remodel ideas", "how to start a business".

Both fire only when the comment carries a web address for the name to link to; a reader who
signs "Tech" without one is left alone. A name counts only when every word of it belongs to
the lists (with a few joining words), so "Grace Business-Smith" or "Art" are names, not
keywords. Multi-word keyword names with selling words are ``AUTHOR_NAME_KEYWORDS``
(:mod:`~rejoinder.spam.signals.links`).
"""

from __future__ import annotations

import re

from rejoinder.core.records.verdict import Hit
from rejoinder.spam.submission import Submission
from rejoinder.spam.words import COMMERCIAL_WORDS

LINK_TEXT_SCORE = 2.0
TOPIC_SCORE = 1.5
MAX_NAME = 120
_WORD_RE = re.compile(r"[^\W\d_]+")
_JOINING = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "for",
        "to",
        "in",
        "on",
        "at",
        "my",
        "our",
        "your",
        "this",
        "that",
        "these",
        "it",
        "is",
        "are",
        "you",
    ]
)
# Words that point at a link; a name needs one of these to be link text.
_POINTERS = """
    here this there link links site website websites web webpage homepage page blog weblog
    article post source reference references resource resources info information details
    click url view explanation findings report description content discover visit
"""
_LINK_WORDS = """
    read look go see check out more learn now can find browse around investigate try visit
    following next continue reading full original recommended extra additional helpful useful
    important official related great good cool interesting new recent what why not over hop
    pop sneak peek navigate published home web
"""
# Blog categories and the search keywords link sellers use as names.
_TOPICS = """
    technology technologies tech business businesses home homes house improvement improvements
    automotive auto autos car cars arts sports sport pets pet animal animals wedding weddings
    education jewelry jewellery health healthy career careers jobs job travel travelling
    traveling leisure food foods cooking dating finance financial women woman lifestyle
    recreation fashion fitness game games gaming computer computers internet law legal life
    remodel remodeling remodelling renovation kitchen kitchens bathroom bathrooms garden
    gardening furniture design real estate shopping insurance hotel hotels vacation vacations
    medicine medical science news entertainment society general magazine magazines ideas tips
    stocks family kids parenting beauty skin nutrition loss dog dogs cat cats plane air
    ticket tickets definition current events latest modern future international small based
    start starting how plan development shop mall network intelligence department magazine
    alternative holistic public mental repair drywall fireplace advisor agency sites digital
    media consulting consultancy consultants software
"""
POINTERS = frozenset(_POINTERS.split())
LINK_WORDS = POINTERS | frozenset(_LINK_WORDS.split()) | _JOINING
TOPICS = frozenset(_TOPICS.split()) | COMMERCIAL_WORDS


class AuthorNameSignal:
    name = "author_names"

    def evaluate(self, submission: Submission) -> list[Hit]:
        if not submission.author_url:
            return []
        name = submission.author_text[:MAX_NAME]
        words = [w.casefold() for w in _WORD_RE.findall(name)]
        if not words or len(words) > 8:
            return []
        if POINTERS.intersection(words) and all(w in LINK_WORDS for w in words):
            detail = f'The name "{name}" is the text of a link, not a name.'
            return [Hit("AUTHOR_NAME_LINK_TEXT", LINK_TEXT_SCORE, detail)]
        content = [w for w in words if w not in _JOINING]
        if content and all(w in TOPICS for w in content):
            detail = f'The name "{name}" is a topic or search keyword, not a name.'
            return [Hit("AUTHOR_NAME_TOPIC", TOPIC_SCORE, detail)]
        return []
