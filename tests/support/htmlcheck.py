"""Find active content in HTML by parsing it as a browser would tokenise it (not by substring)."""

from __future__ import annotations

import re
from html.parser import HTMLParser

DANGEROUS_TAGS = {
    "script",
    "iframe",
    "object",
    "embed",
    "svg",
    "img",
    "style",
    "base",
    "form",
    "math",
}
URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href"}
SAFE_SCHEMES = ("http:", "https:", "mailto:", "/", "#", "?")


class _Finder(HTMLParser):
    def __init__(self, allowed_tags: set[str]) -> None:
        super().__init__(convert_charrefs=True)
        self.allowed_tags = allowed_tags
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DANGEROUS_TAGS and tag not in self.allowed_tags:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{tag}[{name}]")
            if name in URL_ATTRS and value is not None:
                v = "".join(value.split()).lower()
                if v and not v.startswith(SAFE_SCHEMES):
                    self.found.append(f"{tag}[{name}={value[:30]}]")


def active_content(html: str, allowed_tags: set[str] | None = None) -> list[str]:
    """Tags, event-handler attributes and URL schemes that could run script."""
    finder = _Finder(allowed_tags or set())
    finder.feed(html)
    finder.close()
    return finder.found


_IDENTICON = re.compile(
    r'<svg class="rj-avatar" viewBox="0 0 5 5" aria-hidden="true"><rect width="5" height="5" '
    r'fill="hsl\(\d+,40%,90%\)"/>'
    r'<path fill="hsl\(\d+,55%,38%\)" d="[Mhvz0-9 -]*"/></svg>'
)


def without_identicons(html: str) -> str:
    """The page minus the identicons the server draws (exactly their shape, nothing else)."""
    return _IDENTICON.sub("", html)
