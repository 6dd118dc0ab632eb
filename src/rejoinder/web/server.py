"""Run an ASGI application under the chosen HTTP server (uvicorn or granian).

``rejoinder serve`` and the benchmark's bare baseline go through :func:`run`, so both are served
with exactly the same server options.
"""

from __future__ import annotations

from typing import Any

from rejoinder.errors import ConfigError
from rejoinder.settings import ServerKind

__all__ = ["ServerKind", "run"]


def run(
    target: str,
    *,
    server: ServerKind,
    host: str,
    port: int,
    workers: int,
    log_level: str = "info",
    factory: bool = False,
    log_config: dict[str, Any] | None = None,
) -> None:
    """Serve ``target`` ("module:attr") until interrupted. Access logs stay off (client IPs);
    ``log_config`` is a logging dictConfig (``rejoinder.logs.logging_config``)."""
    if server is ServerKind.GRANIAN:
        _run_granian(target, host, port, workers, log_level, factory, log_config)
    else:
        _run_uvicorn(target, host, port, workers, log_level, factory, log_config)


def _run_uvicorn(
    target: str,
    host: str,
    port: int,
    workers: int,
    log_level: str,
    factory: bool,
    log_config: dict[str, Any] | None,
) -> None:
    import uvicorn

    uvicorn.run(
        target,
        factory=factory,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        access_log=False,
        server_header=False,
        log_config=log_config if log_config else uvicorn.config.LOGGING_CONFIG,
    )


def _run_granian(
    target: str,
    host: str,
    port: int,
    workers: int,
    log_level: str,
    factory: bool,
    log_config: dict[str, Any] | None,
) -> None:
    try:
        from granian import Granian
        from granian.constants import Interfaces, Loops
        from granian.log import LogLevels
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ConfigError(
            "server = granian needs the granian package (pip install granian), or set server = uvicorn"
        ) from exc
    Granian(
        target,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        loop=Loops.auto,
        log_level=LogLevels(log_level.lower()),
        log_access=False,
        log_dictconfig=log_config,
        factory=factory,
        websockets=False,
    ).serve()
