"""The spam engine: run every signal, combine the hits, map the probability to an action.

``web`` and ``comments`` only ever call :meth:`Engine.check` and :meth:`Engine.learn`; what
happens inside (rules today, learned models later) can change without touching them.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from rejoinder.spam.learning.artifact import ModelBundle, load_or_empty
from rejoinder.spam.learning.state import LearnedState
from rejoinder.spam.signals.base import Signal
from rejoinder.spam.signals.content import ContentModelSignal
from rejoinder.spam.signals.form import HoneypotSignal
from rejoinder.spam.signals.links import LinkCountSignal
from rejoinder.spam.signals.testvalues import TEST_ADMIN_SYMBOL, TEST_SPAM_SYMBOL, TestValuesSignal
from rejoinder.spam.submission import Submission
from rejoinder.spam.verdict import Action, Hit, Label, Thresholds, Verdict

log = logging.getLogger(__name__)

SIGNAL_ERROR = "SIGNAL_ERROR"
RULES_VERSION = "rules-1"


@dataclass(frozen=True, slots=True)
class EngineConfig:
    thresholds: Thresholds
    bias: float = -2.0  # prior log-odds when nothing fires
    signal_budget_ms: float = 50.0
    link_limit: int = 3


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-min(x, 700.0)))
    z = math.exp(max(x, -700.0))
    return z / (1.0 + z)


class Engine:
    """Signals in, verdict out."""

    def __init__(
        self,
        config: EngineConfig,
        signals: Sequence[Signal] | None = None,
        bundle: ModelBundle | None = None,
    ):
        self.config = config
        self.bundle = bundle if bundle is not None else load_or_empty()
        self.combiner = self.bundle.combiner
        self.learned_state: LearnedState | None = None  # set by app.py: durable learning
        self.signals: list[Signal] = (
            list(signals) if signals is not None else default_signals(config, self.bundle)
        )

    def check(self, submission: Submission, thresholds: Thresholds | None = None) -> Verdict:
        """Score one submission. Never raises for bad input: a failing signal holds."""
        hits: list[Hit] = []
        failed = False
        for signal in self.signals:
            found, ok = self._run(signal, submission)
            hits.extend(found)
            failed = failed or not ok
        probability = self.combiner.probability(hits)
        action = (thresholds or self.config.thresholds).action_for(probability)
        forced = _forced_action(hits)
        if forced is not None:
            action = forced
        elif failed and action is Action.ACCEPT:
            action = Action.HOLD
        return Verdict(probability, action, tuple(hits), self.bundle.version)

    def _run(self, signal: Signal, submission: Submission) -> tuple[list[Hit], bool]:
        started = time.perf_counter()
        try:
            found = signal.evaluate(submission)
        except Exception as exc:  # a signal must never fail the request
            log.warning("signal %s failed: %s", signal.name, type(exc).__name__)
            return [
                Hit(SIGNAL_ERROR, 0.0, f"The {signal.name} check failed; held for review.")
            ], False
        elapsed_ms = (time.perf_counter() - started) * 1000
        if elapsed_ms > self.config.signal_budget_ms:
            detail = f"The {signal.name} check took {elapsed_ms:.0f} ms, over its budget."
            return [*found, Hit(SIGNAL_ERROR, 0.0, detail)], False
        return found, True

    def learn(self, submission: Submission, label: Label, feedback_id: int | None = None) -> bool:
        """Learn from one labelled submission. Returns whether anything was learned.

        With a stored ``feedback_id`` and durable learning wired up, the content model learns
        from the feedback log instead (in id order, including rows other workers stored).
        """
        if feedback_id is not None and self.learned_state is not None:
            return self.learned_state.sync(feedback_id) > 0
        return self.bundle.content.learn_one(submission, label)


def _forced_action(hits: Sequence[Hit]) -> Action | None:
    symbols = {h.symbol for h in hits}
    if TEST_ADMIN_SYMBOL in symbols:
        return Action.ACCEPT
    if TEST_SPAM_SYMBOL in symbols:
        return Action.SPAM
    return None


def default_signals(config: EngineConfig, bundle: ModelBundle) -> list[Signal]:
    return [
        TestValuesSignal(),
        HoneypotSignal(),
        LinkCountSignal(config.link_limit),
        ContentModelSignal(bundle.content),
    ]
