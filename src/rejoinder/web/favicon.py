"""``/favicon.ico``: a small icon made in code (a speech bubble), so browsers stop asking for
one and logging a 404 — an ICO file holding one 32×32 PNG, built once at import."""

from __future__ import annotations

import struct
import zlib

from starlette.requests import Request
from starlette.responses import Response

from rejoinder.web.assets import make_asset, serve_asset

SIZE = 32
BLUE = (11, 87, 181, 255)
CLEAR = (0, 0, 0, 0)
WHITE = (255, 255, 255, 255)


def _pixel(x: int, y: int) -> tuple[int, int, int, int]:
    inside = 3 <= x <= 28 and 4 <= y <= 21 and not ((x in (3, 28)) and (y in (4, 21)))
    tail = 22 <= y <= 27 and 8 <= x <= 8 + (27 - y)
    if not (inside or tail):
        return CLEAR
    if 9 <= y <= 16 and (7 <= x <= 10 or 14 <= x <= 17) and y - 9 < 4 + (x % 7 < 2):
        return WHITE  # two quote marks
    return BLUE


def _chunk(kind: bytes, data: bytes) -> bytes:
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png() -> bytes:
    rows = b"".join(
        b"\x00" + b"".join(bytes(_pixel(x, y)) for x in range(SIZE)) for y in range(SIZE)
    )
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows, 9))
        + _chunk(b"IEND", b"")
    )


def ico() -> bytes:
    image = png()
    directory = struct.pack("<BBBBHHII", SIZE, SIZE, 0, 0, 1, 32, len(image), 6 + 16)
    return struct.pack("<HHH", 0, 1, 1) + directory + image


ICON = ico()

ASSET = make_asset(ICON, "image/x-icon")


async def favicon(request: Request) -> Response:
    return serve_asset(request, ASSET)
