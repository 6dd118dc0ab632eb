"""One error hierarchy. Services raise these; only ``web/handlers.py`` renders them."""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Stable machine-readable codes, part of the public API."""

    BAD_REQUEST = "bad_request"
    VALIDATION = "validation_error"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    TOO_LARGE = "payload_too_large"
    TOO_SLOW = "request_timeout"
    UNSUPPORTED_MEDIA = "unsupported_media_type"
    RATE_LIMITED = "rate_limited"
    LINK_INVALID = "link_invalid"
    LINK_EXPIRED = "link_expired"
    CSRF = "csrf_failed"
    MAIL_FAILED = "mail_failed"
    UNAVAILABLE = "storage_unavailable"
    CONFIG = "config_error"
    INTERNAL = "internal_error"


class RejoinderError(Exception):
    """Base of every error rejoinder raises on purpose."""

    status: int = 400
    code: ErrorCode = ErrorCode.BAD_REQUEST

    def __init__(self, message: str, *, status: int | None = None, code: ErrorCode | None = None):
        super().__init__(message)
        self.message = message
        if status is not None:
            self.status = status
        if code is not None:
            self.code = code


class ConfigError(RejoinderError):
    status = 500
    code = ErrorCode.CONFIG


class ValidationFailed(RejoinderError):
    status = 422
    code = ErrorCode.VALIDATION


class Unauthorized(RejoinderError):
    status = 401
    code = ErrorCode.UNAUTHORIZED


class Forbidden(RejoinderError):
    status = 403
    code = ErrorCode.FORBIDDEN


class NotFound(RejoinderError):
    status = 404
    code = ErrorCode.NOT_FOUND


class Conflict(RejoinderError):
    status = 409
    code = ErrorCode.CONFLICT


class PayloadTooLarge(RejoinderError):
    status = 413
    code = ErrorCode.TOO_LARGE


class UnsupportedMediaType(RejoinderError):
    status = 415
    code = ErrorCode.UNSUPPORTED_MEDIA


class RateLimited(RejoinderError):
    status = 429
    code = ErrorCode.RATE_LIMITED

    def __init__(self, message: str, *, retry_after: int = 60):
        super().__init__(message)
        self.retry_after = retry_after


class StorageUnavailable(RejoinderError):
    """The database is locked or unreachable: the client should retry."""

    status = 503
    code = ErrorCode.UNAVAILABLE

    def __init__(self, message: str = "storage temporarily unavailable", *, retry_after: int = 2):
        super().__init__(message)
        self.retry_after = retry_after


class LinkInvalid(RejoinderError):
    """A signed link or form token that was not made by this server (or was altered)."""

    status = 403
    code = ErrorCode.LINK_INVALID


class LinkExpired(RejoinderError):
    """A correctly signed link whose time is up."""

    status = 410
    code = ErrorCode.LINK_EXPIRED


class CsrfFailed(RejoinderError):
    """A form posted from another origin, or without a valid form token."""

    status = 403
    code = ErrorCode.CSRF


class MailFailed(RejoinderError):
    """The mail could not be handed to the mail server or the outbox."""

    status = 503
    code = ErrorCode.MAIL_FAILED
