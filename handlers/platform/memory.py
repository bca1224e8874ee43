"""What the bot remembers for a few minutes, in this process's memory only (never stored).

A resident's last question, so that offering to pass it to LIS staff or counting a 👎 does
not make them type it again; nothing of it is written anywhere before they consent, and it is
forgotten after `ttl` seconds or when many others come after it.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Asked:
    text: str
    locale: str
    topic: str | None
    guesses: tuple[str, ...]


class ShortMemory:
    def __init__(self, ttl: float = 900.0, capacity: int = 20_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl, self._capacity, self._clock = ttl, capacity, clock
        self._items: OrderedDict[int, tuple[float, Asked]] = OrderedDict()

    def remember(self, user_id: int, asked: Asked) -> None:
        self._items[user_id] = (self._clock(), asked)
        self._items.move_to_end(user_id)
        while len(self._items) > self._capacity:
            self._items.popitem(last=False)

    def recall(self, user_id: int) -> Asked | None:
        item = self._items.get(user_id)
        if item is None or self._clock() - item[0] > self._ttl:
            self._items.pop(user_id, None)
            return None
        return item[1]

    def forget(self, user_id: int) -> None:
        self._items.pop(user_id, None)
