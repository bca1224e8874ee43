"""What the bot says to small talk and to questions outside LIS Gdynia (knowledge/scope.py)."""

from __future__ import annotations

import html

from aiogram.types import InlineKeyboardMarkup
from aiogram.utils.i18n import gettext as _

from handlers.platform.context import Turn
from handlers.platform.facts import contact_line, contact_name
from handlers.platform.keyboards import Keyboard
from handlers.resident.menu import MenuCallback
from knowledge.model import localized
from knowledge.scope import Verdict


def small_talk_reply(turn: Turn, kind: str, locale: str) -> str | None:
    talk = turn.base.small_talk.get(kind)
    return html.escape(localized(talk.reply, locale)) if talk else None


def _pointer(turn: Turn, verdict: Verdict) -> str:
    if not verdict.ask or verdict.ask not in turn.base.contacts:
        return ""
    return _("City matters: {name}, {contact}.").format(
        name=contact_name(turn, verdict.ask), contact=contact_line(turn, verdict.ask))


def scope_reply(turn: Turn, verdict: Verdict, locale: str) -> str:
    """An honest "I know about LIS Gdynia", with where to ask instead."""
    if verdict.kind == "other_place":
        place = html.escape(localized(verdict.names, locale) or verdict.rule)
        return _("I only know about LIS in Gdynia and its programmes, not about {place}. For "
                 "{place}, please look at that city's own website or ask its city office."
                 ).format(place=place)
    if verdict.kind == "other_office":
        text = _("That is not something LIS deals with, and I would rather not guess.")
    else:
        text = _("I think you mean something other than LIS's programmes. I only know about "
                 "LIS in Gdynia and its programmes, and I would rather not guess.")
    pointer = _pointer(turn, verdict)
    return f"{text}\n\n{pointer}" if pointer else text


def scope_keyboard() -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("📋 What I can help with"), callback_data=MenuCallback(action="menu"))
    return keyboard.as_markup()
