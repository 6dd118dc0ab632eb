"""`rejoinder db …`: migrations."""

from __future__ import annotations

import typer

from rejoinder.cli.common import (
    DataDir,
    DbUrl,
    one_line_errors,
    open_services,
    say,
    services_for,
    settings_for,
)

app = typer.Typer(help="Database migrations.", no_args_is_help=True)


@app.command("upgrade")
@one_line_errors
def db_upgrade(data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Apply every pending migration."""
    services = open_services(data_dir, database_url)
    say(f"database at revision {services.db.current_revision()}")


@app.command("current")
@one_line_errors
def db_current(data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Print the current and the newest migration revision."""
    services = services_for(settings_for(data_dir, database_url), migrate=False)
    say(f"current: {services.db.current_revision()}  head: {services.db.head_revision()}")
