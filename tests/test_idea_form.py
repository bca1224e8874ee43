"""The BO idea form, from consent to the coordinators' chat and back to the resident."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest
from sqlmodel import select

from storage.consents import ConsentRepository, ShownNotice
from storage.db import Database
from storage.ideas import create_idea
from storage.models import Idea, IdeaCounter, OutboxMessage
from tests.conftest import COORDINATOR, COORDINATORS_CHAT, RESIDENT
from tests.driver import BotHarness
from tests.flows import (
    ANSWERS,
    DESCRIPTION,
    STRANGER,
    TITLE,
    answer,
    fill_to_summary,
    resident,
    start_with_consent,
    stored_ideas,
)


async def test_the_whole_form_reaches_the_coordinators_escaped(harness: BotHarness) -> None:
    chat = resident(harness)
    await fill_to_summary(chat)
    summary = chat.last
    assert "Oksywie" in summary.text and "45,000 zł" in summary.text
    assert "&lt;b&gt;na&lt;/b&gt;" in summary.html and "&amp;" in summary.html
    assert "the plot number and a map" in summary.text  # readiness checklist for investments
    *_, thanks, official = await chat.press("✅ Send to coordinators")
    assert "BO-2027-0001" in thanks.text and "not yet an official" in official.text

    [forwarded] = harness.telegram.chat_history(COORDINATORS_CHAT)
    assert "BO-2027-0001" in forwarded.text
    assert TITLE in forwarded.text  # literal text, not markup
    assert "<a href=\"https://x.example\">" not in forwarded.html
    assert "openstreetmap.org/?mlat=54.547100" in forwarded.html
    # Coordinators get Polish (DEFAULT_LOCALE), whatever the resident's language.
    assert forwarded.labels == ["✅ Przyjęty do dalszych działań", "❓ Potrzeba więcej informacji",
                                "⛔ Nie kwalifikuje się"]
    [idea] = await stored_ideas(harness)
    assert (idea.reference, idea.district, idea.kind, idea.cost) == (
        "BO-2027-0001", "Oksywie", "investment", 45000)
    assert idea.contact_email == "jan@example.com" and idea.title == TITLE
    assert await chat.state() is None  # the draft is gone once confirmed


async def test_only_coordinators_in_their_chat_can_decide(harness: BotHarness) -> None:
    chat = resident(harness)
    await fill_to_summary(chat)
    await chat.press("✅ Send to coordinators")
    stranger = harness.chat(STRANGER, chat_id=COORDINATORS_CHAT, language_code="en")
    await stranger.press("❓ Potrzeba więcej informacji")
    assert harness.telegram.callback_answers[-1].show_alert
    # A coordinator pressing a forwarded copy elsewhere is refused too.
    [forwarded] = harness.telegram.chat_history(COORDINATORS_CHAT)
    data = forwarded.button("⛔ Nie kwalifikuje się").callback_data
    await harness.conversation.feed_raw({"callback_query": {
        "id": "x", "from": {"id": COORDINATOR, "is_bot": False, "first_name": "Ola"},
        "chat_instance": "1", "data": data, "message": {
            "message_id": 1, "date": 0, "chat": {"id": COORDINATOR, "type": "private"},
            "text": "copy"}}})
    [idea] = await stored_ideas(harness)
    assert idea.status == "new"

    coordinator = harness.chat(COORDINATOR, chat_id=COORDINATORS_CHAT, language_code="pl",
                               first_name="Ola <Nowak>")
    await coordinator.press("❓ Potrzeba więcej informacji")
    [idea] = await stored_ideas(harness)
    assert (idea.status, idea.status_by) == ("needs_info", "Ola <Nowak>")
    assert "Ola &lt;Nowak&gt;" in harness.telegram.latest(COORDINATORS_CHAT).html
    told = chat.last
    assert "BO-2027-0001" in told.text and "more information" in told.text  # in English
    [mine] = await chat.send("/mine")
    assert "BO-2027-0001" in mine.text and "more information" in mine.text


async def test_declining_consent_stores_nothing(harness: BotHarness) -> None:
    chat = resident(harness)
    await chat.send("chcę zgłosić pomysł na ławki przy ul. Wielkopolskiej")
    # The intent starts the form's consent step, in the language of the message.
    assert "✅ Zgadzam się" in chat.last.labels
    await chat.press("❌ Nie, dziękuję")
    rows = await harness.table_rows()
    pseudonym = harness.services.pseudonyms.subject(RESIDENT)
    assert str(RESIDENT) not in repr(rows) and pseudonym not in repr(rows)


async def test_under_16_goes_through_the_guardian_and_the_checklist_says_so(
    harness: BotHarness,
) -> None:
    chat = resident(harness)
    await start_with_consent(chat, age="I am under 16")
    for _step, how in ANSWERS:
        await answer(chat, how)
    assert "a parent's or guardian's consent" in chat.last.text
    await chat.press("✅ Send to coordinators")
    [idea] = await stored_ideas(harness)
    assert idea.minor
    assert "Poniżej 16 lat" in harness.telegram.latest(COORDINATORS_CHAT).text


@pytest.mark.parametrize(("step", "bad", "message"), [
    ("level", "dzielnicowy chyba", "Please use the buttons"),
    ("kind", "coś pomiędzy", "Please use the buttons"),
    ("district", "Sopot", "I don't know the district"),
    ("title", "abc", "too short"),
    ("title", "x" * 151, "too long"),
    ("description", "za krótko", "too short"),
    ("location", "a", "too short"),
    ("cost", "dużo", "could not read the amount"),
    ("cost", "0 zł", "could not read the amount"),
    ("cost", "20 mln", "more than a large project in this district may cost"),
    ("contact_name", "J", "too short"),
    ("contact_details", "napisz do mnie", "neither an e-mail address nor a phone number"),
    ("contact_details", "jan@", "neither an e-mail address nor a phone number"),
])
async def test_invalid_answers_say_what_to_fix_and_ask_again(
    harness: BotHarness, step: str, bad: str, message: str
) -> None:
    chat = resident(harness)
    await start_with_consent(chat)
    for name, how in ANSWERS:
        if name == step:
            break
        await answer(chat, how)
    problem, prompt = await chat.send(bad)
    assert message in problem.text and problem.text.startswith("⚠️")
    assert (await chat.step()) == step
    assert "⬅ Back" in prompt.labels


async def test_city_wide_limit_and_babel_formatting(harness: BotHarness) -> None:
    chat = resident(harness)
    await start_with_consent(chat)
    await chat.press("🏙 City-wide project")
    assert "title" in chat.last.text  # no district step for city-wide projects
    await chat.send("Zielone przystanki w całej Gdyni")
    await chat.send(DESCRIPTION)
    await chat.press("🎭 Soft (classes, events)")
    await chat.press("Skip: no particular place")
    problem, _prompt = await chat.send("2 mln")
    assert "at most 1,250,000 zł" in problem.text
    await chat.send("1,2 mln")
    assert (await chat.step()) == "contact_name"


async def test_pins_and_other_messages_where_they_do_not_fit(harness: BotHarness) -> None:
    chat = resident(harness)
    await start_with_consent(chat)
    await chat.press("🏘 District project")
    problem, prompt = await chat.location(54.5, 18.5)
    assert "can't use that here" in problem.text and "Which district" in prompt.text


async def test_cancel_and_back(harness: BotHarness) -> None:
    chat = resident(harness)
    await start_with_consent(chat)
    await chat.press("🏘 District project")
    await chat.send("karwiny")
    [prompt] = await chat.press("⬅ Back")
    assert "Which district" in prompt.text
    await chat.send("witomino leśniczówka")
    assert "small or a large" in chat.last.text
    await chat.send("/cancel")
    assert "delete your answers" in chat.last.text  # a filled form asks first
    await chat.press("🗑 Yes, delete my draft")
    assert "Cancelled" in chat.last.text and await chat.state() is None
    [nothing] = await chat.send("/cancel")
    assert "nothing to cancel" in nothing.text
    assert (await harness.table_rows())["fsm_record"] == []
    await chat.press("⬅ Back")  # a button of the cancelled form
    assert harness.telegram.callback_answers[-1].show_alert


async def test_edit_from_the_summary(harness: BotHarness) -> None:
    chat = resident(harness)
    await fill_to_summary(chat)
    await chat.press("✏️ Title")
    [summary] = await chat.send("Nowe ławki w parku na Oksywiu")
    assert "please check it" in summary.text and "Nowe ławki" in summary.text
    await chat.press("✏️ Level")
    [summary] = await chat.press("🏙 City-wide project")
    assert "City-wide" in summary.text and "Oksywie" not in summary.text
    await chat.press("✏️ Level")
    [district] = await chat.press("🏘 District project")
    assert "Which district" in district.text  # a district project needs its district again
    [size] = await chat.send("na Obłużu")
    assert "small or a large" in size.text
    [summary] = await chat.press("🔷 Large project")
    assert "Obłuże" in summary.text


@pytest.mark.parametrize("stop_after", range(len(ANSWERS) + 1))
async def test_a_restart_at_any_step_loses_nothing(harness: BotHarness, stop_after: int) -> None:
    await start_with_consent(resident(harness))
    for index, (_step, how) in enumerate(ANSWERS):
        if index == stop_after:
            await harness.restart()
        await answer(resident(harness), how)
    if stop_after == len(ANSWERS):
        await harness.restart()
    await resident(harness).press("✅ Send to coordinators")
    [idea] = await stored_ideas(harness)
    assert (idea.district, idea.cost, idea.title) == ("Oksywie", 45000, TITLE)


async def test_a_failing_coordinators_chat_gets_the_idea_once(harness: BotHarness) -> None:
    harness.telegram.fail_deliveries(COORDINATORS_CHAT, 3)
    chat = resident(harness)
    await fill_to_summary(chat)
    *_, thanks, _official = await chat.press("✅ Send to coordinators")
    assert "BO-2027-0001" in thanks.text  # the resident is served even so
    assert harness.telegram.chat_history(COORDINATORS_CHAT) == []
    for _round in range(5):  # the worker's later rounds, past each backoff
        harness.clock.advance(timedelta(minutes=1).total_seconds())
        await harness.deliver()
    [forwarded] = harness.telegram.chat_history(COORDINATORS_CHAT)
    assert "BO-2027-0001" in forwarded.text
    async with harness.services.db.sessions() as session:
        [outbox] = (await session.exec(select(OutboxMessage))).all()
    assert (outbox.status, outbox.attempts) == ("sent", 4)
    assert outbox.text == "" and outbox.buttons == []  # content is not kept once delivered


async def test_withdrawing_the_idea_consent_erases_ideas_and_tells_coordinators(
    harness: BotHarness,
) -> None:
    chat = resident(harness)
    await fill_to_summary(chat)
    await chat.press("✅ Send to coordinators")
    await chat.send("/consents")
    await chat.press("Withdraw: describing a participatory-budget idea")
    assert "BO-2027-0001" in chat.last.text  # it says what will go, and asks first
    await chat.press("Yes, withdraw and delete them")
    assert await stored_ideas(harness) == []
    assert "BO-2027-0001" in harness.telegram.latest(COORDINATORS_CHAT).text
    assert "usu" in harness.telegram.latest(COORDINATORS_CHAT).text  # "usuńcie": please delete


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_fifty_concurrent_confirmations_get_unique_numbers(
    request: pytest.FixtureRequest, harness: BotHarness, backend: str, tmp_path
) -> None:
    url = (f"sqlite+aiosqlite:///{tmp_path / 'race.sqlite3'}" if backend == "sqlite"
           else request.getfixturevalue("postgres_url"))
    database = Database(url)
    await database.migrate()
    edition = 10_000 + uuid.uuid4().int % 1_000_000  # an edition of its own on a shared server
    notice = ShownNotice(purpose="bo_idea", version="v", text_hash="h", locale="pl", button="b")

    async def confirm(number: int) -> str:
        async with database.sessions() as session:
            consent = await ConsentRepository(session).give(subject=f"s{number}", notice=notice)
            idea = await create_idea(session, consent, edition=edition, fields={
                "chat_id": number, "locale": "pl", "level": "city", "title": f"Pomysł {number}",
                "description": DESCRIPTION, "kind": "soft", "cost": 1000,
                "contact_name": "Jan"})
            await session.commit()
            return idea.reference

    try:
        references = await asyncio.gather(*(confirm(n) for n in range(50)))
        assert sorted(references) == [f"BO-{edition}-{n:04d}" for n in range(1, 51)]
        async with database.sessions() as session:
            stored = (await session.exec(select(Idea).where(Idea.edition == edition))).all()
        assert len(stored) == 50
    finally:
        async with database.sessions() as session:
            for idea in (await session.exec(select(Idea).where(Idea.edition == edition))).all():
                await session.delete(idea)
            counter = await session.get(IdeaCounter, edition)
            if counter is not None:
                await session.delete(counter)
            await session.commit()
        await database.dispose()
