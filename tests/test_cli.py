"""The command line, driven as a user would: `python -m rejoinder …` in a subprocess."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from click.testing import CliRunner

from rejoinder.cli import app
from rejoinder.cli.common import choice
from rejoinder.core.records.moderation import NotifyMode, Role
from rejoinder.errors import ValidationFailed
from rejoinder.spam.rules import RuleKind
from tests.support.postgres import SKIP_REASON, admin_url, fresh_database
from tests.support.server import free_port, prepare_site, run_cli

SITE = "https://blog.example.com"


def cli(data_dir: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run_cli(data_dir, *args, env=env, check=False)


def ok(data_dir: Path, *args: str, **env: str) -> str:
    done = cli(data_dir, *args, **env)
    assert done.returncode == 0, done.stderr
    return done.stdout


def one_line_error(done: subprocess.CompletedProcess[str], *needles: str) -> str:
    """A failed command: non-zero exit, exactly one `error: …` line on stderr, no traceback."""
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("error: ")
    for needle in needles:
        assert needle in lines[0]
    return lines[0]


def cli_many(
    data_dir: Path, calls: list[tuple[tuple[str, ...], dict[str, str]]]
) -> list[subprocess.CompletedProcess[str]]:
    """Run independent commands side by side (each one pays Python's start-up once)."""
    procs = []
    for args, env in calls:
        full_env = {**os.environ, "REJOINDER_DATA_DIR": str(data_dir), **env}
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "rejoinder", *args],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                env=full_env,
            )
        )
    done = []
    for (args, _env), proc in zip(calls, procs, strict=True):
        stdout, stderr = proc.communicate(timeout=180)
        done.append(subprocess.CompletedProcess(args, proc.returncode, stdout, stderr))
    return done


def command_paths() -> Iterator[tuple[str, ...]]:
    def walk(command: object, path: tuple[str, ...]) -> Iterator[tuple[str, ...]]:
        yield path
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            yield from walk(sub, (*path, name))

    yield from walk(typer.main.get_command(app), ())


def test_help_on_every_command(tmp_path: Path) -> None:
    """`python -m rejoinder --help` in a subprocess, as a user runs it; then every command's
    --help through the same click command in this process (48 interpreter starts cost minutes
    of CPU on a loaded machine), each showing the usage line of the command asked for."""
    top = ok(tmp_path, "--help")
    assert "Usage:" in top and "rejoinder" in top
    paths = list(command_paths())
    assert ("keys", "create") in paths and ("sites", "set-thresholds") in paths
    command = typer.main.get_command(app)
    runner = CliRunner()
    for path in paths:
        done = runner.invoke(command, [*path, "--help"], prog_name="rejoinder",
                             env={"REJOINDER_DATA_DIR": str(tmp_path)})  # fmt: skip
        assert done.exit_code == 0, (path, done.output)
        assert " ".join(("Usage: rejoinder", *path)) in done.stdout, (path, done.stdout)
    assert not (tmp_path / "rejoinder.db").exists()  # --help touches nothing


def test_a_command_loads_neither_the_web_app_nor_alembic_when_nothing_migrates(
    tmp_path: Path,
) -> None:
    """Every command builds its services (rejoinder.services) and upgrades the database first:
    neither may pull in FastAPI and rejoinder.web, nor Alembic when the database is current
    (together about 1 CPU-second per command), nor the spam engine and its content model when
    the command checks no comment."""
    prepare_site(tmp_path, SITE)  # migrated here, in this process
    probe = (
        "import sys; from rejoinder.cli import app; app(['sites', 'list'], standalone_mode=False); "
        "print(sorted({m for m in sys.modules if m.split('.')[0] in ('fastapi', 'alembic') "
        "or m.startswith(('rejoinder.web', 'rejoinder.app', 'rejoinder.spam.engine', "
        "'rejoinder.spam.learning.artifact'))}))"
    )
    env = {**os.environ, "REJOINDER_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=120,
    )
    listing, loaded = done.stdout.strip().rsplit("\n", 1)
    assert SITE in listing  # the command ran on the prepared database
    assert loaded == "[]"


def test_readme_lists_every_command() -> None:
    table = (Path(__file__).parents[1] / "README.md").read_text().split("## The command line")[1]
    table = table.split("## ")[0]
    for path in command_paths():
        if not path or path[0] == "import":  # the import formats are listed as one row
            continue
        rows = [line for line in table.splitlines() if f"`rejoinder {path[0]}" in line]
        assert rows, f"README leaves out rejoinder {path[0]}"
        if len(path) == 2:
            assert any(f"{path[0]} {path[1]}" in r or f"`{path[1]}" in r for r in rows), path


def test_init_creates_secret_and_schema(tmp_path: Path) -> None:
    data = tmp_path / "var"
    assert "database ready at revision" in ok(data, "init")
    secret = data / "secret.key"
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    before = secret.read_bytes()
    ok(data, "init")  # again: idempotent, same secret
    assert secret.read_bytes() == before
    current, head = ok(data, "db", "current").split()[1::2]
    assert current == head != "None"
    assert "database at revision" in ok(data, "db", "upgrade")


