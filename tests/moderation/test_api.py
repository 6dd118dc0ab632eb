"""The moderator JSON API: token auth, the same queues and actions, in the OpenAPI document."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from tests.moderation.conftest import SITE_A, SITE_B, World


@pytest.fixture
def token(world: World) -> str:
    return world.services.auth.create_token("admin@a.example.com")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_token_auth_is_required_and_checked(
    world: World, app_client: TestClient, token: str
) -> None:
    path = "/api/v1/moderation/queue/pending"
    assert app_client.get(path).status_code == 401
    assert app_client.get(path, headers=bearer("rjm_not-a-real-token")).status_code == 401
    assert app_client.get(path, headers={"Authorization": f"Basic {token}"}).status_code == 401
    assert app_client.get(path, headers=bearer(token)).status_code == 200
    world.services.auth.revoke_tokens("admin@a.example.com")
    revoked = app_client.get(path, headers=bearer(token))
    assert revoked.status_code == 401 and revoked.json()["error"]["code"] == "unauthorized"


def test_queue_decide_history_edit_over_the_api(
    world: World, app_client: TestClient, token: str
) -> None:
    cid = world.held("held for the API " + " ".join(f"http://q{i}.example" for i in range(5)))
    queue = app_client.get("/api/v1/moderation/queue/pending", headers=bearer(token)).json()
    assert [c["id"] for c in queue["items"]] == [cid] and queue["counts"]["pending"] == 1
    item = queue["items"][0]
    assert item["network"] == "203.0.113.0/24" and any(
        h["symbol"] == "LINKS_MANY" for h in item["hits"]
    )
    assert "ip_hash" not in item and "203.0.113.7" not in str(item)
    found = app_client.get("/api/v1/moderation/queue/pending?q=held%20api&signal=links_many",
                           headers=bearer(token)).json()  # fmt: skip
    assert [c["id"] for c in found["items"]] == [cid]
    decided = app_client.post("/api/v1/moderation/decisions", headers=bearer(token),
                              json={"decision": "spam", "ids": [cid]})  # fmt: skip
    assert decided.status_code == 200
    assert decided.json() == {"decision": "spam", "changed": [cid], "unchanged": [],
                              "missing": [], "learned": 1}  # fmt: skip
    edited = app_client.put(f"/api/v1/moderation/comments/{cid}", headers=bearer(token),
                            json={"text": "<b>cleaned</b>", "author": "Ann"})  # fmt: skip
    assert edited.status_code == 200 and "<b>" not in edited.json()["comment"]["html"]
    detail = app_client.get(f"/api/v1/moderation/comments/{cid}", headers=bearer(token)).json()
    assert [h["action"] for h in detail["history"]] == ["spam", "edit"]
    assert detail["history"][0]["by"].startswith("admin@a.example.com (api:rjm_")


def test_api_refuses_other_sites_bad_input_and_non_json(
    world: World, app_client: TestClient, token: str
) -> None:
    on_b = world.held("site B only", site=SITE_B)
    h = bearer(token)
    assert app_client.get(f"/api/v1/moderation/comments/{on_b}", headers=h).status_code == 403
    refused = app_client.post("/api/v1/moderation/decisions", headers=h,
                              json={"decision": "approve", "ids": [on_b]})  # fmt: skip
    assert refused.status_code == 403
    site_b = world.site_id(SITE_B)
    assert (
        app_client.get(f"/api/v1/moderation/queue/pending?site={site_b}", headers=h).status_code
        == 403
    )
    assert app_client.get("/api/v1/moderation/queue/nope", headers=h).status_code == 422
    big = app_client.post("/api/v1/moderation/decisions", headers=h,
                          json={"decision": "spam", "ids": list(range(1, 1002))})  # fmt: skip
    assert big.status_code == 422 and "at most 1000" in big.json()["error"]["message"]
    form = app_client.post("/api/v1/moderation/decisions", headers=h,
                           data={"decision": "spam", "ids": "1"})  # fmt: skip
    assert form.status_code == 415
    bad = app_client.post(
        "/api/v1/moderation/decisions", headers=h, json={"decision": "burn", "ids": [1]}
    )
    assert bad.status_code == 422


def test_bans_and_policy_over_the_api(world: World, app_client: TestClient, token: str) -> None:
    h = bearer(token)
    cid = world.held("from a network", email="ban.me@spam.example")
    made = app_client.post(
        "/api/v1/moderation/bans", headers=h, json={"comment_id": cid, "kind": "ip"}
    )
    assert made.status_code == 201 and made.json()["value"] == "203.0.113.0/24"
    word = app_client.post("/api/v1/moderation/bans", headers=h,
                           json={"site_id": world.site_id(SITE_A), "kind": "word", "value": "Casino"})  # fmt: skip
    assert word.status_code == 201 and word.json()["value"] == "casino"
    listed = app_client.get("/api/v1/moderation/bans", headers=h).json()["bans"]
    assert {b["kind"] for b in listed} == {"ip", "word"}
    assert (
        app_client.delete(f"/api/v1/moderation/bans/{word.json()['id']}", headers=h).status_code
        == 204
    )
    assert (
        app_client.delete(f"/api/v1/moderation/bans/{word.json()['id']}", headers=h).status_code
        == 404
    )
    site = world.site_id(SITE_A)
    preview = app_client.get(f"/api/v1/moderation/sites/{site}/policy?hold=0.01", headers=h).json()
    assert preview["mode"] == "engine" and preview["preview"]["sample"] >= 1
    changed = app_client.put(f"/api/v1/moderation/sites/{site}/policy", headers=h,
                             json={"mode": "hold_first_time", "close_after_days": 30, "hold": 0.4})  # fmt: skip
    assert changed.status_code == 200, changed.text
    assert (
        changed.json()["mode"] == "hold_first_time" and changed.json()["thresholds"]["hold"] == 0.4
    )
    bad = app_client.put(f"/api/v1/moderation/sites/{site}/policy", headers=h,
                         json={"mode": "engine", "hold": 0.9, "spam": 0.5})  # fmt: skip
    assert bad.status_code == 422


def test_openapi_documents_the_moderation_api(app_client: TestClient) -> None:
    paths = app_client.get("/api/v1/openapi.json").json()["paths"]
    for path in ("/api/v1/moderation/queue/{queue}", "/api/v1/moderation/decisions",
                 "/api/v1/moderation/comments/{comment_id}", "/api/v1/moderation/bans",
                 "/api/v1/moderation/sites/{site_id}/policy"):  # fmt: skip
        assert path in paths, path
    decision = paths["/api/v1/moderation/decisions"]["post"]
    assert "Authorization" in str(decision["parameters"])
    assert SITE_A  # the fixtures' sites are not in the document
