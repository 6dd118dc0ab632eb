"""create_app(settings): the only place objects are wired together."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from fastapi import FastAPI

from rejoinder import __version__
from rejoinder.comments.demo import demo_site_url
from rejoinder.comments.ratelimit import RateLimiter
from rejoinder.comments.service import CommentConfig, CommentService
from rejoinder.comments.tokens import Signer
from rejoinder.moderation.auth import AuthConfig, ModeratorAuth
from rejoinder.moderation.bans import BanService
from rejoinder.moderation.policy import PolicyService
from rejoinder.moderation.queue import ModerationConfig, ModerationService
from rejoinder.moderation.rules_fallback import BanSignal, RuleService
from rejoinder.privacy.anonymize import Hasher, load_or_create_secret
from rejoinder.settings import Settings, load_settings
from rejoinder.sites.service import Clock, SiteService, utcnow
from rejoinder.spam.engine import Engine, EngineConfig, default_signals
from rejoinder.spam.service import CheckService
from rejoinder.spam.verdict import Thresholds
from rejoinder.storage.db import Database
from rejoinder.web.admin import AdminConfig, AdminPages
from rejoinder.web.akismet import AkismetConfig, AkismetEndpoints
from rejoinder.web.api import make_router
from rejoinder.web.clientip import ClientAddress
from rejoinder.web.handlers import HANDLERS
from rejoinder.web.metrics import Metrics, MetricsMiddleware
from rejoinder.web.moderation_api import make_moderation_router
from rejoinder.web.pages import Pages
from rejoinder.web.routes import add_routes
from rejoinder.web.security import SecurityHeadersMiddleware


@dataclass
class Services:
    """Everything a request handler may call, built once per process."""

    settings: Settings
    db: Database
    hasher: Hasher
    engine: Engine
    sites: SiteService
    checks: CheckService
    comments: CommentService
    auth: ModeratorAuth
    moderation: ModerationService
    policies: PolicyService
    rules: RuleService
    bans: BanService


def build_services(settings: Settings, clock: Clock = utcnow) -> Services:
    db = Database(settings.resolved_database_url(), busy_timeout_ms=settings.db_busy_timeout_ms)
    secret = load_or_create_secret(settings.resolved_secret_file())
    hasher = Hasher(secret)
    thresholds = Thresholds(
        settings.threshold_hold, settings.threshold_spam, settings.threshold_discard
    )
    config = EngineConfig(
        thresholds=thresholds,
        signal_budget_ms=settings.signal_budget_ms,
        link_limit=settings.link_limit,
    )
    rules = RuleService(db, clock)  # until the spam engine's site rules land (see rules_fallback)
    engine = Engine(config, [*default_signals(config), BanSignal(rules)])
    sites = SiteService(db, clock, thresholds)
    checks = CheckService(db, engine, hasher, thresholds, clock)
    comments = CommentService(
        db, engine, hasher, Signer(secret), checks.thresholds_for,
        RateLimiter(settings.comment_rate_limit, settings.comment_rate_window_s),
        CommentConfig(
            settings.comment_max_length, settings.comment_edit_window_s,
            settings.comment_max_depth, settings.comment_page_size,
        ),
        clock,
    )  # fmt: skip
    auth = ModeratorAuth(
        db, hasher, secret,
        AuthConfig(settings.admin_session_hours, settings.login_max_failures,
                   settings.login_max_failures_network, settings.login_window_minutes),
        clock,
    )  # fmt: skip
    moderation = ModerationService(
        db, checks, hasher,
        ModerationConfig(settings.moderation_page_size, settings.moderation_bulk_max,
                         settings.comment_max_length),
        comments.events, clock,
    )  # fmt: skip
    policies = PolicyService(db, sites, clock)
    bans = BanService(db, rules, clock)
    return Services(
        settings, db, hasher, engine, sites, checks, comments, auth, moderation, policies, rules,
        bans,
    )  # fmt: skip


def create_app(settings: Settings, services: Services | None = None) -> FastAPI:
    services = services or build_services(settings)
    app = FastAPI(
        title="rejoinder",
        version=__version__,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
        exception_handlers=HANDLERS,  # type: ignore[arg-type]
    )
    metrics = Metrics()
    app.state.services = services
    app.state.metrics = metrics
    akismet = AkismetEndpoints(
        services.sites,
        services.checks,
        AkismetConfig(
            settings.api_host,
            settings.max_body_bytes,
            settings.max_form_fields,
            settings.usage_limit,
        ),
    )
    addresses = ClientAddress(settings.trusted_proxies)
    demo_site = demo_site_url(settings.host, settings.port) if settings.demo else ""
    pages = Pages(services.comments, addresses, settings.public_url, demo_site)
    admin = AdminPages(
        services.auth, services.moderation, services.policies, services.bans, addresses,
        AdminConfig(settings.public_url, settings.moderation_bulk_max),
    )  # fmt: skip
    moderation_api = make_moderation_router(
        services.auth, services.moderation, services.policies, services.bans
    )
    add_routes(
        app, akismet, [make_router(services.comments, addresses), moderation_api], pages, admin
    )
    known = frozenset(getattr(r, "path", "") for r in app.routes)
    app.add_middleware(
        SecurityHeadersMiddleware, allowed_origins=services.comments.all_allowed_origins
    )
    app.add_middleware(MetricsMiddleware, metrics=metrics, known_paths=known)
    return app


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` worker processes: settings from the environment."""
    settings = load_settings()
    logging.basicConfig(level=settings.log_level.upper())
    return create_app(settings)
