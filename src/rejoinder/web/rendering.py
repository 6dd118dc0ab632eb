"""The public pages' Jinja2 environment (autoescaped) and their response with our CSP."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import HTMLResponse

from rejoinder.comments import avatars

PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "connect-src 'self'; img-src 'self' data:; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'self'"
)
GRAVATAR_ORIGIN = "https://www.gravatar.com"
TEMPLATE_DIR = Path(__file__).parent / "templates"

templates = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=select_autoescape(default=True, default_for_string=True),
    trim_blocks=True,
    lstrip_blocks=True,
)


def html(
    body: str, *, status: int = 200, private: bool = False, noindex: bool = False, also: str = ""
) -> HTMLResponse:
    """An HTML page with our CSP; ``also`` is one more origin allowed for scripts and fetches.
    Images come from this server only, unless the page shows Gravatar pictures (a site's
    choice)."""
    csp = PAGE_CSP
    for directive in ("script-src 'self'", "connect-src 'self'", "style-src 'self'"):
        if also:
            csp = csp.replace(directive, f"{directive} {also}")
    if avatars.GRAVATAR in body:
        csp = csp.replace("img-src 'self' data:", f"img-src 'self' data: {GRAVATAR_ORIGIN}")
    headers = {"Content-Security-Policy": csp, "Referrer-Policy": "strict-origin-when-cross-origin"}
    if private:
        headers["Cache-Control"] = "private, no-store"
    if noindex:
        headers["X-Robots-Tag"] = "noindex"
    return HTMLResponse(body, status_code=status, headers=headers)
