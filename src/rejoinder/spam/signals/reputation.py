"""Reputation learned from feedback: has this network, address or domain sent spam or ham before?"""

from __future__ import annotations

import math

from rejoinder.core.anonymize import Hasher
from rejoinder.core.records.verdict import Hit
from rejoinder.spam.learning.reputation import Counts, KeyKind, RepKey, ReputationStore, keys_for
from rejoinder.spam.submission import Submission

PRIOR = 1.0  # pseudo-count on each side (Laplace smoothing)
MIN_EVIDENCE = 0.5  # decayed reports below this say nothing
CAP = 2.5  # no one key decides alone
WEIGHTS = {
    KeyKind.IP: 1.0,
    KeyKind.NET: 0.6,
    KeyKind.EMAIL: 1.0,
    KeyKind.EMAIL_DOMAIN: 0.5,
    KeyKind.AUTHOR_DOMAIN: 1.0,
    KeyKind.LINK_DOMAIN: 0.8,
}
WHAT = {
    KeyKind.IP: "This IP address",
    KeyKind.NET: "The network {shown}",
    KeyKind.EMAIL: "This e-mail address",
    KeyKind.EMAIL_DOMAIN: "The e-mail domain {shown}",
    KeyKind.AUTHOR_DOMAIN: "The author's website {shown}",
    KeyKind.LINK_DOMAIN: "The linked site {shown}",
}


def contribution(kind: KeyKind, counts: Counts) -> float:
    if counts.spam + counts.ham < MIN_EVIDENCE:
        return 0.0
    value = WEIGHTS[kind] * math.log((counts.spam + PRIOR) / (counts.ham + PRIOR))
    return round(max(-CAP, min(CAP, value)), 3)  # stable to the millisecond of decay


class ReputationSignal:
    name = "reputation"

    def __init__(self, store: ReputationStore, hasher: Hasher):
        self.store = store
        self.hasher = hasher

    def evaluate(self, submission: Submission) -> list[Hit]:
        keys = keys_for(submission, self.hasher)
        if not keys:
            return []
        best: dict[KeyKind, tuple[float, RepKey, Counts]] = {}
        for key, counts in zip(keys, self.store.counts(keys), strict=True):
            score = contribution(key.kind, counts)
            if abs(score) >= 0.2 and abs(score) > abs(best.get(key.kind, (0.0,))[0]):
                best[key.kind] = (score, key, counts)
        return [_hit(score, key, counts) for score, key, counts in best.values()]


def _hit(score: float, key: RepKey, counts: Counts) -> Hit:
    side = "SPAM" if score > 0 else "HAM"
    what = WHAT[key.kind].format(shown=key.shown or "")
    detail = (
        f"{what} was reported as spam {counts.spam:.1f} and as not spam {counts.ham:.1f} "
        "time(s) (recent reports count more)."
    )
    return Hit(f"REPUTATION_{key.kind.value.upper()}_{side}", score, detail)
