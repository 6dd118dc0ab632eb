"""The spam engine: run every signal, combine the hits, map the probability to an action.

``web`` and ``comments`` only ever call :meth:`Engine.check`; what happens inside can change
without touching them. The engine does not learn: labels reach its learned parts through
``spam/labels.py`` (``Labels.publish``), to which ``app.py`` subscribes them.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass

from rejoinder.core.records.verdict import Action, Hit, Thresholds, Verdict
from rejoinder.spam import domains
from rejoinder.spam.learning.artifact import ModelBundle, load_or_empty
from rejoinder.spam.learning.content_state import ContentState
from rejoinder.spam.learning.state import LearnedState
from rejoinder.spam.payload import carries_payload
from rejoinder.spam.signals.author import AuthorEmailSignal
from rejoinder.spam.signals.author_names import AuthorNameSignal
from rejoinder.spam.signals.base import Signal
from rejoinder.spam.signals.blocklisted_numbers import BlocklistedNumberSignal
from rejoinder.spam.signals.blocklisted_sites import BlocklistedSiteSignal
from rejoinder.spam.signals.campaigns import CampaignSignal
from rejoinder.spam.signals.client import ClientSignal
from rejoinder.spam.signals.contact import ContactSignal
from rejoinder.spam.signals.content import CONTENT_SYMBOL, PERSONAL_SYMBOL, ContentModelSignal
from rejoinder.spam.signals.context import LanguageSignal, OldPostSignal
from rejoinder.spam.signals.form import HONEYPOT_SYMBOL, FormTimingSignal, HoneypotSignal
from rejoinder.spam.signals.link_topics import LinkTopicSignal
from rejoinder.spam.signals.links import LinkSignal
from rejoinder.spam.signals.phones import PhoneSignal
from rejoinder.spam.signals.reputation import ReputationSignal
from rejoinder.spam.signals.site_rules import ALLOW_PREFIX, BLOCK_PREFIX, SiteRulesSignal
from rejoinder.spam.signals.templates import TemplateSignal
from rejoinder.spam.signals.testvalues import TEST_ADMIN_SYMBOL, TEST_SPAM_SYMBOL, TestValuesSignal
from rejoinder.spam.signals.topicality import OffTopicSignal
from rejoinder.spam.signals.topics import SpamTopicSignal
from rejoinder.spam.signals.unicode_tricks import UnicodeTricksSignal
from rejoinder.spam.signals.velocity import VelocitySignal
from rejoinder.spam.submission import Submission

log = logging.getLogger(__name__)

SIGNAL_ERROR = "SIGNAL_ERROR"
NO_PAYLOAD = "NO_PAYLOAD"  # worded like spam, carries nothing spam is posted for: held
RULES_VERSION = "rules-2"


@dataclass(frozen=True, slots=True)
class EngineConfig:
    thresholds: Thresholds
    bias: float = -2.0  # prior log-odds when nothing fires
    signal_budget_ms: float = 50.0
    link_limit: int = 3
    form_min_seconds: float = 3.0
    language_check: bool = True


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
        state: LearnedState | None = None,
        bundle: ModelBundle | None = None,
    ):
        self.config = config
        self.state = state
        self.bundle = bundle if bundle is not None else load_or_empty()
        self.combiner = self.bundle.combiner
        # The content model's snapshots and catch-up from the feedback log, wired by app.py.
        self.content_state: ContentState | None = None
        self._warm = False
        self.signals: list[Signal] = (
            list(signals) if signals is not None else default_signals(config, state, self.bundle)
        )

    def check(self, submission: Submission, thresholds: Thresholds | None = None) -> Verdict:
        """Score one submission. Never raises for bad input: a failing signal holds."""
        if not self._warm:
            self._prepare()
        if self.state is not None:
            self.state.refresh()
        if self.content_state is not None:
            self.content_state.refresh_if_due()
        hits: list[Hit] = []
        failed = False
        for signal in self.signals:
            found, ok = self._run(signal, submission)
            hits.extend(found)
            failed = failed or not ok
        hits = self.combiner.weighted(hits)  # each hit's effective contribution
        probability = sigmoid(self.combiner.bias + sum(h.score for h in hits))
        action = (thresholds or self.config.thresholds).action_for(probability)
        forced = _forced_action(hits, action)
        if forced is not None:
            action = forced
        elif failed and action is Action.ACCEPT:
            action = Action.HOLD
        elif action.is_spam and _wording_alone(hits, submission):
            action = Action.HOLD
            hits.append(Hit(NO_PAYLOAD, 0.0, NO_PAYLOAD_DETAIL))
        return Verdict(probability, action, tuple(hits), self.bundle.version)

    def warm_up(self) -> None:
        """At start: load everything (see ``_prepare``), then learn feedback a crash left
        unlearned and purge expired items (writes: never done on the check path)."""
        self._prepare()
        if self.state is not None:
            self.state.maintain(force=True)

    def _prepare(self) -> None:
        """Load lists, language models and learned state (reads only), so one-time costs never
        count against a signal's time budget. Runs by itself before the first check."""
        if self._warm:
            return
        domains.warm_up()
        if self.state is not None:
            self.state.ensure_loaded()
        if self.content_state is not None:
            self.content_state.ensure_restored()  # snapshot + feedback newer than it
        for signal in self.signals:
            warm = getattr(signal, "warm_up", None)
            if callable(warm):
                warm()
        self._warm = True

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


