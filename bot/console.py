"""The console channel: the real dispatcher and handlers, talking to a terminal.

Each input line is one update, handled to completion before the next line is read:
  text            a message (a line equal to a button's label presses that button)
  /cmd            a command
  #N              press button N of the latest bot message with buttons in this chat
  ^ text          the text as a reply to the latest bot message in this chat
  @loc LAT,LON    a location pin
  @USER[/CHAT] …  the rest of the line, sent as another user (and chat)
With --jsonl every bot message is printed as a JSON object, and {"event": "idle"} after each line.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TextIO

from bot.app import build_services, create_bot, create_dispatcher
from bot.config import Settings
from bot.conversation import Conversation, NoSuchButton, Person, fold_label
from bot.local_telegram import CallbackAnswer, LocalTelegram, SentMessage
from handlers.platform.clock import Clock, ShiftedClock, SystemClock, today_in_gdynia
from knowledge.analyzer import warm_up
from knowledge.encoder import load_encoder
from knowledge.store import KnowledgeStore

log = logging.getLogger(__name__)

_AS_PERSON = re.compile(r"^@(-?\d+)(?:/(-?\d+))?\s+(.*)$")
_LOCATION = re.compile(r"^@loc\s+(-?\d+(?:\.\d+)?)\s*,\s*(-?\d+(?:\.\d+)?)\s*$")
_PRESS = re.compile(r"^#(\d+)$")


@dataclass(frozen=True)
class ConsoleOptions:
    user_id: int = 1001
    language_code: str | None = "pl"
    jsonl: bool = False
    out_dir: Path = Path("data/out")
    now: datetime | None = None  # run as if it were this moment (staff previews)
    demo: bool = False  # add the sample events of knowledge/examples/


class ConsoleRenderer:
    """Prints what the bot sends: readable text, or one JSON object per message."""

    def __init__(self, options: ConsoleOptions, output: TextIO) -> None:
        self._options = options
        self._output = output

    def __call__(self, kind: str, item: SentMessage | CallbackAnswer) -> None:
        if isinstance(item, CallbackAnswer):
            if item.text and not self._options.jsonl:
                self._print(f"  ⚠ {item.text}")
            return
        document_path = self._save_document(item) if item.document is not None else None
        if self._options.jsonl:
            record = {
                "chat_id": item.chat_id,
                "text": item.text,
                "buttons": [[b.label for b in row] for row in item.buttons],
                "document": item.document_name,
            }
            if kind == "edited":
                record["edited"] = True
            self._print(json.dumps(record, ensure_ascii=False))
            return
        prefix = "" if item.chat_id == self._options.user_id else f"[→ chat {item.chat_id}] "
        marker = "(edited) " if kind == "edited" else ""
        body = item.text or ""
        if document_path is not None:
            body = f"📎 {item.document_name} saved to {document_path}\n{body}".rstrip()
        self._print(f"{prefix}bot> {marker}{body}")
        number = 0
        for row in item.buttons:
            cells = []
            for button in row:
                number += 1
                cells.append(f"[{number}] {button.label}" if button.url is None else
                             f"[link] {button.label} ({button.url})")
            self._print("      " + "   ".join(cells))

    def idle(self) -> None:
        if self._options.jsonl:
            self._print(json.dumps({"event": "idle"}))

    def problem(self, text: str) -> None:
        print(f"console: {text}", file=sys.stderr, flush=True)

    def _save_document(self, message: SentMessage) -> Path:
        self._options.out_dir.mkdir(parents=True, exist_ok=True)
        path = self._options.out_dir / Path(message.document_name or "document").name
        path.write_bytes(message.document or b"")
        return path

    def _print(self, text: str) -> None:
        print(text, file=self._output, flush=True)


class Console:
    def __init__(self, conversation: Conversation, renderer: ConsoleRenderer,
                 options: ConsoleOptions) -> None:
        self._conversation = conversation
        self._renderer = renderer
        self._options = options

    def person(self, user_id: int, chat_id: int | None = None) -> Person:
        chat = chat_id if chat_id is not None else user_id
        # Someone writing in a group is, in these scripts, a coordinator in the staff chat.
        name = "Coordinator" if chat < 0 else "Resident"
        return Person(user_id, chat, self._options.language_code, first_name=name)

    async def handle_line(self, line: str,
                          after: Callable[[], Awaitable[object]] | None = None) -> None:
        line = line.strip()
        person = self.person(self._options.user_id)
        if (as_person := _AS_PERSON.match(line)) is not None:
            user_id = int(as_person.group(1))
            chat_id = int(as_person.group(2)) if as_person.group(2) else None
            person, line = self.person(user_id, chat_id), as_person.group(3).strip()
        try:
            await self._dispatch(person, line)
            if after is not None:
                await after()
        except NoSuchButton as error:
            self._renderer.problem(str(error))
        finally:
            self._renderer.idle()

    async def _dispatch(self, person: Person, line: str) -> None:
        talk = self._conversation
        if not line:
            return
        if (press := _PRESS.match(line)) is not None:
            await talk.press(person, int(press.group(1)))
        elif (location := _LOCATION.match(line)) is not None:
            await talk.send_location(person, float(location.group(1)), float(location.group(2)))
        elif line.startswith("^"):
            await talk.send_text(person, line[1:].strip(), reply_to_latest=True)
        elif not line.startswith("/") and self._is_button_label(person, line):
            await talk.press(person, line)
        else:
            await talk.send_text(person, line)

    def _is_button_label(self, person: Person, line: str) -> bool:
        latest = self._conversation.telegram.latest_with_buttons(person.chat_id)
        if latest is None:
            return False
        wanted = fold_label(line)
        return any(fold_label(label) == wanted for label in latest.labels)


async def run_console(
    settings: Settings, options: ConsoleOptions, stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
) -> None:
    clock: Clock = ShiftedClock(options.now) if options.now else SystemClock()
    knowledge = KnowledgeStore(settings.knowledge_dir, examples=options.demo,
                               today=lambda: today_in_gdynia(clock),
                               encoder=load_encoder(settings.dense_matching))
    # One local person whose scripts are piped at machine speed: no flood to guard against.
    services = build_services(settings.model_copy(update={"flood_burst": 0}), clock=clock,
                              knowledge=knowledge)
    await services.db.migrate()
    await asyncio.to_thread(warm_up)
    telegram = LocalTelegram()
    bot = create_bot(settings, session=telegram)
    dispatcher = create_dispatcher(services)
    renderer = ConsoleRenderer(options, stdout)
    telegram.subscribe(renderer)
    console = Console(Conversation(dispatcher, bot, telegram), renderer, options)
    await dispatcher.emit_startup(bot=bot)
    jobs = services.jobs
    interactive = stdin.isatty()
    if interactive:
        print("LIS Gdynia assistant, console channel. Type /start; Ctrl-D to quit.", file=stdout)
    try:
        while True:
            if interactive:
                print("you> ", end="", file=stdout, flush=True)
            line = await asyncio.to_thread(stdin.readline)
            if not line:
                break
            # A staff preview: an edited knowledge file shows in the very next answer, and
            # messages the line queued (to coordinators, to this resident) show before the
            # next prompt.
            await jobs.tick("knowledge")
            await console.handle_line(line, after=lambda: jobs.tick("outbox"))
    finally:
        await dispatcher.emit_shutdown()
        await services.fsm.close()
        await services.db.dispose()
