"""A real WordPress for the tests: Debian's `wordpress` package (6.1.9, Akismet 5.0.2 bundled),
served by PHP's built-in server from a copy, on a throwaway MariaDB, all on 127.0.0.1.

`scripts/test-deps.sh` (install_wordpress) installs the packages. Everything started here is
stopped by PID (with its children) when the caller is done; the data lives in a temp dir.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.support.processes import process_tree
from tests.support.server import free_port

WORDPRESS_SOURCE = Path("/usr/share/wordpress")
ROUTER = Path(__file__).resolve().parents[1] / "conformance" / "php" / "wp-router.php"
MARKER = "/* That's all, stop editing! Happy publishing. */"
ADMIN = ("admin", "correct horse battery staple")
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
DB_USER, DB_PASSWORD = "wordpress", "wordpress-test-only"


def missing_tools() -> list[str]:
    """What the real-WordPress test needs and this machine lacks."""
    needed = ["php", "mariadb", "mariadb-install-db"]
    missing = [tool for tool in needed if shutil.which(tool) is None]
    if mariadbd() is None:
        missing.append("mariadbd")
    if not (WORDPRESS_SOURCE / "wp-content/plugins/akismet/akismet.php").is_file():
        missing.append("wordpress")
    if not (WORDPRESS_SOURCE / "wp-content/themes/twentytwentythree").is_dir():
        missing.append("wordpress-theme-twentytwentythree")
    has_mysqli = subprocess.run(["php", "-m"], capture_output=True, text=True, check=False)
    if "mysqli" not in has_mysqli.stdout:
        missing.append("php-mysql")
    return missing


def mariadbd() -> str | None:
    found = shutil.which("mariadbd") or "/usr/sbin/mariadbd"
    return found if Path(found).is_file() else None


def stop_tree(process: subprocess.Popen[bytes], timeout: float = 10) -> None:
    """Stop a process we started and every child it forked (PHP's server workers)."""
    pids = process_tree(process.pid)
    for pid in reversed(pids):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, 15)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, 9)
        process.wait(timeout=timeout)


