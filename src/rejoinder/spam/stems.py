"""Word stems of what a text is about: the topicality signal's words, and the thread profiles'.

A stem is the first :data:`STEM` letters of a content word: three letters or more, not a
function word, and not the praise that fits every post ("great", "article", "sharing"…).
"""

from __future__ import annotations

import re

STEM = 5  # words agree when their first STEM letters do ("tutorial", "tutorials")
MAX_TEXT = 5_000
_WORD_RE = re.compile(r"[^\W\d_]{3,}")
MARKUP_RE = re.compile(
    r"(?i)<[^<>]{0,2000}>|\[/?url[^\[\]]{0,2000}\]|\]\(\s*[^)\s]{1,2000}\)"
    r"|\b(?:https?://|www\.)\S{1,2000}"
)
_IGNORED = """
    the and for are was were you your yours with this that these those have has had not but
    all any can will would could should shall may might must just also very really much more
    most such than then there their they them what when where which who whom why how about
    from into onto over under again here its our ours out off one two some many each every
    own same other only too well even still yet both few lot lots get got make made like
    thanks thank thx great good nice cool awesome amazing wonderful excellent fantastic
    brilliant superb perfect useful helpful informative interesting valuable quality
    article articles post posts posting posted blog blogs blogger blogging site sites
    website websites page pages content contents information info write writing written
    writer read reading reader share sharing shared keep going work job effort time
    appreciate appreciated love loved enjoy enjoyed found find finding glad happy please
    visit bookmark bookmarked subscribe subscribed feed definitely truly highly
    http https www com org net html htm php asp aspx index amp category tag tags author
    comment comments reply replies question questions answer topic today yesterday
    tutorial tutorials guide guides tips story stories piece news video videos lesson
    explanation explained stuff thing things
"""
IGNORED = frozenset(_IGNORED.split())


def words(text: str) -> set[str]:
    """The stems of the text's content words (three letters or more, not ignored)."""
    return {w[:STEM] for w in _WORD_RE.findall(text.casefold()) if w not in IGNORED}


def outside_markup(text: str) -> str:
    """The text (its first :data:`MAX_TEXT` characters) without links and link markup."""
    return MARKUP_RE.sub(" ", text[:MAX_TEXT])


def said_in_order(text: str) -> list[str]:
    """The stems of what a comment says outside its link markup, each once, in order."""
    found = _WORD_RE.findall(outside_markup(text).casefold())
    return list(dict.fromkeys(w[:STEM] for w in found if w not in IGNORED))
