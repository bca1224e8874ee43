"""The people behind the bot: hand-off and replies both ways, the inbox, exports, statistics,
news, and the staff's conveniences, through the real dispatcher and the coordinators' chat."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlmodel import select

from bot.config import REPO_ROOT, Settings
from bot.local_telegram import SentMessage, blocked
from handlers.commands import register_commands
from knowledge.store import KnowledgeStore
from storage import news
from storage.consents import ConsentRepository, ShownNotice
from storage.models import (
    Broadcast,
    ExportLog,
    NewsSubscription,
    PhrasingSuggestion,
    Ticket,
    TicketMessage,
    UnansweredQuestion,
)
from tests.conftest import COORDINATOR, COORDINATORS_CHAT, NOW, RESIDENT
from tests.driver import BotHarness, ChatDriver
from tests.flows import ANSWERS, answer, start_with_consent

UNANSWERABLE = "Can I walk my dog on the beach in Orłowo in winter?"
STRANGER = 6_500_000_123  # in the coordinators' chat, but not a coordinator
OTHER_GROUP = -1009876543210


def resident(harness: BotHarness, number: int = 0, language: str = "en") -> ChatDriver:
    return harness.chat(RESIDENT + number, language_code=language, first_name="Olena")


def coordinator(harness: BotHarness, user_id: int = COORDINATOR) -> ChatDriver:
    return harness.chat(user_id, chat_id=COORDINATORS_CHAT, first_name="Anna")


def staff_messages(harness: BotHarness) -> list[SentMessage]:
    return harness.telegram.chat_history(COORDINATORS_CHAT)


async def rows(harness: BotHarness, model: type) -> list:  # type: ignore[type-arg]
    async with harness.services.db.sessions() as session:
        return list((await session.exec(select(model))).all())


async def open_ticket(harness: BotHarness, chat: ChatDriver, question: str = UNANSWERABLE
                      ) -> SentMessage:
    """The resident asks what the bot cannot answer and passes it on; the staff chat's copy."""
    await chat.send(question)
    assert "👤 Ask LIS staff" in chat.last.labels
    await chat.press("👤 Ask LIS staff")
    await chat.press("✅ I agree")
    await chat.press("I am 16 or older")
    assert question in chat.last.text  # the question just asked is offered, pre-filled
    await chat.press("📨 Send to LIS staff")
    return staff_messages(harness)[-1]


# -- hand-off ------------------------------------------------------------------------------------

async def test_a_question_goes_to_staff_and_the_answers_go_both_ways(harness: BotHarness) -> None:
    chat, anna = resident(harness), coordinator(harness)
    ticket_message = await open_ticket(harness, chat)
    told = chat.history()[-1].text
    assert "T-0001" in told and "LIS staff will answer" in told
    assert "T-0001" in ticket_message.text and UNANSWERABLE in ticket_message.text
    assert "en" in ticket_message.text  # the resident's language, for whoever answers
    assert str(RESIDENT) not in ticket_message.html  # coordinators see no Telegram id

    await anna.send("Dzień dobry! Zimą psy mogą być na plaży na smyczy 🐕", reply_to=ticket_message)
    relayed = chat.last
    assert "Anna (LIS)" in relayed.text and "smyczy 🐕" in relayed.text and "T-0001" in relayed.text
    assert str(COORDINATOR) not in relayed.html and "7000000701" not in relayed.html

    await chat.send("Thank you! And in summer? <b>no tags</b>", reply_to=relayed)
    back = staff_messages(harness)[-1]
    assert "And in summer?" in back.text and "<b>no tags</b>" in back.text  # escaped, shown
    assert back.reply_to == ticket_message.message_id  # in the same thread

    await anna.send("/zamknij", reply_to=ticket_message)
    assert "Did it help?" in chat.last.text
    await chat.press("👍 It helped")
    [ticket] = await rows(harness, Ticket)
    assert ticket.status == "closed" and ticket.rating == 1
    assert ticket.first_answer_at is not None
    texts = [(m.side, m.text) for m in await rows(harness, TicketMessage)]
    assert texts == [("resident", UNANSWERABLE),
                     ("staff", "Dzień dobry! Zimą psy mogą być na plaży na smyczy 🐕"),
                     ("resident", "Thank you! And in summer? <b>no tags</b>")]


