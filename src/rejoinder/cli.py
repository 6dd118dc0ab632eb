"""The `rejoinder` command line. Every command honours REJOINDER_DATA_DIR / REJOINDER_DATABASE_URL,
has --help, and exits non-zero with a one-line message on error."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from rejoinder.errors import RejoinderError
from rejoinder.settings import Settings, describe, load_settings

app = typer.Typer(
    help="rejoinder: self-hosted comments with an Akismet-compatible spam engine.",
    no_args_is_help=True,
)
sites_app = typer.Typer(help="Manage sites.", no_args_is_help=True)
keys_app = typer.Typer(help="Manage Akismet API keys.", no_args_is_help=True)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
app.add_typer(sites_app, name="sites")
app.add_typer(keys_app, name="keys")
app.add_typer(db_app, name="db")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
F = TypeVar("F", bound=Callable[..., Any])

DEMO_SITE = "http://127.0.0.1:8080"

DataDir = Annotated[
    Path | None, typer.Option("--data-dir", help="Data directory (REJOINDER_DATA_DIR).")
]
DbUrl = Annotated[
    str | None, typer.Option("--database-url", help="Database URL (REJOINDER_DATABASE_URL).")
]


def fail(message: str) -> None:
    err.print(f"error: {message}", markup=False, highlight=False)
    raise typer.Exit(1)


def one_line_errors(func: F) -> F:
    """Turn any RejoinderError into `error: …` on stderr and exit 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except RejoinderError as exc:
            fail(exc.message.splitlines()[0] if exc.message else exc.code.value)
        return None

    return wrapper  # type: ignore[return-value]


def settings_for(
    data_dir: Path | None = None, database_url: str | None = None, **extra: Any
) -> Settings:
    return load_settings(data_dir=data_dir, database_url=database_url, **extra)


def services_for(settings: Settings, *, migrate: bool = True) -> Any:
    from rejoinder.app import build_services

    services = build_services(settings)
    if migrate:
        services.db.upgrade()
    return services


