"""/moje (/mine): what the resident sent with the bot, and where each thing stands."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _

from handlers.platform.context import Turn
from handlers.platform.keyboards import Keyboard
from handlers.resident import events, ideas
from handlers.views.events import SignupCallback
from knowledge.model import localized


async def cmd_mine(message: Message, turn: Turn) -> None:
    """/moje, /mine -> the resident's ideas with their status, and sign-ups with a cancel
    button each."""
    if message.from_user is None:
        return
    idea_lines = await ideas.idea_lines(turn, message.from_user.id)
    signup_lines, signups = await events.signup_lines(turn, message.from_user.id)
    if not idea_lines and not signup_lines:
        await message.answer(_("You have not sent anything with me yet. /pomysl describes a BO "
                               "idea; /wydarzenia shows meetings you can sign up for."))
        return
    lines: list[str] = []
    if idea_lines:
        lines += ["<b>" + _("Your ideas") + "</b>", *idea_lines]
    if signup_lines:
        lines += [""] * bool(lines) + ["<b>" + _("Your sign-ups") + "</b>", *signup_lines]
    keyboard = Keyboard()
    for signup in signups:
        event = turn.base.events[signup.event_id]
        keyboard.button(text=_("✖ Cancel: {event}").format(
            event=localized(event.title, turn.locale))[:60],
            callback_data=SignupCallback(action="cancel", signup=signup.id or 0))
    keyboard.adjust(1)
    await message.answer("\n".join(lines), reply_markup=keyboard.as_markup() if signups else None)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_mine, Command("moje", "mine", ignore_case=True))
    return router
