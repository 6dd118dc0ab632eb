"""create_app(settings): the only place objects are wired together."""

from __future__ import annotations

import asyncio
import contextlib
import logging.config
import time
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi import FastAPI

from rejoinder import __version__
from rejoinder.comments.demo import demo_site_url
from rejoinder.comments.events import on_published
from rejoinder.comments.ratelimit import RateLimiter
from rejoinder.comments.reader import ReaderService
from rejoinder.comments.service import CommentConfig, CommentService
from rejoinder.comments.tokens import CommentTokens
from rejoinder.core.anonymize import Hasher, load_or_create_secret
from rejoinder.core.clock import Clock, utcnow
from rejoinder.core.records.verdict import Thresholds
from rejoinder.core.tokens import Signer
from rejoinder.logs import logging_config
from rejoinder.moderation.auth import AuthConfig, ModeratorAuth
from rejoinder.moderation.bans import BanService
from rejoinder.moderation.links import LinkActions
from rejoinder.moderation.policy import PolicyService
from rejoinder.moderation.queue import ModerationConfig, ModerationService
from rejoinder.moderation.stats import StatsService
from rejoinder.moderation.team import TeamService
from rejoinder.notify.digest import DailyDigest, DigestConfig, DigestLinks
from rejoinder.notify.hooks import WebhookAdmin
from rejoinder.notify.mail import Mailer, OutboxMailer, SmtpConfig, SmtpMailer
from rejoinder.notify.notifier import Notifier, NotifyConfig, send_on_schedule
from rejoinder.notify.webhook import WebhookSender
from rejoinder.privacy.requests import ErasureHook, PrivacyRequests, RequestConfig
from rejoinder.privacy.retention import ExtraPurge, Retention
from rejoinder.privacy.schedule import purge_on_schedule
from rejoinder.settings import Settings, load_settings
from rejoinder.sites.service import SiteService
from rejoinder.spam.engine import Engine, EngineConfig
from rejoinder.spam.labels import LabelListener, Labels
from rejoinder.spam.learning.artifact import ModelBundle, load_or_empty
from rejoinder.spam.learning.combiner import parse_weights
from rejoinder.spam.learning.content_state import ContentState
from rejoinder.spam.learning.erasure import LearnedStateErasure
from rejoinder.spam.learning.state import LearnedState, StateConfig, sync_on_schedule
from rejoinder.spam.rules import RuleService
from rejoinder.spam.service import CheckService
from rejoinder.storage.db import Database
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


@dataclass
class Services:
    """Everything a request handler may call, built once per process."""

    settings: Settings
    db: Database
    hasher: Hasher
    engine: Engine
    labels: Labels  # every label (Akismet report, moderator, import) recorded once, then learned
    sites: SiteService
    checks: CheckService
    comments: CommentService
    mailer: Mailer
    retention: Retention
    privacy: PrivacyRequests
    forms: Signer  # signs the privacy pages' form tokens (CSRF)
    rules: RuleService
    auth: ModeratorAuth
    moderation: ModerationService
    policies: PolicyService
    bans: BanService
    notifier: Notifier
    digest: DailyDigest
    links: LinkActions


def build_mailer(settings: Settings, clock: Clock) -> Mailer:
    if not settings.smtp_host:
        return OutboxMailer(settings.data_dir / "outbox", settings.mail_from, clock)
    return SmtpMailer(
        SmtpConfig(
            host=settings.smtp_host,
            port=settings.smtp_port,
            user=settings.smtp_user,
            password=settings.smtp_password.get_secret_value(),
            starttls=settings.smtp_starttls,
            timeout_s=settings.smtp_timeout_s,
            from_addr=settings.mail_from,
        ),
        clock,
    )


def build_privacy(
    settings: Settings,
    db: Database,
    hasher: Hasher,
    secret: bytes,
    clock: Clock,
    hooks: Sequence[ErasureHook] = (),
) -> tuple[Mailer, Retention, PrivacyRequests]:
    mailer = build_mailer(settings, clock)
    outbox = mailer if isinstance(mailer, OutboxMailer) else None
    extra: tuple[ExtraPurge, ...] = ()
    if outbox is not None:
        extra = (
            ExtraPurge(
                "outbox",
                "Messages in the development mail outbox (links sent to commenters)",
                settings.outbox_retention_days,
                outbox.purge,
            ),
        )
    retention = Retention(db, settings, clock, extra=extra)
    privacy = PrivacyRequests(
        db,
        hasher,
        Signer(secret, "privacy-link"),
        mailer,
        RequestConfig(
            public_url=settings.public_url,
            link_ttl=timedelta(minutes=settings.privacy_link_ttl_minutes),
            per_hour=settings.privacy_requests_per_hour,
            erase_mode=settings.privacy_erase_mode,
            batch_size=settings.purge_batch_size,
            operator_name=settings.privacy_operator_name,
        ),
        clock,
        forget_mail=outbox.remove_matching if outbox is not None else None,
        hooks=hooks,
    )
    return mailer, retention, privacy


