"""Faults through the handlers: hostile text in every field, a PostgreSQL server restarted in
the middle of a form, Redis stopped, Telegram answering 429 and 500 while a submission is
forwarded. Nothing a resident typed is lost, nothing is sent twice, nobody sees a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from bot.config import Settings
from bot.local_telegram import server_error, too_many_requests
from bot.webhook import build_app
from knowledge.store import KnowledgeStore
from storage.models import Idea
from tests.conftest import COORDINATOR, COORDINATORS_CHAT, NOW, RESIDENT
from tests.driver import BotHarness, ChatDriver
from tests.flows import ANSWERS, DESCRIPTION, answer, fill_to_summary, start_with_consent
from tests.test_events import KONS, events_harness, open_signup  # noqa: F401
from tests.test_people import coordinator, open_ticket, staff_messages
from tests.webhook_residents import free_port

HOSTILE = '<b>ławka</b> </a> &amp; <a href="https://evil.example">kliknij</a> 🌳 '
LONG_HOSTILE = (HOSTILE + "Zażółć gęślą jaźń, Їжак. ") * 60
assert len(LONG_HOSTILE) > 5_000
GENERIC_ERROR = "something went wrong"


def _no_harm(harness: BotHarness) -> None:
    """Telegram refused nothing the bot sent, and no handler failed."""
    assert harness.telegram.refusals == []
    for chat_id in {key[0] for key in harness.telegram.messages}:
        for message in harness.telegram.chat_history(chat_id):
            assert GENERIC_ERROR not in message.text.lower(), message.text
            assert "Traceback" not in message.text


# -- hostile text -------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", [HOSTILE, LONG_HOSTILE], ids=["html", "html-5000"])
async def test_hostile_text_in_every_field_of_the_idea_form(harness: BotHarness,
                                                            typed: str) -> None:
    chat = harness.chat(RESIDENT, language_code="en")
    await chat.send(typed)  # as a question first
    await start_with_consent(chat)
    for step, how in ANSWERS:
        if how[0] == "send":
            await chat.send(typed)  # refused politely, or taken: it is text, after all
            if await chat.step() != step:
                continue  # taken (a title may hold tags): shown escaped from now on
        await answer(chat, how)
    assert "please check it" in chat.last.text
    await chat.press("✅ Send to coordinators")
    _no_harm(harness)
    assert any("BO-" in m.text for m in staff_messages(harness))


@pytest.mark.parametrize("typed", [HOSTILE, LONG_HOSTILE], ids=["html", "html-5000"])
async def test_hostile_text_through_hand_off_replies_and_broadcasts(harness: BotHarness,
                                                                    typed: str) -> None:
    chat, anna = harness.chat(RESIDENT, language_code="en"), coordinator(harness)
    ticket = await open_ticket(harness, chat, "Is the Orłowo pier open at night? 🌙")
    await anna.send(typed[:4096], reply_to=ticket)  # Telegram lets staff write 4,096 at most
    relayed = chat.history()[-1]
    await chat.send(typed, reply_to=relayed)
    await anna.send("/ogloszenie")
    await anna.press(1)
    await anna.press(next(label for label in anna.last.labels if "✅" in label))
    await anna.send(typed)
    _no_harm(harness)
    assert any("evil.example" in m.text for m in staff_messages(harness))  # shown as text


@pytest.mark.parametrize("typed", [HOSTILE, LONG_HOSTILE], ids=["html", "html-5000"])
async def test_hostile_text_in_a_sign_up(events_harness: BotHarness, typed: str) -> None:  # noqa: F811
    chat = events_harness.chat(7_500_000_321, language_code="en")
    await open_signup(events_harness, chat, KONS)
    await chat.press("✅ I agree")
    await chat.press("I am 16 or older")
    for valid in ("Jan Kowalski", "jan@example.com", "Nothing special"):
        step = await chat.step()
        await chat.send(typed)  # refused politely, or taken and shown escaped
        if await chat.step() == step:
            await chat.send(valid)
    await chat.press("✅ Sign me up")
    _no_harm(events_harness)
    assert "signed up" in " ".join(m.text for m in chat.history()[-3:]).lower()


# -- PostgreSQL restarted in the middle of a form ------------------------------------------------

def _postgres_binaries() -> Path | None:
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "pg_ctl").exists():
            return candidate
    found = shutil.which("pg_ctl")
    return Path(found).parent if found else None


class PrivatePostgres:
    """A PostgreSQL server of the test's own, in a temporary folder, on its own port."""

    def __init__(self, folder: Path) -> None:
        binaries = _postgres_binaries()
        if binaries is None:
            pytest.skip("PostgreSQL server binaries (pg_ctl) are not installed")
        self.bin, self.data, self.port = binaries, folder / "pgdata", free_port()
        self._as: list[str] = []
        if os.geteuid() == 0:  # PostgreSQL refuses to run as root
            self._as = ["runuser", "-u", "postgres", "--"]
            shutil.chown(folder, "postgres")
            folder.chmod(0o700)

    def _run(self, *command: str) -> None:
        subprocess.run([*self._as, *command], check=True, capture_output=True, timeout=120)

    def init(self) -> None:
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres",
                  "--auth=trust", "-E", "UTF8")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l",
                  str(self.data / "log"), "-w", "start")

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("no postgres user to run a private server as")
    # Not under pytest's folder: the postgres user must be able to reach it.
    folder = Path(tempfile.mkdtemp(prefix="lis-private-pg-"))
    server = PrivatePostgres(folder)
    server.init()
    server.start()
    try:
        yield server
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            server.stop()  # unless the test left it stopped
        shutil.rmtree(folder, ignore_errors=True)


