"""build_services(settings): the services of one process, wired together once.

The command line and the web app (``app.py``) both start here; nothing here imports the web
layer, so a command pays neither for FastAPI nor for ``rejoinder.web``. The spam engine (its
content model takes a few tenths of a CPU second to load) is built on first use: a command that
checks no comment and records no label never builds it; the web app builds it at start.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Generic, TypeVar

from rejoinder.comments.events import on_published
from rejoinder.comments.ratelimit import RateLimiter
from rejoinder.comments.records import CommentConfig
from rejoinder.comments.service import CommentService
from rejoinder.comments.tokens import CommentTokens
from rejoinder.core.anonymize import Hasher, load_or_create_secret
from rejoinder.core.clock import Clock, utcnow
from rejoinder.core.records.verdict import Thresholds
from rejoinder.core.tokens import Signer
from rejoinder.moderation.auth import AuthConfig, ModeratorAuth
from rejoinder.moderation.bans import BanService
from rejoinder.moderation.links import LinkActions
from rejoinder.moderation.policy import PolicyService
from rejoinder.moderation.queue import ModerationConfig, ModerationService
from rejoinder.notify.base import NotifyConfig
from rejoinder.notify.digest import DailyDigest, DigestConfig, DigestLinks
from rejoinder.notify.mail import Mailer, OutboxMailer, SmtpConfig, SmtpMailer
from rejoinder.notify.notifier import Notifier
from rejoinder.notify.webhook import WebhookSender
from rejoinder.privacy.requests import ErasureHook, PrivacyRequests, RequestConfig
from rejoinder.privacy.retention import ExtraPurge, Retention
from rejoinder.settings import Settings
from rejoinder.sites.service import SiteService
from rejoinder.spam.labels import LabelListener, Labels, RecordedLabel
from rejoinder.spam.learning.erasure import LearnedStateErasure
from rejoinder.spam.learning.state import LearnedState, StateConfig
from rejoinder.spam.rules import RuleService
from rejoinder.storage.db import Database

if TYPE_CHECKING:  # imported where they are built: a command that checks nothing never loads them
    from rejoinder.spam.engine import Engine
    from rejoinder.spam.learning.artifact import ModelBundle
    from rejoinder.spam.service import CheckService

T = TypeVar("T")


class Lazy(Generic[T]):
    """A value built on first use, once, whichever thread asks first."""

    def __init__(self, build: Callable[[], T]) -> None:
        self._build = build
        self._value: T | None = None
        self._lock = threading.Lock()

    def __call__(self) -> T:
        value = self._value
        if value is None:
            with self._lock:
                if self._value is None:
                    self._value = self._build()
                value = self._value
        return value

    @property
    def built(self) -> bool:
        return self._value is not None


@dataclass(kw_only=True)
class Services:
    """Everything a request handler may call, built once per process."""

    settings: Settings
    db: Database
    hasher: Hasher
    lazy_engine: Lazy[Engine] = field(repr=False)  # built on first use (loads the model)
    lazy_checks: Lazy[CheckService] = field(repr=False)  # the Akismet-facing service, on it
    labels: Labels  # every label (Akismet report, moderator, import) recorded once, then learned
    sites: SiteService
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

    @property
    def engine(self) -> Engine:
        return self.lazy_engine()

    @property
    def checks(self) -> CheckService:
        return self.lazy_checks()


@dataclass(frozen=True, slots=True)
class ContentLearner:
    """The content model's subscription to labels: the first label builds the engine (as it
    was built at start before) and every label goes to its content state."""

    engine: Callable[[], Engine]

    def on_labels(self, labels: Sequence[RecordedLabel]) -> None:
        content = self.engine().content_state
        if content is not None:
            content.on_labels(labels)


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
    engine = Lazy(lambda: build_engine(settings, db, state, thresholds))
    labels = build_labels(db, hasher, clock, state, ContentLearner(engine))
    sites = SiteService(db, thresholds, clock, settings.key_cache_seconds)
    checks = Lazy(lambda: build_checks(db, engine(), hasher, sites, labels, clock))
    rules = RuleService(db, clock)
    comments = CommentService(
        db,
        engine,
        hasher,
        CommentTokens(secret),
        sites.thresholds_for,
        RateLimiter(settings.comment_rate_limit, settings.comment_rate_window_s),
        CommentConfig(
            max_length=settings.comment_max_length,
            edit_window_s=settings.comment_edit_window_s,
            max_depth=settings.comment_max_depth,
            page_size=settings.comment_page_size,
            commenter_days=settings.commenter_token_days,
            keep_discarded=settings.retention_discarded_days > 0,
        ),
        clock,
    )
    mailer, retention, privacy = build_privacy(
        settings, db, hasher, secret, clock, hooks=(LearnedStateErasure(db, now),)
    )
    forms = Signer(secret, "form")
    auth = ModeratorAuth(
        db,
        hasher,
        secret,
        AuthConfig(
            session_hours=settings.admin_session_hours,
            max_failures_account=settings.login_max_failures,
            max_failures_network=settings.login_max_failures_network,
            window_minutes=settings.login_window_minutes,
        ),
        clock,
    )
    moderation = ModerationService(
        db,
        labels,
        hasher,
        ModerationConfig(
            page_size=settings.moderation_page_size,
            bulk_max=settings.moderation_bulk_max,
            max_length=settings.comment_max_length,
        ),
        comments.events,
        clock,
    )
    policies = PolicyService(db, sites, comments, clock)
    bans = BanService(db, rules, clock, state.rules.forget)
    digest = DailyDigest(
        db,
        DigestLinks(secret),
        DigestConfig(
            public_url=settings.public_url.rstrip("/"),
            hour=settings.daily_digest_hour,
            link_hours=settings.digest_link_hours,
            max_items=settings.digest_max_items,
            lang=settings.admin_lang or "en",
        ),
    )
    notifier = Notifier(
        db,
        hasher,
        mailer,
        WebhookSender(settings.webhook_allow_private, settings.webhook_timeout_s),
        secret,
        NotifyConfig(
            public_url=settings.public_url,
            digest_minutes=settings.notify_digest_minutes,
            max_per_hour=settings.notify_max_per_hour,
            max_attempts=settings.webhook_max_attempts,
            backoff_s=settings.webhook_backoff_s,
        ),
        clock,
        digest,
    )
    comments.events.subscribe(notifier.on_event)
    if state.profiles is not None:  # what published comments say, for the topicality signal
        comments.events.subscribe(on_published(state.profiles.on_published))
    return Services(
        settings=settings,
        db=db,
        hasher=hasher,
        lazy_engine=engine,
        lazy_checks=checks,
        labels=labels,
        sites=sites,
        comments=comments,
        mailer=mailer,
        retention=retention,
        privacy=privacy,
        forms=forms,
        rules=rules,
        auth=auth,
        moderation=moderation,
        policies=policies,
        bans=bans,
        notifier=notifier,
        digest=digest,
        links=LinkActions(db, digest.links, moderation, clock),
    )


def build_engine(
    settings: Settings, db: Database, state: LearnedState, thresholds: Thresholds
) -> Engine:
    """The spam engine with the content model (and the operator's overrides) loaded, and the
    content model's state: its snapshot and the feedback after it are read on warm-up."""
    from rejoinder.spam.engine import Engine, EngineConfig
    from rejoinder.spam.learning.content_state import ContentState

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
    return engine


def build_checks(
    db: Database, engine: Engine, hasher: Hasher, sites: SiteService, labels: Labels, clock: Clock
) -> CheckService:
    from rejoinder.spam.service import CheckService

    return CheckService(db, engine, hasher, sites, labels, clock)


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


def load_model(settings: Settings) -> ModelBundle:
    """The content model and combiner, with the operator's overrides applied."""
    from rejoinder.spam.learning.artifact import load_or_empty
    from rejoinder.spam.learning.combiner import parse_weights

    bundle = load_or_empty(settings.model_path)
    personal = bundle.content.personal
    personal.min_learns = settings.personal_min_learns
    personal.max_sites = settings.personal_max_sites
    bundle.combiner = bundle.combiner.with_overrides(
        settings.combiner_bias, parse_weights(settings.combiner_weights)
    )
    return bundle
