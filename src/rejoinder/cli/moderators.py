"""`rejoinder moderators …`: moderators of /admin/, their tokens and notifications."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from rejoinder.cli.common import (
    DataDir,
    DbUrl,
    choice,
    one_line_errors,
    open_services,
    say,
    show_secret,
)
from rejoinder.core.records.moderation import NotifyMode, Role

app = typer.Typer(help="Manage moderators of /admin/.", no_args_is_help=True)


@app.command("add")
@one_line_errors
def moderators_add(
    email: str,
    site: Annotated[
        str | None, typer.Option("--site", help="Only this site (default: every site).")
    ] = None,
    role: Annotated[str, typer.Option("--role", help="moderator or admin.")] = "moderator",
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from standard input.")
    ] = False,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Add a moderator (or give one a role on another site). Without --password-stdin a
    password is generated and printed once."""
    chosen = choice(Role, role, "--role")
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    services = open_services(data_dir, database_url)
    moderator, generated = services.auth.add(email, password, site, chosen)
    where = site or "every site"
    say(f"moderator {moderator.email}: {chosen.value} of {where}")
    if generated:
        show_secret("password (shown only now; sign in at /admin/):", generated)


@app.command("list")
@one_line_errors
def moderators_list(data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """List moderators with their roles and notification mode."""
    services = open_services(data_dir, database_url)
    for moderator in services.auth.all():
        names = services.auth.site_names(moderator)
        roles = ", ".join(f"{r.value}@{names[s]}" for s, r in moderator.roles.items())
        print(f"{moderator.email}\t{roles}\tnotify={moderator.notify.value}")


@app.command("remove")
@one_line_errors
def moderators_remove(email: str, data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Remove a moderator: their sessions and API tokens stop working at once."""
    open_services(data_dir, database_url).auth.remove(email)
    say("moderator removed")


@app.command("token")
@one_line_errors
def moderators_token(
    email: str,
    revoke: Annotated[bool, typer.Option("--revoke", help="Revoke all their tokens.")] = False,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Create an API token for /api/v1/moderation/ (printed alone on the last line)."""
    auth = open_services(data_dir, database_url).auth
    if revoke:
        say(f"{auth.revoke_tokens(email)} token(s) revoked")
        return
    token = auth.create_token(email)
    show_secret("API token (stored only as a hash; copy it now):", token)


@app.command("notify")
@one_line_errors
def moderators_notify(
    email: str,
    mode: Annotated[str, typer.Argument(help="off, each or digest")],
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """How a moderator hears about held comments: off, each (one email each) or digest."""
    chosen = choice(NotifyMode, mode, "mode")
    open_services(data_dir, database_url).auth.set_notify(email, chosen)
    say(f"notifications for {email}: {chosen.value}")


@app.command("digest")
@one_line_errors
def moderators_digest(
    email: str,
    send: Annotated[
        bool, typer.Option("--send", help="Mail it now (else print it; nothing is sent).")
    ] = False,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """A moderator's daily digest now: printed, or with --send mailed (its one-click links
    work, once each, whichever way it was made)."""
    from rejoinder.errors import NotFound
    from rejoinder.moderation.auth import normal_email

    services = open_services(data_dir, database_url)
    wanted = normal_email(email)
    found = [m for m in services.auth.all() if m.email == wanted]
    if not found:
        raise NotFound(f"no such moderator: {wanted}")
    now = services.notifier.clock()
    if not send:
        composed = services.digest.compose(found[0].id, now)
        assert composed is not None
        say(f"Subject: {composed[0]}\n\n{composed[1]}", markup=False)
        return
    if found[0].notify is NotifyMode.OFF:
        say(f"{wanted} has mail off (`rejoinder moderators notify {wanted} digest`)")
        raise typer.Exit(1)
    services.digest.enqueue(now, only=wanted, force=True)
    services.notifier.deliver_due()
    say(f"digest sent to {wanted}", markup=False)
