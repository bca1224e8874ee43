"""/language: switch among Polish, Ukrainian and English, and optionally remember the choice.

/language -> three buttons -> switched (in memory for this process; a form in progress
switches too) -> with the `preferences` consent in force, also stored; otherwise
[Remember my choice] -> consent step -> stored
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __

from handlers.platform.consent import ask_consent, current_consent
from handlers.platform.context import Turn
from handlers.platform.keyboards import Keyboard
from handlers.platform.purposes import Purpose
from handlers.platform.telegram_ops import tell, usable
from handlers.resident.menu import MenuCallback
from knowledge.model import LOCALES
from storage import preferences
from storage.consents import ActiveConsent

PURPOSE = preferences.PURPOSE
# Each language is offered in its own name, whatever the current locale.
LANGUAGE_NAMES = {"pl": "🇵🇱 Polski", "uk": "🇺🇦 Українська", "en": "🇬🇧 English"}


class LanguageCallback(CallbackData, prefix="lang"):
    code: str


def language_keyboard() -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    for code in LOCALES:
        keyboard.button(text=LANGUAGE_NAMES[code], callback_data=LanguageCallback(code=code))
    keyboard.adjust(3)
    return keyboard.as_markup()


def remember_keyboard() -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("💾 Remember my choice"),
                    callback_data=MenuCallback(action="remember-language"))
    return keyboard.as_markup()


async def cmd_language(message: Message) -> None:
    """/language -> the three languages as buttons."""
    await message.answer(_("Choose your language:"), reply_markup=language_keyboard())


async def on_language_button(query: CallbackQuery) -> None:
    """'🌐 Język · Мова · Language' under /start -> the three languages."""
    message = usable(query.message)
    if message is not None:
        await cmd_language(message)


async def on_language(query: CallbackQuery, callback_data: LanguageCallback, turn: Turn,
                      state: FSMContext, form_data: dict[str, Any] | None, i18n: I18n,
                      callback_answer: CallbackAnswer) -> None:
    """A language button -> switch (a form in progress too); store it if agreed to."""
    code, message = callback_data.code, usable(query.message)
    if code not in LOCALES or message is None:
        tell(callback_answer, _("This button is out of date. Type /language again."), alert=True)
        return
    user_id = query.from_user.id
    turn.services.languages.set(user_id, code)
    if form_data is not None:
        await state.update_data(locale=code)
    consent = await current_consent(turn, user_id, PURPOSE)
    if consent is not None:
        await preferences.remember_language(turn.session, consent, code)
        turn.services.languages.cache_remembered(user_id, code)
    with i18n.use_locale(code):
        turn.locale = code
        await message.answer(_("Done: I will talk to you in English. Type /start for the menu."),
                             reply_markup=None if consent is not None else remember_keyboard())


async def on_remember(query: CallbackQuery, turn: Turn) -> None:
    """'Remember my choice' -> the consent step for `preferences`."""
    message = usable(query.message)
    if message is not None:
        await ask_consent(message, turn, PURPOSE)


async def after_consent(query: CallbackQuery, message: Message, consent: ActiveConsent,
                        turn: Turn, state: FSMContext, ref: str) -> None:
    """After consent: store the language in use."""
    chosen = turn.services.languages.get(query.from_user.id) or turn.locale
    await preferences.remember_language(turn.session, consent, chosen)
    turn.services.languages.cache_remembered(query.from_user.id, chosen)
    await message.answer(_("I will remember your language: {language}.").format(
        language=LANGUAGE_NAMES[chosen]))


DECLARATION = Purpose(id=PURPOSE, label=__("remembering your language"), data=preferences.DATA,
                      after_consent=after_consent)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_language, Command("language", "jezyk", "język", "mova",
                                                  ignore_case=True))
    router.callback_query.register(on_language, LanguageCallback.filter())
    router.callback_query.register(on_language_button,
                                   MenuCallback.filter(F.action == "language"))
    router.callback_query.register(on_remember,
                                   MenuCallback.filter(F.action == "remember-language"))
    return router
