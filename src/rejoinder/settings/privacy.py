"""The settings of usage reporting and privacy: the secret, retention, the notice and requests
(one part of the settings table: ``__init__.py``)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class ErasureMode(StrEnum):
    """What an erase request does with a commenter's records."""

    DELETE = "delete"
    ANONYMISE = "anonymise"


class PrivacySettings(BaseModel):
    """Settings: usage reporting and privacy: the secret, retention, the notice and requests."""

    model_config = ConfigDict(defer_build=True)  # built once, as a part of Settings

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
