"""Labelled JSON Lines (the schema of the shared spam/ham data) as engine submissions.

Only Akismet fields that a real client sends *and* that carry no artefact of how a data set
was collected become part of the :class:`~rejoinder.spam.submission.Submission`:
``comment_content``, ``comment_author``, ``comment_author_email``, ``comment_author_url`` and
``comment_type``. Left out on purpose (see the data README's caveats): ``user_ip`` (a hosting
proxy), ``content_partial`` (how the text survived), ``comment_date_gmt``/``comment_date``
(their absence marks one spam campaign), and ``permalink``/``context``/``lang`` (they name
the source, not the comment).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rejoinder.core.records.verdict import Label
from rejoinder.core.urls import bare_host
from rejoinder.errors import RejoinderError
from rejoinder.spam.submission import Submission

SUBMISSION_FIELDS = (
    "comment_content",
    "comment_author",
    "comment_author_email",
    "comment_author_url",
    "comment_type",
)
_SPACE_RE = re.compile(r"\s+")
_WORD_RE = re.compile(r"\w+")
NEAR_DUPLICATE_JACCARD = 0.5


class DatasetError(RejoinderError):
    """A labelled file that cannot be read."""


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled row."""

    id: str
    source: str
    label: Label
    fields: dict[str, str]

    @property
    def is_spam(self) -> bool:
        return self.label is Label.SPAM

    def submission(self, site: str = "") -> Submission:
        return Submission.from_fields(self.fields, site=site or f"https://{self.source}.example")


def read_jsonl(paths: Sequence[Path]) -> list[Example]:
    """Read labelled rows; a bad line stops with the file and line number."""
    examples: list[Example] = []
    for path in paths:
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise DatasetError(f"cannot read {path}: {exc}") from exc
        for number, line in enumerate(lines, 1):
            if line.strip():
                examples.append(_parse_line(line, path, number))
    if not examples:
        raise DatasetError("no labelled rows in the given files")
    return examples


def _parse_line(line: str, path: Path, number: int) -> Example:
    where = f"{path.name}:{number}"
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise DatasetError(f"{where}: not JSON ({exc.msg})") from exc
    if not isinstance(row, dict):
        raise DatasetError(f"{where}: not a JSON object")
    try:
        label = Label(str(row.get("label", "")).strip().lower())
    except ValueError:
        raise DatasetError(f"{where}: label must be 'spam' or 'ham'") from None
    if not isinstance(row.get("comment_content", ""), str):
        raise DatasetError(f"{where}: comment_content must be a string")
    fields = {k: str(row[k]) for k in SUBMISSION_FIELDS if isinstance(row.get(k), str)}
    source = str(row.get("source") or path.stem)
    return Example(str(row.get("id") or f"{path.stem}:{number}"), source, label, fields)


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- grouping: near-duplicates stay together ---------------------------------------------


def _shingles(text: str) -> set[str]:
    words = _WORD_RE.findall(text.casefold())
    if len(words) < 3:
        return {" ".join(words)}
    return {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}


class _UnionFind:
    def __init__(self, size: int):
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def near_duplicate_groups(examples: Sequence[Example], *, by_host: bool = False) -> list[int]:
    """A group number per example: same source and (near-)same text share a group.

    Mirrors how the data was split: exact text after case-folding and white-space collapse,
    or word 3-shingle Jaccard ≥ 0.5, within one source. With ``by_host`` rows whose author
    URL has the same host are joined too (a harder, campaign-disjoint split).
    """
    uf = _UnionFind(len(examples))
    by_source: dict[str, list[int]] = defaultdict(list)
    for i, ex in enumerate(examples):
        by_source[ex.source].append(i)
    for members in by_source.values():
        _join_near_duplicates(uf, examples, members)
        if by_host:
            _join_same_host(uf, examples, members)
    roots: dict[int, int] = {}
    return [roots.setdefault(uf.find(i), len(roots)) for i in range(len(examples))]


def _join_near_duplicates(uf: _UnionFind, examples: Sequence[Example], members: list[int]) -> None:
    shingles = {i: _shingles(examples[i].fields.get("comment_content", "")) for i in members}
    exact: dict[str, int] = {}
    index: dict[str, list[int]] = defaultdict(list)
    for i in members:
        text = examples[i].fields.get("comment_content", "")
        key = _SPACE_RE.sub(" ", text.casefold()).strip()
        if key in exact:
            uf.union(exact[key], i)
        exact.setdefault(key, i)
        candidates: set[int] = set()
        for shingle in shingles[i]:
            bucket = index[shingle]
            if len(bucket) < 200:  # very common shingles carry no information
                candidates.update(bucket)
            bucket.append(i)
        for j in candidates:
            if (
                uf.find(i) != uf.find(j)
                and _jaccard(shingles[i], shingles[j]) >= NEAR_DUPLICATE_JACCARD
            ):
                uf.union(i, j)


def _join_same_host(uf: _UnionFind, examples: Sequence[Example], members: list[int]) -> None:
    first: dict[str, int] = {}
    for i in members:
        host = bare_host(examples[i].fields.get("comment_author_url", ""))
        if host:
            if host in first:
                uf.union(first[host], i)
            first.setdefault(host, i)


def _jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def sources_of(examples: Iterable[Example]) -> list[str]:
    return sorted({ex.source for ex in examples})