@app.command()
@one_line_errors
def init(data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Create the data dir, the instance secret and the database schema."""
    settings = settings_for(data_dir, database_url)
    services = services_for(settings)
    out.print(f"database ready at revision {services.db.current_revision()}", highlight=False)
    out.print(f"instance secret: {settings.resolved_secret_file()}", highlight=False)


@app.command()
@one_line_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Listen address (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port (default 8080).")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default 1).")] = None,
    demo: Annotated[
        bool,
        typer.Option("--demo", help="Create a demo site and key if none exist, print the key."),
    ] = False,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Run migrations, then serve HTTP until Ctrl-C."""
    import uvicorn

    settings = settings_for(data_dir, database_url, host=host, port=port, workers=workers)
    services = services_for(settings)
    if demo:
        _ensure_demo(services, settings)
    services.db.dispose()
    # Worker processes rebuild settings from the environment: hand the effective ones down.
    os.environ["REJOINDER_DATA_DIR"] = str(settings.data_dir)
    if settings.database_url:
        os.environ["REJOINDER_DATABASE_URL"] = settings.database_url
    out.print(
        f"rejoinder serving on http://{settings.host}:{settings.port} (Ctrl-C to stop)",
        highlight=False,
    )
    uvicorn.run(
        "rejoinder.app:app_from_env",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
        access_log=False,  # access logs would hold client IPs
        server_header=False,
    )


def _ensure_demo(services: Any, settings: Settings) -> None:
    site_url = f"http://{settings.host}:{settings.port}"
    existing = services.sites.list_keys()
    site = services.sites.ensure_site(site_url)
    if any(k.active for k in existing):
        out.print(
            f"demo site {site.url}; an API key already exists (see `rejoinder keys list`).",
            highlight=False,
        )
        return
    key = services.sites.create_key([], label="demo")
    out.print(f"demo site: {site.url}", highlight=False)
    out.print(
        "Point an Akismet client at this server (docs/akismet.md), with this API key:",
        highlight=False,
    )
    out.print(key, highlight=False)


@app.command("settings")
@one_line_errors
def show_settings(data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Print the effective settings (secrets masked)."""
    settings = settings_for(data_dir, database_url)
    table = Table("setting", "value", "environment variable")
    for name, value, env in describe(settings):
        table.add_row(name, value, env)
    out.print(table)


@db_app.command("upgrade")
@one_line_errors
def db_upgrade(data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Apply every pending migration."""
    services = services_for(settings_for(data_dir, database_url))
    out.print(f"database at revision {services.db.current_revision()}", highlight=False)


@db_app.command("current")
@one_line_errors
def db_current(data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Print the current and the newest migration revision."""
    services = services_for(settings_for(data_dir, database_url), migrate=False)
    out.print(
        f"current: {services.db.current_revision()}  head: {services.db.head_revision()}",
        highlight=False,
    )


@sites_app.command("add")
@one_line_errors
def sites_add(
    url: str,
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Register a site by its front-page URL."""
    site = services_for(settings_for(data_dir, database_url)).sites.add_site(url, name)
    out.print(f"site added: {site.url}", highlight=False)


@sites_app.command("list")
@one_line_errors
def sites_list(data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """List registered sites."""
    for site in services_for(settings_for(data_dir, database_url)).sites.list_sites():
        out.print(f"{site.url}\t{site.name}", highlight=False)


@keys_app.command("create")
@one_line_errors
def keys_create(
    site: Annotated[
        list[str] | None,
        typer.Option("--site", help="Limit the key to this site URL (repeatable)."),
    ] = None,
    label: Annotated[str, typer.Option(help="A note about the key.")] = "",
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Create an API key; the key is printed alone on the last line."""
    services = services_for(settings_for(data_dir, database_url))
    key = services.sites.create_key(site or [], label)
    limited = ", ".join(site) if site else "any site"
    out.print(f"key for {limited} (stored only as a hash; copy it now):", highlight=False)
    sys.stdout.flush()
    print(key)


@keys_app.command("list")
@one_line_errors
def keys_list(data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """List keys (only a hint of each key is known)."""
    for key in services_for(settings_for(data_dir, database_url)).sites.list_keys():
        state = "active" if key.active else f"revoked {key.revoked_at:%Y-%m-%d}"
        sites = ",".join(key.site_urls) or "any site"
        out.print(f"{key.hint}\t{state}\t{sites}\t{key.label}", highlight=False)


@keys_app.command("revoke")
@one_line_errors
def keys_revoke(key: str, data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Revoke a key at once."""
    services_for(settings_for(data_dir, database_url)).sites.revoke_key(key)
    out.print("key revoked", highlight=False)


@app.command("train")
@one_line_errors
def train_model(
    files: Annotated[list[Path] | None, typer.Argument(help="Labelled JSONL files.")] = None,
    data: Annotated[
        list[Path] | None, typer.Option("--data", help="Labelled JSONL file (repeatable).")
    ] = None,
    out_path: Annotated[
        Path | None, typer.Option("--out", help="Model JSON to write (default: the shipped one).")
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Replace the active model even if it scores better.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Random seed (folds, shuffles, augmentation).")] = (
        20240611
    ),
    validate: Annotated[
        list[Path] | None,
        typer.Option("--validate", help="Held-out JSONL to compare new and active model on."),
    ] = None,
    no_loso: Annotated[
        bool, typer.Option("--no-loso", help="Skip the leave-one-source-out report.")
    ] = False,
) -> None:
    """Train the content model and combiner; report cross-validated metrics; write the model."""
    from rejoinder.spam.model_commands import run_train

    run_train(
        [*(data or []), *(files or [])], out_path, force=force, seed=seed, validate=validate or [],
        leave_one_source_out=not no_loso, console=out,
    )  # fmt: skip


@app.command("evaluate")
@one_line_errors
def evaluate_model(
    files: Annotated[list[Path], typer.Argument(help="Labelled JSONL files.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write PNG charts and an HTML page here.")
    ] = None,
    model: Annotated[
        Path | None, typer.Option("--model", help="Model JSON (default: model_path setting).")
    ] = None,
    data_dir: DataDir = None,
) -> None:
    """Score labelled JSONL with the active model (nothing is learned) and print the metrics."""
    from rejoinder.spam.model_commands import run_evaluate

    settings = settings_for(data_dir, None, model_path=model)
    run_evaluate(files, settings, as_json=as_json, report=report, out=out, err=err)


def main() -> None:
    try:
        app()
    except RejoinderError as exc:  # raised while building settings, before a command runs
        err.print(f"error: {exc.message}", markup=False, highlight=False)
        sys.exit(1)
