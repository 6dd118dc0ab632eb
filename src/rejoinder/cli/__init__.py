"""The `rejoinder` command line. Every command honours REJOINDER_DATA_DIR / REJOINDER_DATABASE_URL,
has --help, and exits non-zero with a one-line message on error.

One module per command group; this file only registers them. A new group is one module with its
own ``app = typer.Typer(...)`` and one ``add_typer`` line below.
"""

from __future__ import annotations

import sys

import typer

from rejoinder.cli import (
    db,
    explain,
    keys,
    migration,
    model,
    moderators,
    privacy,
    rules,
    server,
    sites,
    webhooks,
)
from rejoinder.cli.common import err
from rejoinder.errors import RejoinderError

app = typer.Typer(
    help="rejoinder: self-hosted comments with an Akismet-compatible spam engine.",
    no_args_is_help=True,
)
app.command()(server.init)
app.command()(server.serve)
app.command("settings")(server.show_settings)
app.command("train")(model.train_model)
app.command("evaluate")(model.evaluate_model)
app.command()(explain.explain)
app.add_typer(rules.app, name="rules")
app.add_typer(sites.app, name="sites")
app.add_typer(privacy.app, name="privacy")
app.add_typer(keys.app, name="keys")
app.add_typer(db.app, name="db")
app.add_typer(moderators.app, name="moderators")
app.add_typer(webhooks.app, name="webhooks")
migration.register(app)


def main() -> None:
    """Entry point: every failure ends as one `error: …` line on stderr and a non-zero exit."""
    try:
        code = app(standalone_mode=False)
    except typer.TyperException as exc:  # usage errors: unknown option, bad value, missing arg
        code = getattr(exc, "exit_code", 2)
        if type(exc).__name__ == "NoArgsIsHelpError":  # bare `rejoinder` or `rejoinder keys`
            exc.show()  # type: ignore[attr-defined]
        else:
            ctx = getattr(exc, "ctx", None)
            command = ctx.command_path if ctx is not None else "rejoinder"
            message = exc.format_message()
            err.print(f"error: {message} (see `{command} --help`)", markup=False, highlight=False)
    except typer.Abort:
        code = 130
    except RejoinderError as exc:  # raised while building settings, before a command runs
        err.print(f"error: {exc.message}", markup=False, highlight=False)
        code = 1
    sys.exit(code if isinstance(code, int) else 0)
