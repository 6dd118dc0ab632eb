"""Every output of ``Engine.check`` over the labelled comments, to prove a speed-up changed none.

Builds a learned state like ``engine_speed.py`` (smaller by default), with a fixed instance
secret and a frozen clock, teaches it every seventh labelled comment, then writes one JSON line
per comment (each data set's rows with their own fields, then every fifth text again with the
speed bench's synthetic fields): probability, action and hits (exact ``repr`` of the floats),
a digest of the content model's feature indices and values, the campaign signature and the
reputation keys. Run it on two commits and compare the files:

    .venv/bin/python bench/engine_outputs.py before.jsonl     # on the old commit
    .venv/bin/python bench/engine_outputs.py after.jsonl      # on the new one
    .venv/bin/python bench/engine_outputs.py --smoke          # tiny: does it still run?
    cmp before.jsonl after.jsonl

Takes about a minute with the shared data (``../shared/data/*.jsonl``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import engine_speed as speed  # the state filler, comment fields
from smoke import tiny_data

from rejoinder.core.records.verdict import Label
from rejoinder.services import Services, build_services
from rejoinder.settings import load_settings
from rejoinder.spam.engine import Engine
from rejoinder.spam.labels import RecordedLabel
from rejoinder.spam.learning import campaigns
from rejoinder.spam.learning.reputation import keys_for
from rejoinder.spam.submission import Submission

FROZEN = datetime(2026, 1, 1, tzinfo=UTC)
SECRET = bytes(range(32)).hex()
META_FIELDS = {"id", "label", "source", "context", "lang", "orig_label"}


def comments(data_dir: Path) -> list[tuple[dict[str, str], str | None]]:
    """(Akismet fields, label) of every labelled row, then synthetic fields for every fifth."""
    rows = [
        json.loads(line)
        for path in sorted(data_dir.glob("*.jsonl"))
        for line in path.read_text("utf-8").splitlines()
    ]
    found: list[tuple[dict[str, str], str | None]] = []
    for i, row in enumerate(rows):
        fields = {k: v for k, v in row.items() if isinstance(v, str) and k not in META_FIELDS}
        fields.setdefault("blog", speed.SITES[i % 3])
        found.append((fields, row.get("label")))
    rng = random.Random(11)
    found += [(speed.fields_for(r["comment_content"], rng), None) for r in rows[::5]]
    return found


def record(engine: Engine, sub: Submission) -> dict[str, Any]:
    x = engine.bundle.content.features(sub)
    sig = campaigns.signature(sub.text)
    verdict = engine.check(sub)
    assert engine.state is not None
    return {
        "p": repr(verdict.probability),
        "a": verdict.action.value,
        "h": [[h.symbol, repr(h.score), h.detail] for h in verdict.hits],
        "f": hashlib.sha256(x.indices.tobytes() + x.values.tobytes()).hexdigest()[:16],
        "s": None if sig is None else sig.tobytes().hex(),
        "k": [[k.kind.value, k.key, k.shown] for k in keys_for(sub, engine.state.hasher)],
    }


def teach_state(services: Services, sub: Submission, label: Label) -> None:
    """Teach a label to the learned state only (reputation, near-duplicates), with no feedback
    row for the content model to catch up from: what this bench has always taught, so its files
    compare with older commits' (and stay the same whenever the content model syncs)."""
    assert services.engine.state is not None
    services.engine.state.on_labels([RecordedLabel(0, sub, label, (None, None))])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, nargs="?")
    parser.add_argument("--keys", type=int, default=200_000)
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--recent", type=int, default=4000)
    parser.add_argument("--smoke", action="store_true", help="tiny data and state (make test)")
    args = parser.parse_args()
    if not args.smoke:
        if args.out is None:
            parser.error("the output file is required")
        return run(args, speed.DATA)
    with tempfile.TemporaryDirectory(prefix="rejoinder-smoke-") as tmp:
        args.out, args.keys, args.items, args.recent = Path(tmp) / "out.jsonl", 2000, 200, 50
        return run(args, tiny_data(Path(tmp) / "data", ("alpha", "beta")))


def run(args: argparse.Namespace, data_dir: Path) -> int:
    items = comments(data_dir)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "secret.key").write_text(SECRET)
        settings = load_settings({"REJOINDER_DATA_DIR": tmp})
        services = build_services(settings, clock=lambda: FROZEN)
        services.db.upgrade()
        texts = [fields["comment_content"] for fields, _ in items]
        speed.fill(services.db.engine, args.keys, args.items, 10_000, texts)
        engine = services.engine
        engine.warm_up()
        assert engine.state is not None
        speed.add_recent(engine.state.index, args.recent)
        subs = [(Submission.from_fields(f, site=f["blog"]), label) for f, label in items]
        for i, (sub, label) in enumerate(subs):
            if i % 7 == 0 and label in (Label.SPAM.value, Label.HAM.value):
                teach_state(services, sub, Label(label))
        with args.out.open("w") as out:
            for sub, _ in subs:
                out.write(json.dumps(record(engine, sub)) + "\n")
        services.db.dispose()
    print(f"{len(subs)} comments written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
