"""Liveness and readiness: ``ok``; ``degraded`` (HTTP 200: reads work) when the latest write
failed recently, with the reason; ``unavailable`` (503) when the database does not answer."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response


async def healthz(request: Request) -> Response:
    db = request.app.state.services.db
    ok = await run_in_threadpool(db.ping)
    if not ok:
        return JSONResponse(
            {"status": "unavailable", "database": "unreachable"},
            status_code=503,
            headers={"Retry-After": "5"},
        )
    problem = db.health.problem()
    if problem is not None:
        return JSONResponse(
            {"status": "degraded", "database": "reachable", "writes": "failing", "reason": problem}
        )
    return JSONResponse({"status": "ok", "database": "reachable"})
