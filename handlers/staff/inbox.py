"""/inbox in the coordinators' chat: what residents asked that the bot could not answer.

Masked, anonymous questions (and answers marked 👎), grouped by what they ask, the biggest
groups first, each with the closest topic. [Map to <topic>] keeps the group's questions as
phrasings for that entry's file (`python -m bot knowledge inbox --suggestions` prints them for
staff to add); [Dismiss] drops the group. Either way it leaves the inbox.
"""

from __future__ import annotations

import html

from aiogram import Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.platform.context import Turn
from handlers.platform.keyboards import Keyboard
from handlers.platform.telegram_ops import remove_buttons, tell, usable
from knowledge.inbox import Group, Question, group_questions
from knowledge.search import Matcher
from storage import inbox

TOP_GROUPS = 5


class InboxCallback(CallbackData, prefix="ib"):
    action: str  # map | dismiss
    group: int  # the key of the group (its oldest question's id)
    topic: str = ""


async def inbox_groups(session: AsyncSession, matcher: Matcher) -> list[Group]:
    """The inbox, biggest groups first (also `python -m bot knowledge inbox`)."""
    rows = await inbox.questions(session)
    return group_questions([Question(r.id or 0, r.masked_text, r.locale, r.kind, r.topic)
                            for r in rows], matcher)


def _keyboard(groups: list[Group]) -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    for number, group in enumerate(groups, 1):
        if group.suggestion:
            keyboard.button(text=_("{number}: → {topic}").format(number=number,
                                                               topic=group.suggestion),
                            callback_data=InboxCallback(action="map", group=group.key,
                                                        topic=group.suggestion))
        keyboard.button(text=_("{number}: dismiss").format(number=number),
                        callback_data=InboxCallback(action="dismiss", group=group.key))
    keyboard.adjust(2)
    return keyboard.as_markup()


async def cmd_inbox(message: Message, turn: Turn, i18n: I18n) -> None:
    """/inbox -> the top groups of questions the bot could not answer."""
    groups = (await inbox_groups(turn.session, turn.knowledge.matcher))[:TOP_GROUPS]
    with i18n.use_locale(turn.staff.locale):
        if not groups:
            await message.answer(_("The inbox is empty: every question got an answer."))
            return
        lines = ["<b>" + _("Questions without a good answer") + "</b>"]
        for number, group in enumerate(groups, 1):
            kinds = " 👎" if any(q.kind == "not_helpful" for q in group.questions) else ""
            lines.append(f"{number}. ({group.count}×{kinds}) «{html.escape(group.sample)}» → "
                         + html.escape(group.suggestion or "—"))
        await message.answer("\n".join(lines), reply_markup=_keyboard(groups))


async def on_inbox_button(query: CallbackQuery, callback_data: InboxCallback, turn: Turn,
                          i18n: I18n, callback_answer: CallbackAnswer) -> None:
    message = usable(query.message)
    group = next((g for g in await inbox_groups(turn.session, turn.knowledge.matcher)
                  if callback_data.group in {q.id for q in g.questions}), None)
    with i18n.use_locale(turn.staff.locale):
        topic = callback_data.topic or None
        unknown_topic = topic is None or turn.base.entry(topic) is None
        if group is None or message is None or (callback_data.action == "map" and unknown_topic):
            tell(callback_answer, _("This group is no longer in the inbox."), alert=True)
            return
        count = await inbox.handled(turn.session, [q.id for q in group.questions],
                                    topic=topic if callback_data.action == "map" else None,
                                    now=turn.now)
        await remove_buttons(message)
        tell(callback_answer, _("Mapped to {topic}: {count} question(s) kept as phrasings.")
             .format(topic=topic, count=count) if callback_data.action == "map"
             else _("Dismissed: {count} question(s).").format(count=count))


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_inbox, Command("inbox", "skrzynka", ignore_case=True))
    router.callback_query.register(on_inbox_button, InboxCallback.filter())
    return router
