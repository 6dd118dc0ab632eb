"""`rejoinder sites …`: sites, their comment policy and thresholds."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from rejoinder.cli.common import (
    DataDir,
    DbUrl,
    choice,
    nothing,
    one_line_errors,
    open_services,
    say,
)

app = typer.Typer(help="Manage sites.", no_args_is_help=True)


@app.command("add")
@one_line_errors
def sites_add(
    url: str,
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Register a site by its front-page URL."""
    site = open_services(data_dir, database_url).sites.add_site(url, name)
    say(f"site added: {site.url}")


@app.command("policy")
@one_line_errors
def sites_policy(
    url: str,
    hold_all: Annotated[
        bool | None, typer.Option("--hold-all/--no-hold-all", help="Hold every comment.")
    ] = None,
    hold_first_time: Annotated[
        bool | None,
        typer.Option(
            "--hold-first-time/--no-hold-first-time",
            help="Hold comments from emails with no published comment on this site yet.",
        ),
    ] = None,
    on_spam: Annotated[
        str | None, typer.Option(help="What to do with spam: publish, hold, spam, discard.")
    ] = None,
    on_discard: Annotated[
        str | None,
        typer.Option(help="What to do with certain spam: publish, hold, spam, discard."),
    ] = None,
    allow_origin: Annotated[
        list[str] | None,
        typer.Option("--allow-origin", help="Another origin the embed may post from (repeatable)."),
    ] = None,
    voting: Annotated[
        bool | None,
        typer.Option("--voting/--no-voting", help="Let readers vote comments up and down."),
    ] = None,
    gravatar: Annotated[
        bool | None,
        typer.Option(
            "--gravatar/--no-gravatar",
            help="Show Gravatar pictures (readers' browsers then ask gravatar.com; the privacy "
            "notice says so). Off: identicons drawn here.",
        ),
    ] = None,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Show or change a site's comment policy (what happens to a comment per verdict)."""
    from dataclasses import replace

    from rejoinder.core.records.comments import Disposition

    service = open_services(data_dir, database_url).comments
    site = service.site(url)
    policy = service.policy(site.id)
    changes: dict[str, Any] = {}
    if hold_all is not None:
        changes["hold_all"] = hold_all
    if hold_first_time is not None:
        changes["hold_first_time"] = hold_first_time
    if on_spam is not None:
        changes["on_spam"] = choice(Disposition, on_spam, "--on-spam")
    if on_discard is not None:
        changes["on_discard"] = choice(Disposition, on_discard, "--on-discard")
    if allow_origin is not None:
        changes["allowed_origins"] = tuple(o.rstrip("/").lower() for o in allow_origin)
    for name, value in (("voting", voting), ("gravatar", gravatar)):
        if value is not None:
            changes[name] = value
    if changes:
        policy = replace(policy, **changes)
        service.set_policy(site.url, policy)
    rows = [
        (name, getattr(policy, name).value)
        for name in ("on_accept", "on_hold", "on_spam", "on_discard")
    ]
    rows += [("hold_all", str(policy.hold_all)), ("hold_first_time", str(policy.hold_first_time))]
    rows += [("voting", str(policy.voting)), ("gravatar", str(policy.gravatar))]
    rows.append(("allowed_origins", " ".join(policy.allowed_origins) or "-"))
    print("\n".join(f"{name}\t{value}" for name, value in rows))


@app.command("list")
@one_line_errors
def sites_list(data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """List registered sites: URL, name (- when it is the URL) and thresholds."""
    services = open_services(data_dir, database_url)
    found = services.sites.list_sites()
    if not found:
        nothing("no sites yet: add one with `rejoinder sites add URL`")
        return
    print("URL\tNAME\tTHRESHOLDS")  # plain tabs, for `cut -f` (skip the header with tail -n +2)
    for site in found:
        own = (site.threshold_hold, site.threshold_spam, site.threshold_discard) != (None,) * 3
        t = services.sites.thresholds(site.url)
        where = "site" if own else "default"
        limits = f"hold={t.hold:g} spam={t.spam:g} discard={t.discard:g} ({where})"
        name = "-" if site.name in ("", site.url) else site.name
        print(f"{site.url}\t{name}\t{limits}")


@app.command("remove")
@one_line_errors
def sites_remove(
    url: str,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Delete a site and everything stored for it (says what first, and asks)."""
    services = open_services(data_dir, database_url)
    site, counts = services.sites.site_footprint(url)
    say(f"Removing {site.url} deletes the site and:", markup=False)
    for what, n in counts.items():
        say(f"  {what}: {n}")
    say("Moderators, keys and what the spam engine learned from its comments stay.")
    if not yes and not typer.confirm(f"Remove {site.url}?", default=False):
        say("nothing removed")
        raise typer.Exit(1)
    services.sites.remove_site(site.url)
    say(f"site removed: {site.url}", markup=False)


Threshold = Annotated[
    float | None,
    typer.Option(help="Spam probability (0-1) at or above which this applies."),
]


@app.command("set-thresholds")
@one_line_errors
def sites_set_thresholds(
    url: str,
    hold: Threshold = None,
    spam: Threshold = None,
    discard: Threshold = None,
    reset: Annotated[
        bool, typer.Option("--reset", help="Return to the global threshold_* settings first.")
    ] = False,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Set a site's own hold/spam/discard thresholds (others keep their value)."""
    from rejoinder.sites.service import normalise_url

    services = open_services(data_dir, database_url)
    t = services.sites.set_thresholds(url, hold, spam, discard, reset=reset)
    say(
        f"thresholds for {normalise_url(url)}: hold={t.hold:g} spam={t.spam:g} "
        f"discard={t.discard:g}"
    )
