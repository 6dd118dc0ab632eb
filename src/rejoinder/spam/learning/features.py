"""Hashed features for the content model: character and word n-grams plus field tokens.

Speed matters (the whole engine has half a millisecond per check), so the text is hashed in a
handful of numpy operations instead of one Python call per n-gram:

* the normalised text becomes an array of code points ``c``;
* a polynomial prefix sum ``Q[i] = Σ_{j<i} c[j]·P⁻ʲ`` (mod 2⁶⁴, P odd so P⁻¹ exists) gives the
  hash of any span in O(1): ``G(s, e) = Pᵉ⁻¹·(Q[e] − Q[s]) = Σ_{s≤j<e} c[j]·Pᵉ⁻¹⁻ʲ``;
* character n-grams are all spans of length n, words the spans of ``\\w+`` matches, word
  bigrams a mix of two neighbouring word hashes;
* every hash gets a per-kind salt, then one xor-shift-multiply round over all of them at once,
  and its top ``bits`` bits are the feature index.

Each group is computed straight into its place in one output buffer (no per-group arrays joined
afterwards), and field tokens enter it as cached Python integers: at a typical comment's size
(about 125 characters) the cost is the number of numpy calls, not the arithmetic.

Nothing depends on Python's per-process ``hash()``: the same text gives the same features in
every process and on every machine. Field tokens (author URL words, e-mail domain, link count,
author name words…) are short strings hashed with CRC-32 into the same space.
"""

from __future__ import annotations

import math
import re
import zlib
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import numpy.typing as npt

from rejoinder.core.urls import url_host
from rejoinder.spam.domains import FREEMAIL_DOMAINS
from rejoinder.spam.learning.textnorm import normalise_for_model
from rejoinder.spam.submission import Submission
from rejoinder.spam.words import COMMERCIAL_WORDS

U64 = np.uint64
_MASK64 = (1 << 64) - 1
_P = 0x9E3779B97F4A7C15  # odd: invertible modulo 2**64
_P_INV = pow(_P, -1, 1 << 64)
_FMIX1 = np.array([0xFF51AFD7ED558CCD], dtype=U64)
_BIGRAM_MUL = np.array([0x2545F4914F6CDD1D], dtype=U64)
_SHIFT29 = U64(29)

_WORD_RE = re.compile(r"\w+")
_UPPER_BYTES = bytes(range(ord("A"), ord("Z") + 1))
_LETTER_BYTES = _UPPER_BYTES + _UPPER_BYTES.lower()
_DIGIT_BYTES = b"0123456789"
_DIGIT_RE = re.compile(r"\d")
_HOST_WORD_RE = re.compile(r"[a-z]{3,}")
_PATH_WORD_RE = re.compile(r"[a-z]{2,}")
_IPV4_HOST_RE = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}$")
_TITLE_WORD_RE = re.compile(r"^[A-Z][a-z]+$")

# Comment types too common to say anything (they mostly tell which data set a row came from).
PLAIN_COMMENT_TYPES = frozenset({"", "comment", "message", "reply", "forum-post"})

TOKEN_CACHE_SIZE = 50_000  # field-token CRCs kept (tokens such as "links:0" repeat a lot)
# Bump whenever the extractor's output for the same text and config changes.
EXTRACTOR_VERSION = 8  # 7: the author URL gives its words, not its shape; 8: e-mail too
FloatArray = npt.NDArray[np.float32]
IndexArray = npt.NDArray[np.int64]
U64Array = npt.NDArray[np.uint64]


