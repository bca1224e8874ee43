"""Benchmark of the outbox's claim query as kept delivery records pile up.

Run from the repository root (PostgreSQL is optional: give its URL to measure it too):

    python benchmarks/outbox_claim.py
    python benchmarks/outbox_claim.py --postgres postgresql://postgres@127.0.0.1:5432/lis_bot_test

For 1,000 and 100,000 delivered messages kept (30 days of records) beside 20 due ones, it times
`claim_due` (lease the due messages, then put them back) and, in the same loop, a primary-key
read of one message: the baseline, so the figure is a ratio that a noisy machine does not move.
It prints the query plan of the claim's candidate scan too. Figures only, no thresholds.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text  # noqa: E402
from sqlmodel import col, select, update  # noqa: E402

from storage.db import Database  # noqa: E402
from storage.models import OutboxMessage  # noqa: E402
from storage.outbox import PENDING, SENT, _due, claim_due  # noqa: E402

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
DUE = 20
ROUNDS = 60


async def seed(database: Database, kept: int) -> None:
    async with database.engine.begin() as connection:
        await connection.execute(text("DELETE FROM outbox_message"))
        rows = [{"chat_id": -1_001_234_567_890, "kind": "text", "text": "", "buttons": [],
                 "status": SENT, "attempts": 1, "next_attempt_at": NOW - timedelta(days=1),
                 "created_at": NOW - timedelta(days=1)} for _ in range(kept)]
        rows += [{"chat_id": -1_001_234_567_890, "kind": "text", "text": "Nowy pomysł 💡",
                  "buttons": [], "status": PENDING, "attempts": 0,
                  "next_attempt_at": NOW - timedelta(seconds=5), "created_at": NOW}
                 for _ in range(DUE)]
        for start in range(0, len(rows), 5_000):
            await connection.execute(OutboxMessage.__table__.insert(), rows[start:start + 5_000])
        if database.backend == "postgresql":
            await connection.execute(text("ANALYZE outbox_message"))
        else:
            await connection.execute(text("ANALYZE"))


async def plan(database: Database) -> str:
    statement = (select(OutboxMessage.id).where(_due(NOW))
                 .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id)).limit(20))
    compiled = statement.compile(database.engine.sync_engine,
                                 compile_kwargs={"literal_binds": True})
    explain = "EXPLAIN" if database.backend == "postgresql" else "EXPLAIN QUERY PLAN"
    async with database.engine.connect() as connection:
        rows = (await connection.execute(text(f"{explain} {compiled}"))).all()
    return " | ".join(str(row[-1]) for row in rows)


async def measure(database: Database, kept: int) -> tuple[float, float, str]:
    await seed(database, kept)
    claims, lookups = [], []
    async with database.sessions() as session:
        some_id = (await session.exec(select(OutboxMessage.id).limit(1))).one()
        for _ in range(ROUNDS):
            started = time.perf_counter()
            claimed = await claim_due(session, owner="bench", now=NOW)
            claims.append(time.perf_counter() - started)
            assert len(claimed) == DUE, len(claimed)
            await session.exec(update(OutboxMessage).where(col(OutboxMessage.status) == PENDING)
                               .values(lease_owner=None, lease_until=None))
            await session.commit()
            started = time.perf_counter()
            await session.exec(select(OutboxMessage).where(col(OutboxMessage.id) == some_id))
            await session.commit()
            lookups.append(time.perf_counter() - started)
    return statistics.median(claims), statistics.median(lookups), await plan(database)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", help="a PostgreSQL URL whose outbox may be emptied")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        urls = [("SQLite", f"sqlite:///{folder}/bench.sqlite3")]
        if args.postgres:
            urls.append(("PostgreSQL", args.postgres))
        print(f"{'database':<11} {'kept':>8} {'claim ms':>9} {'PK read ms':>10} {'ratio':>6}  plan")
        for name, url in urls:
            database = Database(url)
            await database.migrate()
            for kept in (1_000, 100_000):
                claim, lookup, shown = await measure(database, kept)
                print(f"{name:<11} {kept:>8} {claim * 1000:>9.2f} {lookup * 1000:>10.2f} "
                      f"{claim / lookup:>6.1f}  {shown}")
            await seed(database, 0)
            await database.dispose()


if __name__ == "__main__":
    asyncio.run(main())
