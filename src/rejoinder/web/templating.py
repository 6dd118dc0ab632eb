"""Jinja2 for HTML pages: autoescaping always on, templates in ``web/templates``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from starlette.background import BackgroundTask
from starlette.responses import HTMLResponse

TEMPLATE_DIR = Path(__file__).with_name("templates")

# Pages that show personal data or carry a secret in their URL.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}

env = Environment(
    loader=FileSystemLoader(TEMPLATE_DIR),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_page(
    name: str,
    status: int = 200,
    headers: dict[str, str] | None = None,
    background: BackgroundTask | None = None,
    **context: Any,
) -> HTMLResponse:
    body = env.get_template(name).render(**context)
    return HTMLResponse(
        body,
        status_code=status,
        headers={**PAGE_HEADERS, **(headers or {})},
        background=background,
    )
