"""Translations of UI strings (gettext catalogs in bot/locales) and the resident's locale."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from aiogram.types import TelegramObject, User
from aiogram.utils.i18n import I18n, I18nMiddleware

from bot.config import SUPPORTED_LOCALES

LOCALES_DIR = Path(__file__).resolve().parent / "locales"
DOMAIN = "messages"


def build_i18n(default_locale: str) -> I18n:
    return I18n(path=LOCALES_DIR, default_locale=default_locale, domain=DOMAIN)


def locale_from_language_code(language_code: str | None) -> str | None:
    """Telegram's client language ('uk', 'en-GB', 'pl') mapped to a supported locale."""
    code = (language_code or "").split("-")[0].lower()
    return code if code in SUPPORTED_LOCALES else None


class LanguageChoices:
    """Languages residents picked with /language during this process's lifetime.

    Kept in memory on purpose: remembering the choice durably needs the `preferences`
    consent (GDPR issue). Bounded, so a busy bot cannot grow it without limit.
    """

    def __init__(self, capacity: int = 50_000) -> None:
        self._capacity = capacity
        self._choices: OrderedDict[int, str] = OrderedDict()

    def get(self, user_id: int) -> str | None:
        return self._choices.get(user_id)

    def forget(self, user_id: int) -> None:
        self._choices.pop(user_id, None)

    def set(self, user_id: int, locale: str) -> None:
        self._choices[user_id] = locale
        self._choices.move_to_end(user_id)
        while len(self._choices) > self._capacity:
            self._choices.popitem(last=False)


# Reads a stored language for a user id (with the update's data, which holds the DB session).
RememberedLanguage = Callable[[int, dict[str, Any]], Awaitable[str | None]]


class LocaleMiddleware(I18nMiddleware):
    """The language of a form in progress, else the one chosen now, else the remembered one,
    else Telegram's, else the default."""

    def __init__(
        self, i18n: I18n, choices: LanguageChoices, remembered: RememberedLanguage
    ) -> None:
        super().__init__(i18n=i18n)
        self._choices = choices
        self._remembered = remembered

    async def get_locale(self, event: TelegramObject, data: dict[str, Any]) -> str:
        user: User | None = data.get("event_from_user")
        locale = self.i18n.default_locale
        if user is not None:
            chosen = (
                await _form_locale(data)
                or self._choices.get(user.id)
                or await self._remembered(user.id, data)
            )
            locale = chosen or locale_from_language_code(user.language_code) or locale
        data["locale"] = locale  # handlers that render knowledge answers need it by name
        return locale


async def _form_locale(data: dict[str, Any]) -> str | None:
    """A multi-step form keeps the language it was started in (stored in its FSM data)."""
    state = data.get("state")
    return (await state.get_data()).get("locale") if state is not None else None
