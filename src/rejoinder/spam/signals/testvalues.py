"""The documented Akismet test values (akismet-api.md §4)."""

from __future__ import annotations

from rejoinder.core.records.verdict import Hit
from rejoinder.spam.submission import Submission

GUARANTEED_SPAM_AUTHORS = frozenset({"akismet-guaranteed-spam", "viagra-test-123"})
GUARANTEED_SPAM_EMAIL = "akismet-guaranteed-spam@example.com"
TEST_SPAM_SYMBOL = "TEST_GUARANTEED_SPAM"
TEST_ADMIN_SYMBOL = "TEST_ADMINISTRATOR"


class TestValuesSignal:
    """Author/email test hooks force spam; the administrator role forces ham."""

    name = "test_values"

    def evaluate(self, submission: Submission) -> list[Hit]:
        if "administrator" in submission.roles:
            return [
                Hit(TEST_ADMIN_SYMBOL, -100.0, "Sent with user_role administrator: never spam.")
            ]
        author = submission.author.strip().lower()
        email = submission.email.strip().lower()
        if author in GUARANTEED_SPAM_AUTHORS or email == GUARANTEED_SPAM_EMAIL:
            return [Hit(TEST_SPAM_SYMBOL, 100.0, "Uses an Akismet test value that is always spam.")]
        return []
