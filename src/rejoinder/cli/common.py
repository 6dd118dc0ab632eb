"""What every command module shares: the console, one-line errors, settings and services
for --data-dir / --database-url, and small output helpers."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console

from rejoinder.errors import RejoinderError, ValidationFailed
from rejoinder.settings import Settings, load_settings

if TYPE_CHECKING:  # imported when a command runs: --help stays cheap
    from rejoinder.services import Services

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
F = TypeVar("F", bound=Callable[..., Any])
E = TypeVar("E", bound=Enum)

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


def services_for(settings: Settings, *, migrate: bool = True) -> Services:
    """The services a command needs, without the web app (``rejoinder.services``)."""
    from rejoinder.services import build_services

    services = build_services(settings)
    if migrate:
        services.db.upgrade()
    return services


def open_services(data_dir: Path | None, database_url: str | None) -> Services:
    """Migrated services for the usual --data-dir / --database-url pair."""
    return services_for(settings_for(data_dir, database_url))


def say(message: str, *, markup: bool = True) -> None:
    """A message on stdout as written (no rich highlighting); markup=False for user data."""
    out.print(message, markup=markup, highlight=False)


def nothing(message: str) -> None:
    """An empty listing says so on stderr (stdout stays empty for scripts)."""
    err.print(message, markup=False, highlight=False)


def show_secret(intro: str, secret: str) -> None:
    """A secret shown once: the intro, then the secret alone on the last line (for scripts)."""
    say(intro)
    sys.stdout.flush()
    print(secret)


def choice(kind: type[E], value: str, name: str) -> E:
    """value as a member of the enum kind; a one-line error naming the choices otherwise."""
    try:
        return kind(value)
    except ValueError:
        *others, last = [str(member.value) for member in kind]
        raise ValidationFailed(f"{name} must be {', '.join(others)} or {last}") from None