def test_db_current_before_upgrade(tmp_path: Path) -> None:
    out = ok(tmp_path, "db", "current")
    assert out.startswith("current: None")


def test_sites_add_list_and_thresholds(tmp_path: Path) -> None:
    assert ok(tmp_path, "sites", "add", "HTTPS://Blog.Example.com/", "--name", "Blog").strip() == (
        f"site added: {SITE}"
    )
    ok(tmp_path, "sites", "add", "http://news.example.org:8080/")
    one_line_error(cli(tmp_path, "sites", "add", SITE + "/"), "already exists")
    header, *lines = ok(tmp_path, "sites", "list").splitlines()
    assert header == "URL\tNAME\tTHRESHOLDS"
    assert [line.split("\t")[:2] for line in lines] == [
        [SITE, "Blog"],
        ["http://news.example.org:8080", "-"],  # the URL once, not again as its name
    ]
    assert lines[0].endswith("hold=0.8 spam=0.9 discard=0.999999 (default)")
    out = ok(tmp_path, "sites", "set-thresholds", SITE, "--spam", "0.85", "--discard", "0.95")
    assert out.strip() == f"thresholds for {SITE}: hold=0.8 spam=0.85 discard=0.95"
    assert (
        ok(tmp_path, "sites", "list")
        .splitlines()[1]
        .endswith("hold=0.8 spam=0.85 discard=0.95 (site)")
    )
    one_line_error(cli(tmp_path, "sites", "set-thresholds", SITE, "--hold", "0.95"), "hold <= spam")
    one_line_error(cli(tmp_path, "sites", "set-thresholds", SITE, "--hold", "2"), "between 0 and 1")
    ok(tmp_path, "sites", "set-thresholds", SITE, "--reset")
    assert ok(tmp_path, "sites", "list").splitlines()[1].endswith("(default)")


def test_empty_listings_say_so_on_stderr(tmp_path: Path) -> None:
    ok(tmp_path, "init")
    expected = {
        ("sites", "list"): "no sites yet",
        ("rules", "list"): "no rules",
        ("webhooks", "list"): "no webhooks",
        ("webhooks", "log"): "no deliveries yet",
    }
    for args, done in zip(expected, cli_many(tmp_path, [(a, {}) for a in expected]), strict=True):
        assert done.returncode == 0, done.stderr
        assert done.stdout == ""  # scripts reading stdout see no rows
        assert expected[args] in done.stderr


def test_sites_remove_says_what_it_deletes_and_asks(tmp_path: Path) -> None:
    ok(tmp_path, "sites", "add", SITE)
    ok(tmp_path, "sites", "add", "https://other.example")
    ok(tmp_path, "rules", "add", "--site", SITE, "--kind", "word", "casino")
    ok(tmp_path, "keys", "create", "--site", SITE)
    ok(tmp_path, "keys", "create", "--site", SITE, "--site", "https://other.example")
    refused = run_cli(tmp_path, "sites", "remove", SITE, check=False, input_text="n\n")
    assert refused.returncode == 1
    assert "site rules: 1" in refused.stdout
    assert "API keys limited to it (revoked, not deleted): 1" in refused.stdout
    assert "nothing removed" in refused.stdout
    assert ok(tmp_path, "rules", "list").count(SITE) == 1
    done = ok(tmp_path, "sites", "remove", SITE.upper() + "/", "--yes")
    assert f"site removed: {SITE}" in done
    assert SITE not in ok(tmp_path, "sites", "list")
    assert cli(tmp_path, "rules", "list").stdout == ""
    keys = ok(tmp_path, "keys", "list").splitlines()
    assert sum("revoked" in line for line in keys) == 1  # the key shared with another site stays
    one_line_error(cli(tmp_path, "sites", "remove", SITE, "--yes"), "no such site")


def test_keys_create_list_revoke(tmp_path: Path) -> None:
    ok(tmp_path, "sites", "add", SITE)
    out = ok(tmp_path, "keys", "create", "--site", SITE, "--label", "main")
    key = out.splitlines()[-1]
    assert re.fullmatch("[0-9a-f]{12}", key)  # what the WordPress key screen accepts
    assert out.endswith(f"\n{key}\n")  # alone on the last line: `| tail -n 1` gets it
    assert "WPCOM_API_KEY" not in out
    imported = ok(tmp_path, "keys", "create", "--key", "ABCDEF123456").splitlines()[-1]
    assert imported == "abcdef123456"
    letters = ok(tmp_path, "keys", "create", "--key", "lz53iirooyz9", "--label", "old")
    assert letters.splitlines()[-1] == "lz53iirooyz9" and "WPCOM_API_KEY" in letters
    listing = ok(tmp_path, "keys", "list")
    assert key not in listing and imported not in listing  # only hints are known
    rows = [line.split("\t") for line in listing.splitlines()]
    assert [(r[0], r[1], r[2], r[3]) for r in rows] == [
        (f"{key[:3]}…{key[-2:]}", "active", SITE, "main"),
        ("abc…56", "active", "any site", ""),
        ("lz5…z9", "active", "any site", "old"),
    ]
    assert ok(tmp_path, "keys", "revoke", key).strip() == "key revoked"
    assert ok(tmp_path, "keys", "list").splitlines()[0].split("\t")[1].startswith("revoked ")
    one_line_error(cli(tmp_path, "keys", "revoke", key), "no such active key")
    one_line_error(cli(tmp_path, "keys", "create", "--key", "abcdef123456"), "already exists")
    one_line_error(cli(tmp_path, "keys", "create", "--key", "short"), "12 letters and digits")


