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
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from rejoinder.errors import ConfigError

ENV_PREFIX = "REJOINDER_"
CONFIG_FILE_NAME = "rejoinder.toml"


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

    # --- server --------------------------------------------------------------------------
    host: str = Field("127.0.0.1", description="Address `rejoinder serve` listens on.")
    port: int = Field(8080, ge=1, le=65535, description="Port `rejoinder serve` listens on.")
    workers: int = Field(
        1,
        ge=1,
        le=64,
        description="Worker processes for `rejoinder serve` (use PostgreSQL for more than one).",
    )
    public_url: str = Field(
        "http://127.0.0.1:8080",
        description="The URL readers and clients use to reach this server (links in emails, embed snippet).",
    )
    api_host: str = Field(
        "",
        description="Host name whose subdomains carry an Akismet key (`<key>.<api_host>`); empty accepts any `<12-char-key>.` first label.",
    )
    trusted_proxies: str = Field(
        "", description="Comma-separated IPs/CIDRs whose X-Forwarded-For is believed; default none."
    )
    max_body_bytes: int = Field(
        4_000_000, ge=65_536, description="Largest request body accepted; larger bodies get 413."
    )
    max_form_fields: int = Field(
        2_000,
        ge=50,
        description="Most form fields parsed from one Akismet request; the rest are ignored.",
    )
    log_level: str = Field("info", description="Log level: debug, info, warning, error.")

    # --- spam engine ---------------------------------------------------------------------
    threshold_hold: float = Field(
        0.2,
        ge=0.0,
        le=1.0,
        description="Default spam probability at or above which a comment is held for a moderator.",
    )
    threshold_spam: float = Field(
        0.89,
        ge=0.0,
        le=1.0,
        description="Default spam probability at or above which a comment is filed as spam.",
    )
    threshold_discard: float = Field(
        0.9999,
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
            value = value.get_secret_value()
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
