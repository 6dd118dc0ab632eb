"""Skips for things outside Python that a hand-run pytest may lack, and `make test` never does."""

from __future__ import annotations

import os
from enum import StrEnum

import pytest

STRICT_ENV = "REJOINDER_TEST_STRICT"


def strict() -> bool:
    """True under scripts/run-tests.sh (`make test`): a missing prerequisite is a failure there."""
    return os.environ.get(STRICT_ENV) == "1"


def require(condition: bool, reason: str) -> None:
    """Skip with ``reason`` when ``condition`` is false; fail instead under `make test`."""
    if condition:
        return
    if strict():
        pytest.fail(f"{reason} (scripts/test-deps.sh should have provided it)")
    pytest.skip(reason)


class Backend(StrEnum):
    """The storage backends every contract test runs on."""

    SQLITE = "sqlite"
    POSTGRES = "postgres"
