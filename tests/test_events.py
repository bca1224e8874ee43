"""Events and sign-ups: finding, seats and the waiting list, calendar files, reminders, staff."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from sqlalchemy import text
from sqlmodel import select

from bot.config import REPO_ROOT, Settings
from handlers.platform.clock import ManualClock
from knowledge.store import KnowledgeStore
from storage.models import OutboxMessage, Signup
from tests.conftest import COORDINATOR, COORDINATORS_CHAT, NOW
from tests.driver import BotHarness, ChatDriver

KONS = "demo-ul-kons"  # UrbanLab consultation, 10 places, NOW's day + 7 at 17:00
EVENING = "demo-bo-wieczor"  # BO help evening, 2 places
WORKSHOP = "demo-wm-warszt"  # sign-up closes the day before


@pytest.fixture
async def events_harness(settings: Settings, demo_store: KnowledgeStore
                         ) -> AsyncIterator[BotHarness]:
    harness = await BotHarness.start(settings, knowledge=demo_store, now=NOW)
    yield harness
    await harness.close()


def resident(harness: BotHarness, number: int = 0, name: str = "Resident") -> ChatDriver:
    return harness.chat(7_500_000_000 + number, language_code="en", first_name=name)


def event(harness: BotHarness, event_id: str):  # type: ignore[no-untyped-def]
    return harness.services.knowledge.current.base.events[event_id]


async def open_signup(harness: BotHarness, chat: ChatDriver, event_id: str) -> None:
    await harness.bot.send_message(chat.person.chat_id, "events", reply_markup=None)
    await harness.conversation.feed_raw({"callback_query": {
        "id": harness.telegram.next_callback_id(), "from": chat.person.as_user(),
        "chat_instance": "1", "data": f"ev:signup:{event_id}",
        "message": {"message_id": chat.last.message_id, "date": 0,
                    "chat": {"id": chat.person.chat_id, "type": "private"}, "text": "events"}}})


async def sign_up(harness: BotHarness, chat: ChatDriver, event_id: str = KONS, *,
                  name: str = "Jan Kowalski", contact: str | None = None,
                  needs: str | None = None) -> None:
    await open_signup(harness, chat, event_id)
    await chat.press("✅ I agree")
    await chat.press("I am 16 or older")
    await chat.send(name)
    if contact:
        await chat.send(contact)
    else:
        await chat.press("Skip")
    if needs:
        await chat.send(needs)
    else:
        await chat.press("Nothing needed")
    await chat.press("✅ Sign me up")


async def signups(harness: BotHarness) -> list[Signup]:
    async with harness.services.db.sessions() as session:
        return list((await session.exec(select(Signup).order_by(Signup.id))).all())


# -- finding ----------------------------------------------------------------------------------

async def test_events_are_listed_soonest_first_with_seats(events_harness: BotHarness) -> None:
    [listing] = await resident(events_harness).send("/events")
    text = listing.text
    assert text.index("online debate") < text.index("Budżet Obywatelski evening") < text.index(
        "UrbanLab consultation")
    assert "2 of 2 places free" in text and "10 of 10 places free" in text
    assert "Tuesday, 1 December 2026, 17:00" in text  # Babel, Gdynia time
    assert "in 1 week" in text or "in 7 days" in text
    [card] = await resident(events_harness).press(listing.labels[3])
    assert "UrbanLab consultation" in card.text and "✍️ Sign up" in card.labels


async def test_a_district_named_in_a_question_filters_the_list(
    events_harness: BotHarness,
) -> None:
    *_, listing = await resident(events_harness).send("co się dzieje na Oksywiu?")
    assert "Wieczór z Budżetem" in listing.text and "Konsultacje UrbanLab" not in listing.text


async def test_no_upcoming_events_shows_recent_ones_and_where_to_look(
    harness: BotHarness,
) -> None:
    [reply] = await resident(harness).send("/wydarzenia")
    assert "no upcoming meetings" in reply.text
    assert "Maraton" in reply.text or "marathon" in reply.text.lower()  # recent, real events
    assert "konsultujemy.gdynia.pl" in reply.text and "🔔 LIS news" in reply.labels


# -- seats and the waiting list ---------------------------------------------------------------

@pytest.fixture(params=["sqlite", "postgres"])
async def backend_events_harness(request: pytest.FixtureRequest, settings: Settings,
                                 demo_store: KnowledgeStore) -> AsyncIterator[BotHarness]:
    if request.param == "postgres":
        settings = settings.model_copy(update={
            "database_url": request.getfixturevalue("postgres_url")})
    harness = await BotHarness.start(settings, knowledge=demo_store, now=NOW)
    if request.param == "postgres":
        async with harness.services.db.engine.begin() as connection:
            await connection.execute(text("TRUNCATE signup, event_state, consent_event, "
                                          "outbox_message, fsm_record RESTART IDENTITY"))
    yield harness
    await harness.close()


async def test_thirty_at_once_for_ten_seats(backend_events_harness: BotHarness) -> None:
    harness = backend_events_harness
    people = [resident(harness, n) for n in range(30)]
    await asyncio.gather(*(sign_up(harness, chat) for chat in people))
    rows = await signups(harness)
    assert len(rows) == 30
    assert sum(r.status == "confirmed" for r in rows) == 10
    assert sum(r.status == "waiting" for r in rows) == 20


async def test_a_cancellation_promotes_the_first_waiting_and_tells_them(
    events_harness: BotHarness,
) -> None:
    harness = events_harness
    first, second, third = (resident(harness, n) for n in range(3))
    for chat in (first, second, third):
        await sign_up(harness, chat, EVENING)
    assert "waiting list" in third.last.text
    [mine] = await first.send("/moje")
    await first.press(mine.labels[0])
    assert "cancelled" in first.last.text
    told = third.last
    assert "a place freed up" in told.text and "✖ Cancel my sign-up" in told.labels
    statuses = {r.chat_id: r.status for r in await signups(harness)}
    assert statuses == {second.person.chat_id: "confirmed", third.person.chat_id: "confirmed"}


async def test_signup_closes_at_the_deadline(events_harness: BotHarness) -> None:
    harness = events_harness
    harness.clock.set(event(harness, WORKSHOP).closes + timedelta(minutes=1))
    chat = resident(harness)
    await open_signup(harness, chat, WORKSHOP)
    assert "has closed" in chat.last.text
    assert await signups(harness) == []


# -- calendar, /moje, staff -------------------------------------------------------------------

async def test_the_confirmation_brings_a_calendar_file_and_moje_lists_it(
    events_harness: BotHarness,
) -> None:
    harness = events_harness
    chat = resident(harness)
    await sign_up(harness, chat)
    confirmation, document = harness.telegram.chat_history(chat.person.chat_id)[-2:]
    assert "You are signed up" in confirmation.text
    calendar = Calendar.from_ical(document.document)
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["DTSTART"].dt.tzinfo) == "Europe/Warsaw"
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Warsaw"
    assert vevent["UID"].startswith("signup-") and "/moje" in str(vevent["DESCRIPTION"])
    [mine] = await chat.send("/moje")
    assert "UrbanLab consultation" in mine.text and mine.labels[0].startswith("✖ Cancel")


async def test_coordinators_hear_of_sign_ups_and_get_the_list_as_csv(
    events_harness: BotHarness,
) -> None:
    harness = events_harness
    await sign_up(harness, resident(harness, 1), name="Łucja <Żółć>",
                  contact="lucja@example.com", needs="dostęp bez schodów")
    notice = harness.telegram.latest(COORDINATORS_CHAT)
    assert "Łucja &lt;Żółć&gt;" in notice.html and "dostęp bez schodów" in notice.text
    outsider = harness.chat(7_600_000_001, chat_id=COORDINATORS_CHAT)
    assert await outsider.send(f"/lista {KONS}") == []
    [in_private] = await resident(harness, 1).send(f"/lista {KONS}")
    assert in_private.document is None
    staff = harness.chat(COORDINATOR, chat_id=COORDINATORS_CHAT)
    [sheet] = await staff.send(f"/lista {KONS}")
    assert sheet.document is not None and sheet.document.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(sheet.document.decode("utf-8-sig")), delimiter=";"))
    assert rows[1][1:4] == ["Łucja <Żółć>", "lucja@example.com", "dostęp bez schodów"]


# -- reminders --------------------------------------------------------------------------------

async def reminders_sent(harness: BotHarness, chat: ChatDriver) -> list[str]:
    return [m.text for m in harness.telegram.chat_history(chat.person.chat_id)
            if m.text.startswith("Reminder")]


async def test_reminders_come_once_across_a_restart(events_harness: BotHarness) -> None:
    harness = events_harness
    chat = resident(harness)
    await sign_up(harness, chat)
    start = event(harness, KONS).start
    harness.clock.set(start - timedelta(hours=24))
    await harness.deliver()
    assert len(await reminders_sent(harness, chat)) == 1
    await harness.restart()
    await harness.deliver()
    harness.clock.set(start - timedelta(hours=1))
    await harness.restart()
    await harness.deliver()
    await harness.deliver()
    assert len(await reminders_sent(harness, chat)) == 2


async def test_two_processes_on_one_database_send_each_reminder_once(
    settings: Settings, demo_store: KnowledgeStore,
) -> None:
    clock = ManualClock(NOW)
    one = await BotHarness.start(settings, knowledge=demo_store, now=NOW, clock=clock)
    two = await BotHarness.start(settings, knowledge=demo_store, now=NOW, clock=clock,
                                 telegram=one.telegram)
    try:
        chat = resident(one)
        await sign_up(one, chat)
        clock.set(event(one, KONS).start - timedelta(minutes=59))
        await asyncio.gather(one.deliver(), two.deliver(), one.deliver(), two.deliver())
        assert len(await reminders_sent(one, chat)) == 1  # the 1-hour one; the 24-hour expired
    finally:
        await two.close()
        await one.close()


async def test_a_reminder_due_during_downtime_goes_only_while_the_event_is_ahead(
    events_harness: BotHarness,
) -> None:
    harness = events_harness
    early, late = resident(harness, 1), resident(harness, 2)
    await sign_up(harness, early)
    await sign_up(harness, late)
    start = event(harness, KONS).start
    harness.clock.set(start - timedelta(minutes=30))  # the bot was down through both moments
    await harness.deliver()
    assert len(await reminders_sent(harness, early)) == 1  # only the latest, still useful one
    harness.clock.set(start + timedelta(minutes=5))
    await harness.deliver()
    async with harness.services.db.sessions() as session:
        statuses = [m.status for m in (await session.exec(select(OutboxMessage).where(
            OutboxMessage.role == "signup.reminder"))).all()]
    assert sorted(statuses) == ["expired", "expired", "sent", "sent"]


async def test_a_reminder_whose_event_began_during_downtime_is_not_sent(
    events_harness: BotHarness,
) -> None:
    harness = events_harness
    chat = resident(harness)
    await sign_up(harness, chat)
    harness.clock.set(event(harness, KONS).start + timedelta(minutes=1))
    await harness.deliver()
    assert await reminders_sent(harness, chat) == []


# -- staff edit the file ----------------------------------------------------------------------

@pytest.fixture
async def editable(settings: Settings, tmp_path: Path
                   ) -> AsyncIterator[tuple[BotHarness, BotHarness, Path]]:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(REPO_ROOT / "knowledge", knowledge, ignore=shutil.ignore_patterns("*.py"))
    clock = ManualClock(NOW)
    store = KnowledgeStore(knowledge, examples=True, today=lambda: NOW.date())
    other_store = KnowledgeStore(knowledge, examples=True, today=lambda: NOW.date())
    one = await BotHarness.start(settings, knowledge=store, now=NOW, clock=clock)
    two = await BotHarness.start(settings, knowledge=other_store, now=NOW, clock=clock,
                                 telegram=one.telegram)
    yield one, two, knowledge / "examples" / "events" / f"{KONS}.yaml"
    await two.close()
    await one.close()


async def test_a_cancelled_event_tells_everyone_once(
    editable: tuple[BotHarness, BotHarness, Path],
) -> None:
    one, two, path = editable
    signed, waiting = resident(one, 1), resident(one, 2)
    await sign_up(one, signed)
    path.write_text(path.read_text(encoding="utf-8") + "status: cancelled\n", encoding="utf-8")
    for harness in (one, two):
        await harness.services.jobs.run_now("knowledge")
    await asyncio.gather(one.services.jobs.run_now("events"), two.services.jobs.run_now("events"),
                         one.services.jobs.run_now("events"))
    await one.deliver()
    told = [m for m in one.telegram.chat_history(signed.person.chat_id) if "cancelled" in m.text
            and "We are sorry" in m.text]
    assert len(told) == 1
    assert await signups(one) == []  # nothing is kept about them
    del waiting


async def test_a_moved_event_tells_the_new_date_and_moves_the_reminders(
    editable: tuple[BotHarness, BotHarness, Path],
) -> None:
    one, _two, path = editable
    chat = resident(one)
    await sign_up(one, chat)
    path.write_text(path.read_text(encoding="utf-8").replace('start: "+7d 17:00"',
                                                             'start: "+8d 18:00"').replace(
        'end: "+7d 19:00"', 'end: "+8d 20:00"') + "status: moved\n", encoding="utf-8")
    await one.services.jobs.run_now("knowledge")
    await one.services.jobs.run_now("events")
    await one.deliver()
    assert "has moved" in chat.last.text and "18:00" in chat.last.text
    async with one.services.db.sessions() as session:
        reminders = (await session.exec(select(OutboxMessage).where(
            OutboxMessage.role == "signup.reminder", OutboxMessage.status == "pending"))).all()
    new_start = event(one, KONS).start
    assert sorted(r.next_attempt_at for r in reminders) == [
        new_start - timedelta(hours=24), new_start - timedelta(hours=1)]


# -- privacy ----------------------------------------------------------------------------------

async def test_mydata_forget_and_retention_cover_sign_ups_and_waiting_places(
    events_harness: BotHarness,
) -> None:
    harness = events_harness
    first, second, third = (resident(harness, n) for n in range(3))
    for chat in (first, second, third):
        await sign_up(harness, chat, EVENING, name=f"Osoba {chat.person.user_id}")
    _summary, document = await third.send("/mydata")
    [held] = json.loads(document.document)["event_signups"]
    assert held["status"] == "waiting"
    await first.send("/forget")
    await first.press("🗑 Yes, erase everything")
    assert "a place freed up" in third.last.text  # the erasure freed a seat
    harness.clock.set(event(harness, EVENING).finish + timedelta(days=31))
    counts = await harness.services.jobs.run_now("purge")
    assert counts["urbanlab_signup"] == 2 and await signups(harness) == []


# -- the console, as staff and newcomers use it -----------------------------------------------

def run_chat(tmp_path: Path, script: str, *args: str) -> list[dict]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "REDIS_URL"))}
    env |= {"DATABASE_URL": f"sqlite:///{tmp_path / 'console.sqlite3'}",
            "COORDINATOR_CHAT_ID": str(COORDINATORS_CHAT), "COORDINATOR_IDS": str(COORDINATOR)}
    result = subprocess.run([sys.executable, "-m", "bot", "chat", "--jsonl", *args],
                            input=script, capture_output=True, text=True, cwd=tmp_path, env=env,
                            timeout=120, check=True)
    assert result.stderr == ""
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.mark.slow
def test_console_demo_signs_up_with_a_calendar_file_and_cancels(tmp_path: Path) -> None:
    script = (REPO_ROOT / "tests/data/events_console.txt").read_text(encoding="utf-8")
    records = run_chat(tmp_path, script, "--demo", "--now", "2026-12-01T12:00", "--lang", "en")
    texts = [r["text"] for r in records if "text" in r]
    assert any("Coming up" in t for t in texts)
    calendar = Calendar.from_ical((tmp_path / "data/out" / f"{KONS}.ics").read_bytes())
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["DTSTART"].dt.tzinfo) == "Europe/Warsaw"
    assert vevent["DTSTART"].dt.isoformat().startswith("2026-12-08T17:00")
    assert any("Your sign-ups" in t and "UrbanLab consultation" in t for t in texts)
    assert any("is cancelled and your details are deleted" in t for t in texts)
    assert "10 of 10 places free" in texts[-1]  # the seat is free again
    with sqlite3.connect(tmp_path / "console.sqlite3") as connection:
        assert connection.execute("SELECT count(*) FROM signup").fetchone() == (0,)


@pytest.mark.slow
def test_console_without_demo_on_the_first_of_december_has_only_recent_events(
    tmp_path: Path,
) -> None:
    records = run_chat(tmp_path, "/wydarzenia\n", "--now", "2026-12-01T12:00")
    [reply] = [r for r in records if "text" in r]
    assert "nie wiem teraz o żadnych najbliższych spotkaniach" in reply["text"].lower()
    assert "2026" in reply["text"] and "PRZYKŁAD" not in reply["text"]


def test_knowledge_check_catches_event_mistakes(tmp_path: Path) -> None:
    from knowledge.validator import check_knowledge

    knowledge = tmp_path / "knowledge"
    shutil.copytree(REPO_ROOT / "knowledge", knowledge, ignore=shutil.ignore_patterns("*.py"))
    sample = (knowledge / "examples" / "events" / f"{KONS}.yaml").read_text(encoding="utf-8")
    (knowledge / "events" / f"{KONS}.yaml").write_text(sample.replace(
        "district: Śródmieście", "district: Śródmiescie"), encoding="utf-8")
    problems = [str(p) for p in check_knowledge(knowledge, NOW.date())]
    assert any("belongs in knowledge/examples/events" in p for p in problems)
    assert any("'Śródmiescie' is not in districts.yaml" in p for p in problems)


def test_ask_previews_the_answer_on_another_day(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "--answer", "--now", "2026-03-01T10:00",
         "kiedy można składać projekty do bo"], capture_output=True, text=True,
        cwd=REPO_ROOT, timeout=120, check=True)
    assert "składanie projektów (23 lutego – 23 marca 2026)" in result.stdout