async def test_asking_for_a_person_offers_the_hand_off_in_each_language(
    harness: BotHarness,
) -> None:
    for number, (language, words) in enumerate([
        ("pl", "chcę rozmawiać z człowiekiem"), ("en", "can I talk to someone"),
        ("uk", "хочу поговорити з людиною"), ("en", "/human"), ("pl", "/kontakt"),
    ]):
        chat = resident(harness, number, language)
        await chat.send(words)
        offered = "✅" if words.startswith("/") else "👤"  # /human asks for the consent at once
        assert any(offered in label for label in chat.last.labels), (words, chat.last.text)
        assert "LIS" in chat.last.text


async def test_the_reply_button_and_the_residents_close(harness: BotHarness) -> None:
    chat, anna = resident(harness), coordinator(harness)
    ticket_message = await open_ticket(harness, chat)
    await anna.send("Which beach do you mean?", reply_to=ticket_message)
    await chat.press("↩ Reply")
    await chat.send("Orłowo, by the pier")
    assert "Orłowo, by the pier" in staff_messages(harness)[-1].text
    await chat.press("✅ My question is answered", on=[
        m for m in chat.history() if "✅ My question is answered" in m.labels][-1])
    assert "is closed" in chat.last.text
    assert "T-0001" in staff_messages(harness)[-1].text  # staff are told
    await anna.send("One more thing", reply_to=ticket_message)
    assert "One more thing" in chat.last.text  # a reply still reaches them: answered, not lost


async def test_outside_office_hours_the_resident_is_told_when_to_expect_an_answer(
    settings: Settings, tmp_path: Path,
) -> None:
    folder = tmp_path / "knowledge"
    shutil.copytree(REPO_ROOT / "knowledge", folder, ignore=shutil.ignore_patterns("*.py"))
    (folder / "handoff.yaml").write_text(
        'office_hours: {mon: "08:00-16:00", tue: "08:00-16:00", wed: "08:00-16:00", '
        'thu: "08:00-16:00", fri: "08:00-15:00"}\nreannounce_after_hours: 24\n',
        encoding="utf-8")
    harness = await BotHarness.start(settings, knowledge=KnowledgeStore(folder),
                                     now=NOW.replace(hour=10))  # a Tuesday morning
    try:
        chat = resident(harness)
        await open_ticket(harness, chat)
        assert "at work now" in chat.history()[-1].text
        harness.clock.set(NOW.replace(day=28, hour=9))  # Saturday
        await open_ticket(harness, resident(harness, 1), "Is the Orłowo pier open at night?")
        told = resident(harness, 1).history()[-1].text
        assert "closed now" in told and "Monday, 30 November, 08:00" in told
    finally:
        await harness.close()


async def test_a_ticket_nobody_answered_is_announced_again_once(harness: BotHarness) -> None:
    ticket_message = await open_ticket(harness, resident(harness))
    for hours in (1, 25, 26, 50):
        harness.clock.set(NOW + timedelta(hours=hours))
        await harness.services.jobs.tick("tickets")
        await harness.deliver()
    reminders = [m for m in staff_messages(harness) if "⏰" in m.text]
    assert len(reminders) == 1 and "T-0001" in reminders[0].text
    assert reminders[0].reply_to == ticket_message.message_id


async def test_forget_erases_the_thread_and_a_late_reply_goes_nowhere(harness: BotHarness) -> None:
    chat, anna = resident(harness), coordinator(harness)
    ticket_message = await open_ticket(harness, chat)
    await anna.send("Which beach?", reply_to=ticket_message)
    await chat.send("/forget")
    await chat.press(next(label for label in chat.last.labels if "🗑" in label))
    assert await rows(harness, Ticket) == [] and await rows(harness, TicketMessage) == []
    sent_before = len(chat.history())
    await anna.send("Hello again?", reply_to=ticket_message)
    assert len(chat.history()) == sent_before  # nothing reaches an erased resident
    stored = json.dumps(await harness.table_rows(), default=str)
    assert "Which beach" not in stored and "Orłowo in winter" not in stored


