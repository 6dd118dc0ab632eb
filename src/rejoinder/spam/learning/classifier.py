"""The content model: a hashed linear model that learns one example at a time.

:class:`LinearModel` is logistic regression over :class:`~.features.SparseVector` with
per-coordinate AdaGrad steps, so a feature seen thousands of times moves slowly and a new
word, host or campaign phrase moves fast. :class:`ContentModel` puts together the feature
extractor, the global model (shipped, shared by every site), the per-site adjustments
(:mod:`.personal`) and the class-balance guard, and is what the engine and the feedback
pipeline talk to: :meth:`ContentModel.score` and :meth:`ContentModel.learn_one`.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass, field

import numpy as np

from rejoinder.core.records.verdict import Label
from rejoinder.spam.learning.bayes import NaiveBayes
from rejoinder.spam.learning.calibration import Blends, TextContext
from rejoinder.spam.learning.features import FeatureExtractor, SparseVector
from rejoinder.spam.learning.linear import LinearModel, clip_logit, sigmoid
from rejoinder.spam.learning.personal import PersonalModels
from rejoinder.spam.submission import Submission

NO_CONTEXT = TextContext()
# Train until learned: a label is stepped on until the content score agrees with it by this
# many log-odds (p 0.95), at most CORRECTION_STEPS times. One step moves a confident mistake
# only a little, so a moderator had to correct the same kind of comment again and again.
# A report of new spam agrees within a few steps; taking a report back needs more (AdaGrad has
# already shrunk the steps of the features the report taught, and "not spam" is the class the
# model learned more often): with 10 steps a withdrawn report stayed held (p 0.82).
CORRECTION_MARGIN = 3.0
CORRECTION_STEPS = 20
# What a correction teaches is what is specific to the comment: a feature's step is scaled
# by 1 / (1 + n / SPECIFIC_COUNT), n its (weighted) count in everything learned so far. A
# word every reader uses ("the", "thanks") has tens of thousands and hardly moves; a new link
# host, phone number, name or rare phrase has none and takes the whole step; the phrases of
# a spam genre the model never met (hundreds) take most of it. So one report of
# praise-plus-payload spam teaches the payload, not that "thanks" is spam, while a run of
# reports of a new genre is learned within tens of reports (bench/mixed_stream.py --unseen:
# recall 0.54 → 0.96 over the first 800 comments, was 0.05 → 0.47 at 100 and margin 2).
SPECIFIC_COUNT = 1000.0


@dataclass(slots=True)
class ClassBalance:
    """Learned spam and ham counts; the class learned far more often learns more softly.

    The step for a label is scaled by ``sqrt((other + k) / (this + k))``, capped to
    [``floor``, 1]: a stream of one class keeps teaching, but cannot swamp the other.
    """

    spam: float = 0.0
    ham: float = 0.0
    k: float = 20.0
    floor: float = 0.1

    def scale(self, label: Label) -> float:
        this, other = (self.spam, self.ham) if label is Label.SPAM else (self.ham, self.spam)
        ratio = math.sqrt((other + self.k) / (this + self.k))
        return max(self.floor, min(1.0, ratio))

    def count(self, label: Label) -> None:
        if label is Label.SPAM:
            self.spam += 1
        else:
            self.ham += 1


@dataclass(frozen=True, slots=True)
class ContentScore:
    """The content model's opinion of one submission, in log-odds."""

    logit: float
    personal: float | None = None  # None while the site's model has too few examples

    @property
    def probability(self) -> float:
        return sigmoid(self.logit)


@dataclass
class ContentModel:
    """Feature extractor, global logistic + Bayes models, per-site adjustments; one lock."""

    extractor: FeatureExtractor
    model: LinearModel
    bayes: NaiveBayes
    blend: Blends
    personal: PersonalModels
    balance: ClassBalance = field(default_factory=ClassBalance)
    version: str = "untrained"
    learned: int = 0  # examples learned online since the artifact was loaded
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def empty(cls, extractor: FeatureExtractor | None = None) -> ContentModel:
        extractor = extractor or FeatureExtractor()
        return cls(
            extractor,
            LinearModel.zeros(extractor.dim),
            NaiveBayes.zeros(extractor.dim),
            Blends(),
            PersonalModels(),
        )

    def features(self, submission: Submission) -> SparseVector:
        return self.extractor.extract(submission)

    def score(self, submission: Submission) -> ContentScore:
        return self.score_features(
            self.features(submission), submission.site, TextContext.of(submission)
        )

    def global_logit(self, x: SparseVector, context: TextContext = NO_CONTEXT) -> float:
        """The global models' log-odds, blended as calibrated for this kind and length."""
        blend = self.blend(context.kind)
        return clip_logit(blend(self.model.decision(x), self.bayes.log_odds(x), context.size))

    def score_features(
        self, x: SparseVector, site: str = "", context: TextContext = NO_CONTEXT
    ) -> ContentScore:
        logit = self.global_logit(x, context)
        personal = self.personal.logit(site, x) if site else None
        return ContentScore(logit, None if personal is None else clip_logit(personal))

    def learn_one(self, submission: Submission, label: Label) -> bool:
        """Learn one labelled submission (global models and the submission's site)."""
        return self.learn_features(
            self.features(submission), label, submission.site, TextContext.of(submission)
        )

    def learn_features(
        self, x: SparseVector, label: Label, site: str = "", context: TextContext = NO_CONTEXT
    ) -> bool:
        y = 1.0 if label is Label.SPAM else 0.0
        with self._lock:
            scale = self.balance.scale(label)
            rare = self.specific(x)
            self._step_until_learned(x, rare, y, scale, context)
            self.bayes.learn(x, label is Label.SPAM, scale)
            self.balance.count(label)
            if site:
                self.personal.learn(site, rare, label, self.global_logit(x, context))
            self.learned += 1
        return True

    def specific(self, x: SparseVector) -> SparseVector:
        """``x`` with each feature weighed by how rarely it was seen (``SPECIFIC_COUNT``)."""
        seen = self.bayes.spam_counts[x.indices] + self.bayes.ham_counts[x.indices]
        weights = np.float32(1.0) / (np.float32(1.0) + seen / np.float32(SPECIFIC_COUNT))
        return SparseVector(x.indices, (x.values * weights).astype(np.float32))

    def _step_until_learned(
        self, x: SparseVector, rare: SparseVector, y: float, scale: float, context: TextContext
    ) -> None:
        """AdaGrad steps on one label, on its specific features and leaving the bias alone,
        until the blended global score is ``CORRECTION_MARGIN`` on its side (always one step,
        at most ``CORRECTION_STEPS``)."""
        side = 1.0 if y else -1.0
        blend = self.blend(context.kind)
        bayes = self.bayes.log_odds(x)  # Bayes learns after the loop: computed once
        logistic = clip_logit(self.model.decision(x))
        for _ in range(CORRECTION_STEPS):
            self.model.step(rare, sigmoid(logistic) - y, scale, learn_bias=False)
            logistic = clip_logit(self.model.decision(x))
            if side * clip_logit(blend(logistic, bayes, context.size)) >= CORRECTION_MARGIN:
                return
