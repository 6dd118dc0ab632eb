"""Notification texts: plain text, and nothing a commenter typed can become a link (D11).

Mail readers turn anything that looks like an address into a link, so URLs, bare domains and
email addresses in commenter-controlled text (the comment, the name, the article title, the
reasons) are replaced by "[link removed]". The only links in a notification point to this
server (``public_url``): the admin page, the thread, the unsubscribe page.
"""

from __future__ import annotations

import re

from rejoinder.core.records.verdict import HitRecord
from rejoinder.notify.payloads import CommentPayload

LINK_REMOVED = "[link removed]"
_LINKISH = re.compile(
    r"(?i)(?:\b[a-z][a-z0-9+.-]{1,20}:(?://)?\S+)"  # scheme:… (http:, javascript:, mailto: …)
    r"|(?:\bwww\.\S+)"
    r"|(?:\S+@\S+\.\S+)"  # email addresses
    r"|(?:\b(?:[a-z0-9-]+\.)+[a-z]{2,}\b(?:[/?#]\S*)?)"  # bare domains, with a path
)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def defang(text: str, limit: int = 600) -> str:
    """Commenter text made safe for a plain-text mail: no links, no control characters."""
    cleaned = _CONTROL.sub("", _LINKISH.sub(LINK_REMOVED, text))
    cleaned = cleaned.replace("<", "‹").replace(">", "›")
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1].rstrip() + "…"


def one_line(text: str, limit: int = 120) -> str:
    return " ".join(defang(text, limit).split())


def reasons(hits: list[HitRecord], limit: int = 8) -> str:
    """One line per signal, strongest first: "  - SYMBOL: detail" (no detail: the symbol)."""
    ranked = sorted(hits, key=lambda h: -float(h.get("score") or 0))[:limit]
    lines = []
    for hit in ranked:
        symbol = one_line(str(hit.get("symbol", "")), 60)
        detail = one_line(str(hit.get("detail", "")), 160).strip().rstrip(".;").strip()
        lines.append(f"  - {symbol}: {detail}" if detail else f"  - {symbol}")
    return "\n".join(lines)


def held_block(comment: CommentPayload, public_url: str) -> str:
    """One held comment in a moderator's mail."""
    probability = comment.get("probability")
    why = reasons(comment.get("hits", []))
    lines = [
        f"Site: {comment['site']}",
        f"Article: {one_line(comment['thread_title']) or comment['thread_key']}",
        f"Author: {one_line(comment['author']) or 'Anonymous'}",
        f"Spam probability: {round(probability * 100)}%" if probability is not None else "",
        f"Why:\n{why}" if why else "Why: the site holds comments for review",
        "",
        defang(comment["text"]),
        "",
        f"Review it: {public_url}/admin/c/{comment['id']}",
    ]
    return "\n".join(line for line in lines if line is not None)


def held_mail(comments: list[CommentPayload], public_url: str) -> tuple[str, str]:
    """(subject, body) for one held comment or a digest of several."""
    if len(comments) == 1:
        subject = f"[rejoinder] A comment is waiting for moderation on {comments[0]['site']}"
        intro = "A comment is waiting for moderation."
    else:
        subject = f"[rejoinder] {len(comments)} comments are waiting for moderation"
        intro = f"{len(comments)} comments are waiting for moderation."
    blocks = "\n\n----\n\n".join(held_block(c, public_url) for c in comments)
    footer = (
        f"\n\nAll pending comments: {public_url}/admin/queue/pending\n"
        "You get these because you moderate this site; change it with "
        "`rejoinder moderators notify`."
    )
    return subject, f"{intro}\n\n{blocks}{footer}\n"


def reply_mail(reply: CommentPayload, thread_link: str, unsubscribe_link: str) -> tuple[str, str]:
    title = one_line(reply["thread_title"]) or "an article"
    author = one_line(reply["author"]) or "Someone"
    subject = f"New reply to your comment on {title}"
    body = (
        f"{author} replied to your comment on {title} ({reply['site']}):\n\n"
        f"{defang(reply['text'])}\n\n"
        f"Read the conversation: {thread_link}\n\n"
        "You get this email because you asked to be told about replies.\n"
        f"Stop these emails with one click: {unsubscribe_link}\n"
    )
    return subject, body