# -- replies to forwarded submissions --------------------------------------------------------------

async def _send_idea(harness: BotHarness, chat: ChatDriver, contact: tuple[str, object]
                     ) -> SentMessage:
    await start_with_consent(chat)
    for step, how in ANSWERS:
        await answer(chat, contact if step == "contact_details" else how)
    await chat.press("✅ Send to coordinators")
    return next(m for m in staff_messages(harness) if "BO-2027" in m.text)


async def test_a_reply_to_a_forwarded_idea_reaches_the_resident_who_chose_telegram(
    harness: BotHarness,
) -> None:
    chat, anna = resident(harness), coordinator(harness)
    forwarded = await _send_idea(harness, chat, ("press", "💬 Reply to me here in Telegram"))
    await anna.send("Dziękujemy! Która część parku?", reply_to=forwarded)
    assert "Która część parku?" in chat.last.text and "BO-2027-0001" in chat.last.text
    await chat.send("The south corner", reply_to=chat.last)
    back = staff_messages(harness)[-1]
    assert "The south corner" in back.text and back.reply_to == forwarded.message_id


async def test_a_reply_to_an_idea_with_an_email_contact_is_not_relayed(
    harness: BotHarness,
) -> None:
    chat, anna = resident(harness), coordinator(harness)
    forwarded = await _send_idea(harness, chat, ("send", "jan@example.com"))
    before = len(chat.history())
    await anna.send("Dziękujemy!", reply_to=forwarded)
    assert len(chat.history()) == before
    assert "jan@example.com" in staff_messages(harness)[-1].text  # how to reach them instead


async def test_a_reply_to_a_sign_up_reaches_the_resident(settings: Settings,
                                                         demo_store: KnowledgeStore) -> None:
    harness = await BotHarness.start(settings, knowledge=demo_store, now=NOW)
    try:
        chat, anna = resident(harness), coordinator(harness)
        await chat.send("/wydarzenia")
        await chat.press(next(label for label in chat.last.labels if "UrbanLab" in label))
        await chat.press("✍️ Sign up")
        await chat.press("✅ I agree")
        await chat.press("I am 16 or older")
        for text in ("Olena Kowalenko", "olena@example.com"):
            await chat.send(text)
        await chat.press(next(label for label in chat.last.labels if "Nothing" in label))
        await chat.press("✅ Sign me up")
        copy = staff_messages(harness)[-1]
        await anna.send("Do you need a seat near the door?", reply_to=copy)
        assert "near the door" in chat.last.text
    finally:
        await harness.close()


# -- the inbox -----------------------------------------------------------------------------------

PARKING = ["Where can I get a parking permit for residents?",
           "How do I get a resident parking permit in Gdynia?",
           "parking permit for residents, where to apply?"]
PERSONAL = "Jan Nowak here, tel. 601 234 567: is there a pharmacy open on Sunday in Oksywie?"
TRAIN = ["What time is the last SKM train tonight?", "When does the last SKM train leave?"]


async def test_the_inbox_groups_paraphrases_and_staff_map_or_dismiss_them(
    harness: BotHarness, tmp_path: Path,
) -> None:
    for number, question in enumerate([*PARKING, *TRAIN, PERSONAL]):
        await resident(harness, number).send(question)
    anna = coordinator(harness)
    await anna.send("/inbox")
    listing = anna.last
    lines = listing.text.splitlines()
    assert lines[1].startswith("1. (3×)") and "parking" in lines[1]
    assert lines[2].startswith("2. (2×)") and "SKM" in lines[2]
    [kept] = [q.masked_text for q in await rows(harness, UnansweredQuestion)
              if "pharmacy" in q.masked_text]
    assert "601 234 567" not in kept and "Nowak" not in kept and "Oksywie" in kept

    await anna.press(next(label for label in listing.labels if label.startswith("1:")
                          and "→" in label))  # group 1 -> its closest topic
    suggestions = await rows(harness, PhrasingSuggestion)
    assert len(suggestions) == 3 and {s.text for s in suggestions} == set(PARKING)
    await anna.send("/inbox")
    assert "parking" not in anna.last.text and "SKM" in anna.last.text.splitlines()[1]
    dismiss = next(label for label in anna.last.labels if label.startswith("1:") and "→" not in
                   label)
    await anna.press(dismiss)
    remaining = await rows(harness, UnansweredQuestion)
    assert all("SKM" not in q.masked_text for q in remaining)


