"""Regression tests for the defects found when what had landed was probed (hardening issue).

Each numbered defect has a test named after it, driven through the real dispatcher where a
resident or coordinator would notice it.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from aiogram.fsm.storage.base import StorageKey
from pydantic import SecretStr
from sqlalchemy import text
from sqlmodel import select

from bot.config import REPO_ROOT, ConfigError, Settings, load_settings
from bot.local_telegram import LOST_RESPONSE, too_many_requests
from bot.logging_setup import redact, register_secrets
from knowledge.store import KnowledgeStore
from storage import outbox
from storage.models import ConsentEvent, Idea, NewsSubscription, OutboxMessage
from tests.conftest import COORDINATOR, COORDINATORS_CHAT, NOW, RESIDENT
from tests.driver import BotHarness, ChatDriver
from tests.faults import TcpProxy
from tests.flows import ANSWERS, answer, fill_to_summary, resident, start_with_consent

OTHER_RESIDENT = 7_123_456_790


@pytest.fixture
async def pg_harness(settings: Settings, knowledge_store: KnowledgeStore,
                     postgres_url: str) -> AsyncIterator[BotHarness]:
    harness = await BotHarness.start(settings.model_copy(update={"database_url": postgres_url}),
                                     knowledge=knowledge_store, now=NOW)
    await _empty_tables(harness)
    yield harness
    await harness.close()


async def _empty_tables(harness: BotHarness) -> None:
    async with harness.services.db.engine.begin() as connection:
        names = [name for name in (await harness.table_rows()) if name != "alembic_version"]
        await connection.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names)
                                      + " RESTART IDENTITY CASCADE"))


def coordinator(harness: BotHarness) -> ChatDriver:
    return harness.chat(COORDINATOR, chat_id=COORDINATORS_CHAT, first_name="Ola")


# 1 -------------------------------------------------------------------------------------------

async def test_01_real_ids_on_postgres_confirm_forward_and_relay(pg_harness: BotHarness) -> None:
    assert COORDINATORS_CHAT == -1001234567890 and RESIDENT == 7123456789
    chat = resident(pg_harness)
    await fill_to_summary(chat)
    *_, thanks, _official = await chat.press("✅ Send to coordinators")
    assert "BO-2027-0001" in thanks.text
    [forwarded] = pg_harness.telegram.chat_history(COORDINATORS_CHAT)
    assert "BO-2027-0001" in forwarded.text
    await coordinator(pg_harness).press("❓ Potrzeba więcej informacji")
    assert "more information" in chat.last.text and "BO-2027-0001" in chat.last.text
    await chat.send("/news")
    await chat.press("✅ I agree")
    async with pg_harness.services.db.sessions() as session:
        [idea] = (await session.exec(select(Idea))).all()
        [subscription] = (await session.exec(select(NewsSubscription))).all()
    assert (idea.chat_id, idea.staff_chat_id, idea.status) == (
        RESIDENT, COORDINATORS_CHAT, "needs_info")
    assert subscription.chat_id == RESIDENT


# 2 -------------------------------------------------------------------------------------------

async def test_02_a_failing_statement_logs_no_personal_data(
    harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    chat = resident(harness)
    await fill_to_summary(chat)
    async with harness.services.db.engine.begin() as connection:
        await connection.execute(text('ALTER TABLE idea RENAME TO idea_gone'))
    caplog.set_level(logging.DEBUG)
    await chat.press("✅ Send to coordinators")
    assert "something went wrong" in chat.last.text  # polite, in the resident's language
    assert await chat.step() == "summary"  # nothing of the form is lost
    logged = "\n".join(
        record.getMessage() + "\n" + (getattr(record, "exc_text", None) or "")
        for record in caplog.records)
    assert "OperationalError" in logged  # the failure itself is logged...
    for secret in (str(RESIDENT), "Jan Kowalski", "jan@example.com", "Ławki", "usiąść",
                   harness.services.pseudonyms.subject(RESIDENT)):
        assert secret not in logged  # ...but nothing the resident typed, nor who they are
    assert harness.services.db.checked_out_connections() == 0  # the connection went back


# 3 -------------------------------------------------------------------------------------------

async def _whole_form(harness: BotHarness, user_id: int) -> str:
    chat = harness.chat(user_id, language_code="en")
    await start_with_consent(chat)
    for _step, how in ANSWERS:
        await answer(chat, how)
    await chat.press("✅ Send to coordinators")
    return chat.last.text


@pytest.fixture(params=["sqlite", "postgres"])
async def backend_harness(request: pytest.FixtureRequest, settings: Settings,
                          knowledge_store: KnowledgeStore) -> AsyncIterator[BotHarness]:
    if request.param == "postgres":
        settings = settings.model_copy(update={
            "database_url": request.getfixturevalue("postgres_url")})
    harness = await BotHarness.start(settings, knowledge=knowledge_store, now=NOW)
    if request.param == "postgres":
        await _empty_tables(harness)
    yield harness
    await harness.close()


async def test_03_fifty_residents_at_once_are_all_served(backend_harness: BotHarness) -> None:
    harness = backend_harness
    users = [7_200_000_000 + n for n in range(50)]
    replies = await asyncio.gather(*(_whole_form(harness, user) for user in users))
    assert all("not yet an official" in reply for reply in replies)
    async with harness.services.db.sessions() as session:
        ideas = (await session.exec(select(Idea))).all()
    assert sorted(idea.number for idea in ideas) == list(range(1, 51))
    mydata = await asyncio.gather(*(harness.chat(u, language_code="en").send("/mydata")
                                    for u in users))
    assert all(len(outputs) == 2 and outputs[1].document for outputs in mydata)
    assert harness.services.db.checked_out_connections() == 0


# 4 -------------------------------------------------------------------------------------------

async def test_04_forget_in_the_staff_chat_touches_no_residents_data(harness: BotHarness) -> None:
    harness.telegram.fail_next(COORDINATORS_CHAT, too_many_requests(600))
    chat = resident(harness)
    await fill_to_summary(chat)
    await chat.press("✅ Send to coordinators")  # its copy waits in the queue (429)
    staff = coordinator(harness)
    stranger = harness.chat(OTHER_RESIDENT, chat_id=COORDINATORS_CHAT)
    for person in (staff, stranger):
        for command in ("/forget", "/mydata", "/consents", "jak głosować w BO?"):
            assert await person.send(command) == []  # the staff chat is not a resident's chat
    async with harness.services.db.sessions() as session:
        [queued] = (await session.exec(select(OutboxMessage))).all()
        assert queued.status == "pending" and "BO-2027-0001" in queued.text
        assert len((await session.exec(select(Idea))).all()) == 1
    assert (await harness.table_rows())["unanswered_question"] == []


# 5 -------------------------------------------------------------------------------------------

async def test_05_withdrawal_and_forget_take_drafts_in_every_chat(harness: BotHarness) -> None:
    chat = resident(harness)
    await start_with_consent(chat)
    for _step, how in ANSWERS[:4]:
        await answer(chat, how)
    await chat.send("/consents")
    await chat.press("Withdraw: describing a participatory-budget idea")
    assert "1 record(s)" in chat.last.text  # the draft, with what the resident had typed
    assert await chat.state() is None

    await start_with_consent(chat)
    await answer(chat, ANSWERS[0][1])
    other_chat = StorageKey(harness.bot.id, -1009999999999, RESIDENT)
    await harness.services.fsm.set_state(other_chat, "form:bo_idea")
    await harness.services.fsm.set_data(other_chat, {"form": "bo_idea", "purpose": "bo_idea",
                                                     "step": "title", "title": "Mój tytuł"})
    summary, document = await chat.send("/mydata")
    held = json.loads(document.document)
    assert len(held["forms_in_progress"]) == 2 and "unfinished forms: 2" in summary.text
    await chat.send("/forget")
    await chat.press("🗑 Yes, erase everything")
    assert "unfinished forms: 2" in chat.last.text
    assert (await harness.table_rows())["fsm_record"] == []


async def test_05_mydata_shows_queued_messages_with_the_residents_contact(
    harness: BotHarness,
) -> None:
    harness.telegram.fail_next(COORDINATORS_CHAT, too_many_requests(600))
    chat = resident(harness)
    await fill_to_summary(chat)
    await chat.press("✅ Send to coordinators")
    _summary, document = await chat.send("/mydata")
    [queued] = json.loads(document.document)["queued_messages"]
    assert "Jan Kowalski" in queued["text"] and "jan@example.com" in queued["text"]


# 6 -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("typed", ["<b>", "a < b", '<a href="tg://user?id=1">x</a>', "&amp; &"])
async def test_06_what_a_resident_types_is_echoed_escaped(harness: BotHarness, typed: str) -> None:
    chat = resident(harness)
    await start_with_consent(chat)
    await chat.press("🏘 District project")
    problem, prompt = await chat.send(typed)
    assert typed in problem.text and "Which district" in prompt.text
    assert harness.telegram.refusals == []


# 7 -------------------------------------------------------------------------------------------

async def test_07_emoji_count_twice_and_the_summary_always_fits(harness: BotHarness) -> None:
    chat = resident(harness)
    await start_with_consent(chat)
    for _step, how in ANSWERS[:4]:
        await answer(chat, how)
    problem, _prompt = await chat.send("😀" * 2000)
    assert "too long" in problem.text and "4000" in problem.text
    assert await chat.step() == "description"
    await chat.send("😀" * 1000)  # 2,000 UTF-16 units: the most a description may hold
    for _step, how in ANSWERS[5:]:
        await answer(chat, how)
    assert "please check it" in chat.last.text
    await chat.press("✏️ Title")
    await chat.send("🌳" * 75)
    await chat.press("✏️ Place")
    await chat.send("🏞" * 150)
    assert "please check it" in chat.last.text and harness.telegram.refusals == []
    await chat.press("✅ Send to coordinators")
    assert "BO-2027-0001" in harness.telegram.latest(COORDINATORS_CHAT).text


# 8 -------------------------------------------------------------------------------------------

def _run_bot(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.upper().startswith(
        ("TELEGRAM_", "REDIS_", "DATABASE_", "PSEUDONYM_", "COORDINATOR"))}
    base |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}",
             "PYTHONPATH": str(REPO_ROOT), "NO_PROXY": "127.0.0.1", **env}
    return subprocess.run([sys.executable, "-m", "bot", "run"], capture_output=True, text=True,
                          cwd=tmp_path, env=base, timeout=120)


TOKEN = "7123456789:AAHsecretSECRETsecretSECRETsecret12"


def test_08_an_api_base_without_scheme_is_refused_without_printing_the_token(
    tmp_path: Path,
) -> None:
    result = _run_bot(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_BASE="api.telegram.org",
                      PSEUDONYM_KEY="k" * 32)
    assert result.returncode == 2
    assert "TELEGRAM_API_BASE" in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert TOKEN not in result.stderr + result.stdout
    assert TOKEN.split(":")[1] not in result.stderr + result.stdout


async def test_08_a_redirect_loop_never_prints_the_token(tmp_path: Path) -> None:
    from aiohttp import web

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound(str(request.url))

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", redirect)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        migrate = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "migrate", cwd=tmp_path,
            env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'bot.sqlite3'}",
                 "PYTHONPATH": str(REPO_ROOT)},
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        await migrate.wait()
        result = await asyncio.to_thread(
            _run_bot, tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, PSEUDONYM_KEY="k" * 32,
            TELEGRAM_API_BASE=f"http://127.0.0.1:{port}", STARTUP_ATTEMPTS="2")
    finally:
        await runner.cleanup()
    assert result.returncode != 0
    assert TOKEN not in result.stderr and TOKEN.split(":")[1] not in result.stderr
    assert "[secret]" in result.stderr or "Redirect" in result.stderr


def test_08_any_log_record_is_redacted() -> None:
    register_secrets([TOKEN, TOKEN.split(":")[1]])
    assert TOKEN not in redact(f"POST https://api.telegram.org/bot{TOKEN}/getMe failed")
    logger = logging.getLogger("tests.redaction")
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger.addHandler(handler)
    try:
        try:
            raise OSError(f"cannot reach /bot{TOKEN}/deleteWebhook for Jan Kowalski")
        except OSError:
            logger.exception("start-up failed for %s", f"/bot{TOKEN}/getMe")
    finally:
        logger.removeHandler(handler)
    formatted = logging.Formatter().format(records[0])
    assert TOKEN not in formatted and "Jan Kowalski" not in formatted
    assert "OSError" in formatted and "[secret]" in formatted


# 9 -------------------------------------------------------------------------------------------

async def _queue(harness: BotHarness, count: int, chat_id: int = COORDINATORS_CHAT) -> None:
    async with harness.services.db.sessions() as session:
        for number in range(count):
            outbox.enqueue(session, outbox.Outgoing(chat_id=chat_id - number, text=f"nr {number}"),
                           harness.clock.now())
        await session.commit()


async def test_09_a_lost_lease_is_not_recorded_over_another_workers_delivery(
    harness: BotHarness,
) -> None:
    await _queue(harness, 1)
    sessions, now = harness.services.db.sessions, harness.clock.now()
    async with sessions() as session:
        [first] = await outbox.claim_due(session, owner="worker-a", now=now)
    later = now + outbox.LEASE + timedelta(seconds=1)  # worker a stalled past its lease
    async with sessions() as session:
        [again] = await outbox.claim_due(session, owner="worker-b", now=later)
        assert await outbox.mark_sent(session, again, owner="worker-b", telegram_message_id=7,
                                      now=later)
    async with sessions() as session:
        assert not await outbox.mark_sent(session, first, owner="worker-a",
                                          telegram_message_id=8, now=later)
        stored = await session.get(OutboxMessage, first.id)
    assert (stored.status, stored.sent_message_id) == ("sent", 7)


async def test_09_two_workers_deliver_each_message_once(harness: BotHarness) -> None:
    from handlers.platform.delivery import Delivery

    await _queue(harness, 25)
    workers = [Delivery(bot=harness.bot, sessions=harness.services.db.sessions,
                        clock=harness.clock, owner=name) for name in ("a", "b")]
    await asyncio.gather(*(worker.drain() for worker in workers))
    sent = [m for m in harness.telegram.calls if type(m).__name__ == "SendMessage"]
    assert sorted(m.text for m in sent) == sorted(f"nr {n}" for n in range(25))


async def test_09_retry_after_is_waited_exactly(harness: BotHarness) -> None:
    harness.telegram.fail_next(COORDINATORS_CHAT, too_many_requests(30))
    await _queue(harness, 1)
    await harness.deliver()
    async with harness.services.db.sessions() as session:
        [message] = (await session.exec(select(OutboxMessage))).all()
    assert message.next_attempt_at == harness.clock.now() + timedelta(seconds=30)
    assert message.attempts == 0  # Telegram's "wait" is not a failed attempt
    harness.clock.advance(29)
    await harness.deliver()
    assert harness.telegram.chat_history(COORDINATORS_CHAT) == []
    harness.clock.advance(1)
    await harness.deliver()
    assert len(harness.telegram.chat_history(COORDINATORS_CHAT)) == 1


async def test_09_a_lost_answer_means_at_least_once(harness: BotHarness) -> None:
    """Telegram has no idempotency key: delivered but unconfirmed is sent again (documented)."""
    harness.telegram.fail_next(COORDINATORS_CHAT, LOST_RESPONSE)
    await _queue(harness, 1)
    await harness.deliver()
    harness.clock.advance(60)
    await harness.deliver()
    assert [m.text for m in harness.telegram.chat_history(COORDINATORS_CHAT)] == ["nr 0"] * 2
    assert "at least once" in outbox.__doc__


# 10 ------------------------------------------------------------------------------------------

@pytest.fixture
async def postgres_behind_proxy(postgres_url: str) -> AsyncIterator[tuple[str, TcpProxy]]:
    from sqlalchemy.engine import make_url

    url = make_url(postgres_url)
    proxy = await TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
    yield url.set(port=proxy.port).render_as_string(hide_password=False), proxy
    await proxy.stop()


async def test_10_database_down_start_help_and_answers_still_work_then_recover(
    settings: Settings, knowledge_store: KnowledgeStore,
    postgres_behind_proxy: tuple[str, TcpProxy],
) -> None:
    url, proxy = postgres_behind_proxy
    harness = await BotHarness.start(settings.model_copy(update={"database_url": url}),
                                     knowledge=knowledge_store, now=NOW)
    try:
        await _empty_tables(harness)
        chat = harness.chat(RESIDENT, language_code="pl")
        await proxy.cut()
        [greeting] = await chat.send("/start")
        assert "Cześć" in greeting.text
        [help_text] = await chat.send("/help")
        assert "/pomysl" in help_text.text
        *_, answered = await chat.send("gdzie jest wymiennikownia?")
        assert "Kartuskiej" in answered.text
        await chat.send("/pomysl")
        assert "spróbuj ponownie" in chat.last.text.lower() or "chwilę" in chat.last.text
        await proxy.restore()
        [prompt] = await chat.send("/pomysl")
        assert "Zgadzam się" in " ".join(prompt.labels)  # back by itself
    finally:
        await harness.close()


async def test_10_redis_down_start_and_answers_still_work(
    settings: Settings, knowledge_store: KnowledgeStore, redis_url: str,
) -> None:
    from sqlalchemy.engine import make_url

    parsed = make_url(redis_url.replace("redis://", "redis+x://"))
    proxy = await TcpProxy(parsed.host or "127.0.0.1", parsed.port or 6379).start()
    proxied = f"redis://127.0.0.1:{proxy.port}/{parsed.database or '0'}"
    harness = await BotHarness.start(
        settings.model_copy(update={"redis_url": SecretStr(proxied)}),
        knowledge=knowledge_store, now=NOW)
    try:
        chat = harness.chat(RESIDENT, language_code="en")
        await proxy.cut()
        [greeting] = await chat.send("/start")
        assert "Hello" in greeting.text
        *_, answered = await chat.send("where is Wymiennikownia?")
        assert "Kartuska" in answered.text or "Kartuskiej" in answered.text
        await proxy.restore()
        await chat.send("/pomysl")
        assert "✅ I agree" in chat.last.labels
    finally:
        await harness.close()
        await proxy.stop()


# 12 ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("key", [None, "development-only-pseudonym-key"])
def test_12_run_refuses_the_development_pseudonym_key(tmp_path: Path, key: str | None) -> None:
    env = {"TELEGRAM_BOT_TOKEN": TOKEN}
    if key is not None:
        env["PSEUDONYM_KEY"] = key
    result = _run_bot(tmp_path, **env)
    assert result.returncode == 2 and "PSEUDONYM_KEY" in result.stderr


def test_12_settings_check_values_at_load() -> None:
    with pytest.raises(ConfigError, match="TELEGRAM_API_BASE"):
        load_settings(_env_file=None, telegram_api_base="api.telegram.org/bot123")


# 13 ------------------------------------------------------------------------------------------

async def test_13_forged_and_repeated_buttons_are_answered_not_crashed(
    harness: BotHarness,
) -> None:
    staff = coordinator(harness)
    await harness.bot.send_message(COORDINATORS_CHAT, "copy")
    for data in ("ideastatus:99999999999999999999:accepted:", "ideastatus:-1:accepted:",
                 "ideastatus:1:accepted:nonsense"):
        await harness.conversation.feed_raw({"callback_query": {
            "id": harness.telegram.next_callback_id(), "from": staff.person.as_user(),
            "chat_instance": "1", "data": data, "message": {
                "message_id": 1, "date": 0, "chat": {"id": COORDINATORS_CHAT,
                                                      "type": "supergroup"}, "text": "copy"}}})
        assert harness.telegram.callback_answers[-1].show_alert
    chat = resident(harness)
    await start_with_consent(chat)
    await chat.press("🏘 District project")
    last = chat.last
    await harness.conversation.feed_raw({"callback_query": {
        "id": harness.telegram.next_callback_id(), "from": chat.person.as_user(),
        "chat_instance": "1", "data": "f:bo_idea:pick:district:²",
        "message": {"message_id": last.message_id, "date": 0,
                    "chat": {"id": RESIDENT, "type": "private"}, "text": last.text}}})
    assert harness.telegram.callback_answers[-1].show_alert and await chat.step() == "district"


async def test_13_double_taps_change_nothing_twice(harness: BotHarness) -> None:
    chat = resident(harness)
    [prompt] = await chat.send("/news")
    agree = prompt.button("✅ I agree").callback_data
    for _tap in range(2):
        await harness.conversation.feed_raw({"callback_query": {
            "id": harness.telegram.next_callback_id(), "from": chat.person.as_user(),
            "chat_instance": "1", "data": agree, "message": {
                "message_id": prompt.message_id, "date": 0,
                "chat": {"id": RESIDENT, "type": "private"}, "text": prompt.text}}})
    async with harness.services.db.sessions() as session:
        assert len((await session.exec(select(ConsentEvent))).all()) == 1
    await chat.send("/forget")
    erase = chat.last
    erase_data = erase.button("🗑 Yes, erase everything").callback_data
    await chat.press("🗑 Yes, erase everything")
    await harness.conversation.feed_raw({"callback_query": {
        "id": harness.telegram.next_callback_id(), "from": chat.person.as_user(),
        "chat_instance": "1", "data": erase_data,
        "message": {"message_id": erase.message_id, "date": 0,
                    "chat": {"id": RESIDENT, "type": "private"}, "text": erase.text}}})
    assert harness.telegram.refusals == []


# 14 ------------------------------------------------------------------------------------------

async def _press_under(harness: BotHarness, chat: ChatDriver, message_id: int, text_shown: str,
                       data: str) -> None:
    await harness.conversation.feed_raw({"callback_query": {
        "id": harness.telegram.next_callback_id(), "from": chat.person.as_user(),
        "chat_instance": "1", "data": data, "message": {
            "message_id": message_id, "date": 0, "chat": {"id": RESIDENT, "type": "private"},
            "text": text_shown}}})


async def test_14_the_proof_names_only_the_notice_the_resident_saw(harness: BotHarness) -> None:
    chat = resident(harness)
    [news_prompt] = await chat.send("/news")
    version = harness.services.knowledge.current.base.consents.purposes["bo_idea"].version
    await _press_under(harness, chat, news_prompt.message_id, news_prompt.text,
                       f"consent:agree:bo_idea:{version}:en:")  # another purpose's button
    news_version = harness.services.knowledge.current.base.consents.purposes["news"].version
    await _press_under(harness, chat, news_prompt.message_id, news_prompt.text,
                       f"consent:agree:news:{news_version}:uk:")  # a language not shown
    assert harness.telegram.callback_answers[-1].show_alert
    assert await chat.state() is None
    async with harness.services.db.sessions() as session:
        assert (await session.exec(select(ConsentEvent))).all() == []

    shown = "\n".join([news_prompt_visible(news_prompt), *news_prompt.labels])
    await chat.press("✅ I agree")
    async with harness.services.db.sessions() as session:
        [event] = (await session.exec(select(ConsentEvent))).all()
    assert event.notice_hash == hashlib.sha256(shown.encode()).hexdigest()
    assert (event.purpose, event.locale) == ("news", "en")


def news_prompt_visible(message: object) -> str:
    from handlers.platform.telegram_html import visible_text

    return visible_text(message.html)  # type: ignore[attr-defined]


# 15 ------------------------------------------------------------------------------------------

async def test_15_a_language_chosen_mid_form_is_used_at_once(harness: BotHarness) -> None:
    chat = resident(harness)
    await start_with_consent(chat)
    await chat.press("🏘 District project")
    await chat.send("/language")
    [done] = await chat.press("🇵🇱 Polski")
    assert "po polsku" in done.text
    [prompt] = await chat.send("oksywiu")
    assert "Krok" in prompt.text  # the next step speaks Polish


# 16 ------------------------------------------------------------------------------------------

def test_16_residents_are_pointed_to_moje_and_help_lists_it() -> None:
    for locale in ("pl", "uk"):
        po = (REPO_ROOT / "bot" / "locales" / locale / "LC_MESSAGES" / "messages.po").read_text(
            encoding="utf-8")
        translations = [line for line in po.splitlines() if line.startswith("msgstr")]
        assert not any("/mine" in line for line in translations), locale
    help_entry = (REPO_ROOT / "knowledge" / "entries" / "bot.help.yaml").read_text(
        encoding="utf-8")
    assert help_entry.count("/moje") >= 3  # in pl, uk and en


def test_16_the_description_hint_is_whole_polish() -> None:
    form = (REPO_ROOT / "knowledge" / "forms" / "bo_idea.yaml").read_text(encoding="utf-8")
    assert "na jaką potrzebę odpowiada" in form and " jaką potrzebę odpowiada" not in form.replace(
        "na jaką potrzebę odpowiada", "")


def test_16_a_negative_retention_fails_the_check(repo_root: Path, tmp_path: Path) -> None:
    import shutil

    knowledge = tmp_path / "knowledge"
    shutil.copytree(repo_root / "knowledge", knowledge, ignore=shutil.ignore_patterns("*.py"))
    consents = knowledge / "consents.yaml"
    consents.write_text(consents.read_text(encoding="utf-8").replace(
        "retention_days: 365", "retention_days: -5", 1), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "bot", "knowledge", "check", "--dir",
                             str(knowledge)], capture_output=True, text=True, cwd=repo_root)
    assert result.returncode == 1
    assert "consents.yaml:" in result.stdout and "at least 1" in result.stdout
