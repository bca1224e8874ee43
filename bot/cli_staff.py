"""Staff work from the command line: the inbox, exports and statistics.

`python -m bot knowledge inbox [--json] [--suggestions]`, `python -m bot export --what ideas
--format xlsx [--out FILE] [--edition 2027 --district "Mały Kack" --event ID --status new]`
and `python -m bot stats [--since DATE] [--json]` read the same database as the bot and give
what /inbox, /export and /stats give in the coordinators' chat.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from datetime import timedelta
from pathlib import Path

from sqlmodel.ext.asyncio.session import AsyncSession

from bot.app import build_services
from bot.config import Settings
from handlers.platform.clock import today_in_gdynia
from handlers.platform.context import Services
from handlers.platform.telegram_html import visible_text
from handlers.staff.inbox import inbox_groups
from handlers.staff.reports import (
    ExportRequest,
    build_export,
    gather_stats,
    parse_export,
    stats_text,
)
from storage import exports
from storage import inbox as inbox_store

CLI_AUTHOR = "command line"  # who exported, in the export log


async def run_inbox(settings: Settings, args: argparse.Namespace) -> int:
    services = build_services(settings)
    try:
        await services.db.migrate()
        async with services.db.sessions() as session:
            if args.suggestions:
                suggestions = await inbox_store.suggestions(session)
                _print_suggestions(services, [(s.topic, s.locale, s.text) for s in suggestions])
                return 0
            groups = await inbox_groups(session, services.knowledge.current.matcher)
    finally:
        await services.fsm.close()
        await services.db.dispose()
    if args.json:
        print(json.dumps([{"count": g.count, "closest_topic": g.suggestion,
                           "questions": [{"text": q.text, "language": q.locale, "kind": q.kind,
                                          "answered_with": q.topic} for q in g.questions]}
                          for g in groups], ensure_ascii=False, indent=2))
        return 0
    if not groups:
        print("The inbox is empty: every question got an answer.")
    for number, group in enumerate(groups, 1):
        print(f"{number}. {group.count}× → {group.suggestion or '(no close topic)'}")
        for question in group.questions:
            mark = f" 👎 {question.topic}" if question.kind == "not_helpful" else ""
            print(f"   [{question.locale}] {question.text}{mark}")
    return 0


def _print_suggestions(services: Services, rows: list[tuple[str, str, str]]) -> None:
    """Questions mapped to a topic in /inbox, as lines to add under the entry's phrasings."""
    if not rows:
        print("No phrasings waiting: map a group to a topic in /inbox first.")
        return
    base = services.knowledge.current.base
    by_topic: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for topic, locale, text in rows:
        by_topic[topic].append((locale, text))
    for topic, phrasings in sorted(by_topic.items()):
        path = base.paths.get(topic)
        where = path.relative_to(services.knowledge.directory) if path else "(entry gone)"
        print(f"# {topic} — {where}: add under phrasings, in your own words where needed")
        for locale, text in phrasings:
            print(f"#   {locale}: - {json.dumps(text, ensure_ascii=False)}")


async def run_export(settings: Settings, args: argparse.Namespace) -> int:
    services = build_services(settings)
    try:
        await services.db.migrate()
        base = services.knowledge.current.base
        words = [args.what, args.format] + [
            f"{key}={value}" for key, value in (("edition", args.edition),
                                                ("district", args.district),
                                                ("event", args.event), ("status", args.status))
            if value]
        with services.i18n.context(), services.i18n.use_locale(services.staff.locale):
            request = parse_export(" ".join(_quoted(w) for w in words),
                                   [d.name for d in base.districts])
            if isinstance(request, str):
                print(f"export: {request}", file=sys.stderr)
                return 2
            async with services.db.sessions() as session:
                data, name, count = await build_export(session, request,
                                                       today_in_gdynia(services.clock))
                _log(session, request, count, services)
                await session.commit()
    finally:
        await services.fsm.close()
        await services.db.dispose()
    out: Path = args.out or Path(name)
    out.write_bytes(data)
    print(f"{count} row(s) written to {out}. Personal data: keep it in LIS and delete it when "
          "no longer needed.")
    return 0


def _quoted(word: str) -> str:
    key, sep, value = word.partition("=")
    return f'{key}="{value}"' if sep else word


def _log(session: AsyncSession, request: ExportRequest, count: int, services: Services) -> None:
    exports.log_export(session, by=CLI_AUTHOR, what=request.what, format_=request.format,
                       filters=request.filters, rows=count, now=services.clock.now())


async def run_stats(settings: Settings, args: argparse.Namespace) -> int:
    services = build_services(settings)
    try:
        since = args.since or today_in_gdynia(services.clock) - timedelta(days=30)
        await services.db.migrate()
        async with services.db.sessions() as session:
            stats = await gather_stats(session, services.knowledge.current.matcher, since)
        if args.json:
            print(json.dumps(stats.to_json(), ensure_ascii=False, indent=2))
            return 0
        with services.i18n.context(), services.i18n.use_locale(services.staff.locale):
            print(visible_text(stats_text(stats)))
    finally:
        await services.fsm.close()
        await services.db.dispose()
    return 0
