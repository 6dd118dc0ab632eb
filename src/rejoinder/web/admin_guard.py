"""Guards for the moderation pages: the session cookie, CSRF, same-origin posts, safe redirects.

- The session cookie ``rejoinder_admin`` is HttpOnly, SameSite=Strict, path ``/admin``, and
  Secure whenever the request or ``public_url`` is https.
- Every POST carries ``_csrf`` = HMAC(secret, SHA-256(session id)); the login form a signed,
  timed token. ``Origin`` (or, without it, ``Referer``) must be this server (D20).
- After login only a local ``/admin/…`` path is followed (D9): anything else goes to the queue.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from rejoinder.errors import Forbidden
from rejoinder.web.security import check_origin, own_origins

SESSION_COOKIE = "rejoinder_admin"
ADMIN_HOME = "/admin/queue/pending"
ADMIN_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def safe_next(target: str | None) -> str:
    """Only a path inside /admin/ on this server; anything else (other hosts, schemes,
    protocol-relative or backslash tricks, control characters) gives the queue."""
    value = (target or "").strip()
    if not value.startswith("/admin/") or "\\" in value or "//" in value:
        return ADMIN_HOME
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        return ADMIN_HOME
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return ADMIN_HOME
    return value


def is_https(request: Request, public_url: str) -> bool:
    return request.url.scheme == "https" or public_url.lower().startswith("https://")


def check_same_origin(request: Request, public_url: str) -> None:
    """403 unless the post comes from this server (Origin, else Referer; one must be sent)."""
    check_origin(
        request,
        own_origins(request, public_url),
        referer_too=True,
        required=True,
        refused=Forbidden("This form was not sent from this server's admin pages."),
    )


def set_session_cookie(response: Response, value: str, max_age: int, secure: bool) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=max_age,
        path="/admin",
        httponly=True,
        samesite="strict",
        secure=secure,
    )


def clear_session_cookie(response: Response, secure: bool) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/admin", httponly=True, samesite="strict", secure=secure
    )
