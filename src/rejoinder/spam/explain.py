"""Explanations: a verdict in words a moderator understands.

Every hit is listed with its contribution (log-odds: positive toward spam, negative toward
"not spam") and that contribution in words; the probability and action come first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rejoinder.core.records.verdict import Action, Hit, Verdict
from rejoinder.storage.checks import StoredCheck

ACTION_WORDS = {
    Action.ACCEPT: "published",
    Action.HOLD: "held for a moderator",
    Action.SPAM: "filed as spam",
    Action.DISCARD: "discarded as blatant spam",
}


def strength(score: float) -> str:
    """A contribution in words: ``+2.2`` → ``strongly toward spam``."""
    size = abs(score)
    if size < 0.05:
        return "no weight either way"
    word = (
        "slightly"
        if size < 0.75
        else "moderately"
        if size < 1.5
        else "strongly"
        if size < 3.0
        else "decisively"
    )
    return f"{word} toward {'spam' if score > 0 else 'not spam'}"


def describe_hit(hit: Hit) -> dict[str, Any]:
    return {
        "symbol": hit.symbol,
        "score": round(hit.score, 4),
        "effect": f"{hit.score:+.2f}: {strength(hit.score)}",
        "detail": hit.detail,
    }


def summary(probability: float, action: Action, hits: Iterable[Hit]) -> str:
    toward_spam = probability >= 0.5
    listed = sorted(hits, key=lambda h: -abs(h.score))
    reasons = [h.symbol for h in listed if abs(h.score) >= 0.05 and (h.score > 0) == toward_spam][
        :3
    ]
    why = (
        f" Main reasons: {', '.join(reasons)}." if reasons else " No check found anything notable."
    )
    return f"{probability:.0%} likely spam: {ACTION_WORDS[action]}.{why}"


def explain(verdict: Verdict) -> dict[str, Any]:
    hits = sorted(verdict.hits, key=lambda h: -abs(h.score))
    return {
        "probability": round(verdict.probability, 6),
        "action": verdict.action.value,
        "spam": verdict.is_spam,
        "summary": summary(verdict.probability, verdict.action, hits),
        "model_version": verdict.model_version,
        "hits": [describe_hit(h) for h in hits],
    }


def explain_record(record: StoredCheck) -> dict[str, Any]:
    """The explanation of a stored check record (``storage.checks``)."""
    hits = [
        Hit(str(h.get("symbol", "")), float(h.get("score", 0.0)), str(h.get("detail", "")))
        for h in record.hits or []
    ]
    verdict = Verdict(float(record.probability), Action(record.action), tuple(hits))
    body = explain(verdict)
    body.pop("model_version")
    return {
        "guid": record.guid,
        "site": record.site_url,
        "checked_at": record.created_at.isoformat(),
        **body,
    }


def render_text(explanation: Mapping[str, Any]) -> str:
    lines = [explanation["summary"], ""]
    for hit in explanation["hits"]:
        lines.append(f"  {hit['score']:+6.2f}  {hit['symbol']:<28} {hit['detail']}")
    if not explanation["hits"]:
        lines.append("  (no hits)")
    lines.append("")
    lines.append("Scores are log-odds: positive pushes toward spam, negative toward not spam.")
    return "\n".join(lines)