@dataclass(frozen=True, slots=True)
class FeatureConfig:
    """Everything that changes which index a feature lands on; stored with the model."""

    bits: int = 20
    char_orders: tuple[int, ...] = (3, 4, 5)
    max_chars: int = 2000
    word_weight: float = 1.0
    char_weight: float = 1.0
    field_weight: float = 0.5

    def as_dict(self) -> dict[str, Any]:
        return {
            "extractor": EXTRACTOR_VERSION,
            "bits": self.bits,
            "char_orders": list(self.char_orders),
            "max_chars": self.max_chars,
            "word_weight": self.word_weight,
            "char_weight": self.char_weight,
            "field_weight": self.field_weight,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FeatureConfig:
        if int(data.get("extractor", EXTRACTOR_VERSION)) != EXTRACTOR_VERSION:
            raise ValueError(
                f"features from extractor {data.get('extractor')}, need {EXTRACTOR_VERSION}"
            )
        return cls(
            bits=int(data["bits"]),
            char_orders=tuple(int(n) for n in data["char_orders"]),
            max_chars=int(data["max_chars"]),
            word_weight=float(data["word_weight"]),
            char_weight=float(data["char_weight"]),
            field_weight=float(data["field_weight"]),
        )


@dataclass(frozen=True, slots=True)
class SparseVector:
    """Feature indices (may repeat across groups) and their values."""

    indices: IndexArray
    values: FloatArray

    @property
    def nnz(self) -> int:
        return int(self.indices.shape[0])


def _pow_table(base: int, length: int) -> npt.NDArray[np.uint64]:
    out = [1] * length
    for i in range(1, length):
        out[i] = (out[i - 1] * base) & _MASK64
    return np.array(out, dtype=U64)


def _mix(h: npt.NDArray[np.uint64]) -> None:
    """One xor-shift-multiply round, in place: the top bits (the index) depend on every bit."""
    h ^= h >> _SHIFT29
    h *= _FMIX1


def _salt(kind: str) -> npt.NDArray[np.uint64]:
    return np.array([zlib.crc32(kind.encode()) * 0x100000001B3 & _MASK64], dtype=U64)


_SALT_WORD = _salt("word")
_SALT_BIGRAM = _salt("bigram")
_SALT_FIELD_INT = int(_salt("field")[0])
_BIGRAM_MUL_INT = int(_BIGRAM_MUL[0])


@cache
def _word_char_table() -> npt.NDArray[np.bool_]:
    """For every BMP code point: is it a ``\\w`` character (letter, digit, underscore)?"""
    table = np.zeros(0x10000, dtype=np.bool_)
    for code in range(0x10000):
        ch = chr(code)
        table[code] = ch.isalnum() or ch == "_"
    return table


class FeatureExtractor:
    """Submission in, :class:`SparseVector` out. Stateless after construction."""

    def __init__(self, config: FeatureConfig | None = None):
        self.config = config or FeatureConfig()
        span = self.config.max_chars + 3
        self._pow = _pow_table(_P, span)
        self._pow_inv = _pow_table(_P_INV, span)
        self._shift = U64(64 - self.config.bits)
        self._word_chars = _word_char_table()
        # The same table as bytes.translate() input, for ASCII text: 1 for a word character.
        self._ascii_word_bytes = self._word_chars[:256].astype(np.uint8).tobytes()
        self._char_salt = {n: _salt(f"char{n}")[0] for n in self.config.char_orders}
        self._token_cache: dict[str, int] = {}

    @property
    def dim(self) -> int:
        return 1 << self.config.bits

    def extract(self, submission: Submission) -> SparseVector:
        cfg = self.config
        text = normalise_for_model(submission.text, cfg.max_chars)
        fields = self._token_hashes(field_tokens(submission))
        padded = f" {text} "
        length = len(padded)
        codes, in_word = _codes(padded, self._ascii_word_bytes, self._word_chars)
        prefix = np.empty(length + 1, dtype=U64)
        prefix[0] = 0
        np.add.accumulate(codes * self._pow_inv[:length], out=prefix[1:])
        # A word runs from one change of in_word to the next; the padded text starts and ends
        # with a space, so every word has both edges. Edge i is a change between characters i
        # and i + 1: the word's first character is i + 1 (and its last the next edge's i).
        edges = np.nonzero(in_word[1:] != in_word[:-1])[0]
        orders = [n for n in cfg.char_orders if length >= n]
        n_chars = sum(length - n + 1 for n in orders)
        n_words = edges.shape[0] // 2
        n_bigrams = max(n_words - 1, 0)
        n_text = n_chars + n_words + n_bigrams
        # Every group is hashed straight into its place in one buffer (no concatenation).
        hashes = np.empty(n_text + len(fields), dtype=U64)
        at = self._char_spans(prefix, length, orders, hashes)
        if n_words:
            after = prefix[1:]  # after[i] = prefix[i + 1]: the sums through character i
            ends = edges[1::2]
            words = hashes[at : at + n_words]
            np.subtract(after.take(ends), after.take(edges[0::2]), out=words)
            words *= self._pow.take(ends)
            words += _SALT_WORD
            bigrams = hashes[at + n_words : n_text]
            np.multiply(words[:-1], _BIGRAM_MUL, out=bigrams)
            bigrams += words[1:]
            bigrams += _SALT_BIGRAM
        hashes[n_text:] = fields
        _mix(hashes)
        hashes >>= self._shift
        weights = (
            cfg.char_weight / math.sqrt(max(n_chars, 1)),
            cfg.word_weight / math.sqrt(max(n_words + n_bigrams, 1)),
            cfg.field_weight,
        )
        counts = (n_chars, n_words + n_bigrams, len(fields))
        values = np.repeat(np.array(weights, dtype=np.float32), counts)
        return SparseVector(hashes.view(np.int64), values)  # indices < 2**bits: same values

    def _char_spans(
        self, prefix: U64Array, length: int, orders: list[int], hashes: U64Array
    ) -> int:
        """Character n-grams of each order in turn, over slices (views, no index gathers),
        written into ``hashes`` from its start; returns how many."""
        at = 0
        for n in orders:
            part = hashes[at : at + length - n + 1]
            np.subtract(prefix[n : length + 1], prefix[: length - n + 1], out=part)
            part *= self._pow[n - 1 : length]
            part += self._char_salt[n]
            at += length - n + 1
        return at

    def _token_hashes(self, tokens: list[str]) -> list[int]:
        """Each field token's salted hash (before the shared mixing round), cached."""
        cache = self._token_cache
        if len(cache) > TOKEN_CACHE_SIZE:
            cache.clear()
        out: list[int] = []
        for token in tokens:
            value = cache.get(token)
            if value is None:
                crc = zlib.crc32(token.encode("utf-8"))
                value = cache[token] = (crc * _BIGRAM_MUL_INT + _SALT_FIELD_INT) & _MASK64
            out.append(value)
        return out


def _codes(
    padded: str, ascii_word_bytes: bytes, word_chars: npt.NDArray[np.bool_]
) -> tuple[npt.NDArray[np.unsignedinteger[Any]], npt.NDArray[np.bool_]]:
    """The code points of ``padded`` and, for each, whether it is a word character."""
    if padded.isascii():  # one byte per character: word characters by a byte table
        raw = padded.encode("ascii")
        codes: npt.NDArray[np.unsignedinteger[Any]] = np.frombuffer(raw, dtype=np.uint8)
        return codes, np.frombuffer(raw.translate(ascii_word_bytes), dtype=np.bool_)
    codes = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32)
    return codes, word_chars[np.minimum(codes, 0xFFFF)] & (codes < 0x10000)


