"""/news: opt in to LIS announcements (purpose `news`). Unsubscribing is in /consents."""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.services import Services
from handlers.consent import ask_consent, current_consent
from storage.consents import ActiveConsent, PersonalData

PURPOSE = "news"


async def cmd_news(message: Message, services: Services, session: AsyncSession, locale: str) -> None:
    """/news -> already subscribed, or the consent step."""
    if message.from_user is None:
        return
    if await current_consent(services, session, message.from_user.id, PURPOSE) is not None:
        await message.answer(_("You already get LIS news. To stop, use /consents."))
        return
    await ask_consent(message, services, PURPOSE, locale)


async def on_news_consent(
    query: CallbackQuery, consent: ActiveConsent, *, session: AsyncSession, locale: str,
    **_data: Any,
) -> None:
    """After consent: subscribe this chat."""
    message = query.message
    if message is None:
        return
    await PersonalData(session).subscribe_news(consent, chat_id=message.chat.id, locale=locale)
    await message.answer(_("Done: I will send you LIS news. To stop, use /consents."))


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_news, Command("news"))
    return router
