"""The command menus Telegram shows (setMyCommands): residents' and staff's, per language.

Residents see the Polish command names in Polish and the English ones otherwise (Telegram
allows only a-z, 0-9 and _ in names, so Ukrainian gets the English names with Ukrainian
descriptions); every name listed here is one the routers answer. Coordinators see the staff
commands in their chat only.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import lazy_gettext as __

from handlers.platform.context import StaffConfig
from handlers.staff.chat import staff_commands
from knowledge.model import LOCALES

# (Polish name, English name, what it does)
_RESIDENT = (
    ("start", "start", __("the main menu")),
    ("pomysl", "idea", __("describe an idea for the participatory budget")),
    ("wydarzenia", "events", __("upcoming events and sign-up")),
    ("konsultacje", "consultations", __("UrbanLab consultations")),
    ("kontakt", "human", __("ask a person at LIS")),
    ("moje", "mine", __("my ideas, sign-ups and questions")),
    ("nowosci", "news", __("news from LIS programmes")),
    ("jezyk", "language", __("change the language")),
    ("moje_dane", "mydata", __("what the bot keeps about me")),
    ("zgody", "consents", __("my consents, and withdrawing them")),
    ("zapomnij", "forget", __("delete everything about me")),
    ("pomoc", "help", __("what the bot can do")),
)


def resident_commands(locale: str) -> list[BotCommand]:
    """Call inside the i18n context, in `locale`."""
    return [BotCommand(command=polish if locale == "pl" else english, description=str(what))
            for polish, english, what in _RESIDENT]


async def register_commands(bot: Bot, i18n: I18n, staff: StaffConfig, default_locale: str
                            ) -> None:
    """Set the menus: per language for private chats, the default language for the rest."""
    with i18n.context():
        private = BotCommandScopeAllPrivateChats()
        for locale in LOCALES:
            with i18n.use_locale(locale):
                await bot.set_my_commands(resident_commands(locale), scope=private,
                                          language_code=locale)
        with i18n.use_locale(default_locale):
            await bot.set_my_commands(resident_commands(default_locale), scope=private)
        if staff.chat_id is not None:
            with i18n.use_locale(staff.locale):
                await bot.set_my_commands(
                    [BotCommand(command=name, description=what)
                     for name, what in staff_commands()],
                    scope=BotCommandScopeChat(chat_id=staff.chat_id))
