"""Readers who do not post get no cookies: no page, API read or Akismet call sets one."""

from __future__ import annotations

from starlette.routing import Route

from tests.conftest import Api


def test_no_route_sets_a_cookie(api: Api) -> None:
    app = api.client.app
    seen = 0
    for route in app.routes:  # type: ignore[attr-defined]
        if not isinstance(route, Route) or "{" in route.path or "GET" not in (route.methods or ()):
            continue
        response = api.client.get(route.path)
        assert "set-cookie" not in response.headers, route.path
        seen += 1
    assert seen >= 4  # /privacy, /healthz, /metrics, the API docs …
    for path in ("/1.1/comment-check", "/1.1/verify-key", "/1.2/usage-limit"):
        fields = {"api_key": api.key, "key": api.key, "blog": api.blog, "user_ip": "192.0.2.1"}
        response = api.client.post(path, data=fields)
        assert response.status_code == 200 and "set-cookie" not in response.headers
    response = api.client.post("/privacy/requests", data={"email": "x@example.org"})
    assert "set-cookie" not in response.headers
    response = api.client.get("/privacy/link/forged.1.x")
    assert response.status_code == 403 and "set-cookie" not in response.headers
