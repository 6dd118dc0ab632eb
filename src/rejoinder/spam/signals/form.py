"""Form evidence: the honeypot field, and how fast the form was filled in.

The contract with the comment widget: it passes ``extra["honeypot_field_name"]`` and the field
of that name, and ``extra["form_age_seconds"]`` — seconds between the signed form render and
the submit, as a decimal string, absent when unknown. WordPress' Akismet plugin sends its own
hidden field as ``POST_ak_hp_textarea``.
"""

from __future__ import annotations

from rejoinder.core.records.verdict import Hit
from rejoinder.spam.submission import Submission

WORDPRESS_HONEYPOT = "POST_ak_hp_textarea"
HONEYPOT_SYMBOL = "HONEYPOT_FILLED"  # decisive: the engine files the comment as spam at least


class HoneypotSignal:
    """A hidden field only bots fill in (Akismet `honeypot_field_name`)."""

    name = "honeypot"

    def evaluate(self, submission: Submission) -> list[Hit]:
        field_name = submission.extra.get("honeypot_field_name", "").strip()
        if field_name and submission.extra.get(field_name, "").strip():
            return [
                Hit(HONEYPOT_SYMBOL, 8.0, f"The hidden field '{field_name[:40]}' was filled in.")
            ]
        if submission.extra.get(WORDPRESS_HONEYPOT, "").strip():
            return [Hit(HONEYPOT_SYMBOL, 8.0, "WordPress' hidden anti-spam field was filled in.")]
        return []


class FormTimingSignal:
    """A form sent faster than a person can type a comment."""

    name = "form_timing"

    def __init__(self, min_seconds: float = 3.0):
        self.min_seconds = min_seconds

    def evaluate(self, submission: Submission) -> list[Hit]:
        age = submission.form_age_seconds
        if age is None or age >= self.min_seconds:
            return []
        score = 1.8 if age < self.min_seconds / 3 else 1.2  # alone, below "hold": evidence only
        return [
            Hit(
                "FORM_TOO_FAST",
                score,
                f"The form was sent {age:.1f} s after it was shown (people need {self.min_seconds:.0f} s or more).",
            )
        ]
