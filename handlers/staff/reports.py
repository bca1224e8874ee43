"""Coordinators' reports: /export (CSV or XLSX) and /stats (numbers and a chart).

/export ideas|signups|tickets [csv|xlsx] [edition=2027] [district=Oksywie] [event=ID]
[status=new] -> a file with only what the purpose allows; each export is logged (who, when,
what, how many rows), never its data. /stats [since=2026-11-01] -> counts only, no identifiers,
and a chart of questions per day.
"""

from __future__ import annotations

import contextlib
import html
import shlex
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from aiogram import Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, Message
from aiogram.utils.i18n import I18n
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import lazy_gettext as __
from sqlmodel.ext.asyncio.session import AsyncSession

from handlers.platform.context import Turn
from handlers.platform.filters import Coordinator
from handlers.staff.inbox import inbox_groups
from handlers.views.charts import questions_chart
from knowledge.search import Matcher
from knowledge.text import fold
from storage import exports
from storage.stats import Stats, collect

HEADERS: dict[str, Any] = {
    "reference": __("Reference"), "edition": __("Edition"), "level": __("Level"),
    "district": __("District"), "size": __("Size"), "title": __("Title"),
    "description": __("Description"), "kind": __("Kind"), "location": __("Place"),
    "cost": __("Estimated cost"), "contact_name": __("Name"), "contact_email": __("E-mail"),
    "contact_phone": __("Phone"), "reply_in_telegram": __("Reply in Telegram"),
    "status": __("Status"), "status_reason": __("Reason"), "created_at": __("Created"),
    "event": __("Event"), "name": __("Name"), "contact": __("Contact"), "needs": __("Needs"),
    "locale": __("Language"), "question": __("Question"), "first_answer_at": __("First answer"),
    "closed_at": __("Closed"), "rating": __("Rating"),
}


SMART_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"'})


@dataclass(frozen=True)
class ExportRequest:
    what: str
    format: str
    filters: dict[str, str]


def parse_export(args: str | None, districts: list[str]) -> ExportRequest | str:
    """`ideas xlsx edition=2027 district="Mały Kack"` -> a request, or what is wrong."""
    try:  # phones turn " into typographic quotes
        parts = shlex.split((args or "").translate(SMART_QUOTES))
    except ValueError:
        return _("A quote is not closed.")
    what, format_, filters = "", "csv", {}
    for part in parts:
        key, sep, value = part.partition("=")
        if sep:
            filters[key.lower()] = value
        elif part.lower() in exports.KINDS:
            what = part.lower()
        elif part.lower() in exports.FORMATS:
            format_ = part.lower()
        else:
            return _("I don't know “{word}”.").format(word=part)
    if what not in exports.KINDS:
        return _("Say what to export: ideas, signups or tickets.")
    if unknown := [key for key in filters if key not in exports.FILTERS[what]]:
        return _("{what} can be filtered by {allowed}, not by {unknown}.").format(
            what=what, allowed=", ".join(exports.FILTERS[what]), unknown=", ".join(unknown))
    if "district" in filters:
        named = {fold(name): name for name in districts}
        if fold(filters["district"]) not in named:
            return _("There is no district “{district}”.").format(district=filters["district"])
        filters["district"] = named[fold(filters["district"])]
    return ExportRequest(what, format_, filters)


async def build_export(session: AsyncSession, request: ExportRequest, today: date
                       ) -> tuple[bytes, str, int]:
    """The file (bytes, name, rows), with headers in the current (staff) language."""
    what = request.what
    rows = await exports.export_rows(session, what, request.filters)
    headers = [str(HEADERS[column]) for column in exports.COLUMNS[what]]
    data = (exports.to_csv(headers, rows) if request.format == "csv"
            else exports.to_xlsx(headers, rows, what))
    return data, f"lis-{what}-{today.isoformat()}.{request.format}", len(rows)


