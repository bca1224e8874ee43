"""Residents talking to webhook workers over HTTP, as Telegram would post their updates.

The fake Bot API (tests/fake_bot_api.py) makes the updates and records the bot's replies; a
`Resident` posts each update to the worker it is given and reads its buttons from the replies.
Used by the multi-worker tests and by benchmarks/load.py.
"""

from __future__ import annotations

import json
import socket
from dataclasses import dataclass
from typing import Any

import aiohttp

from bot.webhook import SECRET_HEADER
from tests.fake_bot_api import FakeBotApi


def free_port() -> int:
    """A port nothing listens on now, on 127.0.0.1 (for a worker or a private server)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Worker:
    base_url: str  # http://127.0.0.1:PORT
    path: str
    secret: str

    async def post(self, http: aiohttp.ClientSession, update: dict[str, Any]) -> int:
        async with http.post(self.base_url + self.path, json=update,
                             headers={SECRET_HEADER: self.secret}) as response:
            await response.read()
            return response.status


@dataclass
class Resident:
    api: FakeBotApi
    user_id: int
    language_code: str = "pl"

    def message(self, text: str) -> dict[str, Any]:
        return self.api.push_message(self.user_id, text, self.language_code)

    def press(self, label: str) -> dict[str, Any]:
        """The update of pressing the newest button whose label contains `label` (on the
        messages as they are now, edits included)."""
        for message in reversed(self.api.chat_messages.get(self.user_id, [])):
            for button in buttons(message):
                if label in button["text"] and "callback_data" in button:
                    return self.api.push_callback(self.user_id, dict(message),
                                                  button["callback_data"])
        raise LookupError(f"no button {label!r} in {self.user_id}'s chat: {self.texts()[-3:]}")

    def replies(self) -> list[dict[str, Any]]:
        return [p for p in self.api.calls_of("sendMessage")
                if p.get("chat_id") == str(self.user_id) and self.api.result_of(p) is not None]

    def texts(self) -> list[str]:
        return [str(p.get("text", "")) for p in self.replies()]


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    markup = message.get("reply_markup")
    if not markup:
        return []
    loaded = json.loads(markup) if isinstance(markup, str) else markup
    return [button for row in loaded.get("inline_keyboard", []) for button in row]
