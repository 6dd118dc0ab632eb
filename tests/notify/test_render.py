"""Moderator mail texts: each reason on its own line, readable, strongest first."""

from __future__ import annotations

from rejoinder.notify.render import held_block


def test_why_lists_one_signal_per_line_without_stray_punctuation() -> None:
    comment = {
        "site": "https://blog.example.com", "thread_title": "Budget", "thread_key": "p-1",
        "author": "Ada", "text": "Hello", "id": 7, "probability": 0.62,
        "hits": [
            {"symbol": "VELOCITY_NET_SITE", "score": 0.4, "detail": ""},
            {"symbol": "CONTENT_MODEL", "score": 1.2, "detail": "(content model p=0.09)."},
        ],
    }  # fmt: skip
    block = held_block(comment, "http://127.0.0.1:8080")
    why = block[block.index("Why:") :].splitlines()
    assert why[:3] == ["Why:", "  - CONTENT_MODEL: (content model p=0.09)",
                       "  - VELOCITY_NET_SITE"]  # fmt: skip
    assert ".;" not in block
