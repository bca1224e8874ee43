"""The coordinators' chat: staff commands, and quiet for everything else.

Text typed there is never answered as a resident's question nor stored; residents' commands
(/forget, /mydata, /consents...) do nothing there. Presses on staff buttons by someone who is
not a coordinator get a short alert and change nothing.
"""

from __future__ import annotations

import html

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from handlers.platform.context import Turn
from handlers.platform.filters import InStaffChat, IsCoordinator
from handlers.platform.telegram_ops import tell
from storage.outbox import status_counts, undelivered


async def cmd_staff_help(message: Message, turn: Turn, i18n: I18n) -> None:
    """/help in the staff chat -> the staff commands."""
    with i18n.use_locale(turn.staff.locale):
        await message.answer("\n".join([
            "<b>" + _("Commands for coordinators") + "</b>",
            _("/outbox — messages waiting, delivered and undeliverable"),
            _("Buttons under forwarded ideas set their status; the resident is told."),
        ]))


async def cmd_outbox(message: Message, turn: Turn, i18n: I18n) -> None:
    """/outbox -> how delivery stands, and the messages that could not be delivered."""
    counts = await status_counts(turn.session)
    failed = await undelivered(turn.session)
    with i18n.use_locale(turn.staff.locale):
        lines = ["<b>" + _("Outbox") + "</b>",
                 _("waiting: {pending}, delivered: {sent}, stopped: {stopped}, failed: {dead}")
                 .format(pending=counts.get("pending", 0), sent=counts.get("sent", 0),
                         stopped=counts.get("stopped", 0), dead=counts.get("dead", 0))]
        for item in failed:
            lines.append(f"• #{item.id} {html.escape(item.role or item.kind)} "
                         f"({html.escape(item.status)}): {html.escape(item.last_error or '')}")
    await message.answer("\n".join(lines))


async def ignore(message: Message) -> None:
    """Anything else in the staff chat: not a resident's question; nothing is stored."""


async def refuse_press(query: CallbackQuery, callback_answer: CallbackAnswer) -> None:
    """A staff button pressed by someone who is not a coordinator (or a stale one)."""
    tell(callback_answer, _("Only LIS coordinators can use these buttons."), alert=True)


def build_router(staff_features: list[Router]) -> Router:
    """The whole staff side: coordinators' commands and buttons, then quiet for the rest."""
    staff = Router(name="staff")
    coordinators = Router(name="staff.coordinators")
    for event in (coordinators.message, coordinators.callback_query):
        event.filter(IsCoordinator())
    coordinators.message.register(cmd_staff_help, Command("help", "pomoc", ignore_case=True))
    coordinators.message.register(cmd_outbox, Command("outbox", ignore_case=True))
    coordinators.include_routers(*staff_features)
    staff.include_router(coordinators)
    quiet = Router(name="staff.quiet")
    quiet.message.filter(InStaffChat())
    quiet.callback_query.filter(InStaffChat())
    quiet.message.register(ignore)
    quiet.callback_query.register(refuse_press)
    staff.include_router(quiet)
    return staff
