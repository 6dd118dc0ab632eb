"""`rejoinder import …`, `rejoinder export` and `rejoinder backup` (registered by
cli/__init__.py); what they do is in ``migration/`` (docs/migration.md)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    ProgressColumn,
    Task,
    TimeElapsedColumn,
)
from rich.progress import Progress as Bar
from rich.table import Table
from rich.text import Text

from rejoinder.cli.common import (
    DataDir,
    DbUrl,
    choice,
    err,
    one_line_errors,
    open_services,
    out,
    say,
    settings_for,
)
from rejoinder.core.records.comments import Status
from rejoinder.core.records.verdict import Label
from rejoinder.migration.backup import backup
from rejoinder.migration.inputs import READING
from rejoinder.migration.records import ExportFormat, Format
from rejoinder.migration.service import ImportSummary, MigrationService

import_app = typer.Typer(
    help="Import a site's comments from another system (docs/migration.md).",
    no_args_is_help=True,
)

FileArg = Annotated[
    str, typer.Argument(metavar="FILE", help="The export file ('-': standard input).")
]
SiteOpt = Annotated[
    str, typer.Option("--site", help="The site the comments belong to (`rejoinder sites add`).")
]
NoLearn = Annotated[
    bool,
    typer.Option(
        "--no-learn", help="Do not teach the spam engine the imported spam and approved comments."
    ),
]


class BarProgress:
    """migration.inputs.Progress on a Rich progress bar (standard error)."""

    def __init__(self, bar: Bar):
        self.bar = bar
        self.task: Any = None

    def stage(self, name: str, total: int | None) -> None:
        if self.task is not None:
            done = self.bar.tasks[self.task]
            self.bar.update(self.task, total=done.completed, completed=done.completed)
        self.task = self.bar.add_task(name, total=total)

    def advance(self, done: int) -> None:
        if self.task is not None:
            self.bar.advance(self.task, done)


class CountColumn(ProgressColumn):
    """Bytes while a file is read, comments while they are written."""

    def __init__(self) -> None:
        super().__init__()
        self.size = DownloadColumn()
        self.count = MofNCompleteColumn()

    def render(self, task: Task) -> Text:
        column = self.size if task.description == READING else self.count
        return column.render(task)


def _bar() -> Bar:
    return Bar(
        "{task.description:<8}",
        BarColumn(),
        CountColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    )


def summary_table(s: ImportSummary) -> Table:
    table = Table(title=f"Imported into {s.site}", show_header=False)
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("threads created", str(s.threads_new))
    table.add_row("threads that existed", str(s.threads_known))
    for status in Status:
        table.add_row(f"comments {status.value}", str(s.imported[status]))
    table.add_row("comments already there (left as they were)", str(s.already_there))
    for label in Label:
        table.add_row(f"learned as {label.value}", str(s.learned[label]))
    for note, count in sorted(s.notes.items()):
        table.add_row(note, str(count))
    rate = s.comments / s.seconds if s.seconds else 0.0
    table.add_row("seconds", f"{s.seconds:.1f} ({rate:,.0f} comments/s)")
    return table


def _import(
    fmt: Format,
    file: str,
    site: str,
    no_learn: bool,
    data_dir: Path | None,
    database_url: str | None,
) -> None:
    services = open_services(data_dir, database_url)
    migration = MigrationService(services.db, services.hasher, services.labels)
    try:
        with _bar() as bar:
            summary = migration.import_file(
                fmt, file, site, learn=not no_learn, progress=BarProgress(bar)
            )
    finally:
        services.db.dispose()
    out.print(summary_table(summary))


@import_app.command("wxr")
@one_line_errors
def import_wxr(
    file: FileArg,
    site: SiteOpt,
    no_learn: NoLearn = False,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """A WordPress export (Tools → Export → All content)."""
    _import(Format.WXR, file, site, no_learn, data_dir, database_url)


@import_app.command("disqus")
@one_line_errors
def import_disqus(
    file: FileArg,
    site: SiteOpt,
    no_learn: NoLearn = False,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """A Disqus XML export (Moderate → Export), gzip or not."""
    _import(Format.DISQUS, file, site, no_learn, data_dir, database_url)


@import_app.command("isso")
@one_line_errors
def import_isso(
    file: FileArg,
    site: SiteOpt,
    no_learn: NoLearn = False,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """An Isso database (the file its dbpath names)."""
    _import(Format.ISSO, file, site, no_learn, data_dir, database_url)


@import_app.command("remark42")
@one_line_errors
def import_remark42(
    file: FileArg,
    site: SiteOpt,
    no_learn: NoLearn = False,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """A Remark42 backup (backup-<site>-<date>.gz)."""
    _import(Format.REMARK42, file, site, no_learn, data_dir, database_url)


@import_app.command("json")
@one_line_errors
def import_json(
    file: FileArg,
    site: SiteOpt,
    no_learn: NoLearn = False,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """rejoinder's own export (`rejoinder export --format json`)."""
    _import(Format.JSON, file, site, no_learn, data_dir, database_url)


@one_line_errors
def export(
    site: SiteOpt,
    export_format: Annotated[str, typer.Option("--format", help="json (default) or wxr.")] = "json",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here (default: standard output).")
    ] = None,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Every thread and comment of a site, statuses included."""
    fmt = choice(ExportFormat, export_format, "--format")
    services = open_services(data_dir, database_url)
    migration = MigrationService(services.db, services.hasher, services.labels)
    try:
        if output is None:
            done = migration.export(site, fmt, sys.stdout)
        else:
            partial = output.with_name(f".{output.name}.partial")
            with partial.open("w", encoding="utf-8") as fh:
                done = migration.export(site, fmt, fh)
            os.replace(partial, output)
    finally:
        services.db.dispose()
    err.print(f"exported {done.comments} comments in {done.threads} threads", highlight=False)


@one_line_errors
def backup_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="Where to write the copy.")],
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Copy the SQLite database while the server runs (PostgreSQL: pg_dump, docs/migration.md)."""
    settings = settings_for(data_dir, database_url)
    done = backup(settings.resolved_database_url(), file, force=force)
    say(f"backup written: {done.path} ({done.size:,} bytes, {done.pages:,} pages)", markup=False)
    say(
        f"keep the instance secret with it: {settings.resolved_secret_file()} (keyed hashes, "
        "tokens and sign-ins depend on it)",
        markup=False,
    )


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")
    app.command("export")(export)
    app.command("backup")(backup_command)
