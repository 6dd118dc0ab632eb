import math

import pytest

from rejoinder.core.records.verdict import Action, Label, Thresholds
from rejoinder.spam.engine import Engine, EngineConfig
from rejoinder.spam.learning.artifact import ModelBundle
from rejoinder.spam.learning.calibration import Blend, Blends
from rejoinder.spam.learning.classifier import ContentModel
from rejoinder.spam.learning.combiner import Combiner
from rejoinder.spam.learning.features import FeatureConfig, FeatureExtractor
from rejoinder.spam.learning.personal import PersonalModels
from rejoinder.spam.signals.content import (
    CONTENT_SYMBOL,
    PERSONAL_SYMBOL,
    ContentModelSignal,
    describe,
)
from rejoinder.spam.submission import Submission

THRESHOLDS = Thresholds(0.5, 0.94, 0.99999)


def tiny_bundle(combiner: Combiner | None = None) -> ModelBundle:
    model = ContentModel.empty(FeatureExtractor(FeatureConfig(bits=12)))
    model.blend = Blends(Blend(1.0, 0.0, 0.0))
    model.version = "content-1.tiny"
    return ModelBundle(model, combiner or Combiner())


def test_signal_reports_the_model_log_odds_in_words() -> None:
    bundle = tiny_bundle()
    bundle.content.model.bias = 2.0
    hits = ContentModelSignal(bundle.content).evaluate(Submission(content="anything"))
    assert [h.symbol for h in hits] == [CONTENT_SYMBOL]
    assert hits[0].score == pytest.approx(2.0)
    assert "resembles known spam" in hits[0].detail and "p=0.88" in hits[0].detail
    assert "legitimate" in describe(0.02)


def test_signal_scores_even_an_empty_submission() -> None:
    bundle = tiny_bundle()
    bundle.content.model.bias = -1.5
    hits = ContentModelSignal(bundle.content).evaluate(Submission(content="  "))
    assert [(h.symbol, round(h.score, 2)) for h in hits] == [(CONTENT_SYMBOL, -1.5)]


def test_personal_hit_appears_once_the_site_has_taught_enough() -> None:
    bundle = tiny_bundle()
    bundle.content.personal = PersonalModels(bits=10, min_learns=2)
    site = "https://blog.example"
    signal = ContentModelSignal(bundle.content)
    probe = Submission(site=site, content="buy pills")
    for label in (Label.SPAM, Label.SPAM, Label.HAM):
        bundle.content.learn_one(Submission(site=site, content="buy pills"), label)
    assert PERSONAL_SYMBOL not in [h.symbol for h in signal.evaluate(probe)]
    bundle.content.learn_one(Submission(site=site, content="nice post"), Label.HAM)
    hits = {h.symbol: h for h in signal.evaluate(probe)}
    assert PERSONAL_SYMBOL in hits and "This site's own moderation" in hits[PERSONAL_SYMBOL].detail


def test_engine_registers_the_content_signal_and_uses_the_combiner() -> None:
    bundle = tiny_bundle(Combiner(-1.0, {CONTENT_SYMBOL: 2.0}))
    bundle.content.model.bias = 1.5
    assert "content_model" in [
        s.name for s in Engine(EngineConfig(THRESHOLDS), bundle=bundle).signals
    ]
    engine = Engine(EngineConfig(THRESHOLDS), [ContentModelSignal(bundle.content)], bundle=bundle)
    verdict = engine.check(Submission(content="hello there"))
    assert verdict.probability == pytest.approx(1 / (1 + math.exp(-(-1.0 + 2.0 * 1.5))))
    assert verdict.model_version == "content-1.tiny"
    assert verdict.action is Action.HOLD


def test_without_durable_state_the_content_model_learns_directly() -> None:
    bundle = tiny_bundle()
    engine = Engine(EngineConfig(THRESHOLDS), bundle=bundle)
    sub = Submission(content="zorblax deal")
    before = bundle.content.score(sub).logit
    assert engine.bundle.content.learn_one(sub, Label.SPAM)
    assert bundle.content.score(sub).logit > before
