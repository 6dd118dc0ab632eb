"""`rejoinder init`, `serve` and `settings` (top-level commands, registered in cli/__init__.py)."""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer
from rich.table import Table

from rejoinder.cli.common import (
    DataDir,
    DbUrl,
    one_line_errors,
    out,
    say,
    services_for,
    settings_for,
)
from rejoinder.settings import Settings, describe
from rejoinder.settings.server import ServerKind


@one_line_errors
def init(data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Create the data dir, the instance secret and the database schema."""
    settings = settings_for(data_dir, database_url)
    services = services_for(settings)
    say(f"database ready at revision {services.db.current_revision()}")
    say(f"instance secret: {settings.resolved_secret_file()}")


@one_line_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Listen address (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port (default 8080).")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default 1).")] = None,
    server: Annotated[
        ServerKind | None,
        typer.Option(help="HTTP server: granian (default) or uvicorn (REJOINDER_SERVER)."),
    ] = None,
    demo: Annotated[
        bool,
        typer.Option("--demo", help="Create a demo site and key if none exist, print the key."),
    ] = False,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Run migrations, then serve HTTP until Ctrl-C."""
    from rejoinder.logs import logging_config
    from rejoinder.web.server import ConnectionLimits, run

    settings = settings_for(
        data_dir, database_url, host=host, port=port, workers=workers, server=server
    )
    services = services_for(settings)
    if demo:
        _ensure_demo(services, settings)
        os.environ["REJOINDER_DEMO"] = "true"
    warning = sqlite_workers_warning(settings.workers, services.db.is_sqlite)
    services.db.dispose()
    if warning:
        typer.echo(warning, err=True)
    # Worker processes rebuild settings from the environment: hand the effective ones down.
    os.environ["REJOINDER_DATA_DIR"] = str(settings.data_dir)
    os.environ["REJOINDER_HOST"] = settings.host
    os.environ["REJOINDER_PORT"] = str(settings.port)
    if settings.database_url:
        os.environ["REJOINDER_DATABASE_URL"] = settings.database_url
    say(f"rejoinder serving on http://{settings.host}:{settings.port} (Ctrl-C to stop)")
    run(
        "rejoinder.app:app_from_env",
        server=settings.server,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
        factory=True,
        log_config=logging_config(settings.log_level),
        limits=ConnectionLimits(settings.header_timeout_s, settings.max_connections),
    )


def sqlite_workers_warning(workers: int, is_sqlite: bool) -> str | None:
    """SQLite has one write lock for all processes: more workers serve more reads, but
    posts and comment-checks queue for the same lock (docs/performance.md)."""
    if not is_sqlite or workers <= 1:
        return None
    return (
        f"warning: {workers} workers on SQLite share one write lock: posts and comment-checks "
        "are no faster than with one worker, and their p99 is higher (docs/performance.md, "
        '"Thread reads and posts"); use PostgreSQL for several workers.'
    )


def _ensure_demo(services: Any, settings: Settings) -> None:
    from rejoinder.comments.demo import demo_site_url, seed_demo

    site_url = demo_site_url(settings.host, settings.port)
    existing = services.sites.list_keys()
    site = services.sites.ensure_site(site_url)
    seed_demo(services.comments, site.url, settings.port)
    say(f"demo article with comments: {site.url}/demo/")
    _ensure_demo_moderator(services, site.url)
    if any(k.active for k in existing):
        say(f"demo site {site.url}; an API key already exists (see `rejoinder keys list`).")
        return
    key = services.sites.create_key([], label="demo")
    say(f"demo site: {site.url}")
    say("Point an Akismet client at this server (docs/akismet.md), with this API key:")
    say(key)


def _ensure_demo_moderator(services: Any, site_url: str) -> None:
    """A demo admin when there is no moderator yet, so /admin/ works after `make run`."""
    from rejoinder.core.records.moderation import Role

    if services.auth.count():
        say(f"moderation: {site_url}/admin/ (moderators exist: `rejoinder moderators list`)")
        return
    moderator, password = services.auth.add("admin@example.com", None, None, Role.ADMIN)
    say(f"moderation: {site_url}/admin/ — sign in as {moderator.email} with password {password}")


@one_line_errors
def show_settings(data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Print the effective settings (secrets masked)."""
    rows = describe(settings_for(data_dir, database_url))
    if not out.is_terminal:  # piped: whole values, one setting per line, tab-separated
        for row in rows:
            print("\t".join(row))
        return
    table = Table("setting", "value", "environment variable")
    for column in table.columns:
        column.overflow = "fold"  # never cut a value short
    for name, value, env in rows:
        table.add_row(name, value, env)
    out.print(table)
