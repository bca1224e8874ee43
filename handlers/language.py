"""/language: switch among Polish, Ukrainian and English.

The choice lives in memory only (`LanguageChoices`); remembering it across restarts needs the
`preferences` consent, which comes with the GDPR feature.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.config import SUPPORTED_LOCALES
from bot.i18n import LanguageChoices
from handlers.callbacks import LanguageCallback, tell

# Each language is offered in its own name, whatever the current locale.
LANGUAGE_NAMES = {"pl": "🇵🇱 Polski", "uk": "🇺🇦 Українська", "en": "🇬🇧 English"}


def language_keyboard() -> InlineKeyboardMarkup:
    keyboard = InlineKeyboardBuilder()
    for code in SUPPORTED_LOCALES:
        keyboard.button(text=LANGUAGE_NAMES[code], callback_data=LanguageCallback(code=code))
    keyboard.adjust(3)
    return keyboard.as_markup()


async def cmd_language(message: Message) -> None:
    """/language -> the three languages as buttons."""
    await message.answer(_("Choose your language:"), reply_markup=language_keyboard())


async def on_language(
    query: CallbackQuery,
    callback_data: LanguageCallback,
    languages: LanguageChoices,
    i18n: I18n,
    callback_answer: CallbackAnswer,
) -> None:
    """A language button -> switch, and confirm in the new language."""
    if callback_data.code not in SUPPORTED_LOCALES:
        tell(callback_answer, _("This button is out of date. Type /language again."), alert=True)
        return
    languages.set(query.from_user.id, callback_data.code)
    with i18n.use_locale(callback_data.code):
        confirmation = _(
            "Done: I will talk to you in English. Type /start for the menu."
        )
    if query.message is not None:
        await query.message.answer(confirmation)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_language, Command("language"))
    router.callback_query.register(on_language, LanguageCallback.filter())
    return router
