"""`python -m bot purge` and `python -m bot outbox`: maintenance from the command line."""

from __future__ import annotations

from bot.app import build_services, purge_once
from bot.config import Settings
from storage.outbox import status_counts, undelivered


async def run_purge(settings: Settings) -> int:
    services = build_services(settings)
    try:
        await services.db.migrate()
        counts = await purge_once(services)
    finally:
        await services.fsm.close()
        await services.db.dispose()
    for kind, count in counts.items():
        print(f"{kind}: {count} deleted")
    return 0


async def run_outbox_report(settings: Settings) -> int:
    services = build_services(settings)
    try:
        await services.db.migrate()
        async with services.db.sessions() as session:
            counts = await status_counts(session)
            failed = await undelivered(session)
    finally:
        await services.fsm.close()
        await services.db.dispose()
    print(", ".join(f"{status}: {count}" for status, count in sorted(counts.items())) or "empty")
    for message in failed:
        print(f"#{message.id} {message.status} {message.role or message.kind} "
              f"attempts={message.attempts}: {message.last_error or ''}")
    return 0
