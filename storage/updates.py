"""Which Telegram updates were handled, so a redelivered update is not handled twice.

Telegram posts an update again when it got no answer in time (a worker slow or killed), and
behind one URL the copy may reach another worker. Each update is begun once: a second copy
of a finished one is acknowledged without running the handlers; a copy of one that another
worker is still handling is answered "busy" (Telegram retries later), and if that worker died
the claim expires so the retry is handled. With several workers the ledger is in Redis;
alone, in memory. Update ids are Telegram's counters: nothing personal is kept.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any, Literal, Protocol

Begun = Literal["new", "done", "busy"]
CLAIM_SECONDS = 120  # a claim outlives any update's handling; then a dead worker's expires
DONE_SECONDS = 24 * 60 * 60  # Telegram stops redelivering long before this


class UpdateLedger(Protocol):
    async def begin(self, update_id: int) -> Begun: ...
    async def finish(self, update_id: int) -> None: ...
    async def abandon(self, update_id: int) -> None: ...


class MemoryUpdateLedger:
    def __init__(self, capacity: int = 100_000) -> None:
        self._capacity = capacity
        self._states: OrderedDict[int, Begun] = OrderedDict()

    async def begin(self, update_id: int) -> Begun:
        if (state := self._states.get(update_id)) is not None:
            return state
        self._states[update_id] = "busy"
        while len(self._states) > self._capacity:
            self._states.popitem(last=False)
        return "new"

    async def finish(self, update_id: int) -> None:
        self._states[update_id] = "done"

    async def abandon(self, update_id: int) -> None:
        self._states.pop(update_id, None)


class RedisUpdateLedger:
    def __init__(self, redis: Any, bot_id: int, prefix: str = "lis:update") -> None:
        self._redis = redis
        self._prefix = f"{prefix}:{bot_id}"

    def _key(self, update_id: int) -> str:
        return f"{self._prefix}:{update_id}"

    async def begin(self, update_id: int) -> Begun:
        key = self._key(update_id)
        if await self._redis.set(key, "busy", nx=True, ex=CLAIM_SECONDS):
            return "new"
        state = await self._redis.get(key)
        return "done" if state in (b"done", "done") else "busy"

    async def finish(self, update_id: int) -> None:
        await self._redis.set(self._key(update_id), "done", ex=DONE_SECONDS)

    async def abandon(self, update_id: int) -> None:
        await self._redis.delete(self._key(update_id))
