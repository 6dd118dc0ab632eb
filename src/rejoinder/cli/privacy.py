"""`rejoinder privacy …`: the retention purge, export and erase by e-mail."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.table import Table

from rejoinder.cli.common import (
    DataDir,
    DbUrl,
    fail,
    one_line_errors,
    open_services,
    out,
    say,
)

app = typer.Typer(help="Retention purge, export and erase.", no_args_is_help=True)


@app.command("purge")
@one_line_errors
def privacy_purge(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only count what would be removed.")
    ] = False,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Apply the retention periods now; prints what each rule removed."""
    services = open_services(data_dir, database_url)
    report = services.retention.purge(dry_run=dry_run)
    verb = "would remove or clear" if dry_run else "removed or cleared"
    table = Table("rule", "kept for", "action", verb)
    for result in report.results:
        table.add_row(result.name, f"{result.days} d", str(result.action), str(result.count))
    out.print(table)
    if report.skipped:
        say(f"not in this schema (skipped): {', '.join(report.skipped)}")
    say(f"total {verb}: {report.total}")


@app.command("export")
@one_line_errors
def privacy_export(email: str, data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Print, as JSON, every record stored under EMAIL."""
    import json

    services = open_services(data_dir, database_url)
    data = services.privacy.export(services.privacy.key_for(email))
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


@app.command("erase")
@one_line_errors
def privacy_erase(
    email: str,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Delete or anonymise (privacy_erase_mode) every record stored under EMAIL."""
    services = open_services(data_dir, database_url)
    key = services.privacy.key_for(email)
    mode = services.settings.privacy_erase_mode.value
    if not yes and not typer.confirm(f"Erase ({mode}) every record stored under {email}?"):
        fail("nothing erased")
    report = services.privacy.erase(key)
    for name, count in report.counts.items():
        say(f"{name}\t{count}")
    say(f"erased ({report.mode.value}): {report.total} records")
