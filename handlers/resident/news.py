"""/news: LIS announcements (purpose `news`), about the programmes and the district one chooses.

/news -> consent -> subscribed to everything -> [✓ programme] buttons narrow it down,
[📍 district] limits it to one district -> every announcement carries [🔕 Unsubscribe].
Unsubscribing (or /consents) withdraws the consent and deletes the subscription.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __

from handlers.platform.consent import ask_consent, current_consent
from handlers.platform.context import Turn
from handlers.platform.keyboards import Keyboard
from handlers.platform.personal_data import erase_purpose
from handlers.platform.purposes import Purpose
from handlers.platform.telegram_ops import (
    remove_buttons,
    replace_buttons,
    replace_message,
    tell,
    usable,
)
from handlers.resident.menu import PROGRAMME_LABELS, MenuCallback
from storage import news
from storage.consents import ActiveConsent, ConsentRepository
from storage.models import NewsSubscription

PURPOSE = news.PURPOSE


class NewsCallback(CallbackData, prefix="nw"):
    action: str  # prog | districts | district | done | stop
    value: str = ""


def preferences_text(subscription: NewsSubscription) -> str:
    programmes = ", ".join(str(PROGRAMME_LABELS[p]) for p in subscription.programmes
                           if p in PROGRAMME_LABELS) or _("all programmes")
    district = subscription.district or _("all districts")
    return _("You get LIS news about: {programmes}; {district}. Tap to change:").format(
        programmes=programmes, district=district)


def preferences_keyboard(subscription: NewsSubscription) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    chosen = set(subscription.programmes)
    for programme, label in PROGRAMME_LABELS.items():
        mark = "✓ " if not chosen or programme in chosen else "○ "
        keyboard.button(text=mark + str(label), callback_data=NewsCallback(action="prog",
                                                                           value=programme))
    keyboard.button(text="📍 " + (subscription.district or _("all districts")),
                    callback_data=NewsCallback(action="districts"))
    keyboard.button(text=_("✅ Done"), callback_data=NewsCallback(action="done"))
    keyboard.adjust(1)
    return keyboard.as_markup()


def unsubscribe_buttons() -> list[list[dict[str, str]]]:
    return [[{"text": _("🔕 Unsubscribe"), "data": NewsCallback(action="stop").pack()}]]


async def _open(message: Message, turn: Turn, user_id: int) -> None:
    """The subscription's choices with the consent in force (subscribed again if the list
    was dropped because the chat had blocked the bot), or the consent step."""
    consent = await current_consent(turn, user_id, PURPOSE)
    if consent is None:
        await ask_consent(message, turn, PURPOSE)
        return
    subscription = await news.subscription_of(turn.session, consent.subject) or (
        await news.subscribe(turn.session, consent, chat_id=message.chat.id, locale=turn.locale))
    await message.answer(preferences_text(subscription),
                         reply_markup=preferences_keyboard(subscription))


async def cmd_news(message: Message, turn: Turn) -> None:
    """/news -> the subscription's choices, or the consent step."""
    if message.from_user is not None:
        await _open(message, turn, message.from_user.id)


async def on_news_button(query: CallbackQuery, turn: Turn) -> None:
    """A 'LIS news' button (e.g. under "no upcoming meetings") -> as /news."""
    message = usable(query.message)
    if message is not None:
        await _open(message, turn, query.from_user.id)


async def after_consent(query: CallbackQuery, message: Message, consent: ActiveConsent,
                        turn: Turn, state: FSMContext, ref: str) -> None:
    """After consent: subscribed to everything; the choices follow."""
    subscription = await news.subscribe(turn.session, consent, chat_id=message.chat.id,
                                        locale=turn.locale)
    await message.answer(_("Done: I will send you LIS news. To stop, use /consents."))
    await message.answer(preferences_text(subscription),
                         reply_markup=preferences_keyboard(subscription))


async def on_preferences(query: CallbackQuery, callback_data: NewsCallback, turn: Turn,
                         callback_answer: CallbackAnswer) -> None:
    """Choices of the subscription, and unsubscribing from an announcement."""
    message = usable(query.message)
    subject = turn.subject(query.from_user.id)
    subscription = await news.subscription_of(turn.session, subject)
    if message is None or subscription is None:
        tell(callback_answer, _("You are not subscribed to LIS news. /news subscribes."),
             alert=True)
        return
    action, value = callback_data.action, callback_data.value
    districts = [d.name for d in turn.base.districts]
    if action == "stop":
        await ConsentRepository(turn.session).withdraw(
            subject=subject, purpose=PURPOSE, locale=turn.locale, button=_("🔕 Unsubscribe"))
        await erase_purpose(turn, subject, PURPOSE)
        await remove_buttons(message)
        await message.answer(_("Done: you will get no more LIS news. /news subscribes again."))
        return
    if action == "done":
        await remove_buttons(message)
        tell(callback_answer, _("Saved."))
        return
    if action == "districts":
        keyboard = Keyboard()
        keyboard.button(text=_("All districts"), callback_data=NewsCallback(action="district"))
        for index, name in enumerate(districts):
            keyboard.button(text=name, callback_data=NewsCallback(action="district",
                                                                  value=str(index)))
        keyboard.adjust(1, 3)
        await replace_buttons(message, keyboard.as_markup())
        return
    if action == "prog" and value in PROGRAMME_LABELS:
        chosen = set(subscription.programmes) or set(PROGRAMME_LABELS)
        chosen ^= {value}
        await news.choose(turn.session, subscription, district=subscription.district,
                          programmes=[] if chosen == set(PROGRAMME_LABELS) or not chosen
                          else sorted(chosen))
    elif action == "district" and (not value or (value.isdecimal() and value.isascii()
                                                 and int(value) < len(districts))):
        await news.choose(turn.session, subscription, programmes=subscription.programmes,
                          district=districts[int(value)] if value else None)
    else:
        tell(callback_answer, _("This button is out of date. Type /start for the menu."),
             alert=True)
        return
    await replace_message(message, preferences_text(subscription),
                          preferences_keyboard(subscription))


DECLARATION = Purpose(id=PURPOSE, label=__("LIS news"), data=news.DATA,
                      after_consent=after_consent)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_news, Command("news", "nowosci", "nowości", ignore_case=True))
    router.callback_query.register(on_news_button, MenuCallback.filter(F.action == "news"))
    router.callback_query.register(on_preferences, NewsCallback.filter())
    return router
