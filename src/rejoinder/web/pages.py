"""Pages that work without JavaScript, the embed script and the demo.

``/t/{site}/{thread}`` renders a thread and its form as plain HTML (Jinja2, autoescaped); the form
posts back here and is redirected (POST-redirect-GET). Forms carry a signed token tied to their
render (CSRF, and the time-to-submit the spam engine reads), and Origin/Referer are checked when
present. A reader's own held comments are shown only to them (an HttpOnly cookie of owner
tokens), and such pages are never cached or indexed.

One class, one concept per module: reading (``thread_pages.py``), the forms
(``page_forms.py``), on what they share (``page_base.py``); the assets are in ``assets.py``, the
templates and the page response in ``rendering.py``.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from rejoinder.web.assets import serve_asset
from rejoinder.web.page_forms import PageForms
from rejoinder.web.thread_pages import ThreadPages


class Pages(ThreadPages, PageForms):
    """The no-JS pages, embed.js and the stylesheet; built once in ``app.py``."""

    async def embed_js(self, request: Request) -> Response:
        return serve_asset(request, self.embed)

    async def comments_css(self, request: Request) -> Response:
        return serve_asset(request, self.css)
