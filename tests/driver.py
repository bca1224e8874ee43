"""The test harness: the production composition root over the local Telegram, in user terms.

The background jobs are those `run` uses, but the harness runs them itself (no timers): after
each update it runs one delivery round, as the job runner would once woken, so what reaches
the coordinators' chat is there when the test looks. Time is a `ManualClock`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import inspect, text

from bot.app import add_background_jobs, build_services, create_bot, create_dispatcher
from bot.config import Settings
from bot.conversation import Conversation, Person
from bot.local_telegram import LocalTelegram, SentMessage
from handlers.platform.clock import ManualClock
from handlers.platform.context import Services
from handlers.platform.delivery import Delivery, DeliveryReport
from handlers.platform.purposes import Purposes
from knowledge.store import KnowledgeStore


@dataclass
class BotHarness:
    services: Services
    telegram: LocalTelegram
    bot: Bot
    dispatcher: Dispatcher
    conversation: Conversation
    clock: ManualClock
    delivery: Delivery
    settings: Settings
    auto_deliver: bool = True

    @classmethod
    async def start(
        cls, settings: Settings, *, knowledge: KnowledgeStore, now: datetime,
        telegram: LocalTelegram | None = None, purposes: Purposes | None = None,
        clock: ManualClock | None = None,
    ) -> BotHarness:
        clock = clock or ManualClock(now)
        services = build_services(settings, knowledge=knowledge, clock=clock, purposes=purposes)
        await services.db.migrate()
        telegram = telegram or LocalTelegram()
        bot = create_bot(settings, session=telegram)
        dispatcher = create_dispatcher(services)
        delivery = add_background_jobs(services, bot)
        return cls(services, telegram, bot, dispatcher, Conversation(dispatcher, bot, telegram),
                   clock, delivery, settings)

    def chat(self, user_id: int = 7_100_000_001, *, language_code: str | None = "pl",
             chat_id: int | None = None, first_name: str = "Resident") -> ChatDriver:
        person = Person(user_id, chat_id if chat_id is not None else user_id, language_code,
                        first_name)
        return ChatDriver(self, person)

    async def deliver(self) -> DeliveryReport:
        """Delivery rounds until nothing is due now (the job runner's work)."""
        return await self.services.jobs.tick("outbox")

    async def restart(self) -> None:
        """A new bot process over the same database; Telegram keeps the chats' messages."""
        settings, knowledge = self.settings, self.services.knowledge
        purposes = self.services.purposes
        await self.close()
        fresh = await BotHarness.start(settings, knowledge=knowledge, now=self.clock.now(),
                                       telegram=self.telegram, purposes=purposes,
                                       clock=self.clock)
        fresh.auto_deliver = self.auto_deliver
        self.__dict__.update(fresh.__dict__)

    async def close(self) -> None:
        self.telegram.unsubscribe(self.conversation.collect)
        await self.services.jobs.stop()
        await self.services.fsm.close()
        await self.services.db.dispose()

    async def table_rows(self) -> dict[str, list[tuple]]:
        """Every row of every data table (not Alembic's bookkeeping), to prove what is stored."""
        async with self.services.db.engine.connect() as connection:
            names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
            return {
                name: [tuple(row) for row in
                       await connection.execute(text(f'SELECT * FROM "{name}"'))]
                for name in names
                if name != "alembic_version"
            }


@dataclass
class ChatDriver:
    """One person in one chat: send, press, and read what the bot answered."""

    harness: BotHarness
    person: Person

    def named(self, first_name: str) -> ChatDriver:
        return ChatDriver(self.harness, replace(self.person, first_name=first_name))

    async def _after(self, outputs: list[SentMessage]) -> list[SentMessage]:
        if self.harness.auto_deliver:
            await self.harness.deliver()
        return outputs

    async def send(self, text: str, *, reply: bool = False,
                   reply_to: SentMessage | None = None) -> list[SentMessage]:
        """`reply`: as a Telegram reply to the chat's latest bot message (or to `reply_to`)."""
        return await self._after(await self.harness.conversation.send_text(
            self.person, text, reply_to_latest=reply, reply_to=reply_to))

    async def press(self, button: int | str, *, on: SentMessage | None = None
                    ) -> list[SentMessage]:
        return await self._after(await self.harness.conversation.press(self.person, button, on))

    def history(self) -> list[SentMessage]:
        """Every message the bot has sent in this chat, oldest first."""
        return self.harness.telegram.chat_history(self.person.chat_id)

    async def location(self, latitude: float, longitude: float) -> list[SentMessage]:
        return await self._after(await self.harness.conversation.send_location(
            self.person, latitude, longitude))

    @property
    def last(self) -> SentMessage:
        latest = self.harness.telegram.latest(self.person.chat_id)
        assert latest is not None, "the bot has not written in this chat"
        return latest

    async def state(self) -> str | None:
        key = StorageKey(self.harness.bot.id, self.person.chat_id, self.person.user_id)
        return await self.harness.dispatcher.storage.get_state(key)

    async def data(self) -> dict:
        key = StorageKey(self.harness.bot.id, self.person.chat_id, self.person.user_id)
        return await self.harness.dispatcher.storage.get_data(key)

    async def step(self) -> str | None:
        """The step of the form in progress, if any."""
        return (await self.data()).get("step")
