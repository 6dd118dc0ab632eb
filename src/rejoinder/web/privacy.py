"""The privacy pages: the notice, the export/erase request form and the emailed link.

Every form carries a signed token and is refused when the browser says it came from another
origin. No cookies: the link itself is the credential, and its page is never cached.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import parse_qs

from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from rejoinder.core.tokens import Signer
from rejoinder.errors import CsrfFailed, LinkExpired, LinkInvalid, ValidationFailed
from rejoinder.privacy.notice import build_notice
from rejoinder.privacy.requests import EmailKey, PrivacyRequests
from rejoinder.privacy.retention import Retention
from rejoinder.settings import Settings
from rejoinder.web.clientip import ClientAddress
from rejoinder.web.forms import read_body
from rejoinder.web.params import token_or_404
from rejoinder.web.security import check_origin, own_origins
from rejoinder.web.templating import render_page

FORM_TTL = timedelta(hours=2)
MAX_FORM_BYTES = 8_192
NO_STORE = {"Cache-Control": "no-store"}


async def form_fields(request: Request) -> dict[str, str]:
    body = await read_body(request, MAX_FORM_BYTES)
    try:
        parsed = parse_qs(body.decode("utf-8", "replace"), max_num_fields=10)
    except ValueError as exc:
        raise ValidationFailed("Too many form fields.") from exc
    return {k: v[0] for k, v in parsed.items()}


@dataclass(frozen=True, slots=True, kw_only=True)
class PrivacyPageConfig:
    public_url: str
    client_address: ClientAddress
    link_ttl_minutes: int


@dataclass(eq=False, repr=False)
class PrivacyPages:
    settings: Settings
    retention: Retention
    requests: PrivacyRequests
    forms: Signer
    config: PrivacyPageConfig

    def _form_token(self, payload: str) -> str:
        return self.forms.sign_for(payload, self.requests.clock(), FORM_TTL)

    def _check_form(self, request: Request, fields: dict[str, str], payload: str) -> None:
        check_origin(
            request,
            own_origins(request, self.config.public_url),
            referer_too=True,
            refused=CsrfFailed("This form was sent from another site and was refused."),
        )
        try:
            found = self.forms.verify(fields.get("form_token", ""), self.requests.clock())
        except (LinkInvalid, LinkExpired) as exc:
            raise CsrfFailed(
                "The form expired or was not sent by this site. Reload the page and try again."
            ) from exc
        if found != payload:
            raise CsrfFailed("The form does not belong to this page. Reload it and try again.")

    async def notice(self, request: Request) -> Response:
        notice = await run_in_threadpool(build_notice, self.settings, self.retention)
        return render_page(
            "privacy/notice.html",
            headers={"Cache-Control": "no-cache"},  # the form token inside expires
            notice=notice,
            form_token=self._form_token("ask"),
        )

    async def ask(self, request: Request) -> Response:
        """POST /privacy/requests: same page and same work whether the address is known or not."""
        fields = await form_fields(request)
        self._check_form(request, fields, "ask")
        address = self.config.client_address.of(request)
        message = await run_in_threadpool(
            self.requests.request_link, fields.get("email", ""), address
        )
        return render_page(
            "privacy/sent.html",
            ttl_minutes=self.config.link_ttl_minutes,
            headers=NO_STORE,
            background=BackgroundTask(self.requests.send, message),
        )

    def _key(self, request: Request) -> EmailKey:
        return self.requests.open_link(token_or_404(request))

    async def link(self, request: Request) -> Response:
        key = self._key(request)
        export = await run_in_threadpool(self.requests.export, key)
        summary = [
            (name, export["about"].get(name, name), len(rows))
            for name, rows in export["records"].items()
        ]
        token = token_or_404(request)
        return render_page(
            "privacy/link.html",
            headers=NO_STORE,
            summary=summary,
            export_url=f"/privacy/link/{token}/export.json",
            erase_url=f"/privacy/link/{token}/erase",
            erase_mode=self.settings.privacy_erase_mode,
            form_token=self._form_token(f"erase-{key.hash}"),
        )

    async def export(self, request: Request) -> Response:
        key = self._key(request)
        data = await run_in_threadpool(self.requests.export, key)
        return Response(
            json.dumps(data, indent=2, ensure_ascii=False),
            media_type="application/json",
            headers={
                **NO_STORE,
                "Content-Disposition": 'attachment; filename="my-data.json"',
                "X-Content-Type-Options": "nosniff",
            },
        )

    async def erase(self, request: Request) -> Response:
        key = self._key(request)
        fields = await form_fields(request)
        self._check_form(request, fields, f"erase-{key.hash}")
        if fields.get("confirm") != "yes":
            raise ValidationFailed("Tick the box to confirm that you want your data erased.")
        report = await run_in_threadpool(self.requests.erase, key)
        return render_page(
            "privacy/erased.html", headers=NO_STORE, total=report.total, mode=report.mode
        )
