"""Logging for the entry points: no secrets, no personal data, error paths included.

Every log record, whichever library makes it, passes through `SafeLogRecord`:
- the bot token, its secret part and the other secrets are replaced by "[secret]" in the
  message, its arguments and any traceback (a failing request's URL contains the token);
- a traceback keeps its frames and exception types but drops the messages of exceptions that
  may quote data (SQL parameters, a resident's text), keeping only those of known-safe kinds.
SQL drivers' own parameter logging stays off.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from types import TracebackType
from typing import Any

# These libraries log SQL statements with their parameters (chat ids, texts) at DEBUG.
PARAMETER_LOGGERS = ("aiosqlite", "sqlalchemy.engine", "sqlalchemy.pool", "asyncpg", "redis")
# Exceptions whose message never quotes a resident's data.
SAFE_MESSAGE_TYPES = ("TelegramAPIError", "TelegramNetworkError", "ConfigError", "TimeoutError",
                      "ConnectionRefusedError", "KnowledgeError")
_TOKEN = re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{20,}\b")
_secrets: list[str] = []


def register_secrets(values: list[str]) -> None:
    for value in values:
        if value and len(value) >= 6 and value not in _secrets:
            _secrets.append(value)
    _secrets.sort(key=len, reverse=True)


def redact(text: str) -> str:
    for secret in _secrets:
        text = text.replace(secret, "[secret]")
    return _TOKEN.sub("[secret]", text)


def _safe_exception_text(exc_info: tuple[type[BaseException], BaseException,
                                         TracebackType | None]) -> str:
    _type, error, trace = exc_info
    lines = ["Traceback (most recent call last):"]
    lines += [f'  File "{frame.filename}", line {frame.lineno}, in {frame.name}'
              for frame in traceback.extract_tb(trace)]
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and len(chain) < 5:
        chain.append(current)
        current = current.__cause__ or current.__context__
    for item in chain:
        names = [cls.__name__ for cls in type(item).__mro__]
        safe = any(name in SAFE_MESSAGE_TYPES for name in names)
        message = redact(str(item))[:500] if safe else "(message withheld: it may quote data)"
        lines.append(f"{type(item).__module__}.{type(item).__name__}: {message}")
    return "\n".join(lines)


class SafeLogRecord(logging.LogRecord):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.exc_info and self.exc_info[1] is not None:
            self.exc_text = _safe_exception_text(self.exc_info)
            self.exc_info = None

    def getMessage(self) -> str:  # noqa: N802 (logging's name)
        return redact(super().getMessage())


def install_safe_records() -> None:
    logging.setLogRecordFactory(SafeLogRecord)


def quiet_parameter_loggers() -> None:
    for name in PARAMETER_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def _log_uncaught(kind: type[BaseException], error: BaseException,
                  trace: TracebackType | None) -> None:
    """Even a crash is told through the safe records (no token, no data in its traceback)."""
    logging.getLogger("bot").critical("stopped by an unexpected error",
                                      exc_info=(kind, error, trace))


# One line per update ("Update id=… is handled. Duration …"): shown at DEBUG only, so a busy
# worker's INFO log says what happened, not that something did, 300 times a second.
PER_UPDATE_LOGGERS = ("aiogram.event",)


def configure_logging(level: str | int, secrets: list[str] | None = None) -> None:
    install_safe_records()
    register_secrets(secrets or [])
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    quiet_parameter_loggers()
    if logging.getLogger().getEffectiveLevel() > logging.DEBUG:
        for name in PER_UPDATE_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
    sys.excepthook = _log_uncaught
