"""One middleware names the route and captures the status of every request (web/observed.py);
the access log and the Prometheus metrics both record what it resolved."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from rejoinder.app import create_app
from tests.support.world import make_services

SITE = "https://blog.example.com"
BEARER = {"Authorization": "Bearer observed-metrics"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    svc = make_services(tmp_path_factory.mktemp("observed"), (SITE,),
                        max_api_body_bytes="20000", metrics_token="observed-metrics")  # fmt: skip
    with TestClient(create_app(svc.settings, svc), client=("203.0.113.7", 5000)) as c:
        yield c
    svc.db.dispose()


def access_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "rejoinder.access"]


def test_log_and_metrics_name_the_route_template_or_their_own_stand_in(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="rejoinder.access")
    assert client.get("/privacy/link/s3cret-link-token").status_code in (400, 403, 404, 410)
    assert client.get("/nowhere/at-all?q=1").status_code == 404
    big = client.post("/t/1/post-1", content=b"text=" + b"x" * 30_000,
                      headers={"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
    assert big.status_code == 413  # refused before routing: named by the route walk
    lines = access_lines(caplog)
    assert len(lines) == 3 and not any("s3cret" in line for line in lines), lines
    assert lines[0].startswith("GET /privacy/link/{token} ")
    assert lines[1].startswith("GET /nowhere/at-all 404 ")  # as sent, without the query
    assert lines[2].startswith("POST /t/{site}/{thread:path} 413 ")
    assert all(re.search(r" \d+\.\dms client=[0-9a-f]{8}$", line) for line in lines), lines
    text = client.get("/metrics", headers=BEARER).text
    assert 'route="/privacy/link/{token}"' in text and "s3cret" not in text
    assert 'rejoinder_http_requests_total{route="other",status="404"} 1.0' in text
    assert 'rejoinder_http_requests_total{route="/t/{site}/{thread:path}",status="413"} 1.0' in text


def test_no_access_lines_when_the_log_is_off(tmp_path_factory: pytest.TempPathFactory,
                                             caplog: pytest.LogCaptureFixture) -> None:  # fmt: skip
    svc = make_services(tmp_path_factory.mktemp("quiet"), (SITE,), access_log="false",
                        metrics_token="observed-metrics")  # fmt: skip
    caplog.set_level(logging.INFO, logger="rejoinder.access")
    with TestClient(create_app(svc.settings, svc)) as quiet:
        assert quiet.get("/healthz").status_code == 200
        text = quiet.get("/metrics", headers=BEARER).text
    svc.db.dispose()
    assert access_lines(caplog) == []
    assert 'rejoinder_http_requests_total{route="/healthz",status="200"} 1.0' in text