WORDING = frozenset({CONTENT_SYMBOL, PERSONAL_SYMBOL})
# Where and how it was sent, not what it carries: no evidence of spam on their own.
CONTEXT = frozenset({"UA_MISSING", "REFERRER_MISSING", "POST_OLD", "LANGUAGE_MISMATCH"})
NOT_EVIDENCE = WORDING | CONTEXT
NO_PAYLOAD_DETAIL = (
    "Reads like spam, but carries nothing spam is posted for (no link, web address, number, "
    "contact, channel or money): held for a moderator instead of filed."
)


def _wording_alone(hits: Sequence[Hit], submission: Submission) -> bool:
    """Only the content model speaks against the comment (and perhaps how it was sent: no
    user agent or referrer, an old post, another language) and it carries no payload
    (:mod:`rejoinder.spam.payload`): a reader's words may read like a spammer's."""
    evidence = any(h.score > 0 and h.symbol not in NOT_EVIDENCE for h in hits)
    return not evidence and not carries_payload(submission)


def _forced_action(hits: Sequence[Hit], action: Action) -> Action | None:
    """Test values, the site's own rules and a filled honeypot decide whatever the scores say:
    a moderator's block or the hidden field a person never sees files the comment as spam at
    least, an allow accepts it, both at once hold it."""
    symbols = {h.symbol for h in hits}
    if TEST_ADMIN_SYMBOL in symbols:
        return Action.ACCEPT
    if TEST_SPAM_SYMBOL in symbols:
        return Action.SPAM
    blocked = HONEYPOT_SYMBOL in symbols or any(s.startswith(BLOCK_PREFIX) for s in symbols)
    allowed = any(s.startswith(ALLOW_PREFIX) for s in symbols)
    if blocked and allowed:
        return Action.HOLD
    if blocked:
        return None if action is Action.DISCARD else Action.SPAM
    return Action.ACCEPT if allowed else None


def default_signals(
    config: EngineConfig, state: LearnedState | None = None, bundle: ModelBundle | None = None
) -> list[Signal]:
    """Every signal family; the learned ones only when there is learned state to read."""
    signals: list[Signal] = [
        TestValuesSignal(),
        HoneypotSignal(),
        FormTimingSignal(config.form_min_seconds),
        LinkSignal(config.link_limit),
        AuthorEmailSignal(),
        AuthorNameSignal(),
        ClientSignal(),
        OldPostSignal(),
        UnicodeTricksSignal(),
        SpamTopicSignal(),
        LinkTopicSignal(),
        OffTopicSignal(state.profiles if state is not None else None),
        PhoneSignal(),
        ContactSignal(),
        TemplateSignal(),
        BlocklistedSiteSignal(),
        BlocklistedNumberSignal(),
    ]
    if bundle is not None:
        signals.append(ContentModelSignal(bundle.content))
    if config.language_check:
        signals.append(LanguageSignal())
    if state is not None:
        signals += [
            SiteRulesSignal(state.rules),
            ReputationSignal(state.reputation, state.hasher),
            VelocitySignal(state.velocity),
            CampaignSignal(state.index),
        ]
    return signals
