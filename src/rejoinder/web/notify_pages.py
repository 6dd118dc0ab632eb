"""One-click unsubscribe from reply notifications (RFC 8058).

``GET /notify/unsubscribe/{token}`` shows a button (link scanners that open the URL change
nothing); ``POST`` to the same URL — the button, or a mail client's one-click
``List-Unsubscribe-Post`` — turns reply emails off for that address on that site.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from rejoinder.errors import Forbidden
from rejoinder.notify.notifier import Notifier
from rejoinder.web.params import token_or_404
from rejoinder.web.rendering import html, templates


class NotifyPages:
    def __init__(self, notifier: Notifier):
        self.notifier = notifier

    async def unsubscribe_form(self, request: Request) -> Response:
        token = token_or_404(request)
        if not self.notifier.valid_unsubscribe(token):
            raise Forbidden("This unsubscribe link is not valid.")
        body = templates.get_template("unsubscribe.html").render({"lang": "en", "done": False})
        return html(body, private=True, noindex=True)

    async def unsubscribe(self, request: Request) -> Response:
        changed = await run_in_threadpool(self.notifier.unsubscribe, token_or_404(request))
        if changed is None:
            raise Forbidden("This unsubscribe link is not valid.")
        body = templates.get_template("unsubscribe.html").render({"lang": "en", "done": True})
        return html(body, private=True, noindex=True)