# --- field tokens --------------------------------------------------------------------------


def field_tokens(sub: Submission) -> list[str]:
    """Short namespaced strings describing the non-text fields and the text's shape.

    The author URL, e-mail and name contribute their words (host and path words, a non-free
    e-mail domain, the words that sell), never their shape or the mere fact that they were
    given: in the labelled data only spam carries them, so a shape would be the data's cue.
    """
    tokens = _shape_tokens(sub.content)
    tokens += _link_tokens(sub.urls)
    if sub.author_url:
        tokens += url_tokens("au", sub.author_url, shape=False)
    if sub.email:
        tokens += email_tokens(sub.email)
    if sub.author:
        tokens += author_tokens(sub.author, title=sub.is_linkback)
    kind = sub.comment_type.strip().lower()
    if kind not in PLAIN_COMMENT_TYPES:
        tokens.append("type:" + kind[:20])
    return tokens


def _bucket(value: int, edges: tuple[int, ...]) -> int:
    for i, edge in enumerate(edges):
        if value <= edge:
            return i
    return len(edges)


def _shape_tokens(content: str) -> list[str]:
    sample = content[:600]
    tokens = [f"len:{_bucket(len(content), (20, 60, 150, 400, 1000))}"]
    upper, letters, digits = _char_classes(sample)
    if letters >= 10:
        tokens.append(f"caps:{_bucket(100 * upper // letters, (5, 20, 50))}")
    tokens.append(f"digits:{_bucket(digits, (0, 3, 9))}")
    return tokens


def _char_classes(sample: str) -> tuple[int, int, int]:
    """ASCII capitals, ASCII letters and (Unicode) digits in ``sample``. Counted on its UTF-8
    bytes, where every non-ASCII character is bytes >= 0x80 only: deleting the bytes of a
    class and comparing lengths counts it without one Python object per match."""
    raw = sample.encode("utf-8", "surrogatepass")
    size = len(raw)
    upper = size - len(raw.translate(None, _UPPER_BYTES))
    letters = size - len(raw.translate(None, _LETTER_BYTES))
    if sample.isascii():
        digits = size - len(raw.translate(None, _DIGIT_BYTES))
    else:  # other scripts' digits count too
        digits = len(_DIGIT_RE.findall(sample))
    return upper, letters, digits


