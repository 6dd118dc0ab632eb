"""The `rejoinder` command line. Every command honours REJOINDER_DATA_DIR / REJOINDER_DATABASE_URL,
has --help, and exits non-zero with a one-line message on error."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from rejoinder.errors import RejoinderError, ValidationFailed
from rejoinder.settings import ServerKind, Settings, describe, load_settings

app = typer.Typer(
    help="rejoinder: self-hosted comments with an Akismet-compatible spam engine.",
    no_args_is_help=True,
)
sites_app = typer.Typer(help="Manage sites.", no_args_is_help=True)
keys_app = typer.Typer(help="Manage Akismet API keys.", no_args_is_help=True)
db_app = typer.Typer(help="Database migrations.", no_args_is_help=True)
privacy_app = typer.Typer(help="Retention purge, export and erase.", no_args_is_help=True)
rules_app = typer.Typer(
    help="Site rules: blocked and allowed e-mails, IP ranges, URL patterns, words.",
    no_args_is_help=True,
)
app.add_typer(rules_app, name="rules")
app.add_typer(sites_app, name="sites")
app.add_typer(privacy_app, name="privacy")
app.add_typer(keys_app, name="keys")
app.add_typer(db_app, name="db")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
F = TypeVar("F", bound=Callable[..., Any])
E = TypeVar("E", bound=Enum)

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


def open_services(data_dir: Path | None, database_url: str | None) -> Any:
    """Migrated services for the usual --data-dir / --database-url pair."""
    return services_for(settings_for(data_dir, database_url))


def say(message: str, *, markup: bool = True) -> None:
    """A message on stdout as written (no rich highlighting); markup=False for user data."""
    out.print(message, markup=markup, highlight=False)


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


@app.command()
@one_line_errors
def init(data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Create the data dir, the instance secret and the database schema."""
    settings = settings_for(data_dir, database_url)
    services = services_for(settings)
    say(f"database ready at revision {services.db.current_revision()}")
    say(f"instance secret: {settings.resolved_secret_file()}")


