"""Entry point: `python -m bot <command>` (also installed as `lis-bot`).

  chat                      the console channel (default; SQLite, no token)
  run                       long polling on Telegram (the Procfile worker)
  webhook                   webhook server: WEBHOOK_URL, WEBHOOK_SECRET, WEBHOOK_HOST/PORT/PATH
                            (the Procfile web process; several may run behind one URL)
  purge                     delete what is past its retention period, and report counts
  outbox                    what is queued, delivered and undeliverable
  migrate                   bring the database schema up to date, build the lemma
                            dictionaries and train the word classifier (the release step)
  ask [QUESTION]            answer questions from the knowledge base, without Telegram
  knowledge check | eval    validate the knowledge files / measure the matcher
  knowledge inbox           questions the bot could not answer, grouped (--json, --suggestions)
  export --what ideas       BO ideas, sign-ups or tickets as CSV or XLSX (like /export)
  stats [--since DATE]      counts only, no personal data (like /stats; --json)
  texts update | compile    maintain the gettext catalogs of UI strings

Heavy imports (aiogram) happen inside the commands that need them, so `ask` and `knowledge`
start fast.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bot", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command")

    chat = commands.add_parser("chat", help="talk to the bot in the terminal")
    chat.add_argument("--user-id", type=int, default=1001)
    chat.add_argument("--lang", default="pl", help="the Telegram language_code of the user")
    chat.add_argument("--jsonl", action="store_true", help="print one JSON object per message")
    chat.add_argument("--out", type=Path, default=Path("data/out"), help="folder for documents")
    chat.add_argument("--now", help="run as if it were this moment, e.g. 2027-03-01T10:00")
    chat.add_argument("--demo", action="store_true",
                      help="add the sample events of knowledge/examples/ (to try sign-ups)")

    commands.add_parser("run", help="long polling on Telegram")
    commands.add_parser("webhook", help="webhook server (one of several workers behind a URL)")
    commands.add_parser("purge", help="delete personal data past its retention period")
    commands.add_parser("outbox", help="what is queued, delivered and undeliverable")
    commands.add_parser("migrate", help="create or update the database schema (Alembic)")

    ask = commands.add_parser("ask", help="answer questions (one per line from stdin if none)")
    ask.add_argument("question", nargs="*")
    ask.add_argument("--json", action="store_true")
    ask.add_argument("--lang", help="force the question's language (pl, uk, en)")
    ask.add_argument("--explain", action="store_true")
    ask.add_argument("--dir", type=Path, help="knowledge folder (default: KNOWLEDGE_DIR)")
    ask.add_argument("--now", help="answer as if it were this moment, e.g. 2027-03-01T10:00")
    ask.add_argument("--answer", action="store_true", help="print the answer residents get")

    knowledge = commands.add_parser("knowledge", help="check or evaluate the knowledge files")
    knowledge_commands = knowledge.add_subparsers(dest="knowledge_command", required=True)
    check = knowledge_commands.add_parser("check", help="validate the knowledge files")
    check.add_argument("--dir", type=Path)
    check.add_argument("--strict", action="store_true", help="warnings fail too")
    evaluate = knowledge_commands.add_parser(
        "eval", help="accuracy on labelled TSV files and/or on phrasings held out from the index")
    evaluate.add_argument("file", type=Path, nargs="*")
    evaluate.add_argument("--dir", type=Path)
    evaluate.add_argument("--holdout", type=float, metavar="FRACTION",
                          help="also hold out this share of each entry's phrasings, e.g. 0.2")
    evaluate.add_argument("--seeds", type=int, default=5, help="random splits to average")
    inbox = knowledge_commands.add_parser("inbox", help="unanswered questions, grouped")
    inbox.add_argument("--json", action="store_true")
    inbox.add_argument("--suggestions", action="store_true",
                       help="the phrasings of groups mapped to a topic in /inbox")

    export = commands.add_parser("export", help="ideas, sign-ups or tickets as CSV or XLSX")
    export.add_argument("--what", required=True, choices=("ideas", "signups", "tickets"))
    export.add_argument("--format", default="csv", choices=("csv", "xlsx"))
    export.add_argument("--out", type=Path, help="the file (default: lis-WHAT-DATE.FORMAT)")
    export.add_argument("--edition", help="ideas: the BO edition, e.g. 2027")
    export.add_argument("--district", help="ideas: a district, e.g. Oksywie")
    export.add_argument("--event", help="sign-ups: the event's id")
    export.add_argument("--status", help="e.g. new, accepted, confirmed, waiting, open")

    stats = commands.add_parser("stats", help="statistics, counts only")
    stats.add_argument("--since", type=_date, help="from this day (default: 30 days ago)")
    stats.add_argument("--json", action="store_true")

    texts = commands.add_parser("texts", help="gettext catalogs of UI strings")
    texts.add_argument("action", choices=("update", "compile", "check"))
    return parser


def _use_lemma_cache() -> None:
    """LEMMA_CACHE_DIR, before any lemma is looked up (a bad setting is reported later, by
    the command that reads the settings)."""
    from bot.config import ConfigError, load_settings

    try:
        folder = load_settings().lemma_cache_dir
    except ConfigError:
        return
    if folder is not None:
        from knowledge.lemmas import use_cache_dir

        use_cache_dir(folder)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    command = args.command or "chat"
    if command != "texts":
        _use_lemma_cache()
    if command == "knowledge" and args.knowledge_command != "inbox":
        from bot.cli_knowledge import run_knowledge_command

        return run_knowledge_command(args)
    if command == "ask":
        from bot.cli_knowledge import run_ask

        return run_ask(args)
    if command == "texts":
        return _texts(args.action)

    from bot.config import ConfigError, load_settings
    from bot.logging_setup import configure_logging

    try:
        settings = load_settings()
    except ConfigError as error:
        print(f"configuration: {error}", file=sys.stderr)
        return 2
    if command == "migrate":
        from knowledge.lemmas import prepare
        from storage.migrate import upgrade

        configure_logging(logging.INFO, settings.secrets())
        asyncio.run(upgrade(settings.database_url))
        prepare()  # build the lemma dictionaries here, not in the first worker to start
        from knowledge.store import KnowledgeStore

        KnowledgeStore(settings.knowledge_dir)  # ...and train the word classifier once
        return 0
    if command in ("purge", "outbox"):
        from bot.maintenance import run_outbox_report, run_purge

        configure_logging(logging.WARNING, settings.secrets())
        return asyncio.run(run_purge(settings) if command == "purge"
                           else run_outbox_report(settings))
    if command in ("knowledge", "export", "stats"):
        from bot import cli_staff

        configure_logging(logging.WARNING, settings.secrets())
        run_staff = {"knowledge": cli_staff.run_inbox, "export": cli_staff.run_export,
                     "stats": cli_staff.run_stats}[command]
        return asyncio.run(run_staff(settings, args))
    if command == "run":
        from bot.polling import run_polling

        configure_logging(settings.log_level, settings.secrets())
        return asyncio.run(run_polling(settings))
    if command == "webhook":
        from bot.webhook import run_webhook

        configure_logging(settings.log_level, settings.secrets())
        return asyncio.run(run_webhook(settings))

    from bot.console import ConsoleOptions, run_console
    from handlers.platform.clock import parse_moment

    configure_logging(logging.WARNING, settings.secrets())
    try:
        now = parse_moment(args.now) if getattr(args, "now", None) else None
    except ValueError:
        print("--now: write the moment as 2027-03-01T10:00 (Gdynia time)", file=sys.stderr)
        return 2
    options = ConsoleOptions(
        user_id=getattr(args, "user_id", 1001),
        language_code=getattr(args, "lang", "pl"),
        jsonl=getattr(args, "jsonl", False),
        out_dir=getattr(args, "out", Path("data/out")),
        now=now,
        demo=getattr(args, "demo", False),
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run_console(settings, options))
    return 0


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError("write the date as 2026-11-01") from error


def _texts(action: str) -> int:
    from bot import catalogs

    if action == "update":
        catalogs.update()
    elif action == "compile":
        catalogs.compile_all()
    problems = catalogs.problems()
    for problem in problems:
        print(problem)
    return 1 if problems and action == "check" else 0


def run() -> int:
    """The entry point: a crash is logged safely and exits 1 instead of printing a traceback."""
    try:
        return main()
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `python -m bot ask ... | head`: the reader has had enough
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 (keep Python's exit flush quiet)
        return 0
    except Exception:
        logging.getLogger("bot").critical("stopped by an unexpected error", exc_info=True)
        return 1


if __name__ == "__main__":
    sys.exit(run())
