"""Fresh PostgreSQL databases on the throwaway server that scripts/run-tests.sh starts.

run-tests.sh exports ``REJOINDER_TEST_POSTGRES_URL`` (an admin URL for that server). Each test
module that asks for PostgreSQL gets its own database, created here and dropped afterwards.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

POSTGRES_URL_ENV = "REJOINDER_TEST_POSTGRES_URL"
SKIP_REASON = (
    f"{POSTGRES_URL_ENV} is not set: PostgreSQL tests run under `make test` "
    "(scripts/run-tests.sh starts a throwaway server and sets it)"
)


def admin_url() -> str | None:
    return os.environ.get(POSTGRES_URL_ENV) or None


@contextmanager
def fresh_database(admin: str, prefix: str = "rj_test") -> Iterator[str]:
    """Create an empty database, yield its URL, drop it (and its connections) at the end."""
    name = f"{prefix}_{secrets.token_hex(6)}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(admin).set(database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()
