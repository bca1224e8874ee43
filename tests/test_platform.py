"""The shapes every flow uses: two sides, purposes declared once, the form, outbox, jobs."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from sqlalchemy import Column, DateTime, MetaData, String, Table, delete, insert
from sqlalchemy import select as core_select
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.config import REPO_ROOT, Settings
from bot.local_telegram import SentMessage, blocked, server_error, too_many_requests
from handlers import purposes
from handlers.platform.clock import GDYNIA, ManualClock
from handlers.platform.consent import NOTICE, policy_of, prompt
from handlers.platform.context import Turn
from handlers.platform.delivery import Delivery
from handlers.platform.jobs import JobRunner
from handlers.platform.purposes import Purpose, Purposes
from handlers.platform.ratelimit import RateLimiter
from knowledge.store import KnowledgeStore
from storage import outbox
from storage.consents import ActiveConsent
from storage.db import DatabaseUrlError, normalise_database_url
from storage.models import Idea, OutboxMessage
from storage.purposes import Erased
from tests.conftest import COORDINATOR, COORDINATORS_CHAT, NOW, RESIDENT
from tests.driver import BotHarness
from tests.flows import ANSWERS, answer, fill_to_summary, resident, start_with_consent

# -- resident and staff sides -----------------------------------------------------------------


async def test_text_in_the_staff_chat_is_not_a_question_and_is_not_stored(
    harness: BotHarness,
) -> None:
    staff = harness.chat(COORDINATOR, chat_id=COORDINATORS_CHAT)
    assert await staff.send("kiedy jest głosowanie w BO?") == []
    assert await staff.send("co myślicie o tym pomyśle? mój tel. 601 234 567") == []
    assert (await harness.table_rows())["unanswered_question"] == []


async def test_other_groups_hear_nothing_but_commands_addressed_to_the_bot(
    harness: BotHarness,
) -> None:
    group = harness.chat(7_300_000_001, chat_id=-1009876543210)
    assert await group.send("kiedy jest głosowanie w BO?") == []
    assert await group.send("/start") == []  # not addressed to us by name
    [reply] = await group.send("/start@lis_gdynia_bot")
    assert "prywatnym" in reply.text


async def test_a_refused_staff_press_gets_an_alert_and_changes_nothing(harness: BotHarness) -> None:
    chat = resident(harness)
    await fill_to_summary(chat)
    await chat.press("✅ Send to coordinators")
    outsider = harness.chat(7_300_000_002, chat_id=COORDINATORS_CHAT)
    await outsider.press("✅ Przyjęty do dalszych działań")
    assert harness.telegram.callback_answers[-1].show_alert
    assert "koordynatorzy" in (harness.telegram.callback_answers[-1].text or "").lower()
    async with harness.services.db.sessions() as session:
        [idea] = (await session.exec(select(Idea))).all()
    assert idea.status == "new"


# -- a purpose declared once ------------------------------------------------------------------

PETITIONS = MetaData()
PETITION = Table("test_petition", PETITIONS, Column("subject", String(64)),
                 Column("text", String(200)), Column("created_at", DateTime(timezone=True)))


class PetitionData:
    """A purpose invented by this test: its data lives in a table of its own."""

    export_name = "petitions"

    async def export(self, session: AsyncSession, subject: str) -> list[dict[str, Any]]:
        rows = await session.exec(core_select(PETITION.c.text).where(  # type: ignore[call-overload]
            PETITION.c.subject == subject))
        return [{"text": text} for (text,) in rows.all()]

    async def submissions(self, session: AsyncSession, subject: str) -> list[str]:
        return []

    async def erase(self, session: AsyncSession, subject: str) -> Erased:
        result = await session.exec(delete(PETITION).where(PETITION.c.subject == subject))
        return Erased(result.rowcount or 0)

    async def purge(self, session: AsyncSession, *, older_than: datetime) -> int:
        result = await session.exec(delete(PETITION).where(PETITION.c.created_at < older_than))
        return result.rowcount or 0


async def sign_petition(query: CallbackQuery, message: Message, consent: ActiveConsent,
                        turn: Turn, state: FSMContext, ref: str) -> None:
    await turn.session.exec(insert(PETITION).values(  # type: ignore[call-overload]
        subject=consent.subject, text="Więcej ławek na Oksywiu", created_at=turn.now))
    await message.answer("Podpisano.")


@pytest.fixture
async def petition_harness(settings: Settings, repo_root: Path,
                           tmp_path: Path) -> AsyncIterator[BotHarness]:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(repo_root / "knowledge", knowledge, ignore=shutil.ignore_patterns("*.py"))
    consents = knowledge / "consents.yaml"
    consents.write_text(consents.read_text(encoding="utf-8") + """  petition:
    retention_days: 30
    age_check: false
    data: [petition]
    recipients: nobody
    notice:
      pl: Zapiszę Twój podpis pod petycją testową.
      uk: Я збережу ваш підпис під тестовою петицією.
      en: I will store your signature under the test petition.
