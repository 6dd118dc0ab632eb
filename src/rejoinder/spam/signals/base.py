"""The contract every signal meets."""

from __future__ import annotations

from typing import Protocol

from rejoinder.core.records.verdict import Hit
from rejoinder.spam.submission import Submission


class Signal(Protocol):
    """A small, named, separately tested unit that looks at a submission.

    ``evaluate`` returns zero or more hits. It must not raise for any input a client can send;
    if it does anyway, the engine records ``SIGNAL_ERROR`` and holds the comment.
    """

    name: str

    def evaluate(self, submission: Submission) -> list[Hit]: ...