def _link_tokens(urls: list[str]) -> list[str]:
    tokens = [f"links:{_bucket(len(urls), (0, 1, 2, 5))}"]
    for url in urls[:10]:
        tokens += url_tokens("u", url)
    return tokens


def url_tokens(prefix: str, url: str, shape: bool = True) -> list[str]:
    """Host words, TLD and path shape of one URL, each prefixed with ``prefix``; with
    ``shape`` false only its words (host, path, query keys), not its TLD, label count or depth.

    The commenter's web address gets words only. Its shape is the same for a reader's home
    page and for most blog spam (the root of a .com), and the only addresses the labelled
    data has are spam, so a shape learned there would be the data's, not the world's: it
    filed 3.3 % of news readers given real bloggers' addresses (issue 15)."""
    host = url_host(url)
    if not host:
        return [f"{prefix}:nohost"]
    tokens: list[str] = []
    if _IPV4_HOST_RE.match(host) or ":" in host:
        tokens.append(f"{prefix}:iphost")
    else:
        labels = host.removeprefix("www.").split(".")
        if shape:
            tokens.append(f"{prefix}tld:{labels[-1][:12]}")
            tokens.append(f"{prefix}labels:{_bucket(len(labels), (2, 3))}")
        tokens.extend(f"{prefix}hw:{w}" for w in _HOST_WORD_RE.findall(".".join(labels[:-1]))[:6])
        if any(ch.isdigit() for ch in host):
            tokens.append(f"{prefix}:hostdigits")
    tokens += _path_tokens(prefix, url, shape)
    return tokens


def _path_tokens(prefix: str, url: str, shape: bool = True) -> list[str]:
    candidate = url if "://" in url else "http://" + url
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return [f"{prefix}:badurl"]
    path = parts.path.strip("/").lower()
    segments = [s for s in path.split("/") if s]
    tokens = [f"{prefix}depth:{_bucket(len(segments), (0, 1, 2))}"] if shape else []
    tokens.extend(f"{prefix}pw:{w}" for w in _PATH_WORD_RE.findall(path)[:8])
    if parts.query:
        tokens.append(f"{prefix}:query")
        keys = [kv.split("=", 1)[0].lower() for kv in parts.query.split("&")[:6]]
        tokens.extend(f"{prefix}qk:{k[:20]}" for k in keys if k)
    return tokens


def email_tokens(email: str) -> list[str]:
    """What an e-mail address says beyond its shape: its domain unless free-mail, and the
    words in it that sell (``printer.support.help@…``, ``…@cheap-flights.example``).

    Not free-mail or not, TLD or the local part's shape: in the labelled data only blog spam
    carries addresses (masked ``Xxxxxxx9999@gmail.com``), so ``name1234@gmail.com`` read as
    spam (+2.8 log-odds from the shape) for the readers who write just that (issue 15)."""
    local, _, domain = email.strip().rpartition("@")
    domain = domain.lower().rstrip(".")
    if not local or "." not in domain:
        return ["em:malformed"]
    tokens = [] if domain in FREEMAIL_DOMAINS else [f"em:dom:{domain[:60]}"]
    words = _WORD_RE.findall(f"{local[:64]} {domain[:60]}".lower().replace("_", " "))
    tokens.extend(f"em:w:{w}" for w in dict.fromkeys(words) if w in COMMERCIAL_WORDS)
    return tokens


def author_tokens(author: str, title: bool = False) -> list[str]:
    """A name's length and Title Case, and the words in it that sell; of a pingback's
    "name" (``title``: the linking post's title, long and Title Case by nature) only those."""
    words = author.split()[:12]
    tokens = [] if title else [f"an:words:{_bucket(len(words), (1, 2, 3))}"]
    if not title and words and all(_TITLE_WORD_RE.match(w) for w in words) and len(words) >= 2:
        tokens.append("an:titlecase")
    lowered = author.lower()
    if "://" in lowered or "www." in lowered:
        tokens.append("an:url")
    # Only words that sell: an ordinary name must never become a spam cue (in the labelled
    # data only spam sources carry names, so every name word would read as spam).
    words = _WORD_RE.findall(lowered)[:10]
    tokens.extend(f"an:w:{w}" for w in words if w in COMMERCIAL_WORDS)
    return tokens
