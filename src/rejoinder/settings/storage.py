"""The settings of storage: where the data lives and how it is written
(one part of the settings table: ``__init__.py``)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class SqliteSynchronous(StrEnum):
    NORMAL = "NORMAL"
    FULL = "FULL"


class StorageSettings(BaseModel):
    """Settings: storage: where the data lives and how it is written."""

    model_config = ConfigDict(defer_build=True)  # built once, as a part of Settings

    data_dir: Path = Field(
        Path("var"),
        description="Directory for the SQLite file, the instance secret and the outbox.",
    )
    database_url: str = Field(
        "", description="SQLAlchemy URL; empty means sqlite:///<data_dir>/rejoinder.db (WAL mode)."
    )
    config: Path | None = Field(
        None,
        description="TOML file with settings (lower-case names); default <data_dir>/rejoinder.toml if present.",
    )
    db_busy_timeout_ms: int = Field(
        5000,
        ge=0,
        description="How long a write waits for a SQLite lock before the request gets 503.",
    )
    sqlite_synchronous: SqliteSynchronous = Field(
        SqliteSynchronous.FULL,
        description="SQLite `synchronous` pragma: FULL makes every acknowledged write survive a power loss; NORMAL only a crash of the process (docs/performance.md).",
    )
    key_cache_seconds: float = Field(
        5.0,
        ge=0,
        le=300,
        description="Seconds a worker caches an API key lookup and a site's thresholds; a key revoked by another process stops working within this time (0 turns caching off).",
    )
