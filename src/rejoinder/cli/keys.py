"""`rejoinder keys …`: Akismet API keys."""

from __future__ import annotations

from typing import Annotated

import typer

from rejoinder.cli.common import (
    DataDir,
    DbUrl,
    one_line_errors,
    open_services,
    say,
    show_secret,
)
from rejoinder.sites.service import wordpress_can_type

app = typer.Typer(help="Manage Akismet API keys.", no_args_is_help=True)


@app.command("create")
@one_line_errors
def keys_create(
    site: Annotated[
        list[str] | None,
        typer.Option("--site", help="Limit the key to this site URL (repeatable)."),
    ] = None,
    label: Annotated[str, typer.Option(help="A note about the key.")] = "",
    key: Annotated[
        str | None,
        typer.Option(
            "--key",
            help="Import this existing 12-character key (e.g. the one a site already uses "
            "with Akismet) instead of generating one.",
        ),
    ] = None,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Create an API key; the key is printed alone on the last line."""
    services = open_services(data_dir, database_url)
    key = services.sites.create_key(site or [], label, key=key)
    limited = ", ".join(site) if site else "any site"
    if not wordpress_can_type(key):
        say(
            "note: the WordPress plugin's key screen accepts only hex digits (0-9, a-f); with "
            "this key, set it as WPCOM_API_KEY in wp-config.php (docs/akismet.md)."
        )
    show_secret(f"key for {limited} (stored only as a hash; copy it now):", key)


@app.command("list")
@one_line_errors
def keys_list(data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """List keys (only a hint of each key is known)."""
    for key in open_services(data_dir, database_url).sites.list_keys():
        state = "active" if key.active else f"revoked {key.revoked_at:%Y-%m-%d}"
        sites = ",".join(key.site_urls) or "any site"
        print(f"{key.hint}\t{state}\t{sites}\t{key.label}")  # plain tabs, for `cut -f`


@app.command("revoke")
@one_line_errors
def keys_revoke(key: str, data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Revoke a key at once."""
    open_services(data_dir, database_url).sites.revoke_key(key)
    say("key revoked")