def _wait_for(check: Any, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise RuntimeError(f"{what} did not start within {seconds:.0f} s")


@dataclass
class MariaDB:
    """A MariaDB server with its own data directory, on a free loopback port."""

    root: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None

    @property
    def socket(self) -> Path:
        return self.root / "mariadb.sock"

    def start(self) -> None:
        data = self.root / "data"
        data.mkdir(parents=True)
        as_root = ["--user=root"] if os.geteuid() == 0 else []
        subprocess.run(
            ["mariadb-install-db", "--no-defaults", f"--datadir={data}", *as_root,
             "--auth-root-authentication-method=normal", "--skip-test-db"],
            capture_output=True, check=True, timeout=120,
        )  # fmt: skip
        self.port = free_port()
        server = mariadbd()
        assert server is not None
        self.process = subprocess.Popen(
            [server, "--no-defaults", f"--datadir={data}", f"--port={self.port}",
             "--bind-address=127.0.0.1", f"--socket={self.socket}", *as_root,
             f"--pid-file={self.root / 'mariadb.pid'}", "--skip-log-bin", "--skip-name-resolve",
             "--innodb-buffer-pool-size=64M", f"--log-error={self.root / 'mariadb.log'}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        _wait_for(self.socket.exists, "MariaDB")
        self.sql(
            f"CREATE DATABASE wordpress CHARACTER SET utf8mb4; "
            f"CREATE USER '{DB_USER}'@'127.0.0.1' IDENTIFIED BY '{DB_PASSWORD}'; "
            f"GRANT ALL ON wordpress.* TO '{DB_USER}'@'127.0.0.1';",
            database="",
        )

    def sql(self, query: str, database: str = "wordpress") -> list[list[str]]:
        """Rows of a query, each a list of strings (the mariadb client's batch output)."""
        args = ["mariadb", "--no-defaults", f"--socket={self.socket}", "-u", "root", "-N", "-B",
                "--raw", "-e", query]  # fmt: skip
        done = subprocess.run([*args, database] if database else args, capture_output=True,
                              text=True, check=True, timeout=30)  # fmt: skip
        return [line.split("\t") for line in done.stdout.splitlines()]

    def stop(self) -> None:
        if self.process is not None:
            stop_tree(self.process, timeout=30)


@dataclass
class WordPress:
    """A copy of Debian's WordPress under PHP's built-in server, installed over HTTP."""

    root: Path
    db: MariaDB
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    cookies: httpx.Cookies = field(default_factory=httpx.Cookies)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def docroot(self) -> Path:
        return self.root / "wordpress"

    @property
    def config(self) -> Path:
        return self.docroot / "wp-config.php"

    @property
    def debug_log(self) -> Path:
        return self.root / "debug.log"

    def start(self) -> None:
        shutil.copytree(WORDPRESS_SOURCE, self.docroot, symlinks=True)
        self.port = free_port()
        self.config.write_text(self._config())
        env = {**os.environ, "PHP_CLI_SERVER_WORKERS": "2"}
        with (self.root / "php.log").open("wb") as log:
            self.process = subprocess.Popen(
                ["php", "-S", f"127.0.0.1:{self.port}", "-t", str(self.docroot), str(ROUTER)],
                stdout=log, stderr=subprocess.STDOUT, env=env,
            )  # fmt: skip
        _wait_for(self._answers, "PHP's server")

    def _answers(self) -> bool:
        try:
            return httpx.get(f"{self.url}/wp-login.php", timeout=2).status_code < 500
        except httpx.HTTPError:
            return False

    def _config(self) -> str:
        """A wp-config.php as wp-config-sample.php shapes it (Debian's own reads /etc)."""
        salts = "".join(
            f"define( '{name}', '{os.urandom(16).hex()}' );\n"
            for name in ("AUTH_KEY", "SECURE_AUTH_KEY", "LOGGED_IN_KEY", "NONCE_KEY", "AUTH_SALT",
                         "SECURE_AUTH_SALT", "LOGGED_IN_SALT", "NONCE_SALT")
        )  # fmt: skip
        return (
            "<?php\n"
            f"define( 'DB_NAME', 'wordpress' );\ndefine( 'DB_USER', '{DB_USER}' );\n"
            f"define( 'DB_PASSWORD', '{DB_PASSWORD}' );\n"
            f"define( 'DB_HOST', '127.0.0.1:{self.db.port}' );\n"
            "define( 'DB_CHARSET', 'utf8mb4' );\ndefine( 'DB_COLLATE', '' );\n"
            f"{salts}$table_prefix = 'wp_';\n"
            "define( 'WP_DEBUG', true );\ndefine( 'WP_DEBUG_DISPLAY', false );\n"
            f"define( 'WP_DEBUG_LOG', '{self.debug_log}' );\n"
            "// No network beyond this machine (the loopback and the site itself stay allowed).\n"
            "define( 'WP_HTTP_BLOCK_EXTERNAL', true );\ndefine( 'DISABLE_WP_CRON', true );\n"
            "define( 'AUTOMATIC_UPDATER_DISABLED', true );\n\n"
            f"{MARKER}\n\n"
            "if ( ! defined( 'ABSPATH' ) ) {\n\tdefine( 'ABSPATH', __DIR__ . '/' );\n}\n"
            "require_once ABSPATH . 'wp-settings.php';\n"
        )

    def add_to_config(self, php: str) -> None:
        """Lines for wp-config.php, where docs/akismet.md says: above the "That's all" line."""
        text = self.config.read_text()
        assert MARKER in text
        self.config.write_text(text.replace(MARKER, php.rstrip() + "\n\n" + MARKER))

    def mu_plugin(self, name: str, php: str) -> Path:
        folder = self.docroot / "wp-content" / "mu-plugins"
        folder.mkdir(exist_ok=True)
        path = folder / name
        path.write_text(php)
        return path

    def install(self) -> None:
        """WordPress' own installer, over HTTP."""
        done = httpx.post(f"{self.url}/wp-admin/install.php?step=2", timeout=120, data={
            "weblog_title": "Test blog", "user_name": ADMIN[0], "admin_password": ADMIN[1],
            "admin_password2": ADMIN[1], "pw_weak": "1", "admin_email": "admin@example.com",
            "blog_public": "0", "language": "",
        })  # fmt: skip
        assert "Success!" in done.text, done.text[-2000:]

    def client(self, *, admin: bool = False) -> httpx.Client:
        """A browser: a reader's, or the administrator's, signed in."""
        client = httpx.Client(base_url=self.url, follow_redirects=True, timeout=60,
                              headers={"User-Agent": BROWSER})  # fmt: skip
        if admin:
            client.get("/wp-login.php")  # the test cookie
            signed = client.post("/wp-login.php", data={
                "log": ADMIN[0], "pwd": ADMIN[1], "testcookie": "1", "wp-submit": "Log In",
                "redirect_to": f"{self.url}/wp-admin/"})  # fmt: skip
            assert "/wp-admin/" in str(signed.url), signed.text[-2000:]
        return client

    def stop(self) -> None:
        if self.process is not None:
            stop_tree(self.process)


def form_fields(page: str, form_pattern: str) -> dict[str, str]:
    """The named inputs of the first form matching the pattern, as the browser would send them
    (radio buttons: the checked one)."""
    found = re.search(form_pattern, page, re.S)
    assert found is not None, "form not found"
    fields: dict[str, str] = {}
    for tag in re.findall(r"<input\b[^>]*>", found.group(0)):
        name = re.search(r"""\bname=["']([^"']*)["']""", tag)
        value = re.search(r"""\bvalue=["']([^"']*)["']""", tag)
        if name is None or ('type="radio"' in tag and "checked" not in tag):
            continue
        fields[html.unescape(name.group(1))] = html.unescape(value.group(1)) if value else ""
    return fields


def doc_blocks(doc: str) -> list[str]:
    """The ```php blocks of a Markdown page, dedented."""
    import textwrap

    return [textwrap.dedent(block) for block in re.findall(r"```php\n(.*?)```", doc, re.S)]
