"""The Akismet endpoints in-process, on a real SQLite file (conformance with real clients lives
in tests/conformance)."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from starlette.testclient import TestClient

from rejoinder.app import create_app
from rejoinder.services import build_services
from rejoinder.settings import load_settings
from rejoinder.storage.schema import checks, feedback
from tests.conftest import BLOG, Api
from tests.support.database import migrate

SPAM_AUTHOR = "akismet-guaranteed-spam"


def post(api: Api, path: str, **fields: str) -> tuple[str, dict[str, str]]:
    response = api.client.post(path, data=fields)
    assert response.status_code == 200
    return response.text, dict(response.headers)


def base(api: Api, **extra: str) -> dict[str, str]:
    return {"api_key": api.key, "blog": api.blog + "/", "user_ip": "203.0.113.9", **extra}


def test_verify_key_valid_invalid(api: Api) -> None:
    assert post(api, "/1.1/verify-key", key=api.key, blog=api.blog)[0] == "valid"
    body, headers = post(api, "/1.1/verify-key", key="zzzzzzzzzzzz", blog=api.blog)
    assert body == "invalid" and "x-akismet-debug-help" in headers
    body, headers = post(api, "/1.1/verify-key", key=api.key, blog="not a url")
    assert (
        body == "invalid"
        and headers["x-akismet-debug-help"] == "We were unable to parse your blog URI"
    )


def test_verify_key_field_wins_over_api_key(api: Api) -> None:
    # WordPress >= 5.0.2 sends the key being tested as `key` and the stored one as `api_key`.
    assert (
        post(api, "/1.1/verify-key", key="wrongkey1234", api_key=api.key, blog=api.blog)[0]
        == "invalid"
    )
    assert (
        post(api, "/1.1/verify-key", key=api.key, api_key="wrongkey1234", blog=api.blog)[0]
        == "valid"
    )


def test_key_limited_to_its_sites(api: Api) -> None:
    body, headers = post(api, "/1.1/verify-key", key=api.key, blog="https://other.example")
    assert body == "invalid" and "not allowed" in headers["x-akismet-debug-help"]
    body, _ = post(api, "/1.1/comment-check", **base(api, blog="https://other.example"))
    assert body == "invalid"


def test_comment_check_test_values(api: Api) -> None:
    for fields in ({"comment_author": SPAM_AUTHOR}, {"comment_author": "viagra-test-123"},
                   {"comment_author_email": "akismet-guaranteed-spam@example.com"}):  # fmt: skip
        body, headers = post(api, "/1.1/comment-check", **base(api, **fields))
        assert body == "true"
        assert len(headers["x-akismet-guid"]) == 32
        assert "x-akismet-debug-help" not in headers
    body, headers = post(
        api,
        "/1.1/comment-check",
        **base(api, comment_author=SPAM_AUTHOR, user_role="editor,administrator"),
    )
    assert body == "false" and "x-akismet-guid" in headers


def test_comment_check_ham(api: Api) -> None:
    body, headers = post(
        api,
        "/1.1/comment-check",
        **base(api, comment_content="An interesting take on the council vote, thanks."),
    )
    assert body == "false"
    assert "x-akismet-pro-tip" not in headers and "x-akismet-debug-help" not in headers


def test_key_from_host_header(api: Api) -> None:
    fields = {"blog": api.blog, "user_ip": "203.0.113.9", "comment_author": SPAM_AUTHOR}
    response = api.client.post(
        "/1.1/comment-check", data=fields, headers={"Host": f"{api.key}.akismet.test:8080"}
    )
    assert response.text == "true"


def test_missing_required_fields(api: Api) -> None:
    body, headers = post(api, "/1.1/comment-check", api_key=api.key, blog=api.blog)
    assert body == "Missing required field: user_ip" and "x-akismet-debug-help" in headers
    body, _ = post(api, "/1.1/comment-check", api_key=api.key, user_ip="1.2.3.4")
    assert body == "Missing required field: blog"
    body, headers = post(api, "/1.1/comment-check", blog=api.blog, user_ip="1.2.3.4")
    assert body == "invalid" and headers["x-akismet-debug-help"] == 'Empty "api_key" value.'


def test_json_body_gets_invalid_not_500(api: Api) -> None:
    response = api.client.post("/1.1/comment-check", json={"api_key": api.key, "blog": api.blog})
    assert response.status_code == 200 and response.text == "invalid"


def test_is_test_stores_nothing(api: Api) -> None:
    post(api, "/1.1/comment-check", **base(api, is_test="1", comment_content="x"))
    post(api, "/1.1/submit-spam", **base(api, is_test="true", comment_content="x"))
    with api.services.db.read() as conn:
        assert conn.execute(select(checks)).all() == []
        assert conn.execute(select(feedback)).all() == []


def test_submit_links_by_guid_and_is_idempotent(api: Api) -> None:
    _, headers = post(api, "/1.1/comment-check", **base(api, comment_content="buy cheap pills"))
    guid = headers["x-akismet-guid"]
    thanks = "Thanks for making the web a better place."
    assert (
        post(api, "/1.1/submit-spam", **base(api, comment_content="buy cheap pills", guid=guid))[0]
        == thanks
    )
    assert (
        post(api, "/1.1/submit-spam", **base(api, comment_content="buy cheap pills"))[0] == thanks
    )
    with api.services.db.read() as conn:
        rows = conn.execute(select(feedback)).all()
    assert len(rows) == 1
    assert rows[0].guid == guid and rows[0].label == "spam"
    assert "203.0.113.9" not in json.dumps(rows[0].fields)


def test_submit_links_by_content_without_guid(api: Api) -> None:
    _, headers = post(api, "/1.1/comment-check", **base(api, comment_content="Lovely  photo!"))
    post(api, "/1.1/submit-ham", **base(api, comment_content="lovely photo!"))
    with api.services.db.read() as conn:
        row = conn.execute(select(feedback)).one()
    assert row.guid == headers["x-akismet-guid"] and row.label == "ham"


def test_submit_with_unknown_guid_still_recorded(api: Api) -> None:
    post(api, "/1.1/submit-spam", **base(api, comment_content="never checked", guid="f" * 32))
    with api.services.db.read() as conn:
        row = conn.execute(select(feedback)).one()
    assert row.check_id is None and row.fields["comment_content"] == "never checked"


def test_usage_limit_and_key_sites_count_from_storage(api: Api) -> None:
    post(api, "/1.1/comment-check", **base(api, comment_author=SPAM_AUTHOR))
    post(api, "/1.1/comment-check", **base(api, comment_content="hello"))
    post(api, "/1.1/submit-spam", **base(api, comment_content="hello"))
    usage = api.client.get("/1.2/usage-limit", params={"api_key": api.key}).json()
    assert usage == {"limit": "none", "usage": 3, "percentage": "0.00", "throttled": False}
    sites = api.client.post("/1.2/key-sites", data={"api_key": api.key}).json()
    month = next(k for k in sites if k not in ("limit", "offset", "total"))
    (row,) = sites[month]
    assert row == {"site": api.blog, "api_calls": "3", "spam": "1", "ham": "1", "missed_spam": "1",
                   "false_positives": "0", "is_revoked": False}  # fmt: skip
    csv_text = api.client.get("/1.2/key-sites", params={"api_key": api.key, "format": "csv"}).text
    lines = csv_text.splitlines()
    assert lines[0].startswith(
        f"Active sites for {api.key} during {month} (limit:500, offset: 0, total: 1)"
    )
    assert lines[1] == "Site,Total API Calls,Spam,Ham,Missed Spam,False Positives,Is Revoked"
    assert lines[2] == f"{api.blog},3,1,1,1,0,false"


def test_key_sites_bad_month(api: Api) -> None:
    response = api.client.get("/1.2/key-sites", params={"api_key": api.key, "month": "2024-13"})
    assert response.text == "invalid"


def test_wordpress_only_endpoints(api: Api) -> None:
    assert api.client.get("/1.1/test").text == "connected"
    sub = api.client.post("/1.1/get-subscription", data={"key": api.key, "blog": api.blog}).json()
    assert sub["status"] == "active"
    stats = api.client.post(
        "/1.1/get-stats", data={"key": api.key, "blog": api.blog, "from": "all"}
    )
    assert stats.json()["spam"] == 0  # the shape: tests/web/test_wordpress_plugin.py
    assert (
        api.client.post("/1.1/deactivate", data={"key": api.key, "blog": api.blog}).text
        == "deactivated"
    )


def test_revoked_key_is_invalid(api: Api) -> None:
    api.services.sites.revoke_key(api.key)
    assert post(api, "/1.1/comment-check", **base(api))[0] == "invalid"


def test_oversized_body_413(api: Api) -> None:
    response = api.client.post("/1.1/comment-check", content=b"a=" + b"x" * 10_000_000,
                               headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert response.status_code == 413


def test_one_megabyte_comment_accepted(api: Api) -> None:
    body, _ = post(api, "/1.1/comment-check", **base(api, comment_content="word " * 200_000))
    assert body in ("true", "false")
    body, _ = post(
        api, "/1.1/comment-check", **base(api, comment_content="é" * 300_000)
    )  # 1.8 MB encoded
    assert body in ("true", "false")


def test_health_and_metrics(tmp_path: Path) -> None:
    settings = load_settings({"REJOINDER_DATA_DIR": str(tmp_path / "data"),
                              "REJOINDER_METRICS_TOKEN": "s3cret-metrics"})  # fmt: skip
    services = build_services(settings)
    migrate(services.db)
    services.sites.add_site(BLOG)
    key = services.sites.create_key([BLOG])
    with TestClient(create_app(settings, services)) as client:
        run_health_and_metrics(Api(client, key, BLOG, services))
    services.db.dispose()


def test_metrics_are_off_by_default(api: Api) -> None:  # issue 17: /metrics was public
    response = api.client.get("/metrics")
    assert response.status_code == 404 and "rejoinder_" not in response.text


def run_health_and_metrics(api: Api) -> None:
    assert api.client.get("/healthz").json()["status"] == "ok"
    assert api.client.get("/metrics").status_code == 401
    wrong = api.client.get("/metrics", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401 and "rejoinder_" not in wrong.text
    post(api, "/1.1/comment-check", **base(api, comment_author=SPAM_AUTHOR))
    text = api.client.get("/metrics", headers={"Authorization": "Bearer s3cret-metrics"}).text
    assert 'rejoinder_verdicts_total{action="spam"} 1.0' in text
    assert 'rejoinder_http_requests_total{route="/1.1/comment-check",status="200"}' in text
    assert "rejoinder_http_request_seconds_bucket" in text
