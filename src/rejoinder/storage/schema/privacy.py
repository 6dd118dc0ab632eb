"""The purge's task lock and the privacy requests' rate limits."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, String, Table

from rejoinder.storage.schema.naming import metadata

task_locks = Table(
    "task_locks",
    metadata,
    Column("name", String(64), primary_key=True),  # e.g. "privacy-purge"
    Column("holder", String(64), nullable=False, default=""),  # "<host>:<pid>:<random>"
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("finished_at", DateTime(timezone=True), nullable=True),  # last successful run
)

privacy_rate_limits = Table(
    "privacy_rate_limits",
    metadata,
    # "n:" + keyed hash of the network prefix, or "e:" + keyed hash of the email
    Column("bucket", String(40), primary_key=True),
    Column("window_start", DateTime(timezone=True), primary_key=True),
    Column("count", Integer, nullable=False, default=0),
)
