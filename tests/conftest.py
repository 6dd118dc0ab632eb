"""Shared fixtures: a real SQLite file per test, services, an in-process client, a live server."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from rejoinder.app import create_app
from rejoinder.services import Services, build_services
from rejoinder.settings import Settings, load_settings
from tests.support.database import migrate
from tests.support.environment import Backend
from tests.support.postgres import SKIP_REASON, admin_url, fresh_database
from tests.support.server import LiveServer, start_server
from tests.support.world import Clock

BLOG = "https://blog.example.com"


@pytest.fixture(
    scope="module",
    params=[Backend.SQLITE, pytest.param(Backend.POSTGRES, marks=pytest.mark.postgres)],
    ids=str,
)
def backend_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """An empty database per test module, on each backend: SQLite file, then PostgreSQL."""
    if request.param is Backend.SQLITE:
        yield f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'rejoinder.db'}"
        return
    admin = admin_url()
    if admin is None:
        pytest.skip(SKIP_REASON)
    with fresh_database(admin) as url:
        yield url


@pytest.fixture
def clock() -> Clock:
    """A clock the test moves by hand."""
    return Clock()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings({"REJOINDER_DATA_DIR": str(tmp_path / "data")})


@pytest.fixture
def services(settings: Settings) -> Iterator[Services]:
    svc = build_services(settings)
    migrate(svc.db)
    yield svc
    svc.db.dispose()


@dataclass
class Api:
    client: TestClient
    key: str
    blog: str
    services: Services


@pytest.fixture
def api(settings: Settings, services: Services) -> Iterator[Api]:
    services.sites.add_site(BLOG)
    key = services.sites.create_key([BLOG])
    with TestClient(create_app(settings, services)) as client:
        yield Api(client, key, BLOG, services)


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    server = start_server(tmp_path_factory.mktemp("live"))
    yield server
    server.stop()