@app.command()
@one_line_errors
def serve(
    host: Annotated[str | None, typer.Option(help="Listen address (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Listen port (default 8080).")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes (default 1).")] = None,
    server: Annotated[
        ServerKind | None,
        typer.Option(help="HTTP server: granian (default) or uvicorn (REJOINDER_SERVER)."),
    ] = None,
    demo: Annotated[
        bool,
        typer.Option("--demo", help="Create a demo site and key if none exist, print the key."),
    ] = False,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Run migrations, then serve HTTP until Ctrl-C."""
    from rejoinder.logs import logging_config
    from rejoinder.web.server import run

    settings = settings_for(
        data_dir, database_url, host=host, port=port, workers=workers, server=server
    )
    services = services_for(settings)
    if demo:
        _ensure_demo(services, settings)
        os.environ["REJOINDER_DEMO"] = "true"
    services.db.dispose()
    # Worker processes rebuild settings from the environment: hand the effective ones down.
    os.environ["REJOINDER_DATA_DIR"] = str(settings.data_dir)
    os.environ["REJOINDER_HOST"] = settings.host
    os.environ["REJOINDER_PORT"] = str(settings.port)
    if settings.database_url:
        os.environ["REJOINDER_DATABASE_URL"] = settings.database_url
    say(f"rejoinder serving on http://{settings.host}:{settings.port} (Ctrl-C to stop)")
    run(
        "rejoinder.app:app_from_env",
        server=settings.server,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_level=settings.log_level,
        factory=True,
        log_config=logging_config(settings.log_level),
    )


def _ensure_demo(services: Any, settings: Settings) -> None:
    from rejoinder.comments.demo import demo_site_url, seed_demo

    site_url = demo_site_url(settings.host, settings.port)
    existing = services.sites.list_keys()
    site = services.sites.ensure_site(site_url)
    seed_demo(services.comments, site.url, settings.port)
    say(f"demo article with comments: {site.url}/demo/")
    _ensure_demo_moderator(services, site.url)
    if any(k.active for k in existing):
        say(f"demo site {site.url}; an API key already exists (see `rejoinder keys list`).")
        return
    key = services.sites.create_key([], label="demo")
    say(f"demo site: {site.url}")
    say("Point an Akismet client at this server (docs/akismet.md), with this API key:")
    say(key)


def _ensure_demo_moderator(services: Any, site_url: str) -> None:
    """A demo admin when there is no moderator yet, so /admin/ works after `make run`."""
    from rejoinder.core.records.moderation import Role

    if services.auth.count():
        say(f"moderation: {site_url}/admin/ (moderators exist: `rejoinder moderators list`)")
        return
    moderator, password = services.auth.add("admin@example.com", None, None, Role.ADMIN)
    say(f"moderation: {site_url}/admin/ — sign in as {moderator.email} with password {password}")


@app.command("settings")
@one_line_errors
def show_settings(data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Print the effective settings (secrets masked)."""
    rows = describe(settings_for(data_dir, database_url))
    if not out.is_terminal:  # piped: whole values, one setting per line, tab-separated
        for row in rows:
            print("\t".join(row))
        return
    table = Table("setting", "value", "environment variable")
    for column in table.columns:
        column.overflow = "fold"  # never cut a value short
    for name, value, env in rows:
        table.add_row(name, value, env)
    out.print(table)


@db_app.command("upgrade")
@one_line_errors
def db_upgrade(data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Apply every pending migration."""
    services = open_services(data_dir, database_url)
    say(f"database at revision {services.db.current_revision()}")


@db_app.command("current")
@one_line_errors
def db_current(data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Print the current and the newest migration revision."""
    services = services_for(settings_for(data_dir, database_url), migrate=False)
    say(f"current: {services.db.current_revision()}  head: {services.db.head_revision()}")


@sites_app.command("add")
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


@sites_app.command("policy")
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
    if changes:
        policy = replace(policy, **changes)
        service.set_policy(site.url, policy)
    rows = [
        (name, getattr(policy, name).value)
        for name in ("on_accept", "on_hold", "on_spam", "on_discard")
    ]
    rows += [("hold_all", str(policy.hold_all)), ("hold_first_time", str(policy.hold_first_time))]
    rows.append(("allowed_origins", " ".join(policy.allowed_origins) or "-"))
    print("\n".join(f"{name}\t{value}" for name, value in rows))


@sites_app.command("list")
@one_line_errors
def sites_list(data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """List registered sites."""
    services = open_services(data_dir, database_url)
    for site in services.sites.list_sites():
        own = (site.threshold_hold, site.threshold_spam, site.threshold_discard) != (None,) * 3
        t = services.sites.thresholds(site.url)
        where = "site" if own else "default"
        limits = f"hold={t.hold:g} spam={t.spam:g} discard={t.discard:g} ({where})"
        print(f"{site.url}\t{site.name}\t{limits}")  # plain tabs, for `cut -f`


Threshold = Annotated[
    float | None,
    typer.Option(help="Spam probability (0-1) at or above which this applies."),
]


@sites_app.command("set-thresholds")
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


@keys_app.command("create")
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
    show_secret(f"key for {limited} (stored only as a hash; copy it now):", key)


@keys_app.command("list")
@one_line_errors
def keys_list(data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """List keys (only a hint of each key is known)."""
    for key in open_services(data_dir, database_url).sites.list_keys():
        state = "active" if key.active else f"revoked {key.revoked_at:%Y-%m-%d}"
        sites = ",".join(key.site_urls) or "any site"
        print(f"{key.hint}\t{state}\t{sites}\t{key.label}")  # plain tabs, for `cut -f`


@keys_app.command("revoke")
@one_line_errors
def keys_revoke(key: str, data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Revoke a key at once."""
    open_services(data_dir, database_url).sites.revoke_key(key)
    say("key revoked")


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


@privacy_app.command("purge")
@one_line_errors
def privacy_purge(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Only count what would be removed.")
    ] = False,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Apply the retention periods now; prints what each rule removed."""
    services = open_services(data_dir, database_url)
    report = services.retention.purge(dry_run=dry_run)
    verb = "would remove or clear" if dry_run else "removed or cleared"
    table = Table("rule", "kept for", "action", verb)
    for result in report.results:
        table.add_row(result.name, f"{result.days} d", str(result.action), str(result.count))
    out.print(table)
    if report.skipped:
        say(f"not in this schema (skipped): {', '.join(report.skipped)}")
    say(f"total {verb}: {report.total}")


@privacy_app.command("export")
@one_line_errors
def privacy_export(email: str, data_dir: DataDir = None, database_url: DbUrl = None) -> None:
    """Print, as JSON, every record stored under EMAIL."""
    import json

    services = open_services(data_dir, database_url)
    data = services.privacy.export(services.privacy.key_for(email))
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")


@privacy_app.command("erase")
@one_line_errors
def privacy_erase(
    email: str,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Delete or anonymise (privacy_erase_mode) every record stored under EMAIL."""
    services = open_services(data_dir, database_url)
    key = services.privacy.key_for(email)
    mode = services.settings.privacy_erase_mode.value
    if not yes and not typer.confirm(f"Erase ({mode}) every record stored under {email}?"):
        fail("nothing erased")
    report = services.privacy.erase(key)
    for name, count in report.counts.items():
        say(f"{name}\t{count}")
    say(f"erased ({report.mode.value}): {report.total} records")


def _read_submission(inputs: list[str]) -> dict[str, str]:
    """Fields from a JSON file / stdin ('-' or nothing) and/or ``field=value`` arguments."""
    import json

    fields: dict[str, str] = {}
    pairs = [a for a in inputs if "=" in a and not Path(a).exists()]
    sources = [a for a in inputs if a not in pairs]
    if not sources and not pairs:
        sources = ["-"]
    for source in sources:
        try:
            text = sys.stdin.read() if source == "-" else Path(source).read_text("utf-8")
            data = json.loads(text)
        except OSError as exc:
            fail(f"cannot read {source}: {exc.strerror}")
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            fail(f"{'stdin' if source == '-' else source} is not JSON: {exc}")
        if not isinstance(data, dict):
            fail("the submission must be a JSON object of Akismet fields")
        fields.update({str(k): "" if v is None else str(v) for k, v in data.items()})
    for pair in pairs:
        name, _, value = pair.partition("=")
        fields[name.strip()] = value
    return fields


@app.command()
@one_line_errors
def explain(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(help="A JSON file, '-' for stdin (the default), and/or field=value pairs."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Score one Akismet-style submission and say why, without recording or learning it."""
    import json

    from rejoinder.spam.explain import explain as explain_verdict
    from rejoinder.spam.explain import render_text

    fields = _read_submission(inputs or [])
    services = open_services(data_dir, database_url)
    result = explain_verdict(services.checks.evaluate(fields))
    if as_json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        say(render_text(result), markup=False)


RuleKindOpt = Annotated[str, typer.Option("--kind", help="email, ip, url or word.")]
SiteOpt = Annotated[str, typer.Option("--site", help="The site's URL.")]


def _kind(value: str) -> Any:
    from rejoinder.spam.rules import RuleKind

    return choice(RuleKind, value.strip().lower(), "--kind")


@rules_app.command("add")
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


@rules_app.command("list")
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
    for rule in services.rules.list(site):
        if wanted is None or rule.kind == wanted:
            print(
                f"{rule.id}\t{rule.site_url}\t{rule.effect}\t{rule.kind}\t{rule.value}\t{rule.note}"
            )


@rules_app.command("remove")
@one_line_errors
def rules_remove(
    rule_id: Annotated[int, typer.Argument(help="The rule's id (see rules list).")],
    data_dir: DataDir = None,
    database_url: DbUrl = None,
) -> None:
    """Remove one rule."""
    open_services(data_dir, database_url).rules.remove(rule_id)
    say(f"rule {rule_id} removed")


def _register_subcommands() -> None:
    from rejoinder.cli_moderators import moderators_app, webhooks_app

    app.add_typer(moderators_app, name="moderators")
    app.add_typer(webhooks_app, name="webhooks")


_register_subcommands()


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