""", encoding="utf-8")
    registry = purposes().with_purpose(Purpose(id="petition", label="test petition",
                                               data=PetitionData(), after_consent=sign_petition))
    harness = await BotHarness.start(settings, knowledge=KnowledgeStore(knowledge), now=NOW,
                                     purposes=registry)
    async with harness.services.db.engine.begin() as connection:
        await connection.run_sync(PETITIONS.create_all)
    yield harness
    await harness.close()


async def _ask_consent_for_petition(harness: BotHarness) -> None:
    services = harness.services
    async with services.db.sessions() as session:
        turn = Turn(services, session, services.knowledge.current, NOW, "en")
        policy = policy_of(turn, "petition")
        assert policy is not None
        with services.i18n.context(), services.i18n.use_locale("en"):
            text, keyboard = prompt(turn, policy, "petition", "en", NOTICE)
    await harness.bot.send_message(RESIDENT, text, reply_markup=keyboard)


async def test_a_purpose_declared_once_is_covered_everywhere(petition_harness: BotHarness) -> None:
    harness = petition_harness
    chat = resident(harness)
    await _ask_consent_for_petition(harness)
    await chat.press("✅ I agree")
    assert "Podpisano." in chat.last.text
    _summary, document = await chat.send("/mydata")
    assert '"petitions"' in document.document.decode() and "ławek" in document.document.decode()
    [listing] = await chat.send("/consents")
    assert "Withdraw: test petition" in listing.labels
    await chat.press("Withdraw: test petition")
    assert "1 record(s)" in chat.last.text

    await _ask_consent_for_petition(harness)
    await chat.press("✅ I agree")
    await chat.send("/forget")
    await chat.press("🗑 Yes, erase everything")
    assert "test petition: 1" in chat.last.text

    async with harness.services.db.sessions() as session:
        await session.exec(insert(PETITION).values(  # type: ignore[call-overload]
            subject="someone", text="old", created_at=NOW - timedelta(days=31)))
        await session.commit()
    counts = await harness.services.jobs.run_now("purge")
    assert counts["petition"] == 1


def test_knowledge_check_wants_a_notice_for_every_declared_purpose(tmp_path: Path) -> None:
    from knowledge.validator import check_knowledge

    problems = check_knowledge(REPO_ROOT / "knowledge", NOW.date(),
                               purposes=[*purposes().ids(), "petition"])
    assert any("petition" in str(problem) and "consents.yaml" in str(problem)
               for problem in problems)


# -- the form ---------------------------------------------------------------------------------

async def test_a_small_district_project_at_5_mln_is_refused(harness: BotHarness) -> None:
    chat = resident(harness)
    await start_with_consent(chat)
    await chat.press("🏘 District project")
    await chat.send("oksywiu")
    await chat.press("🔹 Small project")
    for _step, how in ANSWERS[3:7]:
        await answer(chat, how)
    problem, prompt_again = await chat.send("5 mln")
    assert "more than a small district project may cost (20,000 zł)" in problem.text
    assert "How much" in prompt_again.text and await chat.step() == "cost"


async def test_editing_the_level_at_the_summary_checks_the_cost_again(
    harness: BotHarness,
) -> None:
    chat = resident(harness)
    await start_with_consent(chat)
    await chat.press("🏙 City-wide project")
    await chat.send("Zielone przystanki w całej Gdyni")
    await chat.send("Przystanki z zielonymi dachami i ławkami na wszystkich pętlach w mieście.")
    await chat.press("🎭 Soft (classes, events)")
    await chat.press("Skip: no particular place")
    await chat.send("1,2 mln")
    await chat.send("Jan Kowalski")
    await chat.press("💬 Reply to me here in Telegram")
    assert "please check it" in chat.last.text
    await chat.press("✏️ Level")
    await chat.press("🏘 District project")
    await chat.send("Chylonia")
    problem, cost_step = await chat.press("🔹 Small project")
    assert "1,200,000 zł is more than a small district project" in problem.text
    assert "How much" in cost_step.text
    [summary] = await chat.send("15 tys")
    assert "please check it" in summary.text and "15,000 zł" in summary.text


async def test_text_typed_at_the_summary_shows_the_summary_again(harness: BotHarness) -> None:
    chat = resident(harness)
    await fill_to_summary(chat)
    hint, summary = await chat.send("czy to już wszystko?")
    assert "buttons under the summary" in hint.text and "please check it" in summary.text


async def test_cancel_on_a_filled_form_asks_and_keep_goes_on(harness: BotHarness) -> None:
    chat = resident(harness)
    await start_with_consent(chat)
    await chat.press("🏘 District project")
    await chat.press("✖ Cancel")
    assert "delete your answers" in chat.last.text
    *_, step = await chat.press("↩ No, continue")
    assert "Which district" in step.text and await chat.step() == "district"


async def test_ideas_count_in_the_edition_in_force(settings: Settings,
                                                  knowledge_store: KnowledgeStore) -> None:
    during = datetime(2026, 3, 1, 10, tzinfo=GDYNIA)  # BO2026 filing: 23 February – 23 March
    harness = await BotHarness.start(settings, knowledge=knowledge_store, now=during)
    try:
        chat = resident(harness)
        await chat.send("/pomysl")
        await chat.press("✅ I agree")
        await chat.press("I am 16 or older")
        intro = harness.telegram.chat_history(RESIDENT)[-2]
        assert "open until 23 March 2026" in intro.text
        for _step, how in ANSWERS:
            await answer(chat, how)
        assert "BO2026" in chat.last.text
        await chat.press("✅ Send to coordinators")
        assert "BO-2026-0001" in harness.telegram.latest(COORDINATORS_CHAT).text
    finally:
        await harness.close()


async def test_after_filing_closed_ideas_go_to_next_year_with_last_years_limits(
    harness: BotHarness,
) -> None:
    chat = resident(harness)
    await chat.send("/pomysl")
    await chat.press("✅ I agree")
    await chat.press("I am 16 or older")
    intro = harness.telegram.chat_history(RESIDENT)[-2]
    assert "Filing for BO2026 ended on 23 March 2026" in intro.text
    assert "BO2027" in intro.text and "last year's" in intro.text
    await chat.press("🏙 City-wide project")
    for text in ("Zielone przystanki w całej Gdyni",
                 "Przystanki z zielonymi dachami i ławkami na wszystkich pętlach w mieście."):
        await chat.send(text)
    await chat.press("🎭 Soft (classes, events)")
    await chat.press("Skip: no particular place")
    problem, _again = await chat.send("2 mln")
    assert "(BO2026 limits: those for BO2027 are not published yet)" in problem.text


# -- honest statuses --------------------------------------------------------------------------

async def test_without_a_coordinators_chat_the_resident_is_not_told_it_was_received(
    settings: Settings, knowledge_store: KnowledgeStore,
) -> None:
    harness = await BotHarness.start(settings.model_copy(update={"coordinator_chat_id": None}),
                                     knowledge=knowledge_store, now=NOW)
    try:
        chat = resident(harness)
        await fill_to_summary(chat)
        *_, thanks, _official = await chat.press("✅ Send to coordinators")
        assert "cannot pass it to the coordinators" in thanks.text
        assert "bo@gdynia.pl" in thanks.text  # from knowledge/contacts.yaml
        [mine] = await chat.send("/moje")
        assert "not passed to coordinators yet" in mine.text
    finally:
        await harness.close()


async def test_moje_says_waiting_until_the_copy_is_delivered(harness: BotHarness) -> None:
    harness.auto_deliver = False
    chat = resident(harness)
    await fill_to_summary(chat)
    await chat.press("✅ Send to coordinators")
    [mine] = await chat.send("/moje")
    assert "waiting to be delivered" in mine.text
    await harness.deliver()
    [mine] = await chat.send("/moje")
    assert "sent to coordinators" in mine.text


async def test_not_eligible_asks_why_and_tells_the_resident_what_to_do(
    harness: BotHarness,
) -> None:
    chat = resident(harness)
    await fill_to_summary(chat)
    await chat.press("✅ Send to coordinators")
    staff = harness.chat(COORDINATOR, chat_id=COORDINATORS_CHAT, first_name="Ola")
    await staff.press("⛔ Nie kwalifikuje się")
    [copy] = harness.telegram.chat_history(COORDINATORS_CHAT)
    assert "przebudowa lub remont drogi" in copy.labels
    await staff.press("przebudowa lub remont drogi")
    told = chat.last.text
    assert "not eligible" in told and "rebuilding or repairing a road" in told
    assert "cycle paths" in told  # what they can do instead
    [copy] = harness.telegram.chat_history(COORDINATORS_CHAT)
    assert copy.text.count("Status:") == 1 and "przebudowa lub remont drogi" in copy.text
    sent_before = len(harness.telegram.calls)
    await staff.press("⛔ Nie kwalifikuje się")
    await staff.press("przebudowa lub remont drogi")  # the status it already has
    assert "ma już ten status" in (harness.telegram.callback_answers[-1].text or "")
    async with harness.services.db.sessions() as session:
        to_resident = (await session.exec(select(OutboxMessage).where(
            OutboxMessage.role == "idea.status"))).all()
    assert len(to_resident) == 1
    assert len(harness.telegram.calls) - sent_before <= 3  # the reason menu, two answers


# -- outbox -----------------------------------------------------------------------------------

def _delivery(harness: BotHarness, **options: Any) -> Delivery:
    return Delivery(bot=harness.bot, sessions=harness.services.db.sessions, clock=harness.clock,
                    jitter=lambda: 1.0, **options)


async def _enqueue(harness: BotHarness, *items: outbox.Outgoing) -> None:
    async with harness.services.db.sessions() as session:
        for item in items:
            outbox.enqueue(session, item, harness.clock.now())
        await session.commit()


async def _messages(harness: BotHarness) -> list[OutboxMessage]:
    async with harness.services.db.sessions() as session:
        return list((await session.exec(select(OutboxMessage).order_by(OutboxMessage.id))).all())


async def test_the_outbox_sends_documents_and_replies(harness: BotHarness) -> None:
    original = await harness.bot.send_message(COORDINATORS_CHAT, "pytanie")
    await _enqueue(
        harness,
        outbox.Outgoing(chat_id=COORDINATORS_CHAT, kind="document", document=b"a;b\n",
                        document_name="lista.csv", text="<b>Lista</b>"),
        outbox.Outgoing(chat_id=COORDINATORS_CHAT, text="odpowiedź",
                        reply_to_message_id=original.message_id))
    report = await _delivery(harness).drain()
    harness.clock.advance(2)
    report = await _delivery(harness).drain()  # one a second per chat
    document, reply = harness.telegram.chat_history(COORDINATORS_CHAT)[1:]
    assert (document.document_name, document.document) == ("lista.csv", b"a;b\n")
    assert reply.reply_to == original.message_id and reply.text == "odpowiedź"
    assert report.dead == 0 and all(m.status == "sent" for m in await _messages(harness))


async def test_a_blocked_resident_stops_delivery_at_once(harness: BotHarness) -> None:
    harness.telegram.fail_next(RESIDENT, blocked())
    await _enqueue(harness, outbox.Outgoing(chat_id=RESIDENT, text="wieści"))
    report = await _delivery(harness).drain()
    [message] = await _messages(harness)
    assert report.stopped == 1 and (message.status, message.attempts) == ("stopped", 1)
    assert "blocked" in (message.last_error or "")


async def test_server_errors_back_off_then_the_message_goes_dead(harness: BotHarness) -> None:
    harness.telegram.fail_next(RESIDENT, *[server_error(500)] * 3)
    await _enqueue(harness, outbox.Outgoing(chat_id=RESIDENT, text="wieści"))
    delivery = _delivery(harness, max_attempts=3, base_backoff=2.0)
    await delivery.drain()
    [message] = await _messages(harness)
    assert message.next_attempt_at == harness.clock.now() + timedelta(seconds=2)
    harness.clock.advance(1)
    await delivery.drain()
    assert (await _messages(harness))[0].attempts == 1  # not due yet
    harness.clock.advance(1)
    await delivery.drain()
    [message] = await _messages(harness)
    assert message.next_attempt_at == harness.clock.now() + timedelta(seconds=4)
    harness.clock.advance(4)
    await delivery.drain()
    [message] = await _messages(harness)
    assert (message.status, message.attempts) == ("dead", 3)
    [outbox_report] = await harness.chat(COORDINATOR, chat_id=COORDINATORS_CHAT).send("/outbox")
    assert "dead" in outbox_report.text and f"#{message.id}" in outbox_report.text


async def test_429_waits_exactly_retry_after(harness: BotHarness) -> None:
    harness.telegram.fail_next(RESIDENT, too_many_requests(17))
    await _enqueue(harness, outbox.Outgoing(chat_id=RESIDENT, text="wieści"))
    await _delivery(harness).drain()
    [message] = await _messages(harness)
    assert message.next_attempt_at == harness.clock.now() + timedelta(seconds=17)


async def test_the_rate_limiter_keeps_every_limit_on_a_200_message_burst(
    harness: BotHarness,
) -> None:
    chats = [7_400_000_000 + n for n in range(60)] + [-1005000000000 - n for n in range(5)]
    items = [outbox.Outgoing(chat_id=chats[n % len(chats)], text=f"nr {n}") for n in range(200)]
    await _enqueue(harness, *items)
    sent_at: list[tuple[int, float]] = []

    def record(kind: str, item: object) -> None:
        if kind == "sent" and isinstance(item, SentMessage):
            sent_at.append((item.chat_id, harness.clock.monotonic()))

    harness.telegram.subscribe(record)
    delivery = _delivery(harness, limiter=RateLimiter(), batch=50)
    for _round in range(400):
        if len(sent_at) == 200:
            break
        await delivery.drain()
        harness.clock.advance(0.5)
    assert len(sent_at) == 200
    times = sorted(t for _c, t in sent_at)
    assert all(times[i + 25] - times[i] >= 1.0 for i in range(len(times) - 25))
    for chat in chats:
        mine = sorted(t for c, t in sent_at if c == chat)
        assert all(b - a >= 1.0 for a, b in zip(mine, mine[1:], strict=False))
        if chat < 0:
            assert all(mine[i + 20] - mine[i] >= 60.0 for i in range(len(mine) - 20))


# -- jobs and transactions --------------------------------------------------------------------

async def test_the_job_runner_runs_wakes_and_stops_cleanly() -> None:
    runs: list[str] = []
    started = asyncio.Event()

    async def job() -> None:
        runs.append("ran")
        started.set()

    runner = JobRunner()
    runner.add("work", job, every=3600)
    await runner.start()
    await asyncio.wait_for(started.wait(), 5)
    started.clear()
    runner.wake("work")
    await asyncio.wait_for(started.wait(), 5)
    await runner.stop()
    assert runs == ["ran", "ran"] and not runner.running
    assert not [t for t in asyncio.all_tasks() if t.get_name().startswith("job:")]


async def test_no_residents_update_delivers_messages(harness: BotHarness) -> None:
    harness.auto_deliver = False
    chat = resident(harness)
    await fill_to_summary(chat)
    await chat.press("✅ Send to coordinators")
    assert harness.telegram.chat_history(COORDINATORS_CHAT) == []  # queued, not sent
    assert harness.services.jobs._jobs["outbox"].woken.is_set()  # the runner was woken
    await harness.deliver()
    assert len(harness.telegram.chat_history(COORDINATORS_CHAT)) == 1


async def test_forget_failing_midway_deletes_nothing(settings: Settings,
                                                     knowledge_store: KnowledgeStore) -> None:
    class Failing:
        export_name = "failing"

        async def export(self, session: AsyncSession, subject: str) -> list[dict[str, Any]]:
            return []

        async def submissions(self, session: AsyncSession, subject: str) -> list[str]:
            return []

        async def erase(self, session: AsyncSession, subject: str) -> Erased:
            raise RuntimeError("the disk failed")

        async def purge(self, session: AsyncSession, *, older_than: datetime) -> int:
            return 0

    registry = Purposes([*purposes(), Purpose(id="zz_failing", label="failing", data=Failing())])
    harness = await BotHarness.start(settings, knowledge=knowledge_store, now=NOW,
                                     purposes=registry)
    try:
        chat = resident(harness)
        await fill_to_summary(chat)
        await chat.press("✅ Send to coordinators")
        await chat.send("/news")
        await chat.press("✅ I agree")
        before = await harness.table_rows()
        await chat.send("/forget")
        await chat.press("🗑 Yes, erase everything")
        assert "something went wrong" in chat.last.text
        after = await harness.table_rows()
        for table in ("idea", "news_subscription", "consent_event"):
            assert after[table] == before[table], table
    finally:
        await harness.close()


# -- DATABASE_URL -----------------------------------------------------------------------------

@pytest.mark.parametrize(("written", "used"), [
    ("postgres://u:p@db.example:5432/lis", "postgresql+asyncpg://u:p@db.example:5432/lis"),
    ("postgresql://u@127.0.0.1/lis", "postgresql+asyncpg://u@127.0.0.1/lis"),
    ("postgresql+asyncpg://u@127.0.0.1/lis", "postgresql+asyncpg://u@127.0.0.1/lis"),
    ("postgres://u@h/lis?sslmode=require", "postgresql+asyncpg://u@h/lis?ssl=require"),
    ("sqlite:///data/bot.sqlite3", "sqlite+aiosqlite:///data/bot.sqlite3"),
    ("sqlite+aiosqlite:////tmp/x.sqlite3", "sqlite+aiosqlite:////tmp/x.sqlite3"),
])
def test_database_urls_as_people_write_them(written: str, used: str) -> None:
    assert normalise_database_url(written) == used


@pytest.mark.parametrize("written", ["mysql://u@h/db", "db.sqlite3", "oracle+cx://x"])
def test_an_unknown_database_is_one_clear_line(written: str, tmp_path: Path) -> None:
    with pytest.raises(DatabaseUrlError, match="use postgresql://"):
        normalise_database_url(written)
    result = subprocess.run([sys.executable, "-m", "bot", "purge"], capture_output=True,
                            text=True, cwd=tmp_path, timeout=60,
                            env={"DATABASE_URL": written, "PATH": "/usr/bin:/bin",
                                 "PYTHONPATH": str(REPO_ROOT)})
    assert result.returncode == 2
    assert result.stderr.startswith("configuration: DATABASE_URL")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


# -- knowledge check and editions -------------------------------------------------------------

def test_knowledge_check_reports_every_problem_at_once_in_plain_words(
    repo_root: Path, tmp_path: Path
) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(repo_root / "knowledge", knowledge, ignore=shutil.ignore_patterns("*.py"))
    form = knowledge / "forms" / "bo_idea.yaml"
    form.write_text(form.read_text(encoding="utf-8") + "edition: 2031\n", encoding="utf-8")
    timeline = knowledge / "timelines" / "bo-2026.yaml"
    timeline.write_text(timeline.read_text(encoding="utf-8").replace(
        "  small_project_max: 20000\n", "").replace("    end: 2026-03-23\n", "", 1),
        encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "bot", "knowledge", "check", "--dir",
                             str(knowledge)], capture_output=True, text=True, cwd=repo_root,
                            timeout=120)
    assert result.returncode == 1
    assert "'end' of item 1 of 'stages' is missing" in result.stdout
    assert "pinned to BO edition 2031" in result.stdout


def test_a_missing_limit_fails_the_check(repo_root: Path, tmp_path: Path) -> None:
    from knowledge.validator import check_knowledge

    knowledge = tmp_path / "knowledge"
    shutil.copytree(repo_root / "knowledge", knowledge, ignore=shutil.ignore_patterns("*.py"))
    timeline = knowledge / "timelines" / "bo-2026.yaml"
    timeline.write_text(timeline.read_text(encoding="utf-8").replace(
        "  city_project_max: 1250000\n", ""), encoding="utf-8")
    problems = [str(p) for p in check_knowledge(knowledge, NOW.date())]
    assert any("has no 'city_project_max'" in p for p in problems)


def test_manual_clock_moves_only_when_told() -> None:
    clock = ManualClock(NOW)
    clock.advance(30)
    assert clock.now() == NOW + timedelta(seconds=30)


def test_the_development_purposes_registry_lists_each_purpose_once() -> None:
    ids = purposes().ids()
    assert len(ids) == len(set(ids)) and {"bo_idea", "preferences", "news"} <= set(ids)
    assert replace(purposes().get("news"), label="x").id == "news"  # declarations are plain data
