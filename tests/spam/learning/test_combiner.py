import math

import numpy as np
import pytest

from rejoinder.core.records.verdict import Hit
from rejoinder.errors import ConfigError
from rejoinder.spam.learning.combiner import (
    MAX_WEIGHT,
    Combiner,
    HitTable,
    fit_combiner,
    parse_weights,
)


def test_probability_is_sigmoid_of_bias_plus_weighted_scores() -> None:
    combiner = Combiner(-1.0, {"A": 2.0})
    hits = [Hit("A", 1.5, ""), Hit("UNKNOWN", 0.5, "")]
    expected = 1 / (1 + math.exp(-(-1.0 + 2.0 * 1.5 + 1.0 * 0.5)))
    assert combiner.probability(hits) == pytest.approx(expected)
    assert Combiner(-2.0).probability([]) == pytest.approx(1 / (1 + math.exp(2.0)))


def test_overrides_replace_bias_and_weights() -> None:
    base = Combiner(-1.0, {"A": 2.0, "B": 0.5})
    changed = base.with_overrides(0.5, {"A": 1.0})
    assert changed.bias == 0.5 and changed.weights == {"A": 1.0, "B": 0.5}
    assert base.with_overrides(None, {}).bias == -1.0


def test_parse_weights_reads_pairs_and_rejects_garbage() -> None:
    assert parse_weights(" content_model=1.2, LINKS_MANY=0.5 ,") == {
        "CONTENT_MODEL": 1.2,
        "LINKS_MANY": 0.5,
    }
    assert parse_weights("") == {}
    for bad in ("A", "A=x", "=1", "A=nan"):
        with pytest.raises(ConfigError, match="combiner_weights"):
            parse_weights(bad)


def test_round_trip_through_dict() -> None:
    c = Combiner(-0.7, {"X": 1.3})
    assert Combiner.from_dict(c.as_dict()) == c


def test_fit_learns_useful_weights_and_keeps_silent_symbols_at_one() -> None:
    rng = np.random.default_rng(0)
    hit_lists, labels = [], []
    for _ in range(400):
        spam = bool(rng.random() < 0.5)
        strong = 2.0 if spam else -2.0
        hits = [Hit("STRONG", strong + rng.normal(0, 1), ""), Hit("NOISE", rng.normal(0, 1), "")]
        hit_lists.append(hits)
        labels.append(spam)
    table = HitTable.build(hit_lists, labels)
    fitted = fit_combiner(table, fixed={"FORCED": 1.0})
    assert fitted.weights["STRONG"] > 1.0
    assert fitted.weights["NOISE"] < 0.5
    assert min(fitted.weights.values()) >= 0.0 and max(fitted.weights.values()) <= MAX_WEIGHT
    assert fitted.weight("NEVER_FIRED") == 1.0
    assert fitted.weights["FORCED"] == 1.0


def test_fit_cannot_push_a_one_class_symbol_beyond_the_cap() -> None:
    hit_lists = [[Hit("ONLY_ON_SPAM", 1.0, "")] for _ in range(300)] + [[] for _ in range(300)]
    labels = [True] * 300 + [False] * 300
    fitted = fit_combiner(HitTable.build(hit_lists, labels))
    assert fitted.weights["ONLY_ON_SPAM"] <= MAX_WEIGHT


def test_weighted_hits_carry_their_effective_contribution() -> None:
    combiner = Combiner(-1.0, {"A": 0.5, "B": 0.0})
    hits = [Hit("A", 2.0, "a"), Hit("B", 3.0, "b"), Hit("C", 1.0, "c")]
    weighted = combiner.weighted(hits)
    assert [(h.symbol, h.score, h.detail) for h in weighted] == [
        ("A", 1.0, "a"),
        ("B", 0.0, "b"),
        ("C", 1.0, "c"),
    ]
    assert combiner.logit(hits) == pytest.approx(-1.0 + sum(h.score for h in weighted))
