"""Residents and coordinators talking to the real dispatcher through `LocalTelegram`.

Builds Telegram updates (texts, commands, button presses, replies, locations), feeds each one
to completion and returns what the bot sent in response. The console channel and the tests
both drive the bot through this class.
"""

from __future__ import annotations

import itertools
import time
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.types import Update

from bot.local_telegram import LocalTelegram, SentMessage, chat_payload, message_payload
from knowledge.text import fold

# What the bot sent while one update was handled; per task, so conversations may run at once.
_outputs: ContextVar[list[SentMessage] | None] = ContextVar("conversation_outputs", default=None)


class NoSuchButton(LookupError):
    """The button to press does not exist on the latest bot message with buttons."""


@dataclass(frozen=True)
class Person:
    user_id: int
    chat_id: int
    language_code: str | None = "pl"
    first_name: str = "Resident"

    def as_user(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.user_id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            user["language_code"] = self.language_code
        return user


class Conversation:
    def __init__(self, dispatcher: Dispatcher, bot: Bot, telegram: LocalTelegram) -> None:
        self.dispatcher = dispatcher
        self.bot = bot
        self.telegram = telegram
        self._update_ids = itertools.count(1)
        telegram.subscribe(self.collect)

    async def send_text(
        self, person: Person, text: str, *, reply_to_latest: bool = False,
        reply_to: SentMessage | None = None,
    ) -> list[SentMessage]:
        """A text; a Telegram reply to `reply_to` (or to the chat's latest bot message)."""
        message = self._incoming(person)
        message["text"] = text
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        replied = reply_to or (self.telegram.latest(person.chat_id) if reply_to_latest else None)
        if replied is not None:
            message["reply_to_message"] = message_payload(replied)
        return await self._feed({"message": message})

    async def send_location(
        self, person: Person, latitude: float, longitude: float
    ) -> list[SentMessage]:
        message = self._incoming(person)
        message["location"] = {"latitude": latitude, "longitude": longitude}
        return await self._feed({"message": message})

    async def press(self, person: Person, button: int | str,
                    on: SentMessage | None = None) -> list[SentMessage]:
        """Press button N (1-based, left to right, top to bottom) or the one with this label,
        on message `on` (by default the chat's latest message with buttons)."""
        target = on or self.telegram.latest_with_buttons(person.chat_id)
        if target is None:
            raise NoSuchButton("there is no message with buttons in this chat")
        flat = [b for row in target.buttons for b in row if b.callback_data is not None]
        if isinstance(button, int):
            if not 1 <= button <= len(flat):
                raise NoSuchButton(f"there is no button {button} (the message has {len(flat)})")
            chosen = flat[button - 1]
        else:
            wanted = fold_label(button)
            found = next((b for b in flat if fold_label(b.label) == wanted), None)
            if found is None:
                raise NoSuchButton(f"there is no button labelled '{button}'")
            chosen = found
        query = {
            "id": self.telegram.next_callback_id(),
            "from": person.as_user(),
            "chat_instance": str(person.chat_id),
            "message": message_payload(target),
            "data": chosen.callback_data,
        }
        return await self._feed({"callback_query": query})

    async def feed_raw(self, update: dict[str, Any]) -> list[SentMessage]:
        return await self._feed(dict(update))

    def _incoming(self, person: Person) -> dict[str, Any]:
        message_id = self.telegram.next_message_id(person.chat_id)
        return {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": chat_payload(person.chat_id),
            "from": person.as_user(),
        }

    async def _feed(self, update: dict[str, Any]) -> list[SentMessage]:
        update["update_id"] = next(self._update_ids)
        outputs: list[SentMessage] = []
        token = _outputs.set(outputs)
        try:
            await self.dispatcher.feed_update(
                self.bot, Update.model_validate(update, context={"bot": self.bot})
            )
        finally:
            _outputs.reset(token)
        return outputs

    def collect(self, kind: str, item: object) -> None:
        outputs = _outputs.get()
        if outputs is not None and isinstance(item, SentMessage) and kind in ("sent", "edited"):
            outputs.append(item)


def fold_label(label: str) -> str:
    """Compare button labels ignoring case and Polish diacritics."""
    return " ".join(fold(label).split())
