"""Velocity: bursts of comments from one network, or of one text, on a site and across sites."""

from __future__ import annotations

from rejoinder.core.records.verdict import Hit
from rejoinder.spam.learning.velocity import VelocityTracker
from rejoinder.spam.submission import Submission

MIN_TEXT_CHARS = 20  # "Thanks!" may well repeat
NET_SITE, NET_ALL, TEXT_SITE, TEXT_ALL = 5, 15, 2, 3  # earlier checks that start a burst
CAP = 3.0  # the whole family together


class VelocitySignal:
    name = "velocity"

    def __init__(self, tracker: VelocityTracker):
        self.tracker = tracker

    def evaluate(self, submission: Submission) -> list[Hit]:
        rates = self.tracker.rates(submission)
        minutes = round(self.tracker.window / 60)
        hits = []
        if rates.net_site >= NET_SITE:
            hits.append(
                Hit(
                    "VELOCITY_NET_SITE",
                    min(1.0 + 0.1 * (rates.net_site - NET_SITE), 2.0),
                    f"{rates.net_site} other comments from the same network on this site in {minutes} min.",
                )
            )
        if rates.net_all - rates.net_site >= NET_ALL:
            hits.append(
                Hit(
                    "VELOCITY_NET_ALL",
                    1.0,
                    f"{rates.net_all} comments from the same network across sites in {minutes} min.",
                )
            )
        if len(submission.text.strip()) >= MIN_TEXT_CHARS:
            if rates.text_site >= TEXT_SITE:
                hits.append(
                    Hit(
                        "VELOCITY_TEXT_SITE",
                        1.5,
                        f"The same text was sent {rates.text_site} times on this site in {minutes} min.",
                    )
                )
            if rates.text_all - rates.text_site >= TEXT_ALL:
                hits.append(
                    Hit(
                        "VELOCITY_TEXT_ALL",
                        1.5,
                        f"The same text was sent {rates.text_all} times across sites in {minutes} min.",
                    )
                )
        total = sum(h.score for h in hits)
        if total > CAP:
            hits = [Hit(h.symbol, h.score * CAP / total, h.detail) for h in hits]
        return hits
