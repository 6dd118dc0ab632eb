"""Search files byte by byte for personal values in every encoding we can think of."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import quote, quote_plus


def _text_forms(text: str) -> set[bytes]:
    forms: set[str] = {text, text.lower(), text.upper(), quote(text, safe=""), quote_plus(text)}
    out: set[bytes] = set()
    for form in forms:
        out.add(form.encode("utf-8"))
        out.add(form.encode("utf-16-le"))
        out.add(form.encode("utf-16-be"))
    return out


def ip_encodings(address: str) -> set[bytes]:
    """Text (compressed, exploded, reversed/arpa), packed, hex of packed, URL-encoded."""
    addr = ipaddress.ip_address(address)
    texts = {address, addr.compressed, addr.exploded, addr.reverse_pointer}
    if addr.version == 4:
        texts.add(".".join(reversed(addr.exploded.split("."))))
        texts.add(f"::ffff:{addr}")
    else:
        texts.add(addr.exploded.replace(":", ""))
    out: set[bytes] = {addr.packed, addr.packed[::-1]}
    for hexed in (addr.packed.hex(), addr.packed[::-1].hex()):
        texts.add(hexed)
    for text in texts:
        out |= _text_forms(text)
    return out


def text_encodings(value: str) -> set[bytes]:
    return _text_forms(value)


def files_under(*roots: Path) -> list[Path]:
    found: list[Path] = []
    for root in roots:
        if root.is_file():
            found.append(root)
        elif root.is_dir():
            found.extend(p for p in sorted(root.rglob("*")) if p.is_file())
    return found


def find(needles: Iterable[bytes], files: Iterable[Path]) -> list[tuple[str, bytes]]:
    """(file, needle) for every needle found in any file."""
    wanted = [n for n in needles if n]
    hits: list[tuple[str, bytes]] = []
    for path in files:
        data = path.read_bytes()
        for needle in wanted:
            if needle in data:
                hits.append((path.name, needle))
    return hits
