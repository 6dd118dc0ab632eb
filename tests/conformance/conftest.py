"""One real `rejoinder serve` process for the conformance tests, with the sites and keys they use.

The default site and key come from tests/support/server.py (the same services, in-process);
the rest is created through the CLI, as an operator would: a strict site whose low thresholds
turn high-scoring spam into `discard`, the fixed key the Node client needs in its host name
(imported with `keys create --key`), and a key kept apart for exact usage counts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest

from rejoinder.services import Services, build_services
from rejoinder.settings import load_settings
from tests.support.server import LiveServer, run_cli, start_server

STRICT_BLOG = "https://strict.example.org"
NODE_BLOG = "https://node.example.org"
NODE_KEY = "nodetestkey1"  # scripts/test-deps.sh maps nodetestkey1.akismet.test to 127.0.0.1
NODE_BAD_KEY = "nodebadkey00"  # mapped too, never created
NODE_API_HOST = "akismet.test"
# Twenty links: the rule set scores this high (spam on default thresholds, discard on STRICT_BLOG).
LINK_FARM = " ".join(f"https://deals{i}.example.net/buy" for i in range(20))


@dataclass
class Conformance:
    server: LiveServer
    strict_key: str

    @property
    def url(self) -> str:
        return self.server.url

    def cli(self, *args: str) -> str:
        return run_cli(self.server.data_dir, *args).stdout

    def new_key(self, *sites: str) -> str:
        """A fresh key (in-process, on the server's database: quicker than the CLI)."""
        with self.stored() as services:
            return services.sites.create_key(list(sites), label="conformance")

    @contextmanager
    def stored(self) -> Iterator[Services]:
        """Services on the server's own database, to look at what it stored."""
        services = build_services(load_settings({"REJOINDER_DATA_DIR": str(self.server.data_dir)}))
        try:
            yield services
        finally:
            services.db.dispose()


@pytest.fixture(scope="package")
def conformance(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Conformance]:
    server = start_server(tmp_path_factory.mktemp("conformance"))
    try:
        env = Conformance(server, strict_key="")
        env.cli("sites", "add", STRICT_BLOG)
        env.cli("sites", "set-thresholds", STRICT_BLOG, "--hold", "0.3", "--spam", "0.4",
                "--discard", "0.5")  # fmt: skip
        env.strict_key = env.cli("keys", "create", "--site", STRICT_BLOG).splitlines()[-1]
        env.cli("sites", "add", NODE_BLOG)
        env.cli("keys", "create", "--site", NODE_BLOG, "--key", NODE_KEY, "--label", "node")
        yield env
    finally:
        server.stop()
