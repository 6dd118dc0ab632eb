"""A person's decision is final on a recheck.

When a moderator says "Not spam" (a moderation decision here, or the WordPress plugin's
submit-ham) and the site then checks the same comment again ("Check for Spam", an edit, a
retry), the verdict follows the person, whatever the rules say; the same for "Spam". It holds
for the exact content and for near-identical content (an edited typo) on the same site; the
latest decision wins. A first check is never overruled here: the engine's learning from the
label (reputation, near-duplicates, content model) speaks for it there, and a text a moderator
once approved must not become a pass for a spammer who copies it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection

from rejoinder.core.records.verdict import Action, Hit, Label, Verdict
from rejoinder.spam.submission import Submission, fold_lookalikes
from rejoinder.storage import checks as check_store

HUMAN_HAM = "HUMAN_DECISION_HAM"
HUMAN_SPAM = "HUMAN_DECISION_SPAM"
NEAR_IDENTICAL = 0.8  # Jaccard similarity of character 4-grams
GRAM = 4
LOOK_BACK = timedelta(days=90)  # near-identical decisions considered (exact ones: any age)
MAX_CANDIDATES = 500
MAX_CHARS = 20_000

_WORD_RE = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class Decided:
    label: Label
    similarity: float  # 1.0 for the exact content


def _features(text: str) -> frozenset[str]:
    folded = " ".join(_WORD_RE.findall(fold_lookalikes(text[:MAX_CHARS])))
    if len(folded) <= GRAM:
        return frozenset({folded} if folded else ())
    return frozenset(folded[i : i + GRAM] for i in range(len(folded) - GRAM + 1))


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the two texts' character 4-grams (words folded, punctuation and
    spacing ignored): a corrected typo keeps most of them, a reworded text few."""
    fa, fb = _features(a), _features(b)
    if not fa or not fb:
        return 0.0
    return len(fa & fb) / len(fa | fb)


def _nearest(text: str, candidates: Sequence[check_store.HumanLabel]) -> Decided | None:
    best: Decided | None = None
    for candidate in candidates:  # newest first: on a tie the latest decision wins
        if not candidate.content:
            continue
        score = similarity(text, candidate.content)
        if score >= NEAR_IDENTICAL and (best is None or score > best.similarity):
            best = Decided(Label(candidate.label), score)
    return best


def human_decision(
    conn: Connection, submission: Submission, sources: Sequence[str], now: datetime
) -> Decided | None:
    """The latest human label on this content or near-identical content, on this site."""
    exact = check_store.latest_human_label(conn, submission.site, submission.fingerprint, sources)
    if exact is not None:
        return Decided(Label(exact.label), 1.0)
    recent = check_store.recent_human_labels(
        conn, submission.site, sources, now - LOOK_BACK, MAX_CANDIDATES
    )
    return _nearest(submission.content, recent)


def final(verdict: Verdict, decided: Decided) -> Verdict:
    """The verdict a person's decision makes of the engine's."""
    same = (
        "this comment"
        if decided.similarity >= 1.0
        else (f"a comment {decided.similarity:.0%} similar to this one")
    )
    if decided.label is Label.HAM:
        action = Action.ACCEPT
        hit = Hit(HUMAN_HAM, 0.0, f"A person marked {same} as not spam; their decision stands.")
    else:
        action = verdict.action if verdict.action.is_spam else Action.SPAM
        hit = Hit(HUMAN_SPAM, 0.0, f"A person marked {same} as spam; their decision stands.")
    return Verdict(verdict.probability, action, (*verdict.hits, hit), verdict.model_version)
