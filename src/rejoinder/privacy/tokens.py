"""The signer of the privacy links and forms: ``core.tokens.Signer`` (on the ground floor,
where the daily digest's one-click links use it too)."""

from __future__ import annotations

from rejoinder.core.tokens import MAX_TOKEN, SIG_BYTES, Signer

__all__ = ["MAX_TOKEN", "SIG_BYTES", "Signer"]
