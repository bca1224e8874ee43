"""A resident who sends a burst of messages gets one polite "slow down", not an answer each.

Counted per resident in this process's memory only (nothing is stored: someone who never
consented leaves no trace); with several workers each counts its share, which still stops a
burst. Dropped messages never reach a handler, so a form in progress keeps its draft and step:
the resident sends the answer again when the bot says it is ready.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import Message, TelegramObject
from aiogram.utils.i18n import I18n

from handlers.platform.i18n import LanguageChoices, locale_from_language_code

BURST = 8  # messages a resident may send within WINDOW seconds
WINDOW = 10.0

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class FloodGuard:
    """Sliding window per resident; `allow` says whether this message is handled, and
    `warned_now` whether this is the first message dropped in the current burst."""

    def __init__(self, burst: int = BURST, window: float = WINDOW, capacity: int = 50_000,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._burst, self._window, self._capacity, self._clock = burst, window, capacity, clock
        self._seen: OrderedDict[int, deque[float]] = OrderedDict()
        self._warned: dict[int, float] = {}

    def allow(self, user_id: int) -> tuple[bool, bool]:
        if self._burst == 0:  # switched off
            return True, False
        now = self._clock()
        times = self._seen.setdefault(user_id, deque())
        self._seen.move_to_end(user_id)
        while times and now - times[0] > self._window:
            times.popleft()
        while len(self._seen) > self._capacity:
            dropped, _times = self._seen.popitem(last=False)
            self._warned.pop(dropped, None)
        if len(times) < self._burst:
            times.append(now)
            self._warned.pop(user_id, None)
            return True, False
        first_drop = user_id not in self._warned or now - self._warned[user_id] > self._window
        if first_drop:
            self._warned[user_id] = now
        return False, first_drop


class FloodMiddleware(BaseMiddleware):
    """Outer middleware on updates: private messages are counted before any transaction or
    lock is taken."""

    def __init__(self, guard: Callable[[], FloodGuard], i18n: I18n, languages: LanguageChoices,
                 default_locale: str) -> None:
        self._guard, self._i18n, self._languages = guard, i18n, languages
        self._default_locale = default_locale

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        message = event.message if hasattr(event, "message") else None
        if not isinstance(message, Message) or message.from_user is None \
                or message.chat.type != "private":
            return await handler(event, data)
        allowed, warn = self._guard().allow(message.from_user.id)
        if allowed:
            return await handler(event, data)
        if warn:
            user = message.from_user
            locale = (self._languages.get(user.id)
                      or locale_from_language_code(user.language_code) or self._default_locale)
            # Before the locale middleware: the catalog is asked directly.
            await message.answer(self._i18n.gettext(
                "You are writing faster than I can read. Please wait a few seconds and send "
                "your last message again; nothing you entered before is lost.", locale=locale))
        return None
