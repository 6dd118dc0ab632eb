"""Loading learned state into flat arrays: any row count hint, any row order, same result."""

from __future__ import annotations

import random

import numpy as np
import pytest

from rejoinder.services import Services
from rejoinder.spam.learning import campaigns
from rejoinder.spam.learning.campaigns import NUM_PERM, NearDuplicateIndex, _Columns
from rejoinder.spam.learning.mirror import KeyMirror
from rejoinder.storage import learning as store


def _rows(n: int) -> list[tuple[int, float, float, float]]:
    rng = random.Random(4)
    keys = rng.sample(range(-(2**60), 2**60), n)  # unsorted, as the table returns them
    return [(k, rng.random() * 9, rng.random() * 9, 1e9 + rng.random() * 1e6) for k in keys]


@pytest.mark.parametrize("hint", [0, 1, 700, 1000, 5000])
def test_key_mirror_load_is_the_same_whatever_the_size_hint(hint: int) -> None:
    """Too small a hint grows the columns, too large a one is cut: the arrays are identical."""
    rows = _rows(1000)
    chunks = [rows[i : i + 300] for i in range(0, len(rows), 300)]
    reference = KeyMirror()
    reference.load(chunks, size_hint=len(rows))
    mirror = KeyMirror()
    mirror.load(chunks, size_hint=hint)
    for got, want in zip(mirror._base, reference._base, strict=True):
        assert got.dtype == want.dtype and len(got) == len(rows)
        assert np.array_equal(got, want)
    assert np.all(np.diff(mirror._base[0]) > 0)  # sorted by key
    key, spam, ham, _updated = rows[123]
    assert mirror.get([key, 5]) == [(spam, ham), (0.0, 0.0)]


def test_key_mirror_loads_nothing() -> None:
    mirror = KeyMirror()
    mirror.load([], size_hint=10)  # rows deleted between the count and the read
    assert len(mirror) == 0 and mirror.get([1]) == [(0.0, 0.0)]


def _nd_rows(ids: list[int]) -> list[store.NearDupRow]:
    rng = np.random.default_rng(9)
    sigs = rng.integers(0, 2**32, (len(ids), NUM_PERM), dtype=np.uint64).astype("<u4")
    return [
        store.NearDupRow(i, f"{i:032x}", sigs[n].tobytes(), "spam" if i % 3 else "ham",
                         f"https://s{i % 7}.example", 1e9 + i)
        for n, i in enumerate(ids)
    ]  # fmt: skip


def _reference_build(rows: list[store.NearDupRow]) -> campaigns._Base:
    """The build as it was before the memory pass: every column permuted, keys in one go."""
    ids = np.array([r.id for r in rows], np.int64)
    by_id = np.argsort(ids, kind="stable")
    sigs = np.frombuffer(b"".join(r.signature for r in rows), "<u4").reshape(-1, NUM_PERM)
    sigs = sigs.astype(np.uint32)[by_id]
    keys = campaigns.band_keys(sigs).ravel()
    order = np.argsort(keys, kind="stable")
    labels = np.array([1 if r.label == "spam" else -1 for r in rows], np.int8)[by_id]
    created = np.array([r.created_ts for r in rows], np.float64)[by_id]
    sites = [rows[i].site_url for i in by_id]
    return campaigns._Base(
        ids[by_id], sigs, labels, created, sites, keys[order], (order // 16).astype(np.int32)
    )


@pytest.mark.parametrize("shuffled", [False, True])
def test_near_duplicate_build_matches_the_plain_build(
    shuffled: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows in id order (a load) or not (a merge of relabelled items); band keys in slices."""
    monkeypatch.setattr(campaigns, "_KEY_SLICE", 7)  # several slices, the last one short
    ids = list(range(10, 60))
    if shuffled:
        random.Random(2).shuffle(ids)
    rows = _nd_rows(ids)
    columns = _Columns.empty()
    for start in range(0, len(rows), 16):
        columns.add_rows(rows[start : start + 16], {})
    got, want = columns.build(), _reference_build(rows)
    for name in ("ids", "sigs", "labels", "created", "keys", "key_pos"):
        a, b = getattr(got, name), getattr(want, name)
        assert a.dtype == b.dtype and np.array_equal(a, b), name
    assert got.sites == want.sites
    assert not columns.ids and not columns.sigs and not columns.sites  # chunks released


def test_index_merge_keeps_answering_after_out_of_order_ids(services: Services) -> None:
    """A merge of items whose ids come before the base's: the base is reordered by id."""
    index = NearDuplicateIndex(services.db, now=lambda: 1e9 + 1000)
    late, early = _nd_rows(list(range(100, 100 + campaigns.MERGE_AT))), _nd_rows([5, 1, 3])
    index.add_rows(late)  # merged into the base
    index.add_rows(early)
    index._merge()
    assert index._base.ids[:3].tolist() == [1, 3, 5]
    sig = np.frombuffer(early[0].signature, "<u4")
    assert index.query(sig.astype(np.uint32))[0].similarity == 1.0
