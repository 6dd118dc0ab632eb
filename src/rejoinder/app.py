"""create_app(settings): the web app on the services of ``services.py``, with its routes,
middleware and background tasks."""

from __future__ import annotations

import asyncio
import contextlib
import logging.config
from collections.abc import AsyncIterator, Coroutine
from datetime import timedelta
from typing import Any

from fastapi import FastAPI

from rejoinder import __version__
from rejoinder.comments.demo import demo_site_url
from rejoinder.comments.reader import ReaderService
from rejoinder.logs import logging_config
from rejoinder.moderation.stats import StatsService
from rejoinder.moderation.team import TeamService
from rejoinder.notify.hooks import WebhookAdmin
from rejoinder.notify.notifier import send_on_schedule
from rejoinder.notify.webhook import WebhookSender
from rejoinder.privacy.schedule import purge_on_schedule
from rejoinder.services import Services, build_services
from rejoinder.settings import Settings, load_settings
from rejoinder.spam.learning.state import sync_on_schedule
from rejoinder.web.accesslog import AccessLog
from rejoinder.web.admin import AdminConfig, AdminPages
from rejoinder.web.admin_owner import OwnerPages
from rejoinder.web.admin_team import TeamPages
from rejoinder.web.akismet import AkismetConfig, AkismetEndpoints
from rejoinder.web.api import make_router
from rejoinder.web.clientip import ClientAddress
from rejoinder.web.feeds import Feeds
from rejoinder.web.handlers import HANDLERS, LastResort
from rejoinder.web.limits import BodyLimitMiddleware, BodyLimits
from rejoinder.web.link_pages import LinkPages
from rejoinder.web.metrics import Metrics
from rejoinder.web.moderation_api import make_moderation_router
from rejoinder.web.notify_pages import NotifyPages
from rejoinder.web.observed import ObserveMiddleware, Observer
from rejoinder.web.pages import Pages
from rejoinder.web.privacy import PrivacyPageConfig, PrivacyPages
from rejoinder.web.routes import add_routes
from rejoinder.web.security import SecurityHeadersMiddleware
from rejoinder.web.verdicts import VerdictEndpoints


def _background_tasks(services: Services) -> list[Coroutine[Any, Any, None]]:
    """What every server process runs beside its requests."""
    tasks: list[Coroutine[Any, Any, None]] = []
    minutes = services.settings.purge_interval_minutes
    if minutes:
        tasks.append(purge_on_schedule(services.retention, timedelta(minutes=minutes)))
    poll = services.settings.notify_poll_seconds
    if poll:
        tasks.append(send_on_schedule(services.notifier, poll))
    if services.engine.state is not None:
        tasks.append(
            sync_on_schedule(services.engine.state, services.settings.learning_sync_seconds)
        )
    return tasks


def _lifespan(services: Services) -> contextlib.AbstractAsyncContextManager[None]:
    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        tasks = [asyncio.create_task(job) for job in _background_tasks(services)]
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            for task in tasks:
                with contextlib.suppress(asyncio.CancelledError):
                    await task

    return lifespan  # type: ignore[return-value]


def create_app(settings: Settings, services: Services | None = None) -> FastAPI:
    services = services or build_services(settings)
    app = FastAPI(
        title="rejoinder",
        version=__version__,
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # FastAPI's Swagger UI loads scripts from a public CDN (issue 17)
        redoc_url=None,
        exception_handlers=HANDLERS,  # type: ignore[arg-type]
        # No OpenTelemetry: its per-request provider checks cost ~5 % of a comment-check.
        telemetry={"tracing": False, "metrics": False, "logs": False},
        lifespan=_lifespan(services),  # type: ignore[arg-type]
    )
    metrics = Metrics()
    app.state.services = services
    app.state.metrics = metrics
    akismet = AkismetEndpoints(
        services.sites,
        services.checks,
        AkismetConfig(
            api_host=settings.api_host,
            max_body_bytes=settings.max_body_bytes,
            max_form_fields=settings.max_form_fields,
            usage_limit=settings.usage_limit,
        ),
    )
    addresses = ClientAddress(settings.trusted_proxies)
    demo_site = demo_site_url(settings.host, settings.port) if settings.demo else ""
    reader = ReaderService(services.comments, settings.reader_rate_limit)
    pages = Pages(services.comments, reader, addresses, settings.public_url, demo_site)
    admin = AdminPages(
        services.auth,
        services.moderation,
        services.policies,
        services.bans,
        addresses,
        AdminConfig(
            public_url=settings.public_url,
            bulk_max=settings.moderation_bulk_max,
            admin_lang=settings.admin_lang,
            discarded_days=settings.retention_discarded_days,
        ),
    )
    stats = StatsService(services.db, services.moderation.clock)
    moderation_api = make_moderation_router(
        services.auth, services.moderation, services.policies, services.bans, stats
    )
    privacy = PrivacyPages(
        settings,
        services.retention,
        services.privacy,
        services.forms,
        PrivacyPageConfig(
            public_url=settings.public_url,
            client_address=addresses,
            link_ttl_minutes=settings.privacy_link_ttl_minutes,
        ),
    )
    add_routes(
        app,
        akismet,
        [make_router(services.comments, reader, addresses), moderation_api],
        pages,
        Feeds(services.comments, settings.public_url),
        privacy,
        VerdictEndpoints(services.sites, services.checks),
        admin,
        NotifyPages(services.notifier),
        OwnerPages(admin, stats),
        LinkPages(services.links, settings.public_url, settings.admin_lang),
        TeamPages(
            admin,
            TeamService(
                services.db,
                services.auth,
                WebhookAdmin(
                    services.db,
                    WebhookSender(settings.webhook_allow_private, settings.webhook_timeout_s),
                ),
            ),
        ),
    )
    limits = BodyLimits(
        akismet=settings.max_body_bytes,
        other=settings.max_api_body_bytes,
        timeout_s=settings.body_timeout_s,
    )
    app.add_middleware(BodyLimitMiddleware, limits=limits)
    app.add_middleware(LastResort)
    app.add_middleware(
        SecurityHeadersMiddleware, allowed_origins=services.comments.all_allowed_origins
    )
    observers: list[Observer] = [metrics.observe_request]
    if settings.access_log:
        observers.append(AccessLog(services.hasher, addresses))
    app.add_middleware(ObserveMiddleware, routes=app.router.routes, observers=observers)
    return app


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` worker processes: settings from the environment."""
    settings = load_settings()
    logging.config.dictConfig(logging_config(settings.log_level))
    services = build_services(settings)
    services.engine.warm_up()  # learned state and language models before the first request
    return create_app(settings, services)
