"""Who may use what: residents in private chats; coordinators, in their chat, for staff work.

Every staff command and button goes through `IsCoordinator`: it admits the users listed in
COORDINATOR_IDS writing in COORDINATOR_CHAT_ID, and hands the handler a `coordinator`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiogram.filters import BaseFilter
from aiogram.types import CallbackQuery, Chat, Message, TelegramObject, User

from handlers.platform.context import Turn


@dataclass(frozen=True)
class Coordinator:
    user_id: int
    first_name: str  # shown to residents when relaying answers, never the account
    full_name: str


def _chat_of(event: TelegramObject) -> Chat | None:
    if isinstance(event, Message):
        return event.chat
    if isinstance(event, CallbackQuery) and event.message is not None:
        return event.message.chat
    return None


class IsCoordinator(BaseFilter):
    async def __call__(self, event: TelegramObject, turn: Turn,
                       event_from_user: User | None = None) -> bool | dict[str, Any]:
        chat = _chat_of(event)
        if event_from_user is None or chat is None:
            return False
        if not turn.staff.is_coordinator(event_from_user.id, chat.id):
            return False
        return {"coordinator": Coordinator(event_from_user.id, event_from_user.first_name,
                                           event_from_user.full_name)}


class InStaffChat(BaseFilter):
    """Anything in the coordinators' chat, from anyone (to keep the bot quiet there)."""

    async def __call__(self, event: TelegramObject, turn: Turn) -> bool:
        chat = _chat_of(event)
        return chat is not None and turn.staff.chat_id is not None and chat.id == turn.staff.chat_id


class InPrivateChat(BaseFilter):
    async def __call__(self, event: TelegramObject) -> bool:
        chat = _chat_of(event)
        return chat is not None and chat.type == "private"
