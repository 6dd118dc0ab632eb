"""Spam topics: the trades comment spam sells — prescription drugs, gambling, loans, adult sites.

The content model knows what it was trained on, and none of the labelled data sets sells pills
or casinos: on its own it let "Buy cheap viagra online" through. This signal reads a short
lexicon per trade (``spam/data/spam_topics.toml``) and tells a sales pitch from a mention:

* ``SPAM_TOPIC_SALE`` — a term of a trade together with a pitch ("buy", "cheap", "order"…) or
  a way to reach the seller (a link, an e-mail address, a phone number), or everyday words of
  a trade ("pills", "loans") with a pitch, a way to reach the seller and a second term. Words
  that ask to get in touch ("contact", "call", "WhatsApp") are a pitch only where the comment
  gives a way to do it: "scammers here offer crypto recovery, do not contact them" warns;
* ``SPAM_TOPIC`` — a trade's term without either ("the FDA approved Viagra in 1998"): mild
  evidence only, so news about a casino or a drug is not held for it.

Terms are matched as whole words in the text as the content model reads it
(:func:`~rejoinder.spam.learning.textnorm.normalise_for_model`), so "V1AGRA", "vіagra" with a
Cyrillic і and "c a s i n o" match as well.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from enum import Enum
from functools import cache
from importlib import resources

from rejoinder.core.records.verdict import Hit
from rejoinder.spam.learning.textnorm import normalise_for_model
from rejoinder.spam.signals.contact import has_address
from rejoinder.spam.signals.phones import numbers_in
from rejoinder.spam.submission import Submission

SAMPLE = 2_000  # characters read, as many as the content model (FeatureConfig.max_chars)
LEXICON_FILE = "spam_topics.toml"
SALE_SCORE = 6.5  # a term and a pitch
SALE_BONUS = 1.5  # … and a second term, a second pitch word, or a link and a pitch
MENTION_SCORE = 1.0
_WORD_RE = re.compile(r"\w+")

Phrase = tuple[str, ...]


class Channel(Enum):
    """A way to reach the seller that a comment gives, as moderators read it."""

    LINK = "a link"
    EMAIL = "an e-mail address"
    PHONE = "a phone number"


def channel_of(submission: Submission) -> Channel | None:
    if submission.urls or submission.author_url:
        return Channel.LINK
    if has_address(submission):
        return Channel.EMAIL
    return Channel.PHONE if numbers_in(submission) else None


class Strength(Enum):
    STRONG = "strong"  # almost only said where the trade is sold
    WEAK = "weak"  # everyday words of the trade


@dataclass(frozen=True, slots=True)
class Entry:
    trade: str
    strength: Strength
    phrase: Phrase


@dataclass(frozen=True, slots=True)
class Lexicon:
    labels: dict[str, str]  # trade key → words for moderators
    pitch: frozenset[str]
    contact: frozenset[str]  # a pitch only where the comment says how to get in touch
    warning: frozenset[str]  # a reader warning others, where it says no such thing
    by_first_word: dict[str, tuple[Entry, ...]]

    def scan(self, words: list[str]) -> dict[str, dict[Strength, set[str]]]:
        """Per trade, the strong and weak terms found in ``words``."""
        found: dict[str, dict[Strength, set[str]]] = {}
        for i, word in enumerate(words):
            for entry in self.by_first_word.get(word, ()):
                n = len(entry.phrase)
                if n == 1 or tuple(words[i : i + n]) == entry.phrase:
                    terms = found.setdefault(
                        entry.trade, {Strength.STRONG: set(), Strength.WEAK: set()}
                    )
                    terms[entry.strength].add(" ".join(entry.phrase))
        return found


@cache
def lexicon() -> Lexicon:
    raw = resources.files("rejoinder.spam.data").joinpath(LEXICON_FILE).read_text("utf-8")
    data = tomllib.loads(raw)
    labels: dict[str, str] = {}
    index: dict[str, list[Entry]] = {}
    for key, trade in data["trade"].items():
        labels[key] = str(trade["label"])
        for strength in Strength:
            for term in trade.get(strength.value, []):
                phrase = _as_read(str(term))
                index.setdefault(phrase[0], []).append(Entry(key, strength, phrase))
    return Lexicon(
        labels,
        frozenset(" ".join(_as_read(str(w))) for w in data["pitch"]),
        frozenset(" ".join(_as_read(str(w))) for w in data["contact"]),
        frozenset(" ".join(_as_read(str(w))) for w in data["warning"]),
        {word: tuple(entries) for word, entries in index.items()},
    )


def _as_read(term: str) -> Phrase:
    """A lexicon term as the words the signal sees: "bet365" is read "bete6s" like the text."""
    return tuple(_WORD_RE.findall(normalise_for_model(term, SAMPLE)))


@dataclass(frozen=True, slots=True)
class _Evidence:
    trade: str
    strong: list[str]
    weak: list[str]
    pitch: list[str]
    channel: Channel | None  # how the comment says to reach the seller

    @property
    def linked(self) -> bool:
        return self.channel is not None

    def is_sale(self) -> bool:
        if self.strong:
            return bool(self.pitch) or self.linked
        return bool(self.pitch) and self.linked and len(self.weak) >= 2

    def score(self) -> float:
        if not self.is_sale():
            return MENTION_SCORE if self.strong else 0.0
        extra = (
            len(self.strong) + len(self.weak) >= 2
            or len(self.pitch) >= 2
            or (self.linked and bool(self.pitch))
        )
        return SALE_SCORE + (SALE_BONUS if extra else 0.0)


class SpamTopicSignal:
    name = "spam_topics"

    def __init__(self, lex: Lexicon | None = None):
        self.lexicon = lex or lexicon()

    def evaluate(self, submission: Submission) -> list[Hit]:
        text = normalise_for_model(submission.text, SAMPLE)
        words = _WORD_RE.findall(text)
        found = self.lexicon.scan(words)
        if not found:
            return []
        channel = channel_of(submission)
        pitch = self._pitch(set(words), channel)
        evidence = [
            _Evidence(trade, sorted(t[Strength.STRONG]), sorted(t[Strength.WEAK]), pitch, channel)
            for trade, t in found.items()
        ]
        best = max(evidence, key=lambda e: (e.score(), e.trade))
        return [self._hit(best)] if best.score() > 0 else []

    def _pitch(self, said: set[str], channel: Channel | None) -> list[str]:
        """The pitch words said. Asking to get in touch is one only with a way to do it; with
        none, a warning ("scammers here offer…") pitches nothing."""
        if channel is None:
            return [] if said & self.lexicon.warning else sorted(said & self.lexicon.pitch)
        return sorted(said & (self.lexicon.pitch | self.lexicon.contact))

    def _hit(self, ev: _Evidence) -> Hit:
        label = self.lexicon.labels[ev.trade]
        terms = ", ".join((ev.strong + ev.weak)[:3])
        if not ev.is_sale():
            return Hit("SPAM_TOPIC", ev.score(), f"Mentions {label} ({terms}).")
        how = [f"with {', '.join(ev.pitch[:3])}"] if ev.pitch else []
        how += [f"with {ev.channel.value}"] if ev.channel else []
        return Hit("SPAM_TOPIC_SALE", ev.score(), f"Sells {label} ({terms}) {' and '.join(how)}.")
