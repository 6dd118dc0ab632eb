"""Site rules: a site's moderators block or allow e-mails, IP ranges, URLs and words."""

from __future__ import annotations

from rejoinder.spam.rules import RuleCache, RuleEffect, RuleMatch
from rejoinder.spam.submission import Submission
from rejoinder.spam.verdict import Hit

BLOCK_SCORE = 6.0  # past the spam threshold on its own: the moderator said so
ALLOW_SCORE = -6.0


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
        return Hit(f"SITE_BLOCKED_{kind}", BLOCK_SCORE,
                   f"This site's moderators block the {match.kind.value} {match.value!r}.")  # fmt: skip
    return Hit(f"SITE_ALLOWED_{kind}", ALLOW_SCORE,
               f"This site's moderators allow the {match.kind.value} {match.value!r}.")  # fmt: skip
