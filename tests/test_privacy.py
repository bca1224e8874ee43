"""GDPR: consent before storage, proof of consent, /mydata, /consents, /forget, retention."""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiogram.fsm.storage.redis import RedisStorage
from pydantic import SecretStr
from sqlmodel import select

from bot.config import Settings
from handlers import purposes
from handlers.platform.purposes import Purposes
from handlers.resident import ideas
from knowledge.store import KnowledgeStore
from storage.models import (
    ConsentEvent,
    FsmRecord,
    Idea,
    LanguagePreference,
    OutboxMessage,
    UnansweredQuestion,
)
from storage.retention import purge
from tests.conftest import NOW
from tests.driver import BotHarness, ChatDriver

USER_ID = 7_123_456_780


def traces_of(harness: BotHarness, rows: dict[str, list[tuple]]) -> list[str]:
    """Tables holding the raw id or the pseudonym of USER_ID."""
    pseudonym = harness.services.pseudonyms.subject(USER_ID)
    return [name for name, table in rows.items()
            if str(USER_ID) in repr(table) or pseudonym in repr(table)]


async def decline_every_flow(chat: ChatDriver) -> None:
    await chat.send("/language")
    await chat.press("🇬🇧 English")
    await chat.press("💾 Remember my choice")
    await chat.press("❌ No, thanks")
    assert "nothing has been saved" in chat.last.text
    await chat.send("/news")
    await chat.press("❌ No, thanks")
    assert "nothing has been saved" in chat.last.text
    await chat.send("/pomysl")
    await chat.press("❌ No, thanks")
    assert "nothing has been saved" in chat.last.text
    await chat.send("how do I vote in the participatory budget?")


async def test_declining_every_flow_stores_nothing(harness: BotHarness) -> None:
    chat = harness.chat(USER_ID, language_code="en")
    await decline_every_flow(chat)
    assert traces_of(harness, await harness.table_rows()) == []


async def test_declining_with_redis_leaves_no_key(
    settings: Settings, knowledge_store: KnowledgeStore, redis_url: str
) -> None:
    redis_settings = settings.model_copy(update={"redis_url": SecretStr(redis_url)})
    harness = await BotHarness.start(redis_settings, knowledge=knowledge_store, now=NOW)
    try:
        assert isinstance(harness.dispatcher.storage, RedisStorage)
        await decline_every_flow(harness.chat(USER_ID, language_code="en"))
        pseudonym = harness.services.pseudonyms.subject(USER_ID)
        keys = [key async for key in harness.dispatcher.storage.redis.scan_iter(match="*")]
        assert [k for k in keys if str(USER_ID).encode() in k or pseudonym.encode() in k] == []
        assert traces_of(harness, await harness.table_rows()) == []
    finally:
        await harness.close()


async def test_accepting_records_proof_of_consent(harness: BotHarness) -> None:
    chat = harness.chat(USER_ID, language_code="pl")
    await chat.send("/language")
    await chat.press("🇺🇦 Українська")
    [prompt] = await chat.press("💾 Запам'ятати мій вибір")
    assert "Погоджуюся" in prompt.labels[0]
    await chat.press("✅ Погоджуюся")
    assert "українська" in chat.last.text.lower()

    async with harness.services.db.sessions() as session:
        [event] = (await session.exec(select(ConsentEvent))).all()
        [preference] = (await session.exec(select(LanguagePreference))).all()
    policy = harness.services.knowledge.current.base.consents.purposes["preferences"]
    assert event.subject == harness.services.pseudonyms.subject(USER_ID)
    assert (event.purpose, event.event, event.locale, event.channel) == (
        "preferences", "given", "uk", "telegram")
    assert event.notice_version == policy.version
    assert len(event.notice_hash) == 64 and event.button == "✅ Погоджуюся"
    assert event.age is None and event.recorded_at.tzinfo is not None
    assert str(USER_ID) not in repr(event)
    assert preference.locale == "uk"


async def test_remembered_language_survives_a_restart(harness: BotHarness) -> None:
    chat = harness.chat(USER_ID, language_code="pl")
    await chat.send("/language")
    await chat.press("🇬🇧 English")
    await chat.press("💾 Remember my choice")
    await chat.press("✅ I agree")
    await harness.restart()
    [greeting] = await harness.chat(USER_ID, language_code="pl").send("/start")
    assert "Hello" in greeting.text


