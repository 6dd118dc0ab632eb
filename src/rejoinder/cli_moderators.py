"""`rejoinder moderators …` and `rejoinder webhooks …` (registered by cli.py)."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from rejoinder.cli import (
    DataDir,
    DbUrl,
    choice,
    one_line_errors,
    open_services,
    say,
    services_for,
    settings_for,
    show_secret,
)
from rejoinder.core.records.moderation import NotifyMode, Role
from rejoinder.notify.hooks import WebhookAdmin
from rejoinder.notify.webhook import WebhookSender

moderators_app = typer.Typer(help="Manage moderators of /admin/.", no_args_is_help=True)


@moderators_app.command("add")
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


@moderators_app.command("list")
@one_line_errors
def moderators_list(data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """List moderators with their roles and notification mode."""
    services = open_services(data_dir, database_url)
    for moderator in services.auth.all():
        names = services.auth.site_names(moderator)
        roles = ", ".join(f"{r.value}@{names[s]}" for s, r in moderator.roles.items())
        print(f"{moderator.email}\t{roles}\tnotify={moderator.notify.value}")


@moderators_app.command("remove")
@one_line_errors
def moderators_remove(email: str, data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Remove a moderator: their sessions and API tokens stop working at once."""
    open_services(data_dir, database_url).auth.remove(email)
    say("moderator removed")


@moderators_app.command("token")
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


@moderators_app.command("notify")
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


webhooks_app = typer.Typer(help="Signed webhooks for held comments.", no_args_is_help=True)


def _hooks(data_dir: object, database_url: object) -> WebhookAdmin:
    settings = settings_for(data_dir, database_url)  # type: ignore[arg-type]
    services = services_for(settings)
    sender = WebhookSender(settings.webhook_allow_private, settings.webhook_timeout_s)
    return WebhookAdmin(services.db, sender)


@webhooks_app.command("add")
@one_line_errors
def webhooks_add(
    url: str,
    site: Annotated[str, typer.Option("--site", help="The site whose held comments to send.")],
    digest: Annotated[
        bool, typer.Option("--digest", help="One request per digest interval, not per comment.")
    ] = False,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Add a webhook; its signing secret is printed alone on the last line (shown once)."""
    hook_id, secret = _hooks(data_dir, database_url).add(site, url, digest)
    show_secret(f"webhook {hook_id} for {site}; verify X-Rejoinder-Signature with:", secret)


@webhooks_app.command("list")
@one_line_errors
def webhooks_list(data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """List webhooks."""
    for hook, site in _hooks(data_dir, database_url).all():
        mode = "digest" if hook.digest else "each"
        print(f"{hook.id}\t{site}\t{hook.url}\t{mode}")


@webhooks_app.command("remove")
@one_line_errors
def webhooks_remove(hook_id: int, data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Remove a webhook (its pending deliveries go with it)."""
    _hooks(data_dir, database_url).remove(hook_id)
    say("webhook removed")


@webhooks_app.command("log")
@one_line_errors
def webhooks_log(
    hook_id: Annotated[int | None, typer.Argument(help="Only this webhook.")] = None,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """The latest notification deliveries (emails and webhooks) and how they went."""
    for d in _hooks(data_dir, database_url).deliveries(hook_id):
        target = f"webhook {d.webhook_id}" if d.webhook_id else d.recipient
        print(f"{d.id}\t{d.created_at:%Y-%m-%d %H:%M:%S}\t{d.channel.value}\t{d.kind.value}\t"
              f"{target}\t{d.state.value}\t{d.attempts}\t{d.response_status or ''}\t{d.last_error}")  # fmt: skip
