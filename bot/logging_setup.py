"""Logging for the entry points. Logs never carry message text, names or raw Telegram ids."""

from __future__ import annotations

import logging

# These libraries log SQL statements with their parameters (chat ids, texts) at DEBUG.
PARAMETER_LOGGERS = ("aiosqlite", "sqlalchemy.engine", "asyncpg", "redis")


def quiet_parameter_loggers() -> None:
    for name in PARAMETER_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


def configure_logging(level: str | int) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    quiet_parameter_loggers()
