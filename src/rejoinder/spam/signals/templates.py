"""Comment-spam templates: the spun praise link spam posts on every blog.

Link-spam tools post the same few hundred sentences on millions of blogs, each reshuffled
with synonyms so that no two copies match: "You actually make it seem so easy with your
presentation but I find this topic to be actually something which I think I would never
understand", "Nice read, I just passed this onto a colleague who was doing a little research
on that. And he actually bought me lunch because I found it for him", "Unquestionably believe
that which you stated". The praise carries the payload, the author's web address. The content
model reads them as what they look like, polite praise, and a reader's real thanks look the
same. So this signal knows the templates themselves (``spam/data/spam_templates.txt``): each
line is a phrase only a template writes, a spinner's synonym ("hit the nail upon the top",
"fastidious paragraph") or a sentence too particular to be anyone's own words.

* ``SPAM_TEMPLATE`` — the text has one such phrase (``SCORE``) or several different ones
  (``SCORE_SEVERAL``), ``PAYLOAD_SCORE`` more when the comment carries a web address (the
  author's or a link): what the praise is posted for. A reader's short "Great post, thanks!"
  never matches: it is not in the list, and it is what the templates are spun to look like.

Speed: a phrase is tried only when the comment has every word the phrase cannot do without
(its anchors); phrases are looked up by their longest anchor, so a comment costs one lookup
per distinct word and a few searches.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from rejoinder.core.records.verdict import Hit
from rejoinder.spam.domains import DATA_PACKAGE
from rejoinder.spam.submission import Submission

SYMBOL = "SPAM_TEMPLATE"
SCORE = 3.0
SCORE_SEVERAL = 4.0
PAYLOAD_SCORE = 2.0  # added when the comment carries a web address: the praise's payload
LIST_FILE = "spam_templates.txt"
SAMPLE = 2_000  # the templates open a comment; the content model reads as far
QUOTE_CHARS = 60

# Apostrophes (and their mojibake: "I¡¦ll", "itâ€™s") vanish; every other ASCII character
# that is not a letter or a digit, and the common typographic marks ("¡K" is an ellipsis'
# mojibake), part words.
_MOJIBAKE_APOSTROPHES = ("¡¦", "â€™", "Â´")
_DROPPED = "'’‘`´"
_SEPARATORS = (
    "".join(chr(c) for c in range(128) if not chr(c).isalnum() and chr(c) not in _DROPPED)
    + "“”«»–—…•·¡\u00a0"
)
_TABLE = str.maketrans(_SEPARATORS, " " * len(_SEPARATORS), _DROPPED)
_LITERAL_RE = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True, slots=True)
class Template:
    pattern: re.Pattern[str]
    anchors: frozenset[str]  # the words the phrase cannot match without


def words_of(text: str) -> str:
    """The comment as the templates are written: lower case, apostrophes dropped, one space
    between words."""
    if "¡" in text or "â" in text or "Â" in text:
        for mojibake in _MOJIBAKE_APOSTROPHES:
            text = text.replace(mojibake, "")
    return " " + " ".join(text.lower().translate(_TABLE).split()) + " "


def anchors_of(phrase: str) -> frozenset[str]:
    """The words of ``phrase`` outside every group and quantifier: a text without one of them
    cannot match."""
    tokens = _top_level_tokens(phrase)
    required = [
        token
        for i, token in enumerate(tokens)
        if _LITERAL_RE.fullmatch(token)
        and not (i + 1 < len(tokens) and tokens[i + 1].startswith("?"))
    ]
    return frozenset(required)


def _top_level_tokens(phrase: str) -> list[str]:
    tokens, depth, current = [], 0, ""
    for char in phrase:
        depth += (char == "(") - (char == ")")
        if char == " " and depth == 0:
            tokens.append(current)
            current = ""
        else:
            current += char
    return [*tokens, current]


def parse(lines: list[str]) -> tuple[Template, ...]:
    phrases = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    return tuple(Template(re.compile(rf" {p} "), anchors_of(p)) for p in phrases)


@cache
def templates() -> tuple[Template, ...]:
    text = resources.files(DATA_PACKAGE).joinpath(LIST_FILE).read_text("utf-8")
    return parse(text.splitlines())


@dataclass(frozen=True, slots=True)
class Index:
    """Each template under its longest anchor (long words are the rare ones), so a comment
    costs one lookup per distinct word; templates without anchors are always tried."""

    by_anchor: dict[str, tuple[Template, ...]]
    always: tuple[Template, ...]


@cache
def index() -> Index:
    by_anchor: dict[str, list[Template]] = {}
    always: list[Template] = []
    for template in templates():
        if template.anchors:
            key = max(sorted(template.anchors), key=len)
            by_anchor.setdefault(key, []).append(template)
        else:
            always.append(template)
    return Index({k: tuple(v) for k, v in by_anchor.items()}, tuple(always))


def matches(text: str) -> list[str]:
    """The template phrases in ``text`` as they appear in it, in the order they appear."""
    words = words_of(text[:SAMPLE])
    present = frozenset(words.split())
    lookup = index()
    candidates = [t for w in present for t in lookup.by_anchor.get(w, ())]
    found = []
    for template in (*candidates, *lookup.always):
        if not template.anchors <= present:
            continue
        match = template.pattern.search(words)
        if match:
            found.append((match.start(), match.group().strip()))
    return [phrase for _start, phrase in sorted(found)]


class TemplateSignal:
    name = "templates"

    def warm_up(self) -> None:
        index()

    def evaluate(self, submission: Submission) -> list[Hit]:
        found = matches(submission.text)
        if not found:
            return []
        score = SCORE_SEVERAL if len(found) > 1 else SCORE
        quoted = found[0][:QUOTE_CHARS]
        more = f" and {len(found) - 1} more" if len(found) > 1 else ""
        detail = f'A comment-spam template: "{quoted}"{more}'
        if submission.all_urls:
            return [Hit(SYMBOL, score + PAYLOAD_SCORE, detail + ", with a web address to carry.")]
        return [Hit(SYMBOL, score, detail + ".")]
