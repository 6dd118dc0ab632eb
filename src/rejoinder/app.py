"""create_app(settings): the only place objects are wired together."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from fastapi import FastAPI

from rejoinder import __version__
from rejoinder.privacy.anonymize import Hasher, load_or_create_secret
from rejoinder.settings import Settings, load_settings
from rejoinder.sites.service import Clock, SiteService, utcnow
from rejoinder.spam.engine import Engine, EngineConfig
from rejoinder.spam.learning.artifact import ModelBundle, load_or_empty
from rejoinder.spam.learning.combiner import parse_weights
from rejoinder.spam.learning.state import LearnedState
from rejoinder.spam.service import CheckService
from rejoinder.spam.verdict import Thresholds
from rejoinder.storage.db import Database
from rejoinder.web.akismet import AkismetConfig, AkismetEndpoints
from rejoinder.web.handlers import HANDLERS
from rejoinder.web.metrics import Metrics, MetricsMiddleware
from rejoinder.web.routes import add_routes


@dataclass
class Services:
    """Everything a request handler may call, built once per process."""

    settings: Settings
    db: Database
    hasher: Hasher
    engine: Engine
    sites: SiteService
    checks: CheckService


def build_services(settings: Settings, clock: Clock = utcnow) -> Services:
    db = Database(settings.resolved_database_url(), busy_timeout_ms=settings.db_busy_timeout_ms)
    hasher = Hasher(load_or_create_secret(settings.resolved_secret_file()))
    thresholds = Thresholds(
        settings.threshold_hold, settings.threshold_spam, settings.threshold_discard
    )
    engine = Engine(
        EngineConfig(
            thresholds=thresholds,
            signal_budget_ms=settings.signal_budget_ms,
            link_limit=settings.link_limit,
        ),
        bundle=load_model(settings),
    )
    engine.learned_state = LearnedState(
        db, engine.bundle.content, settings.data_dir / "model", settings.model_snapshot_every
    )
    sites = SiteService(db, clock)
    checks = CheckService(db, engine, hasher, thresholds, clock)
    return Services(settings, db, hasher, engine, sites, checks)


def load_model(settings: Settings) -> ModelBundle:
    """The content model and combiner, with the operator's overrides applied."""
    bundle = load_or_empty(settings.model_path)
    personal = bundle.content.personal
    personal.min_learns = settings.personal_min_learns
    personal.max_sites = settings.personal_max_sites
    bundle.combiner = bundle.combiner.with_overrides(
        settings.combiner_bias, parse_weights(settings.combiner_weights)
    )
    return bundle


def create_app(settings: Settings, services: Services | None = None) -> FastAPI:
    services = services or build_services(settings)
    if services.engine.learned_state is not None:
        services.engine.learned_state.restore()  # the schema exists by now
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
    add_routes(app, akismet)
    known = frozenset(getattr(r, "path", "") for r in app.routes)
    app.add_middleware(MetricsMiddleware, metrics=metrics, known_paths=known)
    return app


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` worker processes: settings from the environment."""
    settings = load_settings()
    logging.basicConfig(level=settings.log_level.upper())
    return create_app(settings)
