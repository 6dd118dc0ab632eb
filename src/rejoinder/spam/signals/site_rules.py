"""Site rules: a site's moderators block or allow e-mails, IP ranges, URLs and words."""

from __future__ import annotations

from rejoinder.core.records.verdict import Hit
from rejoinder.spam.rules import RuleCache, RuleEffect, RuleMatch
from rejoinder.spam.submission import Submission

BLOCK_SCORE = 6.0  # the engine also forces at least `spam` (engine._forced_action)
ALLOW_SCORE = -6.0  # … and `accept`
BLOCK_PREFIX = "SITE_BLOCKED_"
ALLOW_PREFIX = "SITE_ALLOWED_"


class SiteRulesSignal:
    name = "site_rules"

    def __init__(self, rules: RuleCache):
        self.rules = rules

    def evaluate(self, submission: Submission) -> list[Hit]:
        if not submission.site:
            return []
        book = self.rules.book(submission.site)
        if not book:
            return []
        return [_hit(m) for m in book.matches(submission)]


def _hit(match: RuleMatch) -> Hit:
    kind = match.kind.value.upper()
    if match.effect is RuleEffect.BLOCK:
        return Hit(
            f"{BLOCK_PREFIX}{kind}",
            BLOCK_SCORE,
            f"This site's moderators block the {match.kind.value} {match.value!r}.",
        )
    return Hit(
        f"{ALLOW_PREFIX}{kind}",
        ALLOW_SCORE,
        f"This site's moderators allow the {match.kind.value} {match.value!r}.",
    )
