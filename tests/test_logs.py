"""Log lines: one per record, control characters escaped, no access log."""

from __future__ import annotations

import logging
import sys

from rejoinder.logs import EscapingFormatter, escape_controls, logging_config


def record(msg: str, *args: object, exc: bool = False) -> logging.LogRecord:
    exc_info = None
    if exc:
        try:
            raise ValueError("bad value\nFAKE 2026-01-01 ERROR forged line\x1b[31m")
        except ValueError:
            exc_info = sys.exc_info()
    return logging.LogRecord("rejoinder.test", logging.WARNING, __file__, 1, msg, args, exc_info)


def test_control_characters_are_escaped() -> None:
    formatter = EscapingFormatter("%(levelname)s %(message)s")
    line = formatter.format(record("path %s", "/a\r\nINFO forged\x1b[2J\u202eevil\x00"))
    assert "\n" not in line and "\r" not in line and "\x1b" not in line and "\x00" not in line
    assert "\\x0d\\x0aINFO forged\\x1b[2J\\u202eevil\\x00" in line


def test_traceback_lines_are_marked_and_escaped() -> None:
    formatter = EscapingFormatter("%(levelname)s %(message)s")
    text = formatter.format(record("failed", exc=True))
    first, *rest = text.split("\n")
    assert first == "WARNING failed"
    assert rest and all(line.startswith("  | ") for line in rest)
    assert "\x1b" not in text and any("FAKE 2026-01-01 ERROR forged" in line for line in rest)


def test_escape_keeps_ordinary_text() -> None:
    assert escape_controls("Grüße, 日本語 and tabs") == "Grüße, 日本語 and tabs"


def test_uvicorn_access_log_is_off() -> None:
    config = logging_config("info")
    access = config["loggers"]["uvicorn.access"]
    assert access["handlers"] == [] and access["propagate"] is False
    import inspect

    from rejoinder.cli import server as cli
    from rejoinder.web import server

    assert "log_config=logging_config" in inspect.getsource(cli.serve)
    assert "access_log=False" in inspect.getsource(server._run_uvicorn)
    assert "log_access=False" in inspect.getsource(server._run_granian)
