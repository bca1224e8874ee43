"""/news: opt in to LIS announcements (purpose `news`). Unsubscribing is in /consents."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __

from handlers.platform.consent import ask_consent, current_consent
from handlers.platform.context import Turn
from handlers.platform.purposes import Purpose
from handlers.platform.telegram_ops import usable
from handlers.resident.menu import MenuCallback
from storage import news
from storage.consents import ActiveConsent

PURPOSE = news.PURPOSE


async def cmd_news(message: Message, turn: Turn) -> None:
    """/news -> already subscribed, or the consent step."""
    if message.from_user is None:
        return
    if await current_consent(turn, message.from_user.id, PURPOSE) is not None:
        await message.answer(_("You already get LIS news. To stop, use /consents."))
        return
    await ask_consent(message, turn, PURPOSE)


async def after_consent(query: CallbackQuery, message: Message, consent: ActiveConsent,
                        turn: Turn, state: FSMContext, ref: str) -> None:
    """After consent: subscribe this chat."""
    await news.subscribe(turn.session, consent, chat_id=message.chat.id, locale=turn.locale)
    await message.answer(_("Done: I will send you LIS news. To stop, use /consents."))


DECLARATION = Purpose(id=PURPOSE, label=__("LIS news"), data=news.DATA,
                      after_consent=after_consent)


async def on_news_button(query: CallbackQuery, turn: Turn) -> None:
    """A 'LIS news' button (e.g. under "no upcoming meetings") -> as /news."""
    message = usable(query.message)
    if message is None:
        return
    if await current_consent(turn, query.from_user.id, PURPOSE) is not None:
        await message.answer(_("You already get LIS news. To stop, use /consents."))
        return
    await ask_consent(message, turn, PURPOSE)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_news, Command("news", "nowosci", "nowości", ignore_case=True))
    router.callback_query.register(on_news_button, MenuCallback.filter(F.action == "news"))
    return router