async def test_a_thumbs_down_lands_in_the_inbox_and_offers_a_person(harness: BotHarness) -> None:
    chat = resident(harness)
    await chat.send("How are participatory budget projects checked?")
    await chat.press(next(label for label in chat.last.labels if "👎" in label))
    assert "👤 Ask LIS staff" in chat.last.labels
    [question] = await rows(harness, UnansweredQuestion)
    assert question.kind == "not_helpful" and question.topic is not None


# -- exports --------------------------------------------------------------------------------------

async def test_exports_open_with_polish_letters_and_are_logged_without_data(
    harness: BotHarness,
) -> None:
    chat, anna = resident(harness), coordinator(harness)
    await _send_idea(harness, chat, ("send", "jan@example.com"))
    await anna.send("/export ideas")
    document = anna.last
    assert document.document_name and document.document_name.endswith(".csv")
    assert document.document and document.document.startswith("\ufeff".encode())
    table = list(csv.reader(io.StringIO(document.document.decode("utf-8-sig")), delimiter=";"))
    header, row = table[0], table[1]
    assert len(table) == 2 and "BO-2027-0001" in row
    assert 'Ławki <b>na</b> Oksywiu & <a href="https://x.example">link</a>' in row  # as typed
    assert "Oksywie" in row and "jan@example.com" in row and "Jan Kowalski" in row
    assert str(RESIDENT) not in document.document.decode("utf-8-sig")

    await anna.send('/export ideas xlsx district="oksywie" edition=2027')
    workbook = load_workbook(io.BytesIO(anna.last.document or b""))
    sheet = workbook.active
    assert sheet is not None
    values = [[cell.value for cell in line] for line in sheet.iter_rows()]
    assert len(values) == 2 and "Oksywie" in values[1] and values[0] == header

    await anna.send("/export ideas district=Chylonia")
    assert anna.last.document is not None and len(anna.last.document.decode(
        "utf-8-sig").strip().splitlines()) == 1  # the header only
    await anna.send("/export ideas district=Atlantis")
    assert anna.last.document is None and "Atlantis" in anna.last.text
    logs = await rows(harness, ExportLog)
    assert [(log.what, log.format, log.rows) for log in logs] == [
        ("ideas", "csv", 1), ("ideas", "xlsx", 1), ("ideas", "csv", 0)]
    assert "Kowalski" not in json.dumps([log.model_dump(mode="json") for log in logs])


async def test_a_resident_text_never_runs_as_a_spreadsheet_formula(harness: BotHarness) -> None:
    chat, anna = resident(harness), coordinator(harness)
    await start_with_consent(chat)
    for step, how in ANSWERS:
        await answer(chat, ("send", '=HYPERLINK("http://evil.example","click")')
                     if step == "title" else how)
    await chat.press("✅ Send to coordinators")
    await anna.send("/export ideas xlsx")
    sheet = load_workbook(io.BytesIO(anna.last.document or b"")).active
    assert sheet is not None
    titles = [cell.value for cell in sheet["F"]]
    assert titles[1] == "'=HYPERLINK(\"http://evil.example\",\"click\")"


def _cli(tmp_path: Path, settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "REDIS_URL"))}
    env |= {"DATABASE_URL": settings.database_url}
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True,
                          cwd=tmp_path, env=env, timeout=120, check=True)