async def _until(condition_step: ChatDriver, text: str, expected_step: str,
                 attempts: int = 3) -> None:
    """Send `text` until the form moves to `expected_step` (the first try after an outage may
    meet a connection the pool has not yet replaced)."""
    for _ in range(attempts):
        await condition_step.send(text)
        if await condition_step.step() == expected_step:
            return
    pytest.fail(f"the form did not move on: {condition_step.last.text}")


async def test_postgres_restarted_in_the_middle_of_a_form(
    settings: Settings, knowledge_store: KnowledgeStore, private_postgres: PrivatePostgres,
) -> None:
    harness = await BotHarness.start(settings.model_copy(update={
        "database_url": private_postgres.url}), knowledge=knowledge_store, now=NOW)
    try:
        chat = harness.chat(RESIDENT, language_code="en")
        await start_with_consent(chat)
        await chat.press("🏙 City-wide project")
        await chat.send("Zielone przystanki w całej Gdyni 🌳")
        assert await chat.step() == "description"

        await asyncio.to_thread(private_postgres.stop)
        told = await chat.send(DESCRIPTION)
        text = " ".join(m.text for m in told)
        assert "send it again in a moment" in text or "try again" in text.lower(), text
        assert "Traceback" not in text

        await asyncio.to_thread(private_postgres.start)  # the bot recovers by itself
        await _until(chat, DESCRIPTION, "kind")
        draft = await chat.data()
        assert draft["title"] == "Zielone przystanki w całej Gdyni 🌳"  # nothing was lost
        await chat.press("🎭 Soft (classes, events)")
        await chat.press("Skip: no particular place")
        for typed in ("45 tys", "Jan Kowalski", "jan@example.com"):
            await chat.send(typed)
        await chat.press("✅ Send to coordinators")
        assert any("Zielone przystanki" in m.text for m in staff_messages(harness))
        assert harness.telegram.refusals == []
    finally:
        await harness.close()


# -- Redis stopped -------------------------------------------------------------------------------

class PrivateRedis:
    def __init__(self, folder: Path) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed")
        self.binary, self.folder, self.port = binary, folder, free_port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [self.binary, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def test_redis_stopped_healthz_says_so_and_residents_get_a_polite_answer(
    settings: Settings, knowledge_store: KnowledgeStore, private_redis: PrivateRedis,
) -> None:
    harness = await BotHarness.start(settings.model_copy(update={
        "redis_url": SecretStr(private_redis.url),
        "webhook_secret": SecretStr("faults-webhook-secret-0123456789")}),
        knowledge=knowledge_store, now=NOW)
    app = build_app(harness.services, harness.bot, harness.dispatcher, harness.settings)
    try:
        async with TestClient(TestServer(app, host="127.0.0.1")) as client:
            assert (await client.get("/healthz")).status == 200
            chat = harness.chat(7_100_000_901, language_code="uk")
            private_redis.stop()
            health = await client.get("/healthz")
            assert health.status == 503
            assert (await health.json())["redis"].startswith("down")
            [greeting] = await chat.send("/start")
            assert "Привіт" in greeting.text
            await chat.send("/pomysl")  # a form needs its memory: told so, in Ukrainian
            assert "Traceback" not in chat.last.text
            assert "спробуйте ще раз" in chat.last.text, chat.last.text  # "try again"
            assert "не втрачено" in chat.last.text  # "nothing is lost"
            private_redis.start()
            assert (await client.get("/healthz")).status == 200
    finally:
        await harness.close()


# -- Telegram 429 and 500 storms while a submission is forwarded ---------------------------------

async def test_429_and_500_storms_while_forwarding_deliver_once(harness: BotHarness) -> None:
    storm = [too_many_requests(2), server_error(500), server_error(502), too_many_requests(5),
             server_error(500), too_many_requests(1), server_error(502)]
    harness.telegram.fail_next(COORDINATORS_CHAT, *storm)
    chat = harness.chat(RESIDENT, language_code="en")
    await fill_to_summary(chat)
    thanks = await chat.press("✅ Send to coordinators")
    assert any("BO-" in m.text for m in thanks)  # told at once, whatever Telegram does
    for _ in range(40):  # the job runner's rounds, with time passing between them
        harness.clock.advance(30)
        await harness.deliver()
        if any("BO-" in m.text for m in staff_messages(harness)):
            break
    forwards = [m for m in staff_messages(harness) if "BO-" in m.text]
    assert len(forwards) == 1  # delivered, once
    async with harness.services.db.sessions() as session:
        from sqlmodel import select

        [idea] = (await session.exec(select(Idea))).all()
    assert idea.forwarded_at is not None
    assert COORDINATOR  # the coordinators' chat is the one the storm hit
