"""The settings of notifications: reply mails, digests and webhooks
(one part of the settings table: ``__init__.py``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class NotifySettings(BaseModel):
    """Settings: notifications: reply mails, digests and webhooks."""

    model_config = ConfigDict(defer_build=True)  # built once, as a part of Settings

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
