"""Links: how many, and where they point."""

from __future__ import annotations

from rejoinder.spam.submission import Submission
from rejoinder.spam.verdict import Hit


class LinkCountSignal:
    """Many links in one comment is a classic spam shape."""

    name = "links"

    def __init__(self, limit: int = 3):
        self.limit = limit

    def evaluate(self, submission: Submission) -> list[Hit]:
        count = len(submission.urls)
        if count > self.limit:
            extra = min(count - self.limit, 10)
            return [
                Hit(
                    "LINKS_MANY",
                    1.5 + 0.4 * extra,
                    f"{count} links in the comment (limit {self.limit}).",
                )
            ]
        return []
