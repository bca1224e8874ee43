"""`python -m bot purge` and the running bot's daily purge."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from bot.config import Settings
from knowledge.loader import load_knowledge
from knowledge.store import KnowledgeStore
from storage.db import Database
from storage.retention import purge

log = logging.getLogger(__name__)
DAY_SECONDS = 24 * 60 * 60


async def purge_once(database: Database, knowledge: KnowledgeStore | None, settings: Settings
                     ) -> dict[str, int]:
    base = knowledge.current.base if knowledge else load_knowledge(settings.knowledge_dir)
    if base.consents is None:
        raise RuntimeError("knowledge/consents.yaml is missing: no retention periods to apply")
    async with database.sessions() as session:
        counts = await purge(session, base.consents, datetime.now(UTC))
    log.info("retention purge: %s", ", ".join(f"{k}={v}" for k, v in counts.items()))
    return counts


async def purge_daily(database: Database, knowledge: KnowledgeStore, settings: Settings) -> None:
    """Runs in the bot; deletions are idempotent, so several workers may each run it."""
    while True:
        try:
            await purge_once(database, knowledge, settings)
        except Exception:  # keep the bot serving; the next day tries again
            log.exception("retention purge failed")
        await asyncio.sleep(DAY_SECONDS)


async def run_purge(settings: Settings) -> int:
    database = Database(settings.database_url)
    try:
        await database.migrate()
        counts = await purge_once(database, None, settings)
    finally:
        await database.dispose()
    for kind, count in counts.items():
        print(f"{kind}: {count} deleted")
    return 0
