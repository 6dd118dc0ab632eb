"""The web layer's side of ``rejoinder.core.inputs``: every id and token from outside goes through here.

- ``Id``: the type of every id in a FastAPI path, query or JSON body; a value that is not 1-18
  ASCII digits (or a JSON integer in that range) is a 400 with the usual error body.
- ``path_id`` / ``query_id`` / ``form_ids``: the same rule for the Starlette pages.
- ``EdgeRoute``: the JSON API's route class; its request decodes JSON bodies with lone surrogates
  replaced (U+FFFD), so no handler or renderer meets one.
- ``token_or_404``: signed tokens in URLs are short ASCII (``[A-Za-z0-9_.-]``); anything else
  names nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Coroutine, Iterable
from typing import Annotated, Any

from fastapi.routing import APIRoute
from pydantic import PlainValidator, WithJsonSchema
from pydantic_core import PydanticCustomError
from starlette.requests import Request
from starlette.responses import Response

from rejoinder.comments.sanitize import BadIdentifier
from rejoinder.core.inputs import (
    ID_MAX,
    id_in_range,
    may_hold_surrogates,
    parse_id,
    without_surrogates,
)
from rejoinder.errors import NotFound

BAD_ID = "bad_identifier"
ID_RULE = "an id is 1 to 18 ASCII digits"
MAX_URL_TOKEN = 300
_TOKEN_RE = re.compile(r"[A-Za-z0-9_.-]+")


def _strict_id(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and id_in_range(value):
        return value
    if isinstance(value, str) and (parsed := parse_id(value)) is not None:
        return parsed
    raise PydanticCustomError(BAD_ID, ID_RULE)


Id = Annotated[
    int,
    PlainValidator(_strict_id),
    WithJsonSchema({"type": "integer", "minimum": 0, "maximum": ID_MAX}),
]


def path_id(request: Request, name: str, what: str) -> int:
    value = parse_id(str(request.path_params.get(name, "")))
    if value is None:
        raise BadIdentifier(f"Invalid {what} id: {ID_RULE}.")
    return value


def query_id(request: Request, name: str, what: str) -> int | None:
    """None when absent or empty; 400 when present and not an id."""
    raw = request.query_params.get(name, "")
    return text_id(raw, what)


def text_id(raw: str, what: str) -> int | None:
    """A form or query value: None when empty, else an id or 400."""
    text = raw.strip()
    if not text:
        return None
    value = parse_id(text)
    if value is None:
        raise BadIdentifier(f"Invalid {what}: {ID_RULE}.")
    return value


def form_ids(values: Iterable[object], what: str) -> list[int]:
    found: list[int] = []
    for raw in values:
        value = text_id(raw, what) if isinstance(raw, str) else None
        if value is not None:
            found.append(value)
    return found


def token_or_404(request: Request, name: str = "token") -> str:
    """A signed token from the URL path, as ASCII text of the token alphabet, or 404."""
    token = str(request.path_params.get(name, ""))
    if len(token) > MAX_URL_TOKEN or not _TOKEN_RE.fullmatch(token):
        raise NotFound("This link is not valid.")
    return token


class EdgeRequest(Request):
    """A request whose JSON body never holds a lone surrogate."""

    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            body = await self.body()
            value = json.loads(body)
            self._json = without_surrogates(value) if may_hold_surrogates(body) else value
        return self._json


class EdgeRoute(APIRoute):
    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def edge_handler(request: Request) -> Response:
            return await handler(EdgeRequest(request.scope, request.receive))

        return edge_handler
