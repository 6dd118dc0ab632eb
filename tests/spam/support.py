"""Tiny labelled JSONL files for training and evaluation tests."""

from __future__ import annotations

import json
from pathlib import Path

SPAM_TEMPLATES = [
    "WINNER! You have won a {n} prize, call 0906170{n} now to claim",
    "buy cheap viagra pills {n} at http://pills{n}.example discount today",
    "check out my channel {n} and subscribe please http://youtu.example/c{n}",
    "earn {n} dollars a day from home, write me in private messages",
]
HAM_TEMPLATES = [
    "thanks for the article, the part about chapter {n} was interesting",
    "I disagree with point {n}, the council should fund the library instead",
    "are we still meeting at {n} tomorrow? bring the notes please",
    "great explanation of the {n} budget, my neighbours said the same",
]


def write_labelled(path: Path, source: str, count: int, offset: int = 0) -> Path:
    rows = []
    for i in range(count):
        n = offset + i
        spam = i % 2 == 0
        label_spam = spam != (i % 11 == 5)  # a little label noise: no model is perfect here
        template = (SPAM_TEMPLATES if spam else HAM_TEMPLATES)[(i // 2) % 4]
        rows.append(
            {
                "id": f"{source}:{n}",
                "source": source,
                "comment_content": template.format(n=n),
                "comment_type": "comment",
                "label": "spam" if label_spam else "ham",
            }
        )
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path
