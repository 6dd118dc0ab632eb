"""The one settings table.

Every option is a field below: its name, type, default and help text. The environment
variable is ``REJOINDER_<NAME>``; a TOML file (``REJOINDER_CONFIG`` or ``rejoinder.toml`` in the
data dir) may set the same names in lower case. Precedence: defaults < file < environment <
CLI flags. Settings are built once by :func:`load_settings` and passed explicitly; no other
module reads ``os.environ``.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterator, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from rejoinder.errors import ConfigError

ENV_PREFIX = "REJOINDER_"


class ErasureMode(StrEnum):
    """What an erase request does with a commenter's records."""

    DELETE = "delete"
    ANONYMISE = "anonymise"


CONFIG_FILE_NAME = "rejoinder.toml"
WILDCARD_HOSTS = ("0.0.0.0", "::", "[::]", "")  # noqa: S104 - names, not a bind


class SqliteSynchronous(StrEnum):
    NORMAL = "NORMAL"
    FULL = "FULL"


class ServerKind(StrEnum):
    """The HTTP server `rejoinder serve` runs (docs/performance.md explains the default)."""

    UVICORN = "uvicorn"
    GRANIAN = "granian"


class Settings(BaseSettings):
    """Every option of rejoinder, with its default and help."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="forbid", frozen=True)

    # --- storage -------------------------------------------------------------------------
    data_dir: Path = Field(
        Path("var"),
        description="Directory for the SQLite file, the instance secret and the outbox.",
    )
    database_url: str = Field(
        "", description="SQLAlchemy URL; empty means sqlite:///<data_dir>/rejoinder.db (WAL mode)."
    )
    config: Path | None = Field(
        None,
        description="TOML file with settings (lower-case names); default <data_dir>/rejoinder.toml if present.",
    )
    db_busy_timeout_ms: int = Field(
        5000,
        ge=0,
        description="How long a write waits for a SQLite lock before the request gets 503.",
    )
    sqlite_synchronous: SqliteSynchronous = Field(
        SqliteSynchronous.FULL,
        description="SQLite `synchronous` pragma: FULL makes every acknowledged write survive a power loss; NORMAL only a crash of the process (docs/performance.md).",
    )
    key_cache_seconds: float = Field(
        5.0,
        ge=0,
        le=300,
        description="Seconds a worker caches an API key lookup and a site's thresholds; a key revoked by another process stops working within this time (0 turns caching off).",
    )

    # --- server --------------------------------------------------------------------------
    host: str = Field("127.0.0.1", description="Address `rejoinder serve` listens on.")
    port: int = Field(8080, ge=1, le=65535, description="Port `rejoinder serve` listens on.")
    workers: int = Field(
        1,
        ge=1,
        le=64,
        description="Worker processes for `rejoinder serve` (use PostgreSQL for more than one).",
    )
    server: ServerKind = Field(
        ServerKind.GRANIAN,
        description="HTTP server `rejoinder serve` runs: granian (faster, spreads connections evenly over workers, bounds header size) or uvicorn; see docs/performance.md.",
    )
    public_url: str = Field(
        "http://127.0.0.1:8080",
        description="The URL readers and clients use to reach this server (links in emails, embed snippet); unset or empty: http://<host>:<port> as served (127.0.0.1 for a wildcard host).",
    )
    api_host: str = Field(
        "",
        description="Host name whose subdomains carry an Akismet key (`<key>.<api_host>`); empty accepts any `<12-char-key>.` first label.",
    )
    trusted_proxies: str = Field(
        "", description="Comma-separated IPs/CIDRs whose X-Forwarded-For is believed; default none."
    )
    max_body_bytes: int = Field(
        4_000_000,
        ge=65_536,
        description="Largest request body the Akismet endpoints (/1.1/, /1.2/) accept; larger bodies get 413 before they are read.",
    )
    max_api_body_bytes: int = Field(
        1_000_000,
        ge=16_384,
        description="Largest request body everywhere else (JSON API, comment forms, admin and privacy pages); larger bodies get 413 before they are parsed. Raise it with comment_max_length (a JSON-escaped character takes up to 6 bytes).",
    )
    header_timeout_s: float = Field(
        5.0,
        gt=0,
        le=300,
        description="Seconds a client has to send a request's headers; also how long an idle connection (kept alive, or never used) stays open. granian enforces both; uvicorn only closes kept-alive connections after it (docs/performance.md).",
    )
    body_timeout_s: float = Field(
        15.0,
        gt=0,
        le=3600,
        description="Seconds a client has to send a whole request body once its headers arrived; slower bodies get 408 and the connection is closed (enforced by the app, under either server).",
    )
    max_connections: int = Field(
        8192,
        ge=64,
        le=1_000_000,
        description="Open connections one worker serves at once (granian's backpressure; uvicorn answers 503 above it); more wait in the listen backlog. `rejoinder serve` raises its open-file limit to fit.",
    )
    max_form_fields: int = Field(
        2_000,
        ge=50,
        description="Most form fields parsed from one Akismet request; the rest are ignored.",
    )
    log_level: str = Field("info", description="Log level: debug, info, warning, error.")
    admin_lang: str = Field(
        "",
        description="Language of the admin's owner pages and the daily digest: en, de or fr; empty follows the browser (mails: English).",
    )
    access_log: bool = Field(
        True,
        description="One log line per request (method, route, status, time, keyed hash of the client's network; never the IP).",
    )
    metrics_token: SecretStr = Field(
        SecretStr(""),
        description="Bearer token that opens Prometheus /metrics (`Authorization: Bearer <token>`); empty turns /metrics off (404).",
    )

    # --- spam engine ---------------------------------------------------------------------
    threshold_hold: float = Field(
        0.8,
        ge=0.0,
        le=1.0,
        description="Default spam probability at or above which a comment is held for a moderator.",
    )
    threshold_spam: float = Field(
        0.9,
        ge=0.0,
        le=1.0,
        description="Default spam probability at or above which a comment is filed as spam.",
    )
    threshold_discard: float = Field(
        0.999999,
        ge=0.0,
        le=1.0,
        description="Default spam probability at or above which a comment is discarded (Akismet pro-tip: discard).",
    )
    signal_budget_ms: float = Field(
        50.0,
        gt=0,
        description="Time budget of one signal; one that overruns is reported as SIGNAL_ERROR.",
    )
    model_path: Path | None = Field(
        None, description="Content-model artifact to load instead of the shipped default."
    )
    link_limit: int = Field(
        3, ge=0, description="Links in one comment above which LINKS_MANY fires."
    )
    combiner_bias: float | None = Field(
        None,
        description="Override the model's learned prior log-odds (the combiner bias); empty keeps it.",
    )
    combiner_weights: str = Field(
        "",
        description="Override learned symbol weights, e.g. `CONTENT_MODEL=1.2,LINKS_MANY=0.5`; unknown symbols weigh 1.0.",
    )
    personal_min_learns: int = Field(
        50,
        ge=1,
        description="Spam and ham labels each a site must teach before its own content model votes.",
    )
    personal_max_sites: int = Field(
        200,
        ge=1,
        description="Per-site content models kept in memory (512 KB each); the least recently taught is dropped.",
    )
    model_snapshot_every: int = Field(
        50,
        ge=1,
        description="Learned labels between snapshots of the content model to <data_dir>/model/state.npz.",
    )
    form_min_seconds: float = Field(
        3.0,
        ge=0,
        description="A widget form sent sooner than this after it was shown gets FORM_TOO_FAST.",
    )
    language_check: bool = Field(
        True,
        description="Compare a comment's language with blog_lang (LANGUAGE_MISMATCH; loads about 40 MB of language models).",
    )
    velocity_window_seconds: float = Field(
        600.0,
        gt=0,
        description="Sliding window in which bursts from one network or of one text are counted.",
    )
    near_duplicate_days: int = Field(
        90,
        ge=1,
        description="Days a reported spam or ham stays in the near-duplicate (campaign) index; the purge then deletes it.",
    )
    learning_sync_seconds: float = Field(
        2.0,
        gt=0,
        description="How often a worker pulls reputation, campaign and site-rule changes made by other workers.",
    )

    # --- comments -----------------------------------------------------------------------
    comment_max_length: int = Field(
        10_000,
        ge=100,
        le=1_000_000,
        description="Longest comment (characters); longer ones are refused with 422, never truncated.",
    )
    comment_edit_window_s: int = Field(
        900, ge=0, description="Seconds a commenter may edit or delete their own comment."
    )
    comment_max_depth: int = Field(
        5, ge=1, le=50, description="Reply nesting shown; deeper replies are shown at this depth."
    )
    comment_page_size: int = Field(
        100,
        ge=1,
        le=500,
        description="Top-level comments per page of a thread (with their replies).",
    )
    comment_rate_limit: int = Field(
        10,
        ge=0,
        description="Comments one network prefix (/24, /48) may post per window; 0 turns the limit off.",
    )
    comment_rate_window_s: int = Field(
        60, ge=1, description="The window of comment_rate_limit, in seconds."
    )
    reader_rate_limit: int = Field(
        120,
        ge=0,
        description="Votes and Markdown previews one network prefix may make per minute (and a sixth as many new voter ids per hour); 0 turns the limits off.",
    )
    commenter_token_days: int = Field(
        365,
        ge=1,
        le=3650,
        description="How long a commenter's browser is recognised as returning (signed commenter token) under 'hold first-time commenters'.",
    )
    demo: bool = Field(
        False, description="Serve the demo article at /demo/ (set by `rejoinder serve --demo`)."
    )

    # --- moderation ----------------------------------------------------------------------
    admin_session_hours: int = Field(
        12, ge=1, le=24 * 30, description="How long a moderator stays signed in at /admin/."
    )
    login_max_failures: int = Field(
        5,
        ge=1,
        description="Failed sign-ins per account per login_window_minutes before sign-in is refused (429).",
    )
    login_max_failures_network: int = Field(
        20,
        ge=1,
        description="Failed sign-ins per network prefix (/24, /48) per login_window_minutes before refusal.",
    )
    login_window_minutes: int = Field(
        15, ge=1, description="The window of the sign-in failure limits, in minutes."
    )
    moderation_page_size: int = Field(
        50, ge=5, le=500, description="Comments per page of a moderation queue."
    )
    moderation_bulk_max: int = Field(
        1000,
        ge=1,
        le=10_000,
        description="Most comments one bulk decision may cover; more get a 422 (or 400 from the form parser).",
    )

    # --- notifications -------------------------------------------------------------------
    notify_poll_seconds: float = Field(
        5.0,
        ge=0,
        description="How often each server process sends due notifications; 0 turns sending off.",
    )
    notify_digest_minutes: int = Field(
        60, ge=1, description="Interval of digest emails and digest webhooks for held comments."
    )
    daily_digest_hour: int = Field(
        7,
        ge=-1,
        le=23,
        description="UTC hour from which each moderator whose notify mode is not off gets the daily digest (counts, waiting comments, one-click links); -1 turns it off.",
    )
    digest_link_hours: int = Field(
        48,
        ge=1,
        le=24 * 14,
        description="Hours a one-click approve/spam link in the daily digest works (once).",
    )
    digest_max_items: int = Field(
        20,
        ge=1,
        le=200,
        description="Held comments (and, again, comments filed as spam) listed with links in one daily digest.",
    )
    notify_max_per_hour: int = Field(
        10,
        ge=1,
        description="Most notification emails one recipient gets per hour; the rest wait (never dropped).",
    )
    notify_log_days: int = Field(
        30, ge=1, description="Days a finished notification delivery (email or webhook) is logged."
    )
    webhook_allow_private: bool = Field(
        False,
        description="Allow webhook targets on loopback, private, link-local or ULA addresses (SSRF guard off).",
    )
    webhook_timeout_s: float = Field(5.0, gt=0, description="Timeout of one webhook request.")
    webhook_max_attempts: int = Field(
        6, ge=1, le=20, description="Attempts of one webhook delivery before it is marked failed."
    )
    webhook_backoff_s: float = Field(
        30.0, gt=0, description="Wait before the first webhook retry; doubled after each failure."
    )

    # --- usage reporting -----------------------------------------------------------------
    usage_limit: int = Field(
        0,
        ge=0,
        description="Monthly API-call limit reported by /1.2/usage-limit; 0 means none (unlimited).",
    )

    # --- privacy -------------------------------------------------------------------------
    secret_file: Path | None = Field(
        None,
        description="Instance secret for keyed hashes; default <data_dir>/secret.key (mode 0600, made by init).",
    )
    retention_check_days: int = Field(
        14, ge=1, description="Days an Akismet check record (content and author fields) is kept."
    )
    retention_feedback_days: int = Field(
        30,
        ge=1,
        description="Days the personal fields of a spam/ham report (text, name, email, URL, referrer host) are kept; its label and content fingerprint stay for learning.",
    )
    retention_spam_days: int = Field(
        30, ge=1, description="Days spam and deleted comments are kept before they are removed."
    )
    retention_discarded_days: int = Field(
        7,
        ge=0,
        description="Days a comment the spam filter discarded is kept for moderators to restore; 0 stores none (they are only counted).",
    )
    retention_email_days: int = Field(
        30,
        ge=1,
        description="Days a commenter's email stays on a published comment when reply notifications are off (kept while they are on).",
    )
    retention_hash_days: int = Field(
        90,
        ge=1,
        description="Days keyed hashes of IP addresses, IP prefixes and emails stay on stored records.",
    )
    retention_reputation_days: int = Field(
        90,
        ge=1,
        description="Days a learned reputation (spam/ham counts under a keyed hash of an IP, network, email or domain) is kept after the last report that added to it.",
    )
    purge_interval_minutes: int = Field(
        60,
        ge=0,
        description="Minutes between scheduled retention purges inside the server; 0 turns the schedule off (use `rejoinder privacy purge`).",
    )
    purge_batch_size: int = Field(
        500, ge=1, le=100_000, description="Rows a purge or erase changes per transaction."
    )
    privacy_operator_name: str = Field(
        "", description="Who runs this server, as named on the /privacy notice."
    )
    privacy_contact: str = Field(
        "", description="How to reach the operator about privacy (email or URL), shown on /privacy."
    )
    privacy_extra_text: str = Field(
        "", description="Extra plain text the operator adds to the /privacy notice."
    )
    privacy_extra_file: Path | None = Field(
        None,
        description="A plain-text file whose contents are added to the /privacy notice (after privacy_extra_text).",
    )
    privacy_erase_mode: ErasureMode = Field(
        ErasureMode.DELETE,
        description="What an erase request does with a commenter's records: delete them, or anonymise (keep the text, drop name, email, URL and hashes).",
    )
    privacy_link_ttl_minutes: int = Field(
        60, ge=1, le=10_080, description="Minutes an emailed export/erase link stays valid."
    )
    privacy_requests_per_hour: int = Field(
        5,
        ge=1,
        description="Export/erase link requests allowed per hour from one network prefix, and for one email address.",
    )

    # --- mail ----------------------------------------------------------------------------
    smtp_host: str = Field(
        "",
        description="SMTP server for outgoing mail; empty writes each message to <data_dir>/outbox instead.",
    )
    smtp_port: int = Field(587, ge=1, le=65535, description="SMTP port.")
    smtp_user: str = Field("", description="SMTP user name; empty sends without logging in.")
    smtp_password: SecretStr = Field(
        SecretStr(""), description="SMTP password (masked by `rejoinder settings`)."
    )
    smtp_starttls: bool = Field(
        True, description="Upgrade the SMTP connection with STARTTLS before logging in."
    )
    smtp_timeout_s: float = Field(10.0, gt=0, description="Seconds an SMTP conversation may take.")
    mail_from: str = Field(
        "rejoinder@localhost", description="From address of the mail rejoinder sends."
    )
    outbox_retention_days: int = Field(
        7, ge=1, description="Days a message stays in the development outbox (<data_dir>/outbox)."
    )

    @model_validator(mode="before")
    @classmethod
    def _public_url_from_address(cls, data: Any) -> Any:
        """Without a public_url, links point where the server listens (not always :8080)."""
        if not isinstance(data, dict) or data.get("public_url"):
            return data
        host = str(data.get("host") or "127.0.0.1")
        host = "127.0.0.1" if host in WILDCARD_HOSTS else host
        if ":" in host:  # an IPv6 address
            host = f"[{host.strip('[]')}]"
        return {**data, "public_url": f"http://{host}:{data.get('port') or 8080}"}

    def resolved_database_url(self) -> str:
        """The database URL, defaulting to a SQLite file in the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'rejoinder.db').resolve()}"

    def resolved_secret_file(self) -> Path:
        return self.secret_file or self.data_dir / "secret.key"

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with CLI flags applied (None means 'not given')."""
        given = {k: v for k, v in overrides.items() if v is not None}
        return self.model_copy(update=given) if given else self


SECRET_NAMES = frozenset({"database_url"})


def env_name(field: str) -> str:
    return ENV_PREFIX + field.upper()


def iter_table() -> Iterator[tuple[str, str, Any, str]]:
    """Yield (name, env var, default, help) for every setting, in table order."""
    for name, info in Settings.model_fields.items():
        yield name, env_name(name), info.default, info.description or ""


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from exc
    unknown = sorted(set(data) - set(Settings.model_fields))
    if unknown:
        raise ConfigError(f"unknown setting(s) in {path}: {', '.join(unknown)}")
    return data


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Build the settings once: defaults < TOML file < environment < overrides."""
    env = dict(os.environ if environ is None else environ)
    ours = {k[len(ENV_PREFIX) :].lower(): v for k, v in env.items() if k.startswith(ENV_PREFIX)}
    known = set(Settings.model_fields)
    ours = {k: v for k, v in ours.items() if k in known}
    data_dir = Path(ours.get("data_dir", overrides.get("data_dir") or "var"))
    config_path = ours.get("config") or overrides.get("config")
    path = Path(config_path) if config_path else data_dir / CONFIG_FILE_NAME
    values: dict[str, Any] = {}
    if config_path or path.is_file():
        values.update(_read_toml(path))
    values.update(ours)
    values.update({k: v for k, v in overrides.items() if v is not None})
    try:
        return Settings.model_validate(values)  # env already merged by hand: one source of truth
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"invalid setting {where}: {first['msg']}") from exc


def describe(settings: Settings) -> list[tuple[str, str, str]]:
    """(name, effective value, env var) rows with secrets masked, for `rejoinder settings`."""
    rows: list[tuple[str, str, str]] = []
    for name, env, _default, _help in iter_table():
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            value = "***" if value.get_secret_value() else ""
        text = "" if value is None else str(value)
        if name in SECRET_NAMES and text:
            text = _mask_url(text)
        rows.append((name, text, env))
    return rows


def _mask_url(url: str) -> str:
    """Hide a password inside a database URL."""
    if "://" not in url or "@" not in url:
        return url
    scheme, rest = url.split("://", 1)
    creds, host = rest.rsplit("@", 1)
    user = creds.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}"
