"""Run an ASGI application under the chosen HTTP server (uvicorn or granian).

``rejoinder serve`` and the benchmark's bare baseline go through :func:`run`, so both are served
with exactly the same server options.

Connection limits (docs/performance.md, "Slow and idle clients"): granian serves HTTP/1.1 only
(in its automatic mode it waits for a new connection's first bytes, to tell HTTP/2 from 1.1,
without any timeout, so a connection that never sends a byte stayed open for good); its header
read timeout (``header_timeout_s``) then closes connections that send no complete request head
in time, idle kept-alive ones included. Each open connection holds one of ``max_connections``
permits (granian's backpressure, 1,024 by default: about 1,025 idle sockets stopped the server);
the open-file limit is raised to fit. Slow bodies are cut by the app (``body_timeout_s``,
``web/limits.py``). What neither server offers — a limit per client address — belongs in the
reverse proxy or the firewall in front (docs/performance.md).
"""

from __future__ import annotations

import logging
import resource
from dataclasses import dataclass, field
from typing import Any

from rejoinder.errors import ConfigError
from rejoinder.settings.server import ServerKind

__all__ = ["ConnectionLimits", "ServerKind", "run"]

log = logging.getLogger(__name__)
SPARE_FILES = 256  # descriptors a worker needs besides its connections (database, logs, …)


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    header_timeout_s: float = 5.0
    max_connections: int = 8192


@dataclass(frozen=True, slots=True)
class _Options:
    target: str
    host: str
    port: int
    workers: int
    log_level: str
    factory: bool
    log_config: dict[str, Any] | None
    limits: ConnectionLimits = field(default_factory=ConnectionLimits)


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
    limits: ConnectionLimits | None = None,
) -> None:
    """Serve ``target`` ("module:attr") until interrupted. Access logs stay off (client IPs);
    ``log_config`` is a logging dictConfig (``rejoinder.logs.logging_config``)."""
    wanted = limits or ConnectionLimits()
    fitted = ConnectionLimits(wanted.header_timeout_s, fit_open_files(wanted.max_connections))
    options = _Options(target, host, port, workers, log_level, factory, log_config, fitted)
    if server is ServerKind.GRANIAN:
        _run_granian(options)
    else:
        _run_uvicorn(options)


def fit_open_files(connections: int) -> int:
    """Raise this process's open-file limit (workers inherit it) towards what ``connections``
    need; return how many connections fit under the limit it got."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = connections + SPARE_FILES
    ceiling = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
    if soft != resource.RLIM_INFINITY and soft < ceiling:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (ceiling, hard))
            soft = ceiling
        except (ValueError, OSError):  # pragma: no cover - depends on the system
            pass
    fits = connections if soft == resource.RLIM_INFINITY else max(64, soft - SPARE_FILES)
    if fits < connections:
        log.warning("max_connections lowered to %d: the open-file limit is %d", fits, soft)
    return min(connections, fits)


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
        timeout_keep_alive=max(1, round(o.limits.header_timeout_s)),
        limit_concurrency=o.limits.max_connections,
    )


def _run_granian(o: _Options) -> None:
    try:
        from granian import Granian
        from granian.constants import HTTPModes, Interfaces, Loops
        from granian.http import HTTP1Settings
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
        http=HTTPModes.http1,
        http1_settings=HTTP1Settings(header_read_timeout=int(o.limits.header_timeout_s * 1000)),
        backpressure=o.limits.max_connections,
    ).serve()
