"""The coordinators' chat: staff commands, and quiet for everything else.

Text typed there is never answered as a resident's question nor stored; residents' commands
(/forget, /mydata, /consents...) do nothing there. Presses on staff buttons by someone who is
not a coordinator get a short alert and change nothing.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Awaitable, Callable

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message
from aiogram.utils.callback_answer import CallbackAnswer
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _

from handlers.platform.context import Turn
from handlers.platform.filters import InStaffChat, IsCoordinator
from handlers.platform.telegram_html import fit
from handlers.platform.telegram_ops import tell
from knowledge.loader import Problem
from knowledge.validator import check_knowledge
from storage.outbox import status_counts, undelivered

RELOAD_PROBLEMS_SHOWN = 15


def staff_commands() -> list[tuple[str, str]]:
    """The staff chat's commands and what each does (for /help and Telegram's menu)."""
    return [
        ("help", _("the staff commands")),
        ("inbox", _("questions the bot could not answer, grouped")),
        ("stats", _("statistics (since=2026-11-01) with a chart")),
        ("export", _("ideas, sign-ups or tickets as CSV or XLSX")),
        ("ogloszenie", _("an announcement to news subscribers")),
        ("lista", _("the sign-up list of an event (CSV)")),
        ("zamknij", _("close a ticket (reply to it)")),
        ("outbox", _("messages waiting, delivered and undeliverable")),
        ("reload", _("read the knowledge files again and report problems")),
    ]


async def cmd_staff_help(message: Message, turn: Turn, i18n: I18n) -> None:
    """/help in the staff chat -> the staff commands."""
    with i18n.use_locale(turn.staff.locale):
        await message.answer("\n".join([
            "<b>" + _("Commands for coordinators") + "</b>",
            *[f"/{name} — {html.escape(what)}" for name, what in staff_commands()],
            "",
            _("Reply to a forwarded question, idea or sign-up to answer the resident; their "
              "answers come back as replies here. Buttons under ideas and sign-ups set their "
              "status; the resident is told."),
        ]))


def reload_report(turn: Turn, changed: bool, problems: list[Problem]) -> str:
    directory = turn.services.knowledge.directory
    errors = [p for p in problems if p.severity == "error"]
    warnings = [p for p in problems if p.severity != "error"]
    entries = len(turn.services.knowledge.current.base.entries)
    if errors:
        head = _("❌ {count} error(s): the edit is not in use; residents still get the previous "
                 "version ({entries} entries).").format(count=len(errors), entries=entries)
    elif changed:
        head = _("✅ Knowledge reloaded: {entries} entries in use.").format(entries=entries)
    else:
        head = _("✅ No change since the last load: {entries} entries in use.").format(
            entries=entries)
    lines = [head]
    if warnings:
        lines.append(_("⚠️ {count} warning(s):").format(count=len(warnings)))
    for problem in [*errors, *warnings][:RELOAD_PROBLEMS_SHOWN]:
        where = problem.path.relative_to(directory) if problem.path.is_relative_to(
            directory) else problem.path
        lines.append(f"• <code>{html.escape(f'{where}:{problem.line}')}</code> "
                     f"{html.escape(problem.message)}")
    if len(problems) > RELOAD_PROBLEMS_SHOWN:
        lines.append(_("…and {count} more: run python -m bot knowledge check").format(
            count=len(problems) - RELOAD_PROBLEMS_SHOWN))
    return "\n".join(lines)


def reload_command(forms: list[str]) -> Callable[..., Awaitable[None]]:
    async def cmd_reload(message: Message, turn: Turn, i18n: I18n) -> None:
        """/reload -> the knowledge files read again now, with what is wrong in them."""
        store = turn.services.knowledge
        changed = await asyncio.to_thread(store.refresh)
        problems = await asyncio.to_thread(
            check_knowledge, store.directory, turn.today, purposes=turn.services.purposes.ids(),
            forms=forms, examples=store.examples)
        with i18n.use_locale(turn.staff.locale):
            await message.answer(fit(reload_report(turn, changed, problems)))

    return cmd_reload


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


def build_router(staff_features: list[Router], forms: list[str]) -> Router:
    """The whole staff side: coordinators' commands and buttons, then quiet for the rest."""
    staff = Router(name="staff")
    coordinators = Router(name="staff.coordinators")
    for event in (coordinators.message, coordinators.callback_query):
        event.filter(IsCoordinator())
    coordinators.message.register(cmd_staff_help, Command("help", "pomoc", ignore_case=True))
    coordinators.message.register(cmd_outbox, Command("outbox", ignore_case=True))
    coordinators.message.register(reload_command(forms), Command("reload", "przeladuj",
                                                                 ignore_case=True))
    coordinators.include_routers(*staff_features)
    staff.include_router(coordinators)
    quiet = Router(name="staff.quiet")
    quiet.message.filter(InStaffChat())
    quiet.callback_query.filter(InStaffChat())
    quiet.message.register(ignore)
    quiet.callback_query.register(refuse_press)
    staff.include_router(quiet)
    return staff
