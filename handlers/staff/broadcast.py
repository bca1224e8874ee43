"""/ogloszenie in the coordinators' chat: an announcement to news subscribers.

Programme -> districts -> text -> a preview as residents will see it, with the audience size ->
confirm -> one outbox message per subscriber (within Telegram's limits; nothing is sent twice
if the bot restarts midway; blocked chats are dropped from the list) and a progress message in
the staff chat, edited in place as copies go out. Every copy has an unsubscribe button.
"""

from __future__ import annotations

import html
from typing import Any

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from sqlmodel import col, func, select

from handlers.platform.context import Services, Turn
from handlers.platform.filters import Coordinator
from handlers.platform.forms import Choice, Form, FormData, Invalid, Step
from handlers.platform.telegram_html import utf16_len
from handlers.resident.menu import PROGRAMME_LABELS
from handlers.resident.news import unsubscribe_buttons
from storage import news
from storage.models import Broadcast, OutboxMessage
from storage.outbox import Outgoing, enqueue

ALL = "all"
TEXT_MAX = 3500
PROGRESS_ROLE = "broadcast.progress"


class BroadcastDraft(FormData):
    programme: str | None = None
    districts: list[str] | None = None  # [] = every district
    text: str | None = None
    audience: int | None = None  # counted when the preview is shown


def _programmes(draft: BroadcastDraft, turn: Turn) -> list[Choice]:
    return [Choice(ALL, _("All programmes")),
            *[Choice(key, str(label)) for key, label in PROGRAMME_LABELS.items()]]


def _districts(draft: BroadcastDraft, turn: Turn) -> list[Choice]:
    chosen = draft.districts or []
    return [Choice(ALL, _("All districts"), selected=not chosen),
            *[Choice(str(i), d.name, selected=d.name in chosen)
              for i, d in enumerate(turn.base.districts)]]


def _toggle_district(value: str, draft: BroadcastDraft, turn: Turn) -> dict[str, Any] | None:
    if value == ALL:
        return {"districts": []}
    districts = turn.base.districts
    if not (value.isascii() and value.isdecimal() and int(value) < len(districts)):
        return None  # forged
    name, chosen = districts[int(value)].name, list(draft.districts or [])
    return {"districts": [d for d in chosen if d != name] if name in chosen else [*chosen, name]}


def _text(text: str, draft: BroadcastDraft, turn: Turn) -> dict[str, Any]:
    value = text.strip()
    if not 10 <= utf16_len(value) <= TEXT_MAX:
        raise Invalid(_("Please write between 10 and {count} characters.").format(
            count=TEXT_MAX))
    return {"text": value}


STEPS: list[Step[BroadcastDraft]] = [
    Step("programme", __("Which programme is it about?"), ("programme",), choices=_programmes,
         pick=lambda v, d, t: {"programme": v} if v == ALL or v in PROGRAMME_LABELS else None,
         edit_label=__("Programme")),
    Step("districts", __("For which districts? Choose one or more, then Done."), ("districts",),
         choices=_districts, pick=_toggle_district, columns=3,
         done=lambda draft: {"districts": draft.districts or []}, edit_label=__("Districts")),
    Step("text", __("The announcement's text:"), ("text",), parse=_text, edit_label=__("Text")),
]


def resident_text(draft: BroadcastDraft) -> str:
    return "📢 <b>" + _("Announcement from LIS") + "</b>\n\n" + html.escape(draft.text or "")


def _filters(draft: BroadcastDraft) -> tuple[str | None, list[str]]:
    programme = None if draft.programme in (None, ALL) else draft.programme
    return programme, list(draft.districts or [])


def _summary(draft: BroadcastDraft, turn: Turn) -> str:
    programme, districts = _filters(draft)
    return "\n".join([
        "<b>" + _("Preview (as residents will see it):") + "</b>", "", resident_text(draft), "",
        _("Programme: {programme}").format(programme=html.escape(
            str(PROGRAMME_LABELS[programme]) if programme else _("All programmes"))),
        _("Districts: {districts}").format(districts=html.escape(
            ", ".join(districts) or _("All districts"))),
        _("It goes to {count} subscriber(s).").format(count=draft.audience or 0)])


