"""The npm `akismet-api` client (key in the Host name) against a real `rejoinder serve`.

akismet-api 6.x sends comment-check and submit-* to http://<key>.<host>/1.1/... with no key in
the body. The names resolve through /etc/hosts lines that scripts/test-deps.sh writes for two
fixed keys (docs/akismet.md, "How the tests do it"); NODE_KEY is imported into the server with
`rejoinder keys create --key`, NODE_BAD_KEY never exists.
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from rejoinder.storage.schema import checks, feedback
from tests.conformance.conftest import (
    NODE_API_HOST,
    NODE_BAD_KEY,
    NODE_BLOG,
    NODE_KEY,
    Conformance,
)
from tests.support.environment import require

NODE_DIR = Path(__file__).resolve().parent / "node"
THANKS = "Thanks for making the web a better place."
IP = "198.51.100.77"


def resolves_to_loopback(name: str) -> bool:
    try:
        infos = socket.getaddrinfo(name, None, socket.AF_INET)
    except socket.gaierror:
        return False
    return any(info[4][0] == "127.0.0.1" for info in infos)


@pytest.fixture(scope="module")
def node() -> str:
    binary = shutil.which("node")
    require(binary is not None, "node is not installed")
    require(
        (NODE_DIR / "node_modules" / "akismet-api").is_dir(),
        "npm akismet-api is not installed in tests/conformance/node (scripts/test-deps.sh)",
    )
    for name in (NODE_API_HOST, f"{NODE_KEY}.{NODE_API_HOST}", f"{NODE_BAD_KEY}.{NODE_API_HOST}"):
        require(resolves_to_loopback(name), f"{name} does not resolve to 127.0.0.1 (/etc/hosts)")
    assert binary is not None
    return binary


def drive(
    node: str, conformance: Conformance, steps: list[dict[str, Any]], *, key: str = NODE_KEY,
    blog: str = NODE_BLOG,
) -> list[dict[str, Any]]:  # fmt: skip
    spec = {"key": key, "blog": blog, "host": f"{NODE_API_HOST}:{conformance.server.port}",
            "protocol": "http", "steps": steps}  # fmt: skip
    done = subprocess.run(
        [node, "drive.js", json.dumps(spec)],
        cwd=NODE_DIR, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    results: list[dict[str, Any]] = json.loads(done.stdout)
    assert len(results) == len(steps)
    return results


def test_verify_key_valid_and_invalid(node: str, conformance: Conformance) -> None:
    step = [{"op": "verifyKey"}]
    assert drive(node, conformance, step) == [{"ok": True, "value": True}]
    assert drive(node, conformance, step, key=NODE_BAD_KEY) == [{"ok": True, "value": False}]
    wrong_site = drive(node, conformance, step, blog="https://elsewhere.example")
    assert wrong_site == [{"ok": True, "value": False}]


def test_comment_check_spam_and_ham(node: str, conformance: Conformance) -> None:
    ham_text = f"Thanks for the write-up {uuid.uuid4().hex}"
    steps = [
        {"op": "checkSpam", "comment": {"ip": IP, "name": "akismet-guaranteed-spam"}},
        {"op": "checkSpam", "comment": {"ip": IP, "email": "akismet-guaranteed-spam@example.com"}},
        {"op": "checkSpam", "comment": {"ip": IP, "name": "viagra-test-123", "isTest": True}},
        {"op": "checkSpam", "comment": {"ip": IP, "content": ham_text, "name": "Bo",
                                        "useragent": "Mozilla/5.0 (Macintosh) Safari/605.1.15"}},
        {"op": "checkSpam", "comment": {"ip": IP, "name": "akismet-guaranteed-spam",
                                        "role": "administrator"}},
        {"op": "checkSpam", "comment": {"ip": IP, "content": "hi", "honeypot": "bot was here"}},
    ]  # fmt: skip
    values = [r["value"] for r in drive(node, conformance, steps)]
    assert values == [True, True, True, False, False, True]
    with conformance.stored() as services, services.db.read() as conn:
        ham = conn.execute(select(checks).where(checks.c.content == ham_text)).one()
        honeypot = conn.execute(select(checks).where(checks.c.content == "hi")).all()
        node_key = services.sites.lookup(NODE_KEY)
    assert node_key is not None and ham.key_id == node_key.id  # the key came from the Host name
    assert ham.site_url == NODE_BLOG and ham.ua_family != ""
    assert any("HONEYPOT_FILLED" in [h["symbol"] for h in row.hits] for row in honeypot)


def test_comment_check_with_unknown_key_in_host(node: str, conformance: Conformance) -> None:
    steps = [{"op": "checkSpam", "comment": {"ip": IP, "content": "hello"}}]
    assert drive(node, conformance, steps, key=NODE_BAD_KEY) == [
        {"ok": False, "error": "Invalid API key"}
    ]


def test_submit_spam_and_ham(node: str, conformance: Conformance) -> None:
    missed = f"Cheap watches here {uuid.uuid4().hex}"
    wrongly = f"My honest opinion {uuid.uuid4().hex}"
    steps = [
        {"op": "checkSpam", "comment": {"ip": IP, "content": missed}},
        {"op": "submitSpam", "comment": {"ip": IP, "content": missed}},
        {"op": "submitHam", "comment": {"ip": IP, "content": wrongly}},
    ]
    results = drive(node, conformance, steps)
    assert results[0] == {"ok": True, "value": False}
    assert results[1] == results[2] == {"ok": True, "value": 200, "text": THANKS}
    with conformance.stored() as services, services.db.read() as conn:
        rows = conn.execute(select(feedback).where(feedback.c.site_url == NODE_BLOG)).all()
    labels = {r.fields["comment_content"]: (r.label, r.check_id is not None) for r in rows}
    assert labels[missed] == ("spam", True)  # linked to its comment-check by content
    assert labels[wrongly] == ("ham", False)
