"""What the engine answers: a probability, an action, and the named hits behind them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypedDict


class Action(StrEnum):
    """What happens to a comment, from the engine's point of view."""

    ACCEPT = "accept"
    HOLD = "hold"
    SPAM = "spam"
    DISCARD = "discard"

    @property
    def is_spam(self) -> bool:
        """Akismet's boolean: `true` for spam and discard."""
        return self in (Action.SPAM, Action.DISCARD)


class Label(StrEnum):
    """A moderator's or client's judgement used for learning."""

    SPAM = "spam"
    HAM = "ham"


class HitRecord(TypedDict, total=False):
    """A hit as stored (a JSON object in a check's or a comment's ``hits``) and sent in
    notifications; an imported one may lack a key, so readers use ``.get``."""

    symbol: str
    score: float
    detail: str


@dataclass(frozen=True, slots=True)
class Hit:
    """One named finding of one signal.

    ``score`` is a contribution in log-odds: positive pushes toward spam, negative toward ham.
    ``detail`` is a sentence a moderator understands.
    """

    symbol: str
    score: float
    detail: str

    def as_dict(self) -> HitRecord:
        return {"symbol": self.symbol, "score": round(self.score, 4), "detail": self.detail}


@dataclass(frozen=True, slots=True)
class Verdict:
    probability: float
    action: Action
    hits: tuple[Hit, ...] = field(default_factory=tuple)
    model_version: str = ""

    @property
    def is_spam(self) -> bool:
        return self.action.is_spam

    def symbols(self) -> list[str]:
        return [h.symbol for h in self.hits]

    def as_dict(self) -> dict[str, Any]:
        return {
            "probability": round(self.probability, 6),
            "action": self.action.value,
            "spam": self.is_spam,
            "model_version": self.model_version,
            "hits": [h.as_dict() for h in sorted(self.hits, key=lambda h: -abs(h.score))],
        }


@dataclass(frozen=True, slots=True)
class Thresholds:
    """Per-site probability cut-offs, each inclusive."""

    hold: float
    spam: float
    discard: float

    def action_for(self, probability: float) -> Action:
        if probability >= self.discard:
            return Action.DISCARD
        if probability >= self.spam:
            return Action.SPAM
        if probability >= self.hold:
            return Action.HOLD
        return Action.ACCEPT
