"""Coordinators decide on forwarded BO ideas (staff side: every press passes `IsCoordinator`).

A status button -> the status and who set it are stored, the message is re-rendered from the
stored idea, and the resident is told in their language (through the outbox). "Not eligible"
first asks for the reason (from knowledge/forms/bo_idea.yaml), which the resident is told
with what they can do. Pressing the status an idea already has changes and sends nothing.
"""

from __future__ import annotations

import html

from aiogram import Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from handlers.platform.context import Turn
from handlers.platform.facts import contact_line
from handlers.platform.filters import Coordinator
from handlers.platform.keyboards import Keyboard
from handlers.platform.telegram_ops import replace_buttons, replace_message, tell, usable
from handlers.views.ideas import STATUS_BUTTONS, STATUS_LABELS, IdeaStatusCallback, staff_view
from knowledge.model import localized
from storage import ideas as idea_store
from storage.models import Idea
from storage.outbox import Outgoing

NOT_ELIGIBLE = "not_eligible"


def _markup(rows: list[list[dict[str, str]]]) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    for row in rows:
        for button in row:
            keyboard.button(text=button["text"], callback_data=button["data"])
    keyboard.adjust(1)
    return keyboard.as_markup()


def _reason_keyboard(turn: Turn, idea_id: int, locale: str) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    for reason_id, reason in turn.base.form("bo_idea").reasons.items():
        keyboard.button(text=localized(reason.label, locale), callback_data=IdeaStatusCallback(
            idea_id=idea_id, status=NOT_ELIGIBLE, reason=reason_id))
    keyboard.button(text=_("⬅ Back"), callback_data=IdeaStatusCallback(idea_id=idea_id,
                                                                      status="menu"))
    keyboard.adjust(1)
    return keyboard.as_markup()


async def on_status(query: CallbackQuery, callback_data: IdeaStatusCallback, turn: Turn,
                    coordinator: Coordinator, i18n: I18n, callback_answer: CallbackAnswer) -> None:
    """A coordinator's decision on an idea."""
    message = usable(query.message)
    idea = await idea_store.find_idea(turn.session, callback_data.idea_id)
    status, reason = callback_data.status, callback_data.reason or None
    reasons = turn.base.form("bo_idea").reasons
    valid = status in STATUS_BUTTONS or status == "menu"
    forged_reason = reason is not None and reason not in reasons
    if idea is None or message is None or not valid or forged_reason:
        tell(callback_answer, _("This idea is no longer stored (the resident erased it)."),
             alert=True)
        return
    locale = turn.staff.locale
    with i18n.use_locale(locale):
        if status == "menu":
            await _show(message, turn, idea)
            return
        if status == NOT_ELIGIBLE and reason is None:
            await replace_buttons(message, _reason_keyboard(turn, idea.id or 0, locale))
            tell(callback_answer, _("Why is it not eligible? The resident will be told."))
            return
        if idea.status == status and idea.status_reason == reason:
            tell(callback_answer, _("The idea already has this status."))
            return
        idea_store.set_status(idea, status, coordinator.full_name, reason)
        turn.session.add(idea)
        tell(callback_answer, str(STATUS_LABELS[status]))
        await _show(message, turn, idea)
    tell_resident(turn, idea, i18n)


async def _show(message: Message, turn: Turn, idea: Idea) -> None:
    text, buttons = staff_view(idea, turn.base, turn.staff.locale)
    await replace_message(message, text, _markup(buttons))


def tell_resident(turn: Turn, idea: Idea, i18n: I18n) -> None:
    with i18n.use_locale(idea.locale):
        lines = [_("News about your idea {reference} ({title}): {status}.").format(
            reference=idea.reference, title=html.escape(idea.title),
            status=STATUS_LABELS[idea.status])]
        if idea.status == "needs_info":
            lines.append(_("A coordinator will contact you; you can also write to the BO team: "
                           "{contact}.").format(contact=contact_line(turn, "bo_team")))
        reason = turn.base.form("bo_idea").reasons.get(idea.status_reason or "")
        if idea.status == NOT_ELIGIBLE and reason is not None:
            lines.append(_("Why: {reason}.").format(
                reason=html.escape(localized(reason.label, idea.locale))))
            lines.append(html.escape(localized(reason.advice, idea.locale)))
    turn.enqueue(Outgoing(chat_id=idea.chat_id, text="\n".join(lines), subject=idea.subject,
                          purpose=idea_store.PURPOSE, ref_kind=idea_store.REF_KIND,
                          ref_id=str(idea.id), role="idea.status"))


def build_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(on_status, IdeaStatusCallback.filter())
    return router