def build_services(settings: Settings, clock: Clock = utcnow) -> Services:
    db = Database(
        settings.resolved_database_url(),
        busy_timeout_ms=settings.db_busy_timeout_ms,
        synchronous=settings.sqlite_synchronous.value,
    )
    secret = load_or_create_secret(settings.resolved_secret_file())
    hasher = Hasher(secret)
    thresholds = Thresholds(
        settings.threshold_hold, settings.threshold_spam, settings.threshold_discard
    )
    now = unix_clock(clock)
    state = LearnedState.build(
        db,
        hasher,
        StateConfig(
            sync_seconds=settings.learning_sync_seconds,
            velocity_window_seconds=settings.velocity_window_seconds,
            near_duplicate_days=settings.near_duplicate_days,
            reputation_days=settings.retention_reputation_days,
        ),
        now,
    )
    engine = Engine(
        EngineConfig(
            thresholds=thresholds,
            signal_budget_ms=settings.signal_budget_ms,
            link_limit=settings.link_limit,
            form_min_seconds=settings.form_min_seconds,
            language_check=settings.language_check,
        ),
        state=state,
        bundle=load_model(settings),
    )
    engine.content_state = ContentState(
        db,
        engine.bundle.content,
        settings.data_dir / "model",
        settings.model_snapshot_every,
        settings.learning_sync_seconds,
    )
    labels = build_labels(db, hasher, clock, state, engine.content_state)
    sites = SiteService(db, thresholds, clock, settings.key_cache_seconds)
    checks = CheckService(db, engine, hasher, sites, labels, clock)
    rules = RuleService(db, clock)
    comments = CommentService(
        db, engine, hasher, CommentTokens(secret), sites.thresholds_for,
        RateLimiter(settings.comment_rate_limit, settings.comment_rate_window_s),
        CommentConfig(
            settings.comment_max_length, settings.comment_edit_window_s,
            settings.comment_max_depth, settings.comment_page_size,
            commenter_days=settings.commenter_token_days,
            keep_discarded=settings.retention_discarded_days > 0,
        ),
        clock,
    )  # fmt: skip
    mailer, retention, privacy = build_privacy(
        settings, db, hasher, secret, clock, hooks=(LearnedStateErasure(db, now),)
    )
    forms = Signer(secret, "form")
    auth = ModeratorAuth(
        db, hasher, secret,
        AuthConfig(settings.admin_session_hours, settings.login_max_failures,
                   settings.login_max_failures_network, settings.login_window_minutes),
        clock,
    )  # fmt: skip
    moderation = ModerationService(
        db, labels, hasher,
        ModerationConfig(settings.moderation_page_size, settings.moderation_bulk_max,
                         settings.comment_max_length),
        comments.events, clock,
    )  # fmt: skip
    policies = PolicyService(db, sites, comments, clock)
    bans = BanService(db, rules, clock, state.rules.forget)
    digest = DailyDigest(
        db, DigestLinks(secret),
        DigestConfig(settings.public_url.rstrip("/"), settings.daily_digest_hour,
                     settings.digest_link_hours, settings.digest_max_items,
                     settings.admin_lang or "en"),
    )  # fmt: skip
    notifier = Notifier(
        db, hasher, mailer,
        WebhookSender(settings.webhook_allow_private, settings.webhook_timeout_s), secret,
        NotifyConfig(settings.public_url, settings.notify_digest_minutes,
                     settings.notify_max_per_hour, settings.webhook_max_attempts,
                     settings.webhook_backoff_s),
        clock, digest,
    )  # fmt: skip
    comments.events.subscribe(notifier.on_event)
    if state.profiles is not None:  # what published comments say, for the topicality signal
        comments.events.subscribe(on_published(state.profiles.on_published))
    return Services(
        settings, db, hasher, engine, labels, sites, checks, comments, mailer, retention, privacy,
        forms, rules, auth, moderation, policies, bans, notifier, digest,
        LinkActions(db, digest.links, moderation, clock),
    )  # fmt: skip


def build_labels(
    db: Database, hasher: Hasher, clock: Clock, *learners: LabelListener | None
) -> Labels:
    """The one path from a label to the model: recorded once (``spam/labels.py``), then every
    learner told, in this order: the learned state (reputation sums and the near-duplicate index
    of the campaigns signal, one transaction), then the content model with its per-site models
    (in memory, snapshotted). Both catch up from the feedback log on start."""
    labels = Labels(db, hasher, clock)
    for learner in learners:
        if learner is not None:
            labels.subscribe(learner)
    return labels


def unix_clock(clock: Clock) -> Callable[[], float]:
    """The services' clock in unix seconds, for the learned state (one clock for everything)."""
    if clock is utcnow:
        return time.time
    return lambda: clock().timestamp()


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
            settings.api_host,
            settings.max_body_bytes,
            settings.max_form_fields,
            settings.usage_limit,
        ),
    )
    addresses = ClientAddress(settings.trusted_proxies)
    demo_site = demo_site_url(settings.host, settings.port) if settings.demo else ""
    reader = ReaderService(services.comments, settings.reader_rate_limit)
    pages = Pages(services.comments, reader, addresses, settings.public_url, demo_site)
    admin = AdminPages(
        services.auth, services.moderation, services.policies, services.bans, addresses,
        AdminConfig(settings.public_url, settings.moderation_bulk_max, settings.admin_lang,
                    settings.retention_discarded_days),
    )  # fmt: skip
    stats = StatsService(services.db, services.moderation.clock)
    moderation_api = make_moderation_router(
        services.auth, services.moderation, services.policies, services.bans, stats
    )
    privacy = PrivacyPages(
        settings,
        services.retention,
        services.privacy,
        services.forms,
        PrivacyPageConfig(settings.public_url, addresses, settings.privacy_link_ttl_minutes),
    )
    add_routes(
        app, akismet, [make_router(services.comments, reader, addresses), moderation_api], pages,
        Feeds(services.comments, settings.public_url), privacy,
        VerdictEndpoints(services.sites, services.checks), admin, NotifyPages(services.notifier),
        OwnerPages(admin, stats),
        LinkPages(services.links, settings.public_url, settings.admin_lang),
        TeamPages(admin, TeamService(services.db, services.auth, WebhookAdmin(
            services.db, WebhookSender(settings.webhook_allow_private, settings.webhook_timeout_s),
        ))),
    )  # fmt: skip
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