def test_settings_are_printed_with_secrets_masked(tmp_path: Path) -> None:
    url = "postgresql+psycopg://rejoinder:hunter2@db.example.internal:5432/rejoinder_production"
    out = ok(tmp_path, "settings", REJOINDER_DATABASE_URL=url, REJOINDER_PORT="9123")
    rows = {line.split("\t")[0]: line.split("\t")[1:] for line in out.splitlines()}
    assert "hunter2" not in out
    assert rows["database_url"] == [
        "postgresql+psycopg://rejoinder:***@db.example.internal:5432/rejoinder_production",
        "REJOINDER_DATABASE_URL",
    ]
    assert rows["port"] == ["9123", "REJOINDER_PORT"]
    assert rows["data_dir"][0] == str(tmp_path)


BAD_INPUT: list[tuple[tuple[str, ...], dict[str, str], str]] = [
    (("sites", "add", "blog.example.com"), {}, "needs http(s)://"),
    (("sites", "add", "https://x.example:99999/"), {}, "not a valid URL"),
    (("keys", "create", "--site", "https://unknown.example"), {}, "no such site"),
    (("sites", "set-thresholds", "https://unknown.example", "--hold", "0.1"), {}, "no such site"),
    (("sites", "list"), {"REJOINDER_PORT": "not-a-port"}, "invalid setting port"),
    (("settings",), {"REJOINDER_WORKERS": "0"}, "invalid setting workers"),
    (("sites", "list"), {"REJOINDER_DATABASE_URL": "nonsense"}, "invalid database_url"),
    (("sites", "add"), {}, "Missing argument"),
    (("sites", "list", "--bogus"), {}, "No such option"),
    (("sites", "set-thresholds", SITE, "--hold", "high"), {}, "--hold"),
    (("frobnicate",), {}, "No such command"),
]


def test_bad_input_is_one_line_error(tmp_path: Path) -> None:
    results = cli_many(tmp_path, [(args, env) for args, env, _needle in BAD_INPUT])
    for (args, _env, needle), done in zip(BAD_INPUT, results, strict=True):
        assert done.returncode != 0, args
        one_line_error(done, needle)


def test_unreachable_database_is_one_line_error(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://rejoinder:hunter2@127.0.0.1:{free_port()}/rejoinder"
    for args in (("init",), ("db", "current"), ("sites", "list")):
        line = one_line_error(cli(tmp_path, *args, REJOINDER_DATABASE_URL=url), "database")
        assert "hunter2" not in line


def test_sqlite_file_in_unwritable_place_is_one_line_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    url = f"sqlite:///{blocker}/sub/rejoinder.db"
    one_line_error(cli(tmp_path, "db", "upgrade", REJOINDER_DATABASE_URL=url))


@pytest.mark.postgres
def test_commands_on_postgresql(tmp_path: Path) -> None:
    admin = admin_url()
    if admin is None:
        pytest.skip(SKIP_REASON)
    with fresh_database(admin, prefix="rj_cli") as url:
        env = {"REJOINDER_DATABASE_URL": url}
        ok(tmp_path, "init", **env)
        current, head = ok(tmp_path, "db", "current", **env).split()[1::2]
        assert current == head
        ok(tmp_path, "sites", "add", SITE, **env)
        key = ok(tmp_path, "keys", "create", "--site", SITE, **env).splitlines()[-1]
        assert ok(tmp_path, "sites", "list", **env).splitlines()[1].startswith(SITE)
        assert ok(tmp_path, "keys", "list", **env).split("\t")[2] == SITE
        ok(tmp_path, "keys", "revoke", key, **env)
        assert not (tmp_path / "rejoinder.db").exists()  # everything went to PostgreSQL


def test_a_bad_choice_names_every_option() -> None:
    assert choice(NotifyMode, "each", "mode") is NotifyMode.EACH
    with pytest.raises(ValidationFailed, match=r"^mode must be off, each or digest$"):
        choice(NotifyMode, "weekly", "mode")
    with pytest.raises(ValidationFailed, match=r"^--role must be moderator or admin$"):
        choice(Role, "king", "--role")
    with pytest.raises(ValidationFailed, match=r"^--kind must be email, ip, url or word$"):
        choice(RuleKind, "phone", "--kind")


def test_serve_warns_about_several_workers_on_sqlite_only() -> None:
    from rejoinder.cli.server import sqlite_workers_warning

    warning = sqlite_workers_warning(2, is_sqlite=True)
    assert warning is not None and "2 workers on SQLite" in warning and "PostgreSQL" in warning
    assert sqlite_workers_warning(1, is_sqlite=True) is None
    assert sqlite_workers_warning(4, is_sqlite=False) is None
