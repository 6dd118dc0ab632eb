"""The settings of the HTTP server, its limits and what it logs
(one part of the settings table: ``__init__.py``)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class ServerKind(StrEnum):
    """The HTTP server `rejoinder serve` runs (docs/performance.md explains the default)."""

    UVICORN = "uvicorn"
    GRANIAN = "granian"


class ServerSettings(BaseModel):
    """Settings: the HTTP server, its limits and what it logs."""

    model_config = ConfigDict(defer_build=True)  # built once, as a part of Settings

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
