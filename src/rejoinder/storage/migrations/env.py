"""Alembic environment: always run with a connection handed in by ``storage.db``."""

from __future__ import annotations

from alembic import context

from rejoinder.storage.schema import managed_name, metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only reachable via the alembic CLI
    raise RuntimeError("run migrations through `rejoinder db upgrade`")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
    include_name=managed_name,
)
with context.begin_transaction():
    context.run_migrations()
