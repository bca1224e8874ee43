"""Redis FSM storage that can also find a resident's drafts by pseudonym (see storage.drafts)."""

from __future__ import annotations

from aiogram.fsm.storage.redis import RedisStorage

from storage.drafts import Draft
from storage.pseudonyms import PseudonymizedKeyBuilder

PARTS = ("state", "data")


class PseudonymousRedisStorage(RedisStorage):
    """Keys are `<prefix>:<bot>:<chat pseudonym>:<user pseudonym>[:destiny]:<part>`."""

    key_builder: PseudonymizedKeyBuilder
    transactional = False  # Redis deletions cannot roll back with the database

    async def _draft_keys(self, subject: str) -> dict[str, dict[str, bytes]]:
        found: dict[str, dict[str, bytes]] = {}
        pattern = f"{self.key_builder.prefix}:*:*:{subject}:*"
        async for raw in self.redis.scan_iter(match=pattern, count=500):
            key = raw.decode() if isinstance(raw, bytes) else str(raw)
            base, _, part = key.rpartition(":")
            if part in PARTS:
                found.setdefault(base, {})[part] = raw
        return found

    async def drafts_of(self, subject: str) -> list[Draft]:
        drafts = []
        for base, parts in (await self._draft_keys(subject)).items():
            state = await self.redis.get(parts["state"]) if "state" in parts else None
            data = await self.redis.get(parts["data"]) if "data" in parts else None
            drafts.append(Draft(
                key=base,
                state=state.decode() if isinstance(state, bytes) else state,
                data=self.json_loads(data) if data else {},
            ))
        return drafts

    async def delete_drafts(self, subject: str, keys: list[str]) -> int:
        found = {base: parts for base, parts in (await self._draft_keys(subject)).items()
                 if base in set(keys)}
        raw_keys = [raw for parts in found.values() for raw in parts.values()]
        if raw_keys:
            await self.redis.delete(*raw_keys)
        return len(found)
