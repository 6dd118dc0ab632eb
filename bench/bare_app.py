"""The baseline: a bare Starlette endpoint that parses the same form as comment-check (with the
same parser, ``rejoinder.web.forms``) and answers ``false`` without any other work."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rejoinder.web.forms import request_fields

MAX_BODY = 4_000_000
MAX_FIELDS = 2_000


async def comment_check(request: Request) -> Response:
    fields = await request_fields(request, MAX_BODY, MAX_FIELDS)
    return Response("false" if fields else "invalid", media_type="text/plain; charset=utf-8")


app = Starlette(routes=[Route("/1.1/comment-check", comment_check, methods=["POST"])])