@pytest.mark.slow
async def test_the_command_line_gives_what_the_staff_chat_gives(
    harness: BotHarness, settings: Settings, tmp_path: Path,
) -> None:
    chat = resident(harness)
    await _send_idea(harness, chat, ("send", "jan@example.com"))
    for number, question in enumerate(PARKING):
        await resident(harness, 10 + number).send(question)
    out = tmp_path / "ideas.xlsx"
    result = _cli(tmp_path, settings, "export", "--what", "ideas", "--format", "xlsx",
                  "--out", str(out), "--district", "Oksywie")
    assert "1 row(s)" in result.stdout
    sheet = load_workbook(out).active
    assert sheet is not None and sheet.max_row == 2
    inbox = json.loads(_cli(tmp_path, settings, "knowledge", "inbox", "--json").stdout)
    await harness.services.jobs.tick("stats")  # what the running bot does every 10 seconds
    assert inbox[0]["count"] == 3 and inbox[0]["closest_topic"]
    stats = json.loads(_cli(tmp_path, settings, "stats", "--json", "--since",
                            "2026-11-01").stdout)
    assert sum(stats["outcomes"].values()) == 3
    assert stats["ideas_per_district_and_status"] == {"Oksywie": {"new": 1}}
    with sqlite3.connect(settings.database_url.split("///", 1)[1]) as connection:
        assert connection.execute("SELECT what, rows FROM export_log").fetchall() == [
            ("ideas", 1)]


# -- statistics ----------------------------------------------------------------------------------

async def test_stats_count_without_identifiers_and_come_with_a_chart(harness: BotHarness) -> None:
    questions = [("pl", "Jak zgłosić pomysł do budżetu obywatelskiego?"),
                 ("uk", "Що таке UrbanLab?"), ("en", UNANSWERABLE)]
    for number, (language, question) in enumerate(questions):
        await resident(harness, number, language).send(question)
    await open_ticket(harness, resident(harness, 7), "Is the Orłowo pier open at night? 🌙")
    anna = coordinator(harness)
    await anna.send("/stats")
    text, chart = staff_messages(harness)[-2:]
    assert chart.photo and chart.document and chart.document.startswith(b"\x89PNG")
    assert "4" in text.text  # four questions asked
    everything = text.html + json.dumps(await harness.table_rows(), default=str)
    assert str(RESIDENT) not in text.html and "Olena" not in text.html
    for row in await rows(harness, Ticket):
        assert row.subject not in text.html
    assert "Orłowo pier" not in text.html  # a ticket's text is not a statistic
    assert everything  # the tables do hold the ticket: the check above is not vacuous


# -- news ----------------------------------------------------------------------------------------

async def _subscribers(harness: BotHarness, count: int) -> list[int]:
    """`count` residents who consented to news (as the /news flow records it)."""
    chats = [7_300_000_000 + n for n in range(count)]
    async with harness.services.db.sessions() as session:
        consents = harness.services.knowledge.current.base.consents
        assert consents is not None
        for chat_id in chats:
            subject = harness.services.pseudonyms.subject(chat_id)
            consent = await ConsentRepository(session).give(subject=subject, notice=ShownNotice(
                purpose=news.PURPOSE, version=consents.purposes[news.PURPOSE].version,
                text_hash="a1b2c3", locale="pl", button="✅ Zgadzam się", age="16+"))
            await news.subscribe(session, consent, chat_id=chat_id, locale="pl")
        await session.commit()
    return chats


async def _announce(anna: ChatDriver, text: str) -> None:
    await anna.send("/ogloszenie")
    await anna.press(1)  # every programme
    await anna.press(next(label for label in anna.last.labels if "✅" in label))  # all, done
    await anna.send(text)