async def test_a_changed_notice_asks_again(
    settings: Settings, repo_root: Path, tmp_path: Path
) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(repo_root / "knowledge", knowledge, ignore=shutil.ignore_patterns("*.py"))
    harness = await BotHarness.start(settings, knowledge=KnowledgeStore(knowledge), now=NOW)
    try:
        chat = harness.chat(USER_ID, language_code="en")
        await chat.send("/news")
        await chat.press("✅ I agree")
        [choices] = await chat.send("/news")  # subscribed: the choices, no second consent
        assert "You get LIS news about" in choices.text and "✅ I agree" not in choices.labels

        consents = knowledge / "consents.yaml"
        consents.write_text(consents.read_text(encoding="utf-8").replace(
            "To send you LIS news", "To send you LIS news and invitations"), encoding="utf-8")
        await harness.services.jobs.run_now("knowledge")  # the runner's reload
        [prompt] = await chat.send("/news")
        assert "invitations" in prompt.text and "✅ I agree" in prompt.labels
    finally:
        await harness.close()


async def test_a_stale_consent_button_shows_the_new_notice(harness: BotHarness) -> None:
    chat = harness.chat(USER_ID, language_code="en")
    await chat.send("/news")
    outputs = await harness.conversation.feed_raw({"callback_query": {
        "id": "old", "from": chat.person.as_user(), "chat_instance": "1",
        "message": {"message_id": chat.last.message_id, "date": 0,
                    "chat": {"id": USER_ID, "type": "private"}, "text": "old"},
        "data": "consent:agree:news:000000000000:en:"}})
    assert "changed" in outputs[0].text and "✅ I agree" in outputs[1].labels
    assert traces_of(harness, await harness.table_rows()) == []


@pytest.mark.parametrize(("age_button", "age", "guardian"), [
    ("I am 16 or older", "16+", False), ("I am under 16", "under-16", True),
])
async def test_flows_that_collect_data_ask_the_age_and_the_guardian(
    settings: Settings, knowledge_store: KnowledgeStore, age_button: str, age: str,
    guardian: bool,
) -> None:
    continued: list[str] = []

    async def idea_form_stand_in(query, message, consent, turn, state, ref) -> None:
        continued.append(consent.purpose)

    registry = Purposes([*[p for p in purposes() if p.id != "bo_idea"],
                         replace(ideas.DECLARATION, after_consent=idea_form_stand_in)])
    harness = await BotHarness.start(settings, knowledge=knowledge_store, now=NOW,
                                     purposes=registry)
    try:
        chat = harness.chat(USER_ID, language_code="en")
        await chat.send("/pomysl")
        await chat.press("✅ I agree")
        assert "how old" in chat.last.text
        await chat.press(age_button)
        if guardian:
            assert "parent or legal guardian" in chat.last.text
            assert continued == []
            await chat.press("👪 My parent or guardian agrees")
        assert continued == ["bo_idea"]
        async with harness.services.db.sessions() as session:
            [event] = (await session.exec(select(ConsentEvent))).all()
        assert (event.purpose, event.age, event.guardian_agreed) == ("bo_idea", age, guardian)
    finally:
        await harness.close()


async def consent_history(harness: BotHarness) -> list[str]:
    async with harness.services.db.sessions() as session:
        events = (await session.exec(select(ConsentEvent).order_by(ConsentEvent.recorded_at))).all()
    return [event.event for event in events]


async def consent_to_everything(chat: ChatDriver) -> None:
    await chat.send("/language")
    await chat.press("🇬🇧 English")
    await chat.press("💾 Remember my choice")
    await chat.press("✅ I agree")
    await chat.send("/news")
    await chat.press("✅ I agree")


async def test_mydata_lists_everything_stored(harness: BotHarness) -> None:
    chat = harness.chat(USER_ID, language_code="en")
    await consent_to_everything(chat)
    summary, document = await chat.send("/mydata")
    assert "remembering your language: 1 record" in summary.text
    assert "LIS news: 1 record" in summary.text
    data = json.loads(document.document)
    assert document.document_name == "lis-bot-my-data.json"
    assert [(e["purpose"], e["event"]) for e in data["consent_events"]] == [
        ("preferences", "given"), ("news", "given")]
    assert [row["locale"] for row in data["language_preference"]] == ["en"]
    assert [row["chat_id"] for row in data["news_subscription"]] == [USER_ID]
    rows = await harness.table_rows()
    stored = {name: len(table) for name, table in rows.items() if table}
    assert stored == {"consent_event": 2, "language_preference": 1, "news_subscription": 1}


async def test_withdrawing_a_consent_deletes_its_data(harness: BotHarness) -> None:
    chat = harness.chat(USER_ID, language_code="en")
    await consent_to_everything(chat)
    [listing] = await chat.send("/consents")
    assert listing.labels == ["Withdraw: remembering your language", "Withdraw: LIS news"]
    await chat.press("Withdraw: LIS news")
    assert "1 record(s)" in chat.last.text
    rows = await harness.table_rows()
    assert rows["news_subscription"] == [] and len(rows["language_preference"]) == 1
    assert await consent_history(harness) == ["given", "given", "withdrawn"]


