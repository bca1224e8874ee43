"""/language: switch among Polish, Ukrainian and English, and optionally remember the choice.

/language -> three buttons -> switched (in memory for this process)
  with `preferences` consent in force -> also stored
  otherwise -> [Remember my choice] -> consent step (handlers.consent) -> stored
"""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import SUPPORTED_LOCALES
from bot.i18n import LanguageChoices
from bot.services import Services
from handlers.callbacks import LanguageCallback, MenuCallback, tell
from handlers.consent import ask_consent, current_consent
from storage.consents import ActiveConsent, PersonalData

PURPOSE = "preferences"
# Each language is offered in its own name, whatever the current locale.
LANGUAGE_NAMES = {"pl": "🇵🇱 Polski", "uk": "🇺🇦 Українська", "en": "🇬🇧 English"}


def language_keyboard() -> InlineKeyboardMarkup:
    keyboard = InlineKeyboardBuilder()
    for code in SUPPORTED_LOCALES:
        keyboard.button(text=LANGUAGE_NAMES[code], callback_data=LanguageCallback(code=code))
    keyboard.adjust(3)
    return keyboard.as_markup()


def remember_keyboard() -> InlineKeyboardMarkup:
    keyboard = InlineKeyboardBuilder()
    keyboard.button(text=_("💾 Remember my choice"),
                    callback_data=MenuCallback(action="remember-language"))
    return keyboard.as_markup()


async def cmd_language(message: Message) -> None:
    """/language -> the three languages as buttons."""
    await message.answer(_("Choose your language:"), reply_markup=language_keyboard())


async def on_language(
    query: CallbackQuery,
    callback_data: LanguageCallback,
    languages: LanguageChoices,
    i18n: I18n,
    services: Services,
    session: AsyncSession,
    callback_answer: CallbackAnswer,
) -> None:
    """A language button -> switch; store it when remembering was agreed to, else offer it."""
    code = callback_data.code
    if code not in SUPPORTED_LOCALES:
        tell(callback_answer, _("This button is out of date. Type /language again."), alert=True)
        return
    languages.set(query.from_user.id, code)
    consent = await current_consent(services, session, query.from_user.id, PURPOSE)
    if consent is not None:
        await PersonalData(session).remember_language(consent, locale=code)
    with i18n.use_locale(code):
        confirmation = _("Done: I will talk to you in English. Type /start for the menu.")
        markup = None if consent is not None else remember_keyboard()
    if query.message is not None:
        await query.message.answer(confirmation, reply_markup=markup)


async def on_remember(query: CallbackQuery, services: Services, locale: str) -> None:
    """'Remember my choice' -> the consent step for `preferences`."""
    if isinstance(query.message, Message):
        await ask_consent(query.message, services, PURPOSE, locale)


async def on_preferences_consent(
    query: CallbackQuery, consent: ActiveConsent, *, session: AsyncSession,
    languages: LanguageChoices, locale: str, **_data: Any,
) -> None:
    """After consent: store the language in use."""
    chosen = languages.get(query.from_user.id) or locale
    await PersonalData(session).remember_language(consent, locale=chosen)
    if query.message is not None:
        await query.message.answer(_("I will remember your language: {language}.").format(
            language=LANGUAGE_NAMES[chosen]))


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_language, Command("language"))
    router.callback_query.register(on_language, LanguageCallback.filter())
    router.callback_query.register(
        on_remember, MenuCallback.filter(F.action == "remember-language"))
    return router