async def test_a_broadcast_to_200_keeps_the_limits_and_resumes_after_a_restart(
    harness: BotHarness,
) -> None:
    chats = await _subscribers(harness, 199)
    await resident(harness).send("/news")
    await resident(harness).press("✅ I agree")
    chats.append(RESIDENT)
    harness.telegram.fail_next(chats[5], blocked())
    anna = coordinator(harness)
    harness.auto_deliver = False
    await _announce(anna, "Zapraszamy na spotkanie o Budżecie Obywatelskim! 🎉 <b>nie tag</b>")
    preview = anna.last
    assert "200" in preview.text and "nie tag" in preview.text and "<b>nie tag</b>" in preview.text
    await anna.press(next(label for label in anna.last.labels if "📢" in label))

    sent_at: list[tuple[int, float]] = []
    harness.telegram.subscribe(lambda kind, item: sent_at.append(
        (item.chat_id, harness.clock.monotonic()))
        if kind == "sent" and isinstance(item, SentMessage) and item.chat_id > 0 else None)
    for _round in range(3):  # a few batches, then the process dies
        await harness.delivery.run_once()
        harness.clock.advance(0.5)
    delivered_before = len(sent_at)
    assert 0 < delivered_before < 199
    await harness.restart()
    harness.clock.advance(2.0)  # a restart takes a moment
    for _round in range(200):
        await harness.deliver()
        await harness.services.jobs.tick("broadcasts")
        harness.clock.advance(0.5)
    received = [c for c, _t in sent_at]
    assert sorted(received) == sorted(c for c in chats if c != chats[5])  # once each
    times = sorted(t for _c, t in sent_at)
    assert all(times[i + 25] - times[i] >= 1.0 for i in range(len(times) - 25))
    announcement = harness.telegram.latest(RESIDENT)
    assert announcement is not None and "🔕 Unsubscribe" in announcement.labels
    progress = [m for m in staff_messages(harness) if m.text.startswith("📢")]
    assert len(progress) == 1 and progress[0].edited  # one message, edited in place
    assert "199" in progress[0].text and "1" in progress[0].text
    subscribed = {s.chat_id for s in await rows(harness, NewsSubscription)}
    assert chats[5] not in subscribed and len(subscribed) == 199  # the blocked chat is dropped
    [broadcast] = await rows(harness, Broadcast)
    assert broadcast.status == "done"


async def test_a_broadcast_reaches_only_the_chosen_programme_and_district(
    harness: BotHarness,
) -> None:
    everyone, oksywie, urbanlab = resident(harness, 1), resident(harness, 2), resident(harness, 3)
    for chat in (everyone, oksywie, urbanlab):
        await chat.send("/news")
        await chat.press("✅ I agree")
    await oksywie.press("📍 all districts")
    await oksywie.press("Oksywie")
    for label in [label for label in urbanlab.last.labels if "UrbanLab" not in label
                  and label.startswith("✓")]:
        await urbanlab.press(label)
    anna = coordinator(harness)
    await anna.send("/ogloszenie")
    await anna.press(next(label for label in anna.last.labels if "Participatory" in label
                          or "Budżet" in label or "BO" in label))
    await anna.press("Oksywie")
    await anna.press("Chylonia")
    assert {"✓ Oksywie", "✓ Chylonia"} <= set(anna.last.labels)
    await anna.press(next(label for label in anna.last.labels if "✅" in label))
    await anna.send("Spotkanie o BO na Oksywiu i w Chyloni")
    assert "2" in anna.last.text.splitlines()[-1]  # everyone and Oksywie, not UrbanLab-only
    await anna.press(next(label for label in anna.last.labels if "📢" in label))
    assert "Spotkanie o BO" in everyone.last.text and "Spotkanie o BO" in oksywie.last.text
    assert "Spotkanie o BO" not in urbanlab.last.text
    await oksywie.press("🔕 Unsubscribe")
    assert len(await rows(harness, NewsSubscription)) == 2


# -- staff only ----------------------------------------------------------------------------------

STAFF_COMMANDS = ["/help", "/inbox", "/stats", "/export ideas", "/ogloszenie", "/lista",
                  "/zamknij", "/outbox", "/reload", "/skrzynka", "/eksport ideas xlsx",
                  "/statystyki", "/announce"]