async def test_forget_erases_everything_but_pseudonymous_proof(harness: BotHarness) -> None:
    chat = harness.chat(USER_ID, language_code="en")
    await consent_to_everything(chat)
    await chat.send("/forget")
    await chat.press("🗑 Yes, erase everything")
    assert "erased" in chat.last.text and "coordinators" in chat.last.text
    rows = await harness.table_rows()
    assert {name for name, table in rows.items() if table} == {"consent_event"}
    assert str(USER_ID) not in repr(rows)
    assert await consent_history(harness) == ["given", "given", "withdrawn", "withdrawn"]
    [greeting] = await harness.chat(USER_ID, language_code="pl").send("/start")
    assert "Cześć" in greeting.text  # the remembered language is gone too


async def test_privacy_shows_the_notice_and_the_rights(harness: BotHarness) -> None:
    notice, rights = await harness.chat(USER_ID, language_code="pl").send("/privacy")
    assert "Administrator" in notice.text and "iod@lis.gdynia.pl" in notice.text
    assert "/forget" in rights.text and "UODO" in rights.text


async def test_purge_deletes_only_what_is_past_retention(harness: BotHarness) -> None:
    policy = harness.services.knowledge.current.base.consents
    now = datetime(2026, 11, 24, 12, tzinfo=UTC)
    old, fresh = now - timedelta(days=400), now - timedelta(days=1)
    async with harness.services.db.sessions() as session:
        session.add_all([
            FsmRecord(key="old", state="s", data={"a": 1}, updated_at=old),
            FsmRecord(key="fresh", state="s", data={"a": 1}, updated_at=fresh),
            UnansweredQuestion(masked_text="old", locale="pl", created_at=old),
            UnansweredQuestion(masked_text="fresh", locale="pl", created_at=fresh),
            LanguagePreference(subject="p1", locale="en", updated_at=old),  # kept until withdrawn
            *[OutboxMessage(chat_id=1, text=f"about idea {n}", ref_kind="idea", ref_id=str(900 + n))
              for n in (1, 2)],
            *[Idea(id=900 + n, reference=f"BO-2025-000{n}", edition=2025, number=n, subject="p1",
                   chat_id=1,
                   locale="pl", level="city", title="Ławki", description="Opis pomysłu",
                   kind="soft", cost=1000, contact_name="Jan", created_at=when)
              for n, when in ((1, old), (2, fresh))],
            *[ConsentEvent(id=f"{subject}-{event}", subject=subject, purpose="news", event=event,
                           notice_version="v", notice_hash="h", locale="pl", channel="telegram",
                           button="b", recorded_at=when)
              for subject, event, when in [
                  ("gone", "given", now - timedelta(days=2000)),
                  ("gone", "withdrawn", now - timedelta(days=1500)),
                  ("kept", "given", now - timedelta(days=2000)),
                  ("recent", "given", now - timedelta(days=300)),
                  ("recent", "withdrawn", now - timedelta(days=200))]],
        ])
        await session.commit()
        counts = await purge(session, policy, harness.services.purposes.data(), now)
        await session.commit()
    assert counts == {"unfinished_forms": 1, "unanswered_questions": 1, "preferences": 0,
                      "news": 0, "bo_idea": 1, "urbanlab_signup": 0, "handoff": 0,
                      "delivery_records": 0,
                      "consent_proofs": 2}
    async with harness.services.db.sessions() as session:
        assert [r.key for r in (await session.exec(select(FsmRecord))).all()] == ["fresh"]
        assert [i.reference for i in (await session.exec(select(Idea))).all()] == ["BO-2025-0002"]
        queued = (await session.exec(select(OutboxMessage))).all()
        assert [m.text for m in queued] == ["about idea 2"]  # its queue went with it
        events = (await session.exec(select(ConsentEvent))).all()
        assert sorted({e.subject for e in events}) == ["kept", "recent"]


async def test_logs_carry_no_ids_names_or_message_text(
    harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    chat = harness.chat(USER_ID, language_code="pl")
    chat.person = chat.person.__class__(USER_ID, USER_ID, "pl", first_name="Zofia")
    await chat.send("/start")
    await chat.send("gdzie jest przystań na oksywiu?")
    await chat.send("jaka pogoda w sopocie")
    await consent_to_everything(chat)
    await chat.send("/mydata")
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert logged, "the run should log something"
    pseudonym = harness.services.pseudonyms.subject(USER_ID)
    for secret in (str(USER_ID), "Zofia", "oksywiu", "sopocie", pseudonym):
        assert secret not in logged

