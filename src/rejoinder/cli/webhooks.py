"""`rejoinder webhooks …`: signed webhooks for held comments."""

from __future__ import annotations

from typing import Annotated

import typer

from rejoinder.cli.common import (
    DataDir,
    DbUrl,
    nothing,
    one_line_errors,
    say,
    services_for,
    settings_for,
    show_secret,
)
from rejoinder.notify.hooks import WebhookAdmin
from rejoinder.notify.webhook import WebhookSender

app = typer.Typer(help="Signed webhooks for held comments.", no_args_is_help=True)


def _hooks(data_dir: object, database_url: object) -> WebhookAdmin:
    settings = settings_for(data_dir, database_url)  # type: ignore[arg-type]
    services = services_for(settings)
    sender = WebhookSender(settings.webhook_allow_private, settings.webhook_timeout_s)
    return WebhookAdmin(services.db, sender)


@app.command("add")
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


@app.command("list")
@one_line_errors
def webhooks_list(data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """List webhooks."""
    hooks = _hooks(data_dir, database_url).all()
    if not hooks:
        nothing("no webhooks: add one with `rejoinder webhooks add URL --site SITE`")
    for hook, site in hooks:
        mode = "digest" if hook.digest else "each"
        print(f"{hook.id}\t{site}\t{hook.url}\t{mode}")


@app.command("remove")
@one_line_errors
def webhooks_remove(hook_id: int, data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Remove a webhook (its pending deliveries go with it)."""
    _hooks(data_dir, database_url).remove(hook_id)
    say("webhook removed")


@app.command("log")
@one_line_errors
def webhooks_log(
    hook_id: Annotated[int | None, typer.Argument(help="Only this webhook.")] = None,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """The latest notification deliveries (emails and webhooks) and how they went."""
    deliveries = _hooks(data_dir, database_url).deliveries(hook_id)
    if not deliveries:
        nothing("no deliveries yet" + (f" for webhook {hook_id}" if hook_id is not None else ""))
    for d in deliveries:
        target = f"webhook {d.webhook_id}" if d.webhook_id else d.recipient
        print(
            f"{d.id}\t{d.created_at:%Y-%m-%d %H:%M:%S}\t{d.channel.value}\t{d.kind.value}\t"
            f"{target}\t{d.state.value}\t{d.attempts}\t{d.response_status or ''}\t{d.last_error}"
        )
