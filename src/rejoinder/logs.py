"""Log output: one line per record, control characters escaped, no access log.

Access logs are off (they would hold client IP addresses); what is logged never includes a raw
IP, user agent or email. Anything a client controls that does reach a message (a path, an
exception text) cannot forge extra lines or terminal escapes: control characters become
``\\xNN`` / ``\\uNNNN``, and continuation lines of a traceback are marked with ``  | ``.
"""

from __future__ import annotations

import logging
import re
from typing import Any

LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape_char(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """Escape control characters, line separators and bidi overrides."""
    return _UNSAFE.sub(_escape_char, text)


class EscapingFormatter(logging.Formatter):
    """A formatter whose every record is one line, plus marked traceback lines."""

    def format(self, record: logging.LogRecord) -> str:
        record.message = record.getMessage()
        if self.usesTime():
            record.asctime = self.formatTime(record, self.datefmt)
        line = escape_controls(self.formatMessage(record))
        extra = ""
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            extra += record.exc_text
        if record.stack_info:
            extra += ("\n" if extra else "") + self.formatStack(record.stack_info)
        if extra:
            line += "".join("\n  | " + escape_controls(part) for part in extra.splitlines())
        return line


def logging_config(level: str) -> dict[str, Any]:
    """dictConfig for the server (also given to uvicorn): stderr, escaped, no access log."""
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"escaped": {"()": EscapingFormatter, "format": LINE_FORMAT}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "escaped",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            "uvicorn": {"handlers": [], "level": level, "propagate": True},
            "uvicorn.error": {"handlers": [], "level": level, "propagate": True},
            # Off: an access log line holds the client's IP address and port.
            "uvicorn.access": {"handlers": [], "level": "CRITICAL", "propagate": False},
        },
    }