async def cmd_export(message: Message, command: CommandObject, turn: Turn,
                     coordinator: Coordinator, i18n: I18n) -> None:
    with i18n.use_locale(turn.staff.locale):
        request = parse_export(command.args, [d.name for d in turn.base.districts])
        if isinstance(request, str):
            await message.answer(html.escape(request) + "\n" + _(
                "Usage: /export ideas|signups|tickets [csv|xlsx] and filters: ideas edition= "
                "district= status=; signups event= status=; tickets status=. E.g. /export "
                "ideas xlsx edition=2027 district=\"Mały Kack\""))
            return
        data, name, count = await build_export(turn.session, request, turn.today)
        exports.log_export(turn.session, by=turn.subject(coordinator.user_id),
                           what=request.what, format_=request.format, filters=request.filters,
                           rows=count, now=turn.now)
        await message.answer_document(BufferedInputFile(data, filename=name),
                                      caption=_("{count} row(s). Personal data: keep it in LIS "
                                                "and delete it when no longer needed.").format(
                                                    count=count))


def stats_text(stats: Stats) -> str:
    outcomes = stats.outcomes
    total = sum(outcomes.values())
    share = (lambda n: f"{100 * n / total:.0f}%") if total else (lambda n: "—")
    lines = ["<b>" + _("Statistics since {day}").format(day=stats.since.isoformat()) + "</b>",
             _("Questions: {total} (answered {answered}, unsure {unsure}, no answer "
               "{abstained})").format(total=total, answered=share(outcomes.get("answered", 0)),
                                      unsure=share(outcomes.get("unsure", 0)),
                                      abstained=share(outcomes.get("abstained", 0))),
             _("Languages: {languages}").format(languages=", ".join(
                 f"{k} {v}" for k, v in sorted(stats.languages.items())) or "—")]
    helpful = sorted(stats.helpful.items(), key=lambda item: -sum(item[1]))[:5]
    if helpful:
        lines.append(_("Helpful votes (👍/👎): {votes}").format(votes=", ".join(
            f"{html.escape(t)} {y}/{n}" for t, (y, n) in helpful)))
    if stats.unanswered_themes:
        lines.append(_("Top unanswered: {themes}").format(themes="; ".join(
            f"«{html.escape(t)}» ×{c}" for t, c in stats.unanswered_themes)))
    if stats.ideas:
        lines.append(_("BO ideas: {ideas}").format(ideas="; ".join(
            f"{html.escape(d)}: " + ", ".join(f"{s} {n}" for s, n in sorted(by.items()))
            for d, by in sorted(stats.ideas.items()))))
    if stats.signups:
        lines.append(_("Sign-ups: {signups}").format(signups="; ".join(
            f"{html.escape(e)} {a} (+{w})" for e, (a, w) in sorted(stats.signups.items()))))
    median = stats.median_first_answer_hours
    lines.append(_("Questions to staff: {tickets}, answered {answered}, median first answer "
                   "{median} h").format(tickets=stats.tickets, answered=stats.tickets_answered,
                                        median=median if median is not None else "—"))
    return "\n".join(lines)


async def gather_stats(session: AsyncSession, matcher: Matcher, since: date) -> Stats:
    """Counts since `since` (also `python -m bot stats`)."""
    stats = await collect(session, since)
    stats.unanswered_themes = [(g.sample, g.count)
                               for g in (await inbox_groups(session, matcher))[:3]]
    return stats


async def cmd_stats(message: Message, command: CommandObject, turn: Turn, i18n: I18n) -> None:
    since = turn.today - timedelta(days=30)
    for part in (command.args or "").split():
        if part.startswith("since="):
            with contextlib.suppress(ValueError):  # a bad date keeps the last 30 days
                since = date.fromisoformat(part.removeprefix("since="))
    await turn.services.tally.write(turn.session)  # this worker's latest counts included
    stats = await gather_stats(turn.session, turn.knowledge.matcher, since)
    with i18n.use_locale(turn.staff.locale):
        await message.answer(stats_text(stats))
        days = sorted(stats.questions.items())
        if days:
            legend = {"answered": _("answered"), "unsure": _("unsure"),
                      "abstained": _("no answer")}
            chart = questions_chart(days, legend, _("Questions per day"))
            await message.answer_photo(BufferedInputFile(chart, filename="questions.png"))


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.register(cmd_export, Command("export", "eksport", ignore_case=True))
    router.message.register(cmd_stats, Command("stats", "statystyki", ignore_case=True))
    return router
