"""The resident's data rights, each one step away; every purpose in the registry is covered.

/privacy  -> the information notice (privacy.notice) and the rights (privacy.rights)
/mydata   -> everything held, as a JSON file plus a readable summary (Art. 15 and 20)
/consents -> consents in force, each with a one-tap withdraw that deletes its data (Art. 7(3));
             when that deletes submitted ideas, it says so and asks first
/forget   -> after one confirmation (naming the submissions it deletes), erase everything; only
             pseudonymous proof of consent stays. One transaction: a failure deletes nothing.
"""

from __future__ import annotations

import html
import json
from datetime import datetime
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import gettext as _
from babel.dates import format_datetime

from handlers.platform.answers import answer_view
from handlers.platform.clock import GDYNIA
from handlers.platform.context import Turn
from handlers.platform.keyboards import Keyboard
from handlers.platform.personal_data import (
    ErasureReport,
    ask_staff_to_erase,
    erase_everything,
    erase_purpose,
    export_everything,
    submissions,
)
from handlers.platform.telegram_ops import remove_buttons, tell, usable
from handlers.resident.menu import MenuCallback
from storage.consents import GIVEN, ConsentRepository

MY_DATA_FILE = "lis-bot-my-data.json"


class WithdrawCallback(CallbackData, prefix="withdraw"):
    purpose: str
    sure: bool = False


async def cmd_privacy(message: Message, turn: Turn) -> None:
    """/privacy -> the full information notice, then the rights."""
    for topic in ("privacy.notice", "privacy.rights"):
        text, keyboard = answer_view(turn, topic, turn.locale)
        await message.answer(text, reply_markup=keyboard)


async def cmd_mydata(message: Message, bot: Bot, turn: Turn) -> None:
    """/mydata -> a JSON file of everything held and a readable summary. Writes nothing."""
    if message.from_user is None:
        return
    user_id = message.from_user.id
    document = await export_everything(turn, user_id, turn.services.languages.get(user_id))
    await message.answer(_summary(turn, document))
    payload = json.dumps(document, ensure_ascii=False, indent=2).encode()
    await bot.send_document(message.chat.id, BufferedInputFile(payload, filename=MY_DATA_FILE),
                            caption=_("Everything I hold about you, as a file."))


def _summary(turn: Turn, document: dict[str, Any]) -> str:
    lines = ["<b>" + _("What I hold about you") + "</b>"]
    purposes = turn.services.purposes
    held = [(p, document.get(p.data.export_name) or []) for p in purposes]
    drafts, queued = document["forms_in_progress"], document["queued_messages"]
    if not document["consent_events"] and not any(rows for _p, rows in held) and not drafts:
        lines.append(_("Nothing: you have not agreed to anything that needs storing data."))
        return "\n".join(lines)
    for event in document["consent_events"]:
        when = format_datetime(datetime.fromisoformat(event["recorded_at"]), "d MMMM y, HH:mm",
                               tzinfo=GDYNIA, locale=turn.locale)
        verb = _("consent given") if event["event"] == GIVEN else _("consent withdrawn")
        lines.append(f"• {html.escape(purposes.name(event['purpose']))}: {verb} ({when})")
    for purpose, rows in held:
        if rows:
            lines.append("• " + _("{purpose}: {count} record(s)").format(
                purpose=html.escape(purpose.name), count=len(rows)))
    if drafts:
        lines.append("• " + _("unfinished forms: {count}").format(count=len(drafts)))
    if queued:
        lines.append("• " + _("messages about you waiting to be sent: {count}").format(
            count=len(queued)))
    return "\n".join(lines)


async def cmd_consents(message: Message, turn: Turn) -> None:
    """/consents -> what is agreed to, with a withdraw button for each."""
    if message.from_user is None:
        return
    active = await ConsentRepository(turn.session).all_active(
        subject=turn.subject(message.from_user.id))
    active = [consent for consent in active if consent.purpose in turn.services.purposes]
    if not active:
        await message.answer(_("You have not given any consent, so I store nothing about you."))
        return
    keyboard = Keyboard()
    lines = ["<b>" + _("Your consents") + "</b>"]
    for consent in active:
        name = html.escape(turn.services.purposes.name(consent.purpose))
        when = format_datetime(consent.event.recorded_at, "d MMMM y", tzinfo=GDYNIA,
                               locale=turn.locale)
        lines.append(f"• {name} ({when})")
        keyboard.button(text=_("Withdraw: {purpose}").format(
            purpose=turn.services.purposes.name(consent.purpose)),
            callback_data=WithdrawCallback(purpose=consent.purpose))
    keyboard.adjust(1)
    await message.answer("\n".join(lines), reply_markup=keyboard.as_markup())


