"""Emphasis as CommonMark reads it.

Emphasis is marked with private-use characters until its paragraph is complete: only then are
the characters around it known, which decide whether ``*``/``**`` would be read as emphasis at
all (CommonMark's flanking rules). Where it would not, the text stays plain."""

from __future__ import annotations

import re
import unicodedata

from rejoinder.migration.mdsyntax import CODE_CLOSE, CODE_OPEN

MARKS = {"**": ("\ue000", "\ue001"), "*": ("\ue002", "\ue003")}
_KEPT = {"\ue000": "\ue010", "\ue001": "\ue011", "\ue002": "\ue012", "\ue003": "\ue013"}
_OPENING = frozenset("\ue000\ue002\ue010\ue012")
_CLOSING = frozenset("\ue001\ue003\ue011\ue013")
_WRITTEN = str.maketrans({"\ue010": "**", "\ue011": "**", "\ue012": "*", "\ue013": "*"})
_PAIR_RE = re.compile("(\ue000|\ue002)([^\ue000-\ue003]*)(\ue001|\ue003)")
_BLANK_LINE_RE = re.compile(r"\n[ \t]*\n")  # emphasis cannot span paragraphs


def _kind(char: str) -> tuple[bool, bool]:
    """(whitespace or an edge, punctuation) for the character beside a marker."""
    if not char or char.isspace():
        return True, False
    marks = char in _OPENING or char in _CLOSING or char in (CODE_OPEN, CODE_CLOSE)  # `*` `` ` ``
    return False, marks or unicodedata.category(char)[0] in "PS"


def _flanks(before: str, first: str, last: str, after: str) -> bool:
    """Whether ``*x*`` with these neighbours is emphasis: the opening run left-flanking, the
    closing run right-flanking (CommonMark 6.2), and no other run right beside either."""
    if before in _CLOSING or after in _OPENING:
        return False  # `**a***b*`: the runs would merge
    b_space, b_punct = _kind(before)
    f_space, f_punct = _kind(first)
    l_space, l_punct = _kind(last)
    a_space, a_punct = _kind(after)
    opens = not f_space and (not f_punct or b_space or b_punct)
    closes = not l_space and (not l_punct or a_space or a_punct)
    return opens and closes


def resolve_emphasis(text: str) -> str:
    """Resolve emphasis marks, innermost first: ``*``/``**`` where they will be read as
    emphasis, nothing where they would not."""
    if "\ue000" not in text and "\ue002" not in text:
        return text
    text = text.replace("\ue001\ue000", "").replace("\ue003\ue002", "")  # <b>a</b><b>b</b>
    while (match := _PAIR_RE.search(text)) is not None:
        start, end = match.span()
        inner = match.group(2)
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        if (
            inner
            and not _BLANK_LINE_RE.search(inner)
            and _flanks(before, inner[0], inner[-1], after)
        ):
            inner = _KEPT[match.group(1)] + inner + _KEPT[match.group(3)]
        text = text[:start] + inner + text[end:]
    return text.translate(_WRITTEN)
