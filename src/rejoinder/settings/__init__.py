"""The one settings table.

Every option is a field of :class:`Settings`: its name, type, default and help text, written by
area in this package's modules (``storage.py``, ``server.py``, ``spam.py``, ``comments.py``,
``notify.py``, ``privacy.py``, ``mail.py``) and assembled here in that order. The environment
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

from pydantic import SecretStr, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from rejoinder.errors import ConfigError
from rejoinder.settings.comments import CommentSettings
from rejoinder.settings.mail import MailSettings
from rejoinder.settings.notify import NotifySettings
from rejoinder.settings.privacy import PrivacySettings
from rejoinder.settings.server import ServerSettings
from rejoinder.settings.spam import SpamSettings
from rejoinder.settings.storage import StorageSettings

ENV_PREFIX = "REJOINDER_"
CONFIG_FILE_NAME = "rejoinder.toml"
WILDCARD_HOSTS = ("0.0.0.0", "::", "[::]", "")  # noqa: S104 - names, not a bind


class Settings(
    MailSettings,
    PrivacySettings,
    NotifySettings,
    CommentSettings,
    SpamSettings,
    ServerSettings,
    StorageSettings,
    BaseSettings,
):
    """Every option of rejoinder, with its default and help. The table lists the fields from
    the last base to the first: storage, server, spam engine, comments and moderation,
    notifications, usage and privacy, mail."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, extra="forbid", frozen=True, defer_build=False
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
