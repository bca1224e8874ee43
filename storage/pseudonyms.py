"""Pseudonymous keys: Telegram ids never reach storage or Redis in the clear.

A keyed HMAC is deterministic (the same resident maps to the same key, so data can be found
again for /mydata and /forget) but cannot be reversed without the key (GDPR Art. 4(5)).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Literal

from aiogram.fsm.storage.base import DEFAULT_DESTINY, KeyBuilder, StorageKey


class Pseudonymizer:
    def __init__(self, key: str) -> None:
        self._key = key.encode()

    def subject(self, telegram_id: int | str) -> str:
        """A stable 32-character pseudonym for a Telegram user or chat id."""
        digest = hmac.new(self._key, str(telegram_id).encode(), hashlib.sha256)
        return digest.hexdigest()[:32]


class PseudonymizedKeyBuilder(KeyBuilder):
    """FSM and lock keys with the chat and user ids replaced by pseudonyms."""

    def __init__(self, pseudonymizer: Pseudonymizer, *, prefix: str = "fsm") -> None:
        self._pseudonymizer = pseudonymizer
        self.prefix = prefix

    def subject_of(self, key: StorageKey) -> str:
        """The resident's pseudonym (the same as their consent records use)."""
        return self._pseudonymizer.subject(key.user_id)

    def build(
        self, key: StorageKey, part: Literal["data", "state", "lock"] | None = None
    ) -> str:
        parts = [
            self.prefix,
            str(key.bot_id),
            self._pseudonymizer.subject(f"chat:{key.chat_id}:{key.thread_id or ''}"),
            self._pseudonymizer.subject(key.user_id),
        ]
        if key.destiny != DEFAULT_DESTINY:
            parts.append(key.destiny)
        if part:
            parts.append(part)
        return ":".join(parts)
