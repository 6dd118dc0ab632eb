"""The must-use plugin of docs/akismet.md, executed by php-cli against a real `rejoinder serve`.

WordPress does not run here: tests/conformance/php/drive.php stands in for the few WordPress
functions involved (hooks, wp_parse_url, wp_remote_request/post, which offer each request to
`pre_http_request` first and otherwise send it over a socket as HTTP/1.0), and builds requests
the way the Akismet plugin's http_post() does. The PHP that operators copy is the doc's block.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import textwrap
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from rejoinder.storage.schema import checks
from tests.conformance.conftest import Conformance
from tests.support.environment import require

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "akismet.md"
DRIVER = Path(__file__).resolve().parent / "php" / "drive.php"
AKISMET = "https://rest.akismet.com/1.1"


def mu_plugin_source() -> str:
    blocks = re.findall(r"```php\n(.*?)```", DOC.read_text(), re.S)
    found = [textwrap.dedent(b) for b in blocks if "pre_http_request" in b]
    assert len(found) == 1, "docs/akismet.md should hold exactly one mu-plugin block"
    return found[0]


@pytest.fixture(scope="module")
def php() -> str:
    binary = shutil.which("php")
    require(binary is not None, "php-cli is not installed")
    assert binary is not None
    return binary


@pytest.fixture(scope="module")
def mu_plugin(tmp_path_factory: pytest.TempPathFactory, php: str) -> Path:
    path = tmp_path_factory.mktemp("wp") / "rejoinder-akismet.php"
    path.write_text(mu_plugin_source())
    lint = subprocess.run([php, "-l", str(path)], capture_output=True, text=True, check=False)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    return path


def run_php(php: str, mu_plugin: Path, base_url: str, calls: list[dict[str, str]]) -> list[Any]:
    done = subprocess.run(
        [php, str(DRIVER), str(mu_plugin), base_url, json.dumps(calls)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    answers: list[Any] = json.loads(done.stdout)
    assert len(answers) == len(calls)
    return answers


def comment(conformance: Conformance, charset: str, **fields: str) -> str:
    server = conformance.server
    base = {"comment_post_ID": "7", "comment_author": "Zoë", "comment_content": "Très bien écrit.",
            "comment_type": "comment", "user_ip": "192.0.2.81", "user_agent": "Mozilla/5.0",
            "blog": server.blog, "blog_charset": charset, "blog_lang": "fr_FR",
            "POST_comment": "Très bien écrit.", "comment_context[0]": "Actualités",
            "api_key": server.key}  # fmt: skip
    base.update(fields)
    return urlencode({k: v for k, v in base.items() if v is not None}, encoding=charset)


def test_mu_plugin_sends_akismet_calls_to_rejoinder(
    php: str, mu_plugin: Path, conformance: Conformance
) -> None:
    server = conformance.server
    calls = [
        {"url": f"{AKISMET}/verify-key", "charset": "UTF-8",
         "body": urlencode({"key": server.key, "blog": server.blog, "api_key": server.key})},
        {"url": f"{AKISMET}/comment-check", "charset": "ISO-8859-1",
         "body": comment(conformance, "ISO-8859-1")},
        {"url": f"{AKISMET}/comment-check", "charset": "UTF-8",
         "body": comment(conformance, "UTF-8", comment_author="akismet-guaranteed-spam")},
        {"url": f"{AKISMET}/submit-spam", "charset": "UTF-8",
         "body": comment(conformance, "UTF-8")},
    ]  # fmt: skip
    verify, ham, spam, submitted = run_php(php, mu_plugin, server.url + "/", calls)
    for answer in (verify, ham, spam, submitted):
        assert answer["response"]["code"] == 200
        assert answer["sent_host"] == f"127.0.0.1:{server.port}"  # Host: rest.akismet.com dropped
        assert answer["headers"]["content-length"] == str(len(answer["body"].encode()))
    assert verify["body"] == "valid"
    assert ham["body"] == "false" and spam["body"] == "true"
    assert submitted["body"] == "Thanks for making the web a better place."
    with conformance.stored() as services, services.db.read() as conn:
        row = conn.execute(
            select(checks).where(checks.c.guid == ham["headers"]["x-akismet-guid"])
        ).one()
    assert row.content == "Très bien écrit." and row.author == "Zoë"  # ISO-8859-1 decoded


def test_mu_plugin_moves_a_host_key_into_the_body(
    php: str, mu_plugin: Path, conformance: Conformance
) -> None:
    server = conformance.server
    calls = [
        {"url": f"https://{server.key}.rest.akismet.com/1.1/comment-check", "charset": "UTF-8",
         "host": f"{server.key}.rest.akismet.com",
         "body": comment(conformance, "UTF-8", comment_author="viagra-test-123", api_key=None)},
    ]  # fmt: skip
    (answer,) = run_php(php, mu_plugin, server.url, calls)
    assert answer["body"] == "true"
    assert answer["sent_host"] == f"127.0.0.1:{server.port}"


def test_mu_plugin_leaves_other_requests_alone(php: str, mu_plugin: Path) -> None:
    calls = [{"url": "https://passthrough.test/plugins/info/1.2/", "charset": "UTF-8", "body": ""}]
    (answer,) = run_php(php, mu_plugin, "http://127.0.0.1:9", calls)
    assert answer == {"passthrough": "https://passthrough.test/plugins/info/1.2/"}


# What the plugin's views/config.php (5.0.2) prints around its statistics, shortened.
SETTINGS_PAGE = """<div class="akismet-section-header__actions">
<a href="options-general.php?page=akismet-key-config&#038;view=stats">Detailed Stats</a></div>
<div class="akismet-new-snapshot">
<iframe allowtransparency="true" scrolling="no" frameborder="0" style="width: 100%;"
 src="https://tools.akismet.com/1.0/snapshot.php?blog=https%3A%2F%2Fblog.example.com&#038;api_key=abcdef123456&#038;height=200&#038;locale=en_US"></iframe>
<ul><li><h3>Past six months</h3><span>42</span> Spam blocked</li></ul></div>"""


def test_mu_plugin_keeps_akismets_stats_frames_off_the_settings_page(
    php: str, mu_plugin: Path
) -> None:
    calls = [
        {"query": {"page": "akismet-key-config"}, "admin_html": SETTINGS_PAGE},
        {"query": {"page": "akismet-key-config", "view": "stats"},
         "admin_html": '<iframe src="https://tools.akismet.com/1.0/user-stats.php?api_key=x">'
                       "</iframe>"},
        {"query": {"page": "other-plugin"}, "admin_html": SETTINGS_PAGE},
    ]  # fmt: skip
    settings, detailed, other = run_php(php, mu_plugin, "http://127.0.0.1:9", calls)
    assert "tools.akismet.com" not in settings["html"] and "<iframe" not in settings["html"]
    assert "Detailed Stats" not in settings["html"]
    assert "<span>42</span> Spam blocked" in settings["html"]  # rejoinder's figures stay
    assert detailed["html"] == ""
    assert other["html"] == SETTINGS_PAGE  # other pages are left alone
