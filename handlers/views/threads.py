"""Conversations between residents and coordinators, whatever they are about.

A coordinator replies in Telegram to the bot's message about an idea, a sign-up or a question;
the text goes to the resident (signed with the coordinator's first name, never their account)
with [↩ Reply]; the resident's answer comes back into the staff chat as a reply in the same
thread.
"""

from __future__ import annotations

import html

from aiogram.filters.callback_data import CallbackData
from aiogram.utils.i18n import gettext as _

from handlers.platform.context import Turn
from storage import threads
from storage.outbox import Outgoing

PURPOSE_OF = {"idea": "bo_idea", "signup": "urbanlab_signup", "ticket": "handoff"}


class TicketCallback(CallbackData, prefix="tk"):
    action: str  # close | rate
    ticket: int
    value: str = ""


class ThreadCallback(CallbackData, prefix="th"):
    action: str  # reply
    kind: str
    ref: str


def reply_buttons(kind: str, ref: str, *, can_close: bool) -> list[list[dict[str, str]]]:
    rows = [[{"text": _("↩ Reply"), "data": ThreadCallback(action="reply", kind=kind,
                                                           ref=ref).pack()}]]
    if can_close:
        rows.append([{"text": _("✅ My question is answered"),
                      "data": TicketCallback(action="close", ticket=int(ref)).pack()}])
    return rows


def to_resident(turn: Turn, *, kind: str, ref: str, chat_id: int, locale: str,
                subject: str | None, about: str, author: str, text: str) -> None:
    """A coordinator's words, relayed to the resident in their language."""
    with turn.services.i18n.use_locale(locale):
        body = _("💬 <b>{author} (LIS)</b> about {about}:").format(
            author=html.escape(author), about=about) + "\n\n" + html.escape(text)
        buttons = reply_buttons(kind, ref, can_close=kind == "ticket")
    turn.enqueue(Outgoing(chat_id=chat_id, text=body, buttons=buttons, subject=subject,
                          purpose=PURPOSE_OF.get(kind), ref_kind=kind, ref_id=ref,
                          role=threads.TO_RESIDENT))


async def to_staff(turn: Turn, *, kind: str, ref: str, subject: str | None, about: str,
                   text: str) -> bool:
    """The resident's answer, as a reply in the staff chat's thread (False: no staff chat)."""
    chat_id = turn.staff.chat_id
    if chat_id is None:
        return False
    first = await threads.staff_message_of(turn.session, kind, ref)
    with turn.services.i18n.use_locale(turn.staff.locale):
        body = _("↩ <b>The resident</b> about {about}:").format(about=about) + "\n\n" + (
            html.escape(text))
    turn.enqueue(Outgoing(chat_id=chat_id, text=body, subject=subject,
                          purpose=PURPOSE_OF.get(kind), ref_kind=kind, ref_id=ref,
                          role=threads.TO_STAFF,
                          reply_to_message_id=first.message_id if first else None))
    return True
