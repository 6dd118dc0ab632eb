"""Form evidence: honeypot field."""

from __future__ import annotations

from rejoinder.spam.submission import Submission
from rejoinder.spam.verdict import Hit


class HoneypotSignal:
    """A hidden field only bots fill in (Akismet `honeypot_field_name`)."""

    name = "honeypot"

    def evaluate(self, submission: Submission) -> list[Hit]:
        field_name = submission.extra.get("honeypot_field_name", "").strip()
        if field_name and submission.extra.get(field_name, "").strip():
            return [
                Hit("HONEYPOT_FILLED", 8.0, f"The hidden field '{field_name[:40]}' was filled in.")
            ]
        return []
