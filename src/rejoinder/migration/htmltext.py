"""Comment HTML from another system (WordPress, Disqus, Remark42) as rejoinder's Markdown.

A comment's source here is Markdown, rendered once by ``comments.sanitize.render_markdown``;
the text of an imported comment must be Markdown too, so that an edit or an export round trip
treats it like any other. The conversion keeps what the renderer can express — paragraphs,
line breaks, bold, italics, code, preformatted blocks, quotes, lists, links, rules — and turns
everything else into its text. Text that Markdown would read as markup is escaped.

Converting the HTML this module's own output renders to gives the same Markdown back, so an
export to WXR (which carries the rendered HTML) and an import of it are lossless.

WordPress stores a comment as typed: line breaks are meaningful (``wpautop`` turns a blank line
into a paragraph and a newline into ``<br>``) and only inline tags appear. Text with block tags
(``<p>``, ``<br>``, lists…) is read as HTML, where line breaks are just spaces.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

BLOCK_TAGS = frozenset(
    {"p", "div", "section", "article", "header", "footer", "aside", "main", "nav", "table",
     "thead", "tbody", "tfoot", "tr", "dl", "dt", "dd", "figure", "figcaption", "address",
     "center", "h1", "h2", "h3", "h4", "h5", "h6", "form", "fieldset", "details", "summary"}
)  # fmt: skip
SKIPPED_TAGS = frozenset({"script", "style", "head", "title", "template", "noscript", "iframe"})
EMPHASIS = {"strong": "**", "b": "**", "em": "*", "i": "*"}
LINK_SCHEMES = frozenset({"http", "https", "mailto"})

_HAS_BLOCKS_RE = re.compile(r"<(?:p|br|div|ul|ol|li|blockquote|pre|h[1-6]|table|hr)\b", re.I)
_INLINE_SPECIAL_RE = re.compile(r"([\\`*_\[\]<])")
_ENTITY_RE = re.compile(r"&(?=#?[A-Za-z0-9]+;)")
_SPACES_RE = re.compile(r"[ \t\r\f\v\n]+")
_LINE_SPACES_RE = re.compile(r"[ \t\r\f\v]+")
_RUNS_RE = re.compile(r" {2,}")
_BLANK_LINES_RE = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_ORDERED_RE = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
_BULLET_RE = re.compile(r"^([-+])(?=\s|$|-)")
_FENCE_RE = re.compile(r"^~~")
_BACKTICKS_RE = re.compile(r"`+")


def has_html_blocks(text: str) -> bool:
    """Whether the text is HTML with block structure (else: WordPress-style typed text)."""
    return bool(_HAS_BLOCKS_RE.search(text))


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


# Emphasis is marked with private-use characters until its paragraph is complete: only then
# are the characters around it known, which decide whether ``*``/``**`` would be read as
# emphasis at all (CommonMark's flanking rules). Where it would not, the text stays plain.
_MARKS = {"**": ("\ue000", "\ue001"), "*": ("\ue002", "\ue003")}
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


def _emphasis(text: str) -> str:
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


# Code spans are marked too, so that nothing after them touches their spaces.
CODE_OPEN, CODE_CLOSE = "\ue020", "\ue021"
_CODE_RE = re.compile("(\ue020[^\ue021]*\ue021)")


def _outside_code(text: str) -> str:
    """Runs of spaces made one, except inside code spans; the code marks taken out."""
    if CODE_OPEN not in text:
        return _RUNS_RE.sub(" ", text)
    parts = _CODE_RE.split(text)
    return "".join(p[1:-1] if n % 2 else _RUNS_RE.sub(" ", p) for n, p in enumerate(parts))


def _link_target(href: str) -> str | None:
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


def _code_span(code: str) -> str:
    code = _SPACES_RE.sub(" ", code)
    if not code.strip():
        return ""
    ticks = "`" * (max((len(m) for m in _BACKTICKS_RE.findall(code)), default=0) + 1)
    # CommonMark takes one space off each end of `` ` x ` ``: pad a span that starts or ends with
    # a backtick, or starts and ends with a space, so that what it shows is exactly ``code``.
    edges = code.startswith("`") or code.endswith("`") or (code[0] == " " and code[-1] == " ")
    pad = " " if edges else ""
    return f"{CODE_OPEN}{ticks}{pad}{code}{pad}{ticks}{CODE_CLOSE}"


def _fenced(code: str) -> str:
    code = code.removesuffix("\n")
    fence = "`" * max(3, max((len(m) for m in _BACKTICKS_RE.findall(code)), default=0) + 1)
    return f"{fence}\n{code}\n{fence}"


_LIST_ITEM_RE = re.compile(r"^(?:- |\d{1,9}\. )")


def _joined(blocks: list[str], *, tight: bool) -> str:
    """Blocks one after another; in a list item a nested list follows without a blank line,
    so that the list stays tight (as it was)."""
    out = ""
    for block in blocks:
        gap = "\n" if tight and _LIST_ITEM_RE.match(block) else "\n\n"
        out = f"{out}{gap}{block}" if out else block
    return out


def _indented(text: str, prefix: str, rest: str) -> str:
    lines = text.split("\n")
    return "\n".join([prefix + lines[0], *(rest + line if line else "" for line in lines[1:])])


@dataclass
class _Container:
    tag: str  # "root", "blockquote", "li", "ul", "ol"
    blocks: list[str] = field(default_factory=list)
    start: int = 1  # ol
    items: list[str] = field(default_factory=list)  # ul, ol: rendered items


@dataclass
class _Inline:
    tag: str
    start: int  # index into the paragraph's pieces
    href: str = ""


class _Converter(HTMLParser):
    def __init__(self, newlines: bool):
        super().__init__(convert_charrefs=True)
        self.newlines = newlines  # WordPress-style: line breaks in the text are meaningful
        self.stack: list[_Container] = [_Container("root")]
        self.pieces: list[str] = []  # the paragraph being built, as Markdown
        self.inline: list[_Inline] = []
        self.skip = 0
        self.pre: list[str] | None = None
        self.code: list[str] | None = None
        self.last_code: str | None = None  # the text of the last code span

    # --- blocks -------------------------------------------------------------------------
    def flush(self) -> None:
        """End the paragraph being built (if any) into the innermost container."""
        while self.inline:  # unclosed inline tags end with their paragraph
            self._close_inline(self.inline[-1].tag)
        text = _outside_code(_emphasis("".join(self.pieces)))
        self.pieces = []
        lines = [line.strip() for line in text.split("\n")]
        while lines and not lines[0]:
            lines.pop(0)
        while lines and not lines[-1]:
            lines.pop()
        lines = [ln for n, ln in enumerate(lines) if ln or lines[n - 1]]  # one blank line at most
        if lines:
            self.stack[-1].blocks.append("\n".join(escape_line_start(line) for line in lines))

    def _open(self, tag: str, start: int = 1) -> None:
        self.flush()
        self.stack.append(_Container(tag, start=start))

    def _close(self, tag: str) -> None:
        if not any(c.tag == tag for c in self.stack[1:]):
            return
        self.flush()
        while self.stack[-1].tag != tag:
            self._close(self.stack[-1].tag)
        done = self.stack.pop()
        parent = self.stack[-1]
        body = _joined(done.blocks, tight=tag == "li" and parent.tag in ("ul", "ol"))
        if tag == "blockquote" and body:
            parent.blocks.append("\n".join(f"> {ln}" if ln else ">" for ln in body.split("\n")))
        elif tag == "li":
            if parent.tag in ("ul", "ol"):
                parent.items.append(body)
            elif body:
                parent.blocks.append(body)
        elif tag in ("ul", "ol"):
            self._list_block(done, parent)

    def _list_block(self, done: _Container, parent: _Container) -> None:
        lines = []
        for n, item in enumerate(done.items):
            marker = "- " if done.tag == "ul" else f"{done.start + n}. "
            lines.append(_indented(item, marker, " " * len(marker)))
        if lines:
            parent.blocks.append("\n".join(lines))

    # --- inline -------------------------------------------------------------------------
    def _close_inline(self, tag: str) -> None:
        if not any(i.tag == tag for i in self.inline):
            return
        while self.inline[-1].tag != tag:
            self._close_inline(self.inline[-1].tag)
        opened = self.inline.pop()
        inner = "".join(self.pieces[opened.start :])
        del self.pieces[opened.start :]
        self.pieces.append(self._wrapped(opened, inner))

    def _wrapped(self, opened: _Inline, inner: str) -> str:
        core = inner.strip(" \n")
        lead = inner[: len(inner) - len(inner.lstrip(" \n"))]
        trail = inner[len(inner.rstrip(" \n")) :]
        if opened.tag == "a":
            target = _link_target(opened.href)
            if target is None:
                return inner
            return f"{lead}[{core or escape_text(opened.href.strip())}]({target}){trail}"
        if not core:
            return inner
        opening, closing = _MARKS[EMPHASIS[opened.tag]]
        return f"{lead}{opening}{core}{closing}{trail}"

    def _code_end(self, code: str) -> None:
        """A code span; one right after another joins it (two runs of backticks side by side
        would read as one)."""
        self.code = None
        last = self.last_code
        if last is not None and self.pieces and self.pieces[-1] == _code_span(last):
            code = last + code
            self.pieces.pop()
        self.last_code = code
        self.pieces.append(_code_span(code))

    # --- parser callbacks ---------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag in SKIPPED_TAGS:
            self.skip += 1
        elif self.skip:
            return
        elif self.pre is not None:
            return  # tags inside <pre> (its <code>) add nothing
        elif tag == "pre":
            self.flush()
            self.pre = []
        elif tag == "code":
            self.code = []
        elif tag == "br":
            self.pieces.append("\n")
        elif tag == "hr":
            self.flush()
            self.stack[-1].blocks.append("---")
        elif tag in ("blockquote", "li"):
            self._open(tag)
        elif tag in ("ul", "ol"):
            start = values.get("start", "1")
            self._open(tag, int(start) if start.isdigit() and len(start) < 9 else 1)
        elif tag in BLOCK_TAGS:
            self.flush()
        else:
            self._inline_start(tag, values)

    def _inline_start(self, tag: str, values: dict[str, str]) -> None:
        if tag in ("td", "th"):
            self.pieces.append(" ")
        elif tag in EMPHASIS and any(EMPHASIS.get(i.tag) == EMPHASIS[tag] for i in self.inline):
            return  # bold inside bold: Markdown has no such thing
        elif tag in EMPHASIS or tag == "a":
            self.inline.append(_Inline(tag, len(self.pieces), values.get("href", "")))
        elif tag == "img" and values.get("alt", "").strip():
            self.handle_data(values["alt"])

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in SKIPPED_TAGS:
            self.skip = max(0, self.skip - 1)
        elif self.skip:
            return
        elif tag == "pre" and self.pre is not None:
            code, self.pre = "".join(self.pre), None
            if code.strip():
                self.stack[-1].blocks.append(_fenced(code))
        elif self.pre is not None:
            return
        elif tag == "code" and self.code is not None:
            self._code_end("".join(self.code))
        elif tag in ("blockquote", "li", "ul", "ol"):
            self._close(tag)
        elif tag in BLOCK_TAGS:
            self.flush()
        elif tag in EMPHASIS or tag == "a":
            self._close_inline(tag)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.pre is not None:
            self.pre.append(data)
        elif self.code is not None:
            self.code.append(data)
        elif not self.newlines:
            self.pieces.append(escape_text(_SPACES_RE.sub(" ", data)))
        else:
            self._typed_text(data)

    def _typed_text(self, data: str) -> None:
        """WordPress-style text: a blank line ends a paragraph, a newline is a line break."""
        paragraphs = _BLANK_LINES_RE.split(data.replace("\r\n", "\n").replace("\r", "\n"))
        for n, part in enumerate(paragraphs):
            if n:
                self.flush()
            self.pieces.append(escape_text(_LINE_SPACES_RE.sub(" ", part)))

    def markdown(self) -> str:
        self.close()
        if self.pre is not None:
            self.handle_endtag("pre")
        if self.code is not None:
            self.handle_endtag("code")
        self.flush()
        while len(self.stack) > 1:
            self._close(self.stack[-1].tag)
        return "\n\n".join(self.stack[0].blocks).strip()


def html_to_markdown(text: str, *, typed: bool | None = None) -> str:
    """The comment as Markdown. ``typed``: line breaks are meaningful (WordPress' stored
    comments); by default, whenever the text has no block tags."""
    newlines = not has_html_blocks(text) if typed is None else typed
    converter = _Converter(newlines)
    if "<" not in text and "&" not in text:  # no markup at all: no parser needed
        converter.handle_data(text)
        return converter.markdown()
    try:
        converter.feed(text)
        return converter.markdown()
    except AssertionError:  # markup html.parser gives up on (`<![x`): all of it is text
        plain = _Converter(newlines)
        plain.handle_data(text)
        return plain.markdown()
