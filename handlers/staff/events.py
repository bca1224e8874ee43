"""/lista EVENT_ID in the coordinators' chat: who signed up, as a spreadsheet file.

CSV in UTF-8 with a byte-order mark and semicolons, so that a spreadsheet opened in Polish
settings shows the columns and the Polish letters right away.
"""

from __future__ import annotations

import csv
import io

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from babel.dates import format_datetime

from handlers.platform.context import Turn
from handlers.views.events import title
from knowledge.model import GDYNIA
from storage import signups as signup_store
from storage.models import Signup

CSV_BOM = "\ufeff"


def attendee_csv(rows: list[Signup], locale: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("No."), _("Name"), _("Contact"), _("Needs"), _("Status"),
                     _("Signed up at")])
    for number, row in enumerate(rows, 1):
        status = _("confirmed") if row.status == signup_store.CONFIRMED else _("waiting list")
        writer.writerow([number, row.name, row.contact or "", row.needs or "", status,
                         format_datetime(row.created_at, "yyyy-MM-dd HH:mm", tzinfo=GDYNIA,
                                         locale=locale)])
    return (CSV_BOM + buffer.getvalue()).encode("utf-8")


async def cmd_list(message: Message, command: CommandObject, turn: Turn, i18n: I18n) -> None:
    """/lista EVENT_ID -> the attendee list as CSV (confirmed first, then the waiting list)."""
    event_id = (command.args or "").strip()
    event = turn.base.events.get(event_id)
    with i18n.use_locale(turn.staff.locale):
        if event is None:
            known = ", ".join(sorted(e.id for e in turn.base.events.values() if e.signup))
            await message.answer(_("Which event? Write /lista and its id, e.g. /lista {example}. "
                                   "Events with sign-up: {known}.").format(
                                       example=known.split(", ")[0] if known else "ul-2027-03",
                                       known=known or "—"))
            return
        rows = await signup_store.attendees(turn.session, event.id)
        confirmed = sum(row.status == signup_store.CONFIRMED for row in rows)
        await message.answer_document(
            BufferedInputFile(attendee_csv(rows, turn.staff.locale), filename=f"{event.id}.csv"),
            caption=_("{event}: {confirmed} signed up, {waiting} waiting.").format(
                event=title(event, turn.staff.locale), confirmed=confirmed,
                waiting=len(rows) - confirmed))


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_list, Command("lista", "list", ignore_case=True))
    return router
