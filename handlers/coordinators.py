"""Coordinators act on forwarded ideas; residents follow their ideas with /mine.

Status button in the coordinators' chat -> only a listed coordinator (COORDINATOR_IDS) pressing
in COORDINATOR_CHAT_ID may change it; the status and who set it are stored, the message shows
it, and the resident is told in their language (through the outbox).
"""

from __future__ import annotations

import html

from aiogram import Bot, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from babel.dates import format_date
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.outbox import deliver_due
from bot.services import GDYNIA, Services
from handlers.callbacks import tell
from handlers.idea_views import STATUS_BUTTONS, STATUS_LABELS, IdeaStatusCallback
from storage.ideas import ideas_of, set_status
from storage.models import Idea
from storage.outbox import enqueue


async def on_status(
    query: CallbackQuery, callback_data: IdeaStatusCallback, bot: Bot, services: Services,
    session: AsyncSession, i18n: I18n, callback_answer: CallbackAnswer,
) -> None:
    """A coordinator's decision on an idea."""
    settings = services.settings
    message = query.message
    in_coordinators_chat = message is not None and message.chat.id == settings.coordinator_chat_id
    if not in_coordinators_chat or query.from_user.id not in settings.coordinator_ids:
        tell(callback_answer, _("Only LIS coordinators can decide on ideas."), alert=True)
        return
    idea = await session.get(Idea, callback_data.idea_id)
    if idea is None or callback_data.status not in STATUS_BUTTONS:
        tell(callback_answer, _("This idea is no longer stored (the resident erased it)."),
             alert=True)
        return
    coordinator = query.from_user.full_name
    await set_status(session, idea, callback_data.status, coordinator)
    with i18n.use_locale(idea.locale):
        notice = _("News about your idea {reference} ({title}): {status}.").format(
            reference=idea.reference, title=html.escape(idea.title),
            status=STATUS_LABELS[idea.status])
        if idea.status == "needs_info":
            notice += "\n" + _("A coordinator will contact you; you can also write to "
                               "bo@gdynia.pl or call 58 727 39 10.")
    enqueue(session, chat_id=idea.chat_id, text=notice, idea_id=idea.id)
    await session.commit()
    tell(callback_answer, str(STATUS_LABELS[idea.status]))
    if isinstance(message, Message) and message.html_text:
        head = message.html_text.split("\n\n<b>" + _("Status") + ":</b>")[0]
        await message.edit_text(
            f"{head}\n\n<b>{_('Status')}:</b> {STATUS_LABELS[idea.status]} — "
            f"{html.escape(coordinator)}",
            reply_markup=message.reply_markup,
        )
    await deliver_due(bot, services.db.sessions)


async def cmd_mine(message: Message, services: Services, session: AsyncSession,
                   locale: str) -> None:
    """/moje, /mine -> the resident's ideas and their status."""
    if message.from_user is None:
        return
    ideas = await ideas_of(session, services.pseudonyms.subject(message.from_user.id))
    if not ideas:
        await message.answer(_("You have no ideas sent with me yet. /pomysl starts one."))
        return
    lines = ["<b>" + _("Your ideas") + "</b>"]
    for idea in ideas:
        sent = format_date(idea.created_at.astimezone(GDYNIA).date(), "d MMM y", locale=locale)
        lines.append(f"• <b>{idea.reference}</b> {html.escape(idea.title)} ({sent}): "
                     f"{STATUS_LABELS[idea.status]}")
    await message.answer("\n".join(lines))


def build_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(on_status, IdeaStatusCallback.filter())
    router.message.register(cmd_mine, Command("moje", "mine"))
    return router