async def on_withdraw(query: CallbackQuery, callback_data: WithdrawCallback, turn: Turn,
                      callback_answer: CallbackAnswer) -> None:
    """Withdraw one consent and delete the data held for it (asking first if that deletes
    submitted ideas)."""
    message = usable(query.message)
    purpose = turn.services.purposes.get(callback_data.purpose)
    subject = turn.subject(query.from_user.id)
    consents = ConsentRepository(turn.session)
    if purpose is None or message is None or await consents.active(
            subject=subject, purpose=purpose.id) is None:
        tell(callback_answer, _("This consent is no longer in force."), alert=True)
        return
    if not callback_data.sure and (refs := await submissions(turn, subject, [purpose.id])):
        keyboard = Keyboard()
        keyboard.button(text=_("Yes, withdraw and delete them"),
                        callback_data=WithdrawCallback(purpose=purpose.id, sure=True))
        keyboard.button(text=_("No, keep my consent"), callback_data=MenuCallback(action="keep"))
        keyboard.adjust(1)
        await message.answer(_("Withdrawing this consent deletes what you sent under it: {refs}. "
                               "Coordinators will be asked to delete their copies too. "
                               "Withdraw?").format(refs=html.escape(", ".join(refs))),
                             reply_markup=keyboard.as_markup())
        return
    await consents.withdraw(subject=subject, purpose=purpose.id, locale=turn.locale,
                            button=_("Withdraw"))
    report = await erase_purpose(turn, subject, purpose.id)
    ask_staff_to_erase(turn, report.references)
    if purpose.id == "preferences":
        turn.services.languages.forget(query.from_user.id)
    await remove_buttons(message)
    await message.answer(_("Consent withdrawn ({purpose}); {count} record(s) held for it were "
                           "deleted.").format(purpose=html.escape(purpose.name),
                                              count=report.total))


def forget_keyboard() -> InlineKeyboardMarkup:
    keyboard = Keyboard()
    keyboard.button(text=_("🗑 Yes, erase everything"), callback_data=MenuCallback(action="forget"))
    keyboard.button(text=_("Cancel"), callback_data=MenuCallback(action="keep"))
    keyboard.adjust(1)
    return keyboard.as_markup()


async def cmd_forget(message: Message, turn: Turn) -> None:
    """/forget -> ask for one confirmation, naming the submissions it deletes."""
    if message.from_user is None:
        return
    refs = await submissions(turn, turn.subject(message.from_user.id),
                             turn.services.purposes.ids())
    text = _("Erase everything I hold about you? Forms in progress, remembered language, "
             "subscriptions and consents will be deleted. This cannot be undone.")
    if refs:
        text += "\n\n" + _("This also deletes what you sent: {refs}.").format(
            refs=html.escape(", ".join(refs)))
    await message.answer(text, reply_markup=forget_keyboard())


async def on_forget(query: CallbackQuery, turn: Turn, state: FSMContext,
                    callback_answer: CallbackAnswer) -> None:
    """Confirmed -> erase everything; keep only the pseudonymous proof of consent."""
    message = usable(query.message)
    if message is None:
        return
    subject = turn.subject(query.from_user.id)
    consents = ConsentRepository(turn.session)
    for consent in await consents.all_active(subject=subject):
        await consents.withdraw(subject=subject, purpose=consent.purpose, locale=turn.locale,
                                button=_("🗑 Yes, erase everything"))
    report = await erase_everything(turn, subject)
    ask_staff_to_erase(turn, report.references)
    turn.services.languages.forget(query.from_user.id)
    await remove_buttons(message)
    await message.answer(_forget_report(turn, report))


def _forget_report(turn: Turn, report: ErasureReport) -> str:
    lines = ["<b>" + _("Done: your data is erased.") + "</b>"]
    for purpose in turn.services.purposes:
        lines.append("• " + _("{purpose}: {count}").format(
            purpose=html.escape(purpose.name), count=report.per_purpose.get(purpose.id, 0)))
    lines.append("• " + _("unfinished forms: {count}").format(count=report.drafts))
    lines.append(_("I keep only the record that you once gave and withdrew consent, under a "
                   "pseudonym, because the law requires proof of consent; it is deleted after "
                   "the retention period. If anything of yours was passed to LIS coordinators, "
                   "they are asked to delete their copies too."))
    return "\n".join(lines)


async def on_keep(query: CallbackQuery) -> None:
    """Cancelled /forget or a withdrawal."""
    message = usable(query.message)
    if message is not None:
        await remove_buttons(message)
        await message.answer(_("Nothing was erased."))


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_privacy, Command("privacy", "prywatnosc", "prywatność",
                                                 ignore_case=True))
    router.message.register(cmd_mydata, Command("mydata", "moje_dane", ignore_case=True))
    router.message.register(cmd_consents, Command("consents", "zgody", ignore_case=True))
    router.message.register(cmd_forget, Command("forget", "delete", "zapomnij", ignore_case=True))
    router.callback_query.register(on_withdraw, WithdrawCallback.filter())
    router.callback_query.register(on_forget, MenuCallback.filter(F.action == "forget"))
    router.callback_query.register(on_keep, MenuCallback.filter(F.action == "keep"))
    return router
