"""The settings of outgoing mail
(one part of the settings table: ``__init__.py``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class MailSettings(BaseModel):
    """Settings: outgoing mail."""

    model_config = ConfigDict(defer_build=True)  # built once, as a part of Settings

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
