"""Schema migrations (Alembic), run at start-up by every entry point and by `python -m bot db`."""

from __future__ import annotations

import asyncio
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import make_url

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    # Alembic's config is an INI file: '%' must be doubled.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


async def upgrade(database_url: str) -> None:
    """Bring the database to the newest schema (a thread: Alembic runs its own event loop)."""
    ensure_sqlite_folder(database_url)
    await asyncio.to_thread(command.upgrade, alembic_config(database_url), "head")


def ensure_sqlite_folder(url: str) -> None:
    """SQLite creates the file but not its folder (the default is ./data/)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
