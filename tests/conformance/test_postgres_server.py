"""`rejoinder serve --workers 2` on PostgreSQL, driven by the PyPI `akismet` client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import akismet
import httpx
import pytest

from tests.conformance.test_python_client import TRANSPORTS
from tests.support.postgres import SKIP_REASON, admin_url, fresh_database
from tests.support.server import LiveServer, start_server

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    admin = admin_url()
    if admin is None:
        pytest.skip(SKIP_REASON)
    with fresh_database(admin, prefix="rj_serve") as url:
        data_dir: Path = tmp_path_factory.mktemp("pg-serve")
        server = start_server(data_dir, env={"REJOINDER_DATABASE_URL": url},
                              args=("--workers", "2"))  # fmt: skip
        try:
            yield server
        finally:
            server.stop()


def test_akismet_client_against_postgres_server(pg_server: LiveServer) -> None:
    http = httpx.Client(transport=TRANSPORTS["ToRejoinder"](pg_server.url),
                        headers={"User-Agent": akismet.USER_AGENT}, timeout=5.0)  # fmt: skip
    with http:
        client = akismet.SyncClient.validated_client(
            config=akismet.Config(key=pg_server.key, url=pg_server.blog), http_client=http
        )
        ip = "203.0.113.50"
        for i in range(10):  # spread over both workers' connection pools
            assert (
                client.comment_check(ip, comment_content=f"Nice post {i}")
                == akismet.CheckResponse.HAM
            )
        spam = client.comment_check(ip, comment_author="akismet-guaranteed-spam")
        assert spam == akismet.CheckResponse.SPAM
        assert client.submit_spam(ip, comment_content="Nice post 3") is True
        assert client.submit_ham(ip, comment_author="akismet-guaranteed-spam") is True
        assert client.usage_limit()["usage"] == 13
    assert not (pg_server.data_dir / "rejoinder.db").exists()  # nothing went to SQLite
    sites = httpx.get(f"{pg_server.url}/1.2/key-sites", params={"api_key": pg_server.key}).json()
    month = next(k for k in sites if k not in ("limit", "offset", "total"))
    assert sites[month][0] | {"site": ""} == {
        "site": "", "api_calls": "13", "spam": "1", "ham": "10", "missed_spam": "1",
        "false_positives": "1", "is_revoked": False,
    }  # fmt: skip
