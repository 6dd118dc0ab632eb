"""Campaigns: near-duplicates of spam reported on any site (or of approved ham, the other way)."""

from __future__ import annotations

from rejoinder.core.records.verdict import Hit, Label
from rejoinder.spam.learning.campaigns import MIN_SIMILARITY, Match, NearDuplicateIndex, signature
from rejoinder.spam.submission import Submission

SPAM_SCORE = (3.0, 5.0)  # at MIN_SIMILARITY, at identical
HAM_SCORE = (-1.0, -2.0)


class CampaignSignal:
    name = "campaigns"

    def __init__(self, index: NearDuplicateIndex):
        self.index = index

    def evaluate(self, submission: Submission) -> list[Hit]:
        sig = signature(submission.text)
        if sig is None:
            return []
        return [_hit(m) for m in self.index.query(sig)]


def _scale(similarity: float, low_high: tuple[float, float]) -> float:
    low, high = low_high
    share = (similarity - MIN_SIMILARITY) / (1.0 - MIN_SIMILARITY)
    return low + (high - low) * max(0.0, min(1.0, share))


def _hit(match: Match) -> Hit:
    sites = f" on {match.sites} site(s)" if match.sites > 1 else ""
    if match.label is Label.SPAM:
        return Hit(
            "NEAR_DUPLICATE_SPAM",
            _scale(match.similarity, SPAM_SCORE),
            f"{match.similarity:.0%} similar to {match.items} comment(s) reported as spam{sites}.",
        )
    return Hit(
        "NEAR_DUPLICATE_HAM",
        _scale(match.similarity, HAM_SCORE),
        f"{match.similarity:.0%} similar to {match.items} comment(s) approved as not spam{sites}.",
    )
