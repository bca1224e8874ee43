"""The test harness: the production composition root over the local Telegram, in user terms."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from aiogram import Bot, Dispatcher
from sqlalchemy import inspect, text

from bot.app import create_bot, create_dispatcher
from bot.config import Settings
from bot.conversation import Conversation, Person
from bot.local_telegram import LocalTelegram, SentMessage
from bot.services import Services, build_services
from knowledge.store import KnowledgeStore


@dataclass
class BotHarness:
    services: Services
    telegram: LocalTelegram
    bot: Bot
    dispatcher: Dispatcher
    conversation: Conversation

    @classmethod
    async def start(
        cls, settings: Settings, *, knowledge: KnowledgeStore, today: date,
        telegram: LocalTelegram | None = None,
    ) -> BotHarness:
        services = build_services(settings, knowledge=knowledge, today=lambda: today)
        await services.db.migrate()
        telegram = telegram or LocalTelegram()
        bot = create_bot(settings, session=telegram)
        dispatcher = create_dispatcher(services)
        return cls(services, telegram, bot, dispatcher, Conversation(dispatcher, bot, telegram))

    def chat(self, user_id: int = 1001, *, language_code: str | None = "pl",
             chat_id: int | None = None) -> ChatDriver:
        person = Person(user_id, chat_id if chat_id is not None else user_id, language_code)
        return ChatDriver(self, person)

    async def restart(self) -> None:
        """A new bot process over the same database; Telegram keeps the chats' messages."""
        settings, knowledge = self.services.settings, self.services.knowledge
        today = self.services.today()
        await self.close()
        fresh = await BotHarness.start(settings, knowledge=knowledge, today=today,
                                       telegram=self.telegram)
        self.__dict__.update(fresh.__dict__)

    async def close(self) -> None:
        self.telegram.unsubscribe(self.conversation.collect)
        await self.dispatcher.storage.close()
        await self.services.db.dispose()

    async def table_rows(self) -> dict[str, list[tuple]]:
        """Every row of every data table (not Alembic's bookkeeping), to prove what is stored."""
        async with self.services.db.engine.connect() as connection:
            names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
            return {
                name: [tuple(row) for row in await connection.execute(text(f'SELECT * FROM "{name}"'))]
                for name in names
                if name != "alembic_version"
            }


@dataclass
class ChatDriver:
    """One person in one chat: send, press, and read what the bot answered."""

    harness: BotHarness
    person: Person

    async def send(self, text: str, *, reply: bool = False) -> list[SentMessage]:
        return await self.harness.conversation.send_text(self.person, text, reply_to_latest=reply)

    async def press(self, button: int | str) -> list[SentMessage]:
        return await self.harness.conversation.press(self.person, button)

    async def location(self, latitude: float, longitude: float) -> list[SentMessage]:
        return await self.harness.conversation.send_location(self.person, latitude, longitude)

    @property
    def last(self) -> SentMessage:
        latest = self.harness.telegram.latest(self.person.chat_id)
        assert latest is not None, "the bot has not written in this chat"
        return latest

    async def state(self) -> str | None:
        from aiogram.fsm.storage.base import StorageKey

        key = StorageKey(self.harness.bot.id, self.person.chat_id, self.person.user_id)
        return await self.harness.dispatcher.storage.get_state(key)
