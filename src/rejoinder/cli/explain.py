"""`rejoinder explain` (registered in cli/__init__.py): score one submission and say why."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from rejoinder.cli.common import (
    DataDir,
    DbUrl,
    fail,
    one_line_errors,
    open_services,
    say,
)


def _read_submission(inputs: list[str]) -> dict[str, str]:
    """Fields from a JSON file / stdin ('-' or nothing) and/or ``field=value`` arguments."""
    import json

    fields: dict[str, str] = {}
    pairs = [a for a in inputs if "=" in a and not Path(a).exists()]
    sources = [a for a in inputs if a not in pairs]
    if not sources and not pairs:
        sources = ["-"]
    for source in sources:
        try:
            text = sys.stdin.read() if source == "-" else Path(source).read_text("utf-8")
            data = json.loads(text)
        except OSError as exc:
            fail(f"cannot read {source}: {exc.strerror}")
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            fail(f"{'stdin' if source == '-' else source} is not JSON: {exc}")
        if not isinstance(data, dict):
            fail("the submission must be a JSON object of Akismet fields")
        fields.update({str(k): "" if v is None else str(v) for k, v in data.items()})
    for pair in pairs:
        name, _, value = pair.partition("=")
        fields[name.strip()] = value
    return fields


@one_line_errors
def explain(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(help="A JSON file, '-' for stdin (the default), and/or field=value pairs."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Score one Akismet-style submission and say why, without recording or learning it."""
    import json

    from rejoinder.spam.explain import explain as explain_verdict
    from rejoinder.spam.explain import render_text

    fields = _read_submission(inputs or [])
    services = open_services(data_dir, database_url)
    result = explain_verdict(services.checks.evaluate(fields))
    if as_json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        say(render_text(result), markup=False)
