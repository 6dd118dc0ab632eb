"""`rejoinder explain`, `rejoinder rules` and GET /api/v1/verdicts/{guid}."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rejoinder.errors import NotFound, ValidationFailed
from rejoinder.services import Services
from rejoinder.spam.explain import strength
from rejoinder.spam.rules import RuleKind
from tests.conftest import Api
from tests.support.server import run_cli

BLOG = "https://blog.example.com"
SPAMMY = {
    "blog": BLOG, "user_ip": "203.0.113.9", "comment_author": "cheap seo services",
    "comment_content": "[url=http://bit.ly/x]cheap[/url] http://1.2.3.4/",
}  # fmt: skip


def test_strength_in_words() -> None:
    assert strength(2.2) == "strongly toward spam"
    assert strength(-0.3) == "slightly toward not spam"
    assert strength(0.0) == "no weight either way"


def test_explain_from_stdin_file_and_pairs(tmp_path: Path) -> None:
    data = tmp_path / "data"
    run_cli(data, "init")
    result = run_cli(data, "explain", "--json", input_text=json.dumps(SPAMMY))
    body = json.loads(result.stdout)
    assert body["action"] in ("hold", "spam", "discard") and 0 < body["probability"] <= 1
    assert {"LINK_BBCODE", "LINK_SHORTENER", "AUTHOR_NAME_KEYWORDS"} <= {
        h["symbol"] for h in body["hits"]
    }
    assert all(h["effect"] and h["detail"] for h in body["hits"])
    path = tmp_path / "one.json"
    path.write_text(json.dumps(SPAMMY))
    text = run_cli(data, "explain", str(path), "comment_author=Ann").stdout
    assert "likely spam" in text and "LINK_BBCODE" in text and "AUTHOR_NAME" not in text
    pairs = run_cli(data, "explain", "comment_content=Thanks, that helped.", "blog=" + BLOG).stdout
    assert "published" in pairs


def test_explain_refuses_bad_input(tmp_path: Path) -> None:
    data = tmp_path / "data"
    bad = run_cli(data, "explain", input_text="{not json", check=False)
    assert bad.returncode == 1 and bad.stderr.startswith("error: stdin is not JSON")
    listed = run_cli(data, "explain", input_text="[1, 2]", check=False)
    assert listed.returncode == 1 and "JSON object" in listed.stderr
    missing = run_cli(data, "explain", str(tmp_path / "nope.json"), check=False)
    assert missing.returncode == 1 and "cannot read" in missing.stderr


def test_rules_cli(tmp_path: Path) -> None:
    data = tmp_path / "data"
    run_cli(data, "sites", "add", BLOG)
    added = run_cli(data, "rules", "add", "--site", BLOG, "--kind", "ip", "198.51.100.7/24").stdout
    assert "rule 1: block ip 198.51.100.0/24" in added
    run_cli(
        data, "rules", "add", "--site", BLOG, "--kind", "email", "friend@example.org", "--allow"
    )
    listed = run_cli(data, "rules", "list", "--site", BLOG).stdout
    assert "198.51.100.0/24" in listed and "allow\temail\tfriend@example.org" in listed
    held = json.loads(
        run_cli(data, "explain", "--json", "blog=" + BLOG, "user_ip=198.51.100.9").stdout
    )
    assert "SITE_BLOCKED_IP" in {h["symbol"] for h in held["hits"]} and held["spam"]
    run_cli(data, "rules", "remove", "1")
    assert "198.51.100.0/24" not in run_cli(data, "rules", "list").stdout
    failed = run_cli(data, "rules", "remove", "1", check=False)
    assert failed.returncode == 1 and failed.stderr == "error: no rule with id 1\n"


def test_rule_values_are_validated(services: Services) -> None:
    services.sites.add_site(BLOG)
    for kind, value, message in (
        (RuleKind.IP, "not-an-ip", "not an IP address"),
        (RuleKind.EMAIL, "nobody", "not an e-mail address"),
        (RuleKind.URL, "*/*", "needs a host"),
        (RuleKind.WORD, "x", "at least two characters"),
    ):
        with pytest.raises(ValidationFailed, match=message):
            services.rules.add(BLOG, kind, value)
    with pytest.raises(NotFound, match="no such site"):
        services.rules.add("https://unknown.example", RuleKind.WORD, "casino")
    first = services.rules.add(BLOG, RuleKind.EMAIL, "Spam.Example")
    assert first.value == "@spam.example"
    assert services.rules.add(BLOG, RuleKind.EMAIL, "@spam.example").id == first.id  # no duplicate


def test_verdict_endpoint(api: Api) -> None:
    checked = api.client.post("/1.1/comment-check", data={"api_key": api.key, **SPAMMY})
    guid = checked.headers["x-akismet-guid"]
    by_bearer = api.client.get(
        f"/api/v1/verdicts/{guid}", headers={"Authorization": f"Bearer {api.key}"}
    )
    assert by_bearer.status_code == 200
    body = by_bearer.json()
    assert body["guid"] == guid and body["site"] == BLOG
    assert body["spam"] == (checked.text == "true")
    assert {"LINK_BBCODE", "LINK_IP_HOST"} <= {h["symbol"] for h in body["hits"]}
    assert body["summary"].endswith(".") and all("toward" in h["effect"] for h in body["hits"])
    assert api.client.get(f"/api/v1/verdicts/{guid}?api_key={api.key}").json() == body


def test_verdict_endpoint_errors(api: Api) -> None:
    checked = api.client.post("/1.1/comment-check", data={"api_key": api.key, **SPAMMY})
    guid = checked.headers["x-akismet-guid"]
    missing = api.client.get(f"/api/v1/verdicts/{guid}")
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "unauthorized"
    wrong = api.client.get(
        f"/api/v1/verdicts/{guid}", headers={"Authorization": "Bearer zzzzzzzzzzzz"}
    )
    assert wrong.status_code == 401
    unknown = api.client.get(
        f"/api/v1/verdicts/{'0' * 32}", headers={"Authorization": f"Bearer {api.key}"}
    )
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    api.services.sites.add_site("https://other.example")
    other_key = api.services.sites.create_key(["https://other.example"])
    foreign = api.client.get(
        f"/api/v1/verdicts/{guid}", headers={"Authorization": f"Bearer {other_key}"}
    )
    assert foreign.status_code == 404  # another site's key cannot read this site's verdicts
