"""`rejoinder rules …`: site rules."""

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

app = typer.Typer(
    help="Site rules: blocked and allowed e-mails, IP ranges, URL patterns, words.",
    no_args_is_help=True,
)


RuleKindOpt = Annotated[str, typer.Option("--kind", help="email, ip, url or word.")]
SiteOpt = Annotated[str, typer.Option("--site", help="The site's URL.")]


def _kind(value: str) -> Any:
    from rejoinder.spam.rules import RuleKind

    return choice(RuleKind, value.strip().lower(), "--kind")


@app.command("add")
@one_line_errors
def rules_add(
    value: Annotated[str, typer.Argument(help="The e-mail/@domain, IP/CIDR, URL pattern or word.")],
    site: SiteOpt,
    kind: RuleKindOpt,
    allow: Annotated[bool, typer.Option("--allow", help="Allow instead of block.")] = False,
    note: Annotated[str, typer.Option(help="Why (shown in rules list).")] = "",
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Block (or with --allow, allow) matching comments on one site."""
    from rejoinder.spam.rules import RuleEffect

    services = open_services(data_dir, database_url)
    effect = RuleEffect.ALLOW if allow else RuleEffect.BLOCK
    rule = services.rules.add(site, _kind(kind), value, effect, note)
    say(f"rule {rule.id}: {rule.effect} {rule.kind} {rule.value} on {rule.site_url}", markup=False)


@app.command("list")
@one_line_errors
def rules_list(
    site: Annotated[str | None, typer.Option("--site", help="Only this site.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="Only this kind.")] = None,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """List site rules: id, site, effect, kind, value, note."""
    services = open_services(data_dir, database_url)
    wanted = _kind(kind).value if kind else None
    found = [r for r in services.rules.list(site) if wanted is None or r.kind == wanted]
    if not found:
        nothing(
            "no rules" + (f" for {site}" if site else "") + ": add one with `rejoinder rules add`"
        )
    for rule in found:
        print(f"{rule.id}\t{rule.site_url}\t{rule.effect}\t{rule.kind}\t{rule.value}\t{rule.note}")


@app.command("remove")
@one_line_errors
def rules_remove(
    rule_id: Annotated[int, typer.Argument(help="The rule's id (see rules list).")],
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Remove one rule."""
    open_services(data_dir, database_url).rules.remove(rule_id)
    say(f"rule {rule_id} removed")
