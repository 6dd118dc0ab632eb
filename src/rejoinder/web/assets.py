"""Static assets served from memory: embed.js (strings and stylesheet inlined), the stylesheet,
gzipped once, with an ETag."""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response

from rejoinder.web.i18n import STRINGS

HERE = Path(__file__).parent


@dataclass(frozen=True, slots=True)
class Asset:
    body: bytes
    gzipped: bytes
    etag: str
    media_type: str


def make_asset(body: bytes, media_type: str) -> Asset:
    etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
    return Asset(body, gzip.compress(body, 9, mtime=0), etag, media_type)


def build_embed_js() -> Asset:
    """embed.js with the strings table and the stylesheet inlined: one small request."""
    source = "\n".join(
        line.strip() for line in (HERE / "static" / "embed.js").read_text().splitlines()
    )
    css = (HERE / "static" / "comments.css").read_text()
    body = source.replace(
        "__STRINGS__", json.dumps(STRINGS, ensure_ascii=False, separators=(",", ":"))
    )
    body = body.replace("__CSS__", json.dumps(" ".join(css.split())))
    return make_asset(body.encode(), "text/javascript; charset=utf-8")


def serve_asset(request: Request, asset: Asset) -> Response:
    headers = {
        "ETag": asset.etag,
        "Cache-Control": "public, max-age=300",
        "Vary": "Accept-Encoding",
    }
    if request.headers.get("if-none-match") == asset.etag:
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(asset.gzipped, headers=headers, media_type=asset.media_type)
    return Response(asset.body, headers=headers, media_type=asset.media_type)
