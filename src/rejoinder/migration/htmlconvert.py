"""The converter: an HTML parser that builds the Markdown block by block (paragraphs, quotes, lists,
code) and inline (emphasis, links, code spans)."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

from rejoinder.migration.emphasis import MARKS, resolve_emphasis
from rejoinder.migration.mdsyntax import (
    BLANK_LINES_RE,
    LINE_SPACES_RE,
    SPACES_RE,
    code_span,
    escape_line_start,
    escape_text,
    fenced,
    indented,
    joined,
    link_target,
    outside_code,
)

BLOCK_TAGS = frozenset(
    {"p", "div", "section", "article", "header", "footer", "aside", "main", "nav", "table",
     "thead", "tbody", "tfoot", "tr", "dl", "dt", "dd", "figure", "figcaption", "address",
     "center", "h1", "h2", "h3", "h4", "h5", "h6", "form", "fieldset", "details", "summary"}
)  # fmt: skip
SKIPPED_TAGS = frozenset({"script", "style", "head", "title", "template", "noscript", "iframe"})
EMPHASIS = {"strong": "**", "b": "**", "em": "*", "i": "*"}


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


class Converter(HTMLParser):
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
        text = outside_code(resolve_emphasis("".join(self.pieces)))
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
        body = joined(done.blocks, tight=tag == "li" and parent.tag in ("ul", "ol"))
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
            lines.append(indented(item, marker, " " * len(marker)))
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
            target = link_target(opened.href)
            if target is None:
                return inner
            return f"{lead}[{core or escape_text(opened.href.strip())}]({target}){trail}"
        if not core:
            return inner
        opening, closing = MARKS[EMPHASIS[opened.tag]]
        return f"{lead}{opening}{core}{closing}{trail}"

    def _code_end(self, code: str) -> None:
        """A code span; one right after another joins it (two runs of backticks side by side
        would read as one)."""
        self.code = None
        last = self.last_code
        if last is not None and self.pieces and self.pieces[-1] == code_span(last):
            code = last + code
            self.pieces.pop()
        self.last_code = code
        self.pieces.append(code_span(code))

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
                self.stack[-1].blocks.append(fenced(code))
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
            self.pieces.append(escape_text(SPACES_RE.sub(" ", data)))
        else:
            self._typed_text(data)

    def _typed_text(self, data: str) -> None:
        """WordPress-style text: a blank line ends a paragraph, a newline is a line break."""
        paragraphs = BLANK_LINES_RE.split(data.replace("\r\n", "\n").replace("\r", "\n"))
        for n, part in enumerate(paragraphs):
            if n:
                self.flush()
            self.pieces.append(escape_text(LINE_SPACES_RE.sub(" ", part)))

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