async def test_no_staff_command_or_button_works_for_anyone_else(harness: BotHarness) -> None:
    chat, anna = resident(harness), coordinator(harness)
    ticket_message = await open_ticket(harness, chat)
    forwarded = await _send_idea(harness, resident(harness, 1), ("press", "💬 Reply to me here "
                                                                          "in Telegram"))
    other = resident(harness, 2)  # a resident, pressing staff buttons forged into their chat
    await other.send(UNANSWERABLE)
    await anna.send("/inbox")
    inbox_message = anna.last
    await anna.send("/ogloszenie")
    form_message = anna.last
    await anna.send("/cancel")
    staff_buttons = [(message, button) for message in (ticket_message, forwarded, inbox_message,
                                                       form_message)
                     for row in message.buttons for button in row if button.callback_data]
    assert len(staff_buttons) >= 8
    stored = await harness.table_rows()

    stranger_here = harness.chat(STRANGER, chat_id=COORDINATORS_CHAT, first_name="Mallory")
    anna_elsewhere = harness.chat(COORDINATOR, chat_id=OTHER_GROUP, first_name="Anna")
    anna_private = harness.chat(COORDINATOR, first_name="Anna")
    staff_before = len(staff_messages(harness))
    for command in STAFF_COMMANDS:
        await stranger_here.send(command)
        await anna_elsewhere.send(command)
        await stranger_here.send(f"{command} ^", reply_to=ticket_message)
        private = await anna_private.send(command)
        assert not any(m.document for m in private), command
        assert not any("T-0001" in m.text or "BO-2027" in m.text for m in private), command
    assert len(staff_messages(harness)) == staff_before  # the bot stayed silent there
    assert harness.telegram.chat_history(OTHER_GROUP) == []
    for message, button in staff_buttons:
        await stranger_here.press(button.label, on=message)
        assert harness.telegram.callback_answers[-1].show_alert, button.label
        forged = {"id": harness.telegram.next_callback_id(), "from": other.person.as_user(),
                  "chat_instance": "1", "data": button.callback_data,
                  "message": {"message_id": other.last.message_id, "date": 0,
                              "chat": {"id": other.person.chat_id, "type": "private"},
                              "text": "x"}}
        await harness.conversation.feed_raw({"callback_query": forged})
        await harness.deliver()
    await stranger_here.send("Tak jest, odpowiadam", reply_to=ticket_message)
    assert "Tak jest" not in chat.last.text
    assert await harness.table_rows() == stored  # nothing changed


async def test_staff_help_lists_every_staff_command(harness: BotHarness) -> None:
    anna = coordinator(harness)
    await anna.send("/help")
    for name in ("/inbox", "/stats", "/export", "/ogloszenie", "/lista", "/zamknij", "/outbox",
                 "/reload"):
        assert name in anna.last.text


async def test_reload_reports_problems_and_keeps_the_last_good_version(
    settings: Settings, tmp_path: Path,
) -> None:
    folder = tmp_path / "knowledge"
    shutil.copytree(REPO_ROOT / "knowledge", folder, ignore=shutil.ignore_patterns("*.py"))
    harness = await BotHarness.start(settings, knowledge=KnowledgeStore(folder), now=NOW)
    try:
        anna = coordinator(harness)
        await anna.send("/reload")
        assert "✅" in anna.last.text and "❌" not in anna.last.text
        entry = next((folder / "entries").glob("urbanlab*.yaml"))
        entry.write_text(entry.read_text(encoding="utf-8") + "\n  broken: [\n", encoding="utf-8")
        await anna.send("/reload")
        report = anna.last.text
        assert "❌" in report and f"entries/{entry.name}:" in report
        await resident(harness).send("What is UrbanLab?")
        assert "UrbanLab" in resident(harness).last.text  # the previous version still answers
    finally:
        await harness.close()


async def test_command_menus_are_registered_per_language_and_for_staff(
    harness: BotHarness,
) -> None:
    services = harness.services
    await register_commands(harness.bot, services.i18n, services.staff, "pl")
    menus = {language: harness.telegram.menu({"type": "all_private_chats"}, language)
             for language in ("pl", "uk", "en")}
    assert ("pomysl" in dict(menus["pl"])) and ("idea" in dict(menus["en"]))
    assert any("а" <= ch <= "я" for _name, what in menus["uk"] for ch in what)
    assert harness.telegram.menu({"type": "all_private_chats"}) == menus["pl"]
    staff = dict(harness.telegram.menu({"type": "chat", "chat_id": COORDINATORS_CHAT}))
    assert {"inbox", "stats", "export", "ogloszenie", "reload"} <= set(staff)
    assert not {"inbox", "export"} & set(dict(menus["pl"]))
    fallback = "I don't know this command"
    for language, menu in menus.items():
        for number, (name, _what) in enumerate(menu):
            chat = resident(harness, 100 + number, language)
            replies = await chat.send(f"/{name}")
            assert replies and fallback not in replies[-1].text, name
