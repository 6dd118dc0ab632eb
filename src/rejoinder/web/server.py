"""Run an ASGI application under the chosen HTTP server (uvicorn or granian).

``rejoinder serve`` and the benchmark's bare baseline go through :func:`run`, so both are served
with exactly the same server options.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rejoinder.errors import ConfigError
from rejoinder.settings import ServerKind

__all__ = ["ServerKind", "run"]


@dataclass(frozen=True, slots=True)
class _Options:
    target: str
    host: str
    port: int
    workers: int
    log_level: str
    factory: bool
    log_config: dict[str, Any] | None


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
    options = _Options(target, host, port, workers, log_level, factory, log_config)
    if server is ServerKind.GRANIAN:
        _run_granian(options)
    else:
        _run_uvicorn(options)


def _run_uvicorn(o: _Options) -> None:
    import uvicorn

    uvicorn.run(
        o.target,
        factory=o.factory,
        host=o.host,
        port=o.port,
        workers=o.workers,
        log_level=o.log_level,
        access_log=False,
        server_header=False,
        log_config=o.log_config if o.log_config else uvicorn.config.LOGGING_CONFIG,
    )


def _run_granian(o: _Options) -> None:
    try:
        from granian import Granian
        from granian.constants import Interfaces, Loops
        from granian.log import LogLevels
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ConfigError(
            "server = granian needs the granian package (pip install granian), or set server = uvicorn"
        ) from exc
    Granian(
        o.target,
        address=o.host,
        port=o.port,
        interface=Interfaces.ASGI,
        workers=o.workers,
        loop=Loops.auto,
        log_level=LogLevels(o.log_level.lower()),
        log_access=False,
        log_dictconfig=o.log_config,
        factory=o.factory,
        websockets=False,
    ).serve()
