"""The Markdown the HTML conversion writes: escapes (text that Markdown would read as markup),
code spans and fences, link targets, the layout of lists."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

LINK_SCHEMES = frozenset({"http", "https", "mailto"})
_INLINE_SPECIAL_RE = re.compile(r"([\\`*_\[\]<])")
_ENTITY_RE = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
SPACES_RE = re.compile(r"[ \t\r\f\v\n]+")
LINE_SPACES_RE = re.compile(r"[ \t\r\f\v]+")
_RUNS_RE = re.compile(r" {2,}")
BLANK_LINES_RE = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_ORDERED_RE = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
_BULLET_RE = re.compile(r"^([-+])(?=\s|$|-)")
_FENCE_RE = re.compile(r"^~~")
_BACKTICKS_RE = re.compile(r"`+")


def escape_text(text: str) -> str:
    """Inline text as Markdown that renders back to exactly this text."""
    return _ENTITY_RE.sub("\\\\&", _INLINE_SPECIAL_RE.sub(r"\\\1", text))


def escape_line_start(line: str) -> str:
    """Escape what would make a line a quote, a list item, a rule or a fence."""
    if line.startswith(">"):
        return "\\" + line
    ordered = _ORDERED_RE.match(line)
    if ordered:
        return f"{ordered.group(1)}\\{ordered.group(2)}{line[ordered.end() :]}"
    if _BULLET_RE.match(line) or _FENCE_RE.match(line):
        return "\\" + line
    return line


# Code spans are marked (as emphasis is, see emphasis.py), so that nothing after them touches
# their spaces.
CODE_OPEN, CODE_CLOSE = "\ue020", "\ue021"
_CODE_RE = re.compile("(\ue020[^\ue021]*\ue021)")


def outside_code(text: str) -> str:
    """Runs of spaces made one, except inside code spans; the code marks taken out."""
    if CODE_OPEN not in text:
        return _RUNS_RE.sub(" ", text)
    parts = _CODE_RE.split(text)
    return "".join(p[1:-1] if n % 2 else _RUNS_RE.sub(" ", p) for n, p in enumerate(parts))


def link_target(href: str) -> str | None:
    href = href.strip()
    try:
        scheme = urlsplit(href).scheme.lower()
    except ValueError:
        return None
    if scheme not in LINK_SCHEMES or any(c in href for c in "\n\r"):
        return None
    for char, code in (
        (" ", "%20"),
        ("(", "%28"),
        (")", "%29"),
        ("<", "%3C"),
        (">", "%3E"),
        ("\\", "%5C"),
    ):
        href = href.replace(char, code)
    return href


def code_span(code: str) -> str:
    code = SPACES_RE.sub(" ", code)
    if not code.strip():
        return ""
    ticks = "`" * (max((len(m) for m in _BACKTICKS_RE.findall(code)), default=0) + 1)
    # CommonMark takes one space off each end of `` ` x ` ``: pad a span that starts or ends with
    # a backtick, or starts and ends with a space, so that what it shows is exactly ``code``.
    edges = code.startswith("`") or code.endswith("`") or (code[0] == " " and code[-1] == " ")
    pad = " " if edges else ""
    return f"{CODE_OPEN}{ticks}{pad}{code}{pad}{ticks}{CODE_CLOSE}"


def fenced(code: str) -> str:
    code = code.removesuffix("\n")
    fence = "`" * max(3, max((len(m) for m in _BACKTICKS_RE.findall(code)), default=0) + 1)
    return f"{fence}\n{code}\n{fence}"


_LIST_ITEM_RE = re.compile(r"^(?:- |\d{1,9}\. )")


def joined(blocks: list[str], *, tight: bool) -> str:
    """Blocks one after another; in a list item a nested list follows without a blank line,
    so that the list stays tight (as it was)."""
    out = ""
    for block in blocks:
        gap = "\n" if tight and _LIST_ITEM_RE.match(block) else "\n\n"
        out = f"{out}{gap}{block}" if out else block
    return out


def indented(text: str, prefix: str, rest: str) -> str:
    lines = text.split("\n")
    return "\n".join([prefix + lines[0], *(rest + line if line else "" for line in lines[1:])])
