"""How much to trust the content model, per kind of text.

The content model's two learners (logistic regression and naive Bayes) are combined by a
:class:`Blend`: ``logit = a·logistic + b·bayes + c``, fitted on out-of-fold predictions. One
blend for everything fits badly: on Thai both learners are overconfident (the Thai set labels
near-identical carrier notices both ways), on short English texts they are too timid, and
naive Bayes grows more certain the longer a text is. So ``rejoinder train`` fits

* one blend per **writing system** (:func:`rejoinder.spam.scripts.script_of`) with enough
  labelled rows of both classes, and keeps the overall blend for every other one;
* with **length slopes**: the weight of each learner changes with the text's length term
  (:func:`length_term`).

A kind learns how far to trust each learner, not its data set's spam rate: its bias is
pulled toward the overall one (``fitting.KIND_BIAS_PULL``), and there is no term that shifts
the score by length alone (``LengthTerms.FULL`` exists for experiments). Both would let the
model learn "which data set is this" — see docs/spam-engine.md for what that cost on held-out
sources. The key is read from the text, never from the site, so a new site gets its
calibration at once.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import TypeVar

import numpy as np
import numpy.typing as npt

from rejoinder.spam.scripts import script_of
from rejoinder.spam.submission import Submission

V = TypeVar("V", float, npt.NDArray[np.float64])

KIND_KEY = "script"  # what text_kind reads (recorded with the model)
SCRIPT_SAMPLE = 300  # characters read to find the writing system
LENGTH_CENTER = 4.5  # ln(1 + 90): a length term of 0 is a text of about 90 characters
MAX_LENGTH = 2000  # the content model reads at most this many characters


class LengthTerms(StrEnum):
    """Which length terms a blend may fit (``rejoinder train`` configuration)."""

    NONE = "none"
    SLOPES = "slopes"  # trust in each learner changes with length
    FULL = "full"  # … and the log-odds themselves shift with length


@dataclass(frozen=True, slots=True)
class Blend:
    """How the logistic and the Bayes log-odds add up to the content log-odds.

    ``logit = (a + a′·s)·logistic + (b + b′·s)·bayes + c + c′·s``, where ``s`` is the text's
    :func:`length_term`: naive Bayes adds one clue per feature, so its log-odds grow with the
    length of a text, and a long text should not be trusted for its length alone.
    """

    logistic: float = 1.0
    bayes: float = 0.0
    bias: float = 0.0
    logistic_by_length: float = 0.0
    bayes_by_length: float = 0.0
    length: float = 0.0

    def __call__(self, logistic: V, bayes: V, size: V | float = 0.0) -> V:
        """The content log-odds; works on floats and on numpy arrays of many rows alike."""
        return (
            (self.logistic + self.logistic_by_length * size) * logistic
            + (self.bayes + self.bayes_by_length * size) * bayes
            + self.bias
            + self.length * size
        )

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class Blends:
    """The overall blend and the blends of the kinds of text that had enough data."""

    default: Blend = field(default_factory=Blend)
    by_kind: Mapping[str, Blend] = field(default_factory=dict)

    def __call__(self, kind: str) -> Blend:
        return self.by_kind.get(kind, self.default)


@dataclass(frozen=True, slots=True)
class TextContext:
    """What the blend needs to know about a text besides its features."""

    kind: str = ""
    size: float = 0.0  # length_term of the text

    @classmethod
    def of(cls, submission: Submission) -> TextContext:
        return cls(text_kind(submission), length_term(submission.text))


def text_kind(submission: Submission) -> str:
    """The writing system the text is mostly in, e.g. ``latin`` or ``thai``."""
    script, _letters = script_of(submission.text[:SCRIPT_SAMPLE])
    return str(script)


def length_term(text: str) -> float:
    """``ln(1 + characters) − LENGTH_CENTER``, capped at the characters the model reads."""
    return math.log1p(min(len(text), MAX_LENGTH)) - LENGTH_CENTER
