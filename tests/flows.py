"""Conversations several test modules play: a resident filling in the BO idea form."""

from __future__ import annotations

from sqlmodel import select

from storage.models import Idea
from tests.conftest import RESIDENT
from tests.driver import BotHarness, ChatDriver

STRANGER = 6_500_000_123
TITLE = 'Ławki <b>na</b> Oksywiu & <a href="https://x.example">link</a>'
DESCRIPTION = "Ludzie nie mają gdzie usiąść w parku przy placu zabaw; potrzebne ławki i kosze."

# (step, what the resident does) in order, for a district investment project.
ANSWERS = [
    ("level", ("press", "🏘 District project")),
    ("district", ("send", "oksywiu")),
    ("size", ("press", "🔷 Large project")),
    ("title", ("send", TITLE)),
    ("description", ("send", DESCRIPTION)),
    ("kind", ("press", "🏗 Investment")),
    ("location", ("pin", (54.5471, 18.5163))),
    ("cost", ("send", "45 tys")),
    ("contact_name", ("send", "Jan Kowalski")),
    ("contact_details", ("send", "jan@example.com")),
]


async def answer(chat: ChatDriver, how: tuple[str, object]) -> None:
    kind, value = how
    if kind == "press":
        await chat.press(str(value))
    elif kind == "pin":
        await chat.location(*value)  # type: ignore[misc]
    else:
        await chat.send(str(value))


async def start_with_consent(chat: ChatDriver, *, age: str = "I am 16 or older") -> None:
    await chat.send("/pomysl")
    await chat.press("✅ I agree")
    await chat.press(age)
    if age == "I am under 16":
        await chat.press("👪 My parent or guardian agrees")
    assert "Step 1 of" in chat.last.text


async def fill_to_summary(chat: ChatDriver) -> None:
    await start_with_consent(chat)
    for _step, how in ANSWERS:
        await answer(chat, how)
    assert "please check it" in chat.last.text


def resident(harness: BotHarness) -> ChatDriver:
    return harness.chat(RESIDENT, language_code="en")


async def stored_ideas(harness: BotHarness) -> list[Idea]:
    async with harness.services.db.sessions() as session:
        return list((await session.exec(select(Idea))).all())


