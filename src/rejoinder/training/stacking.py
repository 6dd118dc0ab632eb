"""What is fitted on the content model's out-of-fold log-odds: the blends of its two parts (one
per kind of text) and the combiner of every signal's hits."""

from __future__ import annotations

import numpy as np

from rejoinder.core.records.verdict import Hit
from rejoinder.spam.learning.calibration import Blends
from rejoinder.spam.learning.combiner import Combiner, HitTable, fit_combiner
from rejoinder.spam.signals.content import CONTENT_SYMBOL
from rejoinder.spam.signals.testvalues import TEST_ADMIN_SYMBOL, TEST_SPAM_SYMBOL
from rejoinder.training.config import TrainConfig
from rejoinder.training.fitting import fit_blends
from rejoinder.training.prepared import FloatVector, Prepared, Rows

# Rules that carry knowledge the labelled data lacks (trades it never sells, call-centre
# numbers, the sites and numbers on SmokeDetector's blocklists): their hand-set scores count in
# full, a few look-alike rows cannot talk them down.
PRIOR_KNOWLEDGE = {
    "SPAM_TOPIC_SALE": 1.0,
    "PHONE_SUPPORT": 1.0,
    "LINK_SPAM_TOPIC": 1.0,
    "BLOCKLISTED_SITE": 1.0,
    "BLOCKLISTED_NUMBER": 1.0,
    # Fire on one spam-only source's names (the blog spam): learned, their weight would grow
    # toward the combiner's maximum on that source alone.
    "AUTHOR_NAME_LINK_TEXT": 1.0,
    "AUTHOR_NAME_TOPIC": 1.0,
    "SPAM_TEMPLATE": 1.0,
}


def fit_kind_blends(
    prep: Prepared, config: TrainConfig, logistic: FloatVector, bayes: FloatVector, rows: Rows
) -> Blends:
    """The content blends fitted on the given rows' out-of-fold log-odds."""
    rows = np.asarray(rows)
    kinds = prep.kinds[rows] if config.kind_blends else np.full(len(rows), "")
    labels = prep.labels[rows].astype(float)
    return fit_blends(
        logistic[rows],
        bayes[rows],
        labels,
        kinds,
        prep.sizes[rows],
        length_terms=config.length_terms,
        bias_pull=config.kind_bias_pull,
    )


def content_hit(logit: float) -> Hit:
    return Hit(CONTENT_SYMBOL, float(np.clip(logit, -15, 15)), "")


def fit_engine_combiner(
    prep: Prepared, content: FloatVector, rows: Rows, prior: float = 20.0
) -> Combiner:
    table = HitTable.build(
        [[content_hit(content[i]), *prep.hits[i]] for i in rows],
        [bool(prep.labels[i]) for i in rows],
    )
    fixed = {TEST_ADMIN_SYMBOL: 1.0, TEST_SPAM_SYMBOL: 1.0, **PRIOR_KNOWLEDGE}
    return fit_combiner(table, prior_strength=prior, fixed=fixed)


def combined(prep: Prepared, content: FloatVector, rows: Rows, combiner: Combiner) -> FloatVector:
    return np.array([combiner.probability([content_hit(content[i]), *prep.hits[i]]) for i in rows])