async def _count_audience(draft: BroadcastDraft, turn: Turn) -> BroadcastDraft:
    programme, districts = _filters(draft)
    count = len(await news.audience(turn.session, programme, districts))
    return draft.model_copy(update={"audience": count})


async def confirm(draft: BroadcastDraft, query: CallbackQuery, message: Message, turn: Turn,
                  state: FSMContext) -> None:
    await state.clear()
    programme, districts = _filters(draft)
    audience = await news.audience(turn.session, programme, districts)
    broadcast = Broadcast(programme=programme, districts=districts, audience=len(audience),
                          staff_chat_id=message.chat.id, created_at=turn.now)
    turn.session.add(broadcast)
    await turn.session.flush()
    for subscription in audience:
        with turn.services.i18n.use_locale(subscription.locale):
            text, buttons = resident_text(draft), unsubscribe_buttons()
        turn.enqueue(Outgoing(chat_id=subscription.chat_id, text=text, buttons=buttons,
                              subject=subscription.subject, purpose=news.PURPOSE,
                              ref_kind=news.REF_KIND, ref_id=str(broadcast.id), role=news.ROLE))
    progress = await message.answer(_progress_text(len(audience), 0, len(audience), 0))
    broadcast.progress_message_id = progress.message_id
    turn.session.add(broadcast)


def _progress_text(total: int, sent: int, waiting: int, failed: int) -> str:
    if waiting == 0:
        return _("📢 Announcement sent: {sent} of {total} delivered, {failed} could not be "
                 "delivered.").format(sent=sent, total=total, failed=failed)
    return _("📢 Sending the announcement: {sent} of {total} delivered, {waiting} waiting, "
             "{failed} could not be delivered.").format(sent=sent, total=total,
                                                       waiting=waiting, failed=failed)


async def show_progress(services: Services) -> int:
    """Edit each sending announcement's progress message when its counts change."""
    edited = 0
    with services.i18n.context(), services.i18n.use_locale(services.staff.locale):
        async with services.db.sessions() as session:
            for broadcast in await news.broadcasts_sending(session):
                rows = await session.exec(
                    select(OutboxMessage.status, func.count()).where(
                        col(OutboxMessage.ref_kind) == news.REF_KIND,
                        col(OutboxMessage.ref_id) == str(broadcast.id),
                        col(OutboxMessage.role) == news.ROLE).group_by(OutboxMessage.status))
                counts = dict(rows.all())
                sent, waiting = counts.get("sent", 0), counts.get("pending", 0)
                failed = broadcast.audience - sent - waiting
                shown = f"{sent}/{waiting}/{failed}"
                if shown == broadcast.progress_shown:
                    continue
                broadcast.progress_shown = shown
                if waiting == 0:
                    broadcast.status = "done"
                session.add(broadcast)
                if broadcast.staff_chat_id and broadcast.progress_message_id:
                    enqueue(session, Outgoing(
                        chat_id=broadcast.staff_chat_id, kind="edit",
                        edit_message_id=broadcast.progress_message_id,
                        text=_progress_text(broadcast.audience, sent, waiting, failed),
                        ref_kind=news.REF_KIND, ref_id=str(broadcast.id), role=PROGRESS_ROLE),
                        services.clock.now())
                    edited += 1
            await session.commit()
    if edited:
        services.jobs.wake("outbox")
    return edited


FORM = Form(
    name="broadcast", purpose=None, draft_model=BroadcastDraft, steps=STEPS,
    intro=lambda draft, turn: _("A new announcement for LIS news subscribers."),
    summary=_summary, confirm=confirm, confirm_label=__("📢 Send it"), title=__("announcement"),
    prepare=_count_audience,
)


async def cmd_announce(message: Message, turn: Turn, coordinator: Coordinator,
                       state: FSMContext, form_data: dict[str, Any] | None) -> None:
    """/ogloszenie -> the announcement form."""
    with turn.services.i18n.use_locale(turn.staff.locale):
        turn.locale = turn.staff.locale
        await FORM.open(message, turn, state, coordinator.user_id, form_data)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_announce, Command("ogloszenie", "ogłoszenie", "announce",
                                                  ignore_case=True))
    router.include_router(FORM.build_router())
    return router
