"""Per-update plumbing, in the order it wraps a handler (outermost first):

1. `TurnMiddleware`: opens the update's session (connected lazily: an update that never
   queries costs nothing) and builds the `Turn`; rolls back and returns the connection on any
   error.
2. `FormStateMiddleware` (aiogram's FSM middleware, made resilient): takes the per-resident
   lock, reads the FSM state once (and a form's data once), through the update's session. If
   Redis or the database is unreachable, the update goes on without them, marked as such.
3. `CommitMiddleware`: commits once when the handler is done, still inside the lock (so the
   next update of the same resident sees this one's answers), runs after-commit work and wakes
   delivery when the update queued messages.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any, cast

from aiogram import Bot
from aiogram.dispatcher.middlewares.base import BaseMiddleware
from aiogram.fsm.middleware import FSMContextMiddleware
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, StorageKey
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.types import TelegramObject

from handlers.platform.context import Services, Turn
from storage.fsm import bind_session, unbind_session

log = logging.getLogger(__name__)
FORM_STATE_PREFIX = "form:"

Handler = Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]]


class TurnMiddleware(BaseMiddleware):
    def __init__(self, services: Services) -> None:
        self._services = services

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        services = self._services
        async with services.db.sessions() as session:
            turn = Turn(services=services, session=session, knowledge=services.knowledge.current,
                        now=services.clock.now(), locale=services.default_locale)
            data["turn"] = turn
            data["session"] = session
            token = bind_session(session)
            try:
                return await handler(event, data)
            except BaseException:
                await session.rollback()
                raise
            finally:
                unbind_session(token)


class CommitMiddleware(BaseMiddleware):
    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        result = await handler(event, data)
        turn = cast(Turn, data["turn"])
        await turn.session.commit()
        for job in turn.after_commit:
            await job()
        if turn.queued:
            turn.services.jobs.wake("outbox")
        return result


class FormStateMiddleware(FSMContextMiddleware):
    """aiogram's FSM middleware that survives an unreachable Redis or database."""

    def __init__(self, storage: BaseStorage, events_isolation: BaseEventIsolation) -> None:
        super().__init__(storage=storage, events_isolation=events_isolation)
        self._fallback_isolation = SimpleEventIsolation()

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        context = self.resolve_event_context(cast(Bot, data["bot"]), data)
        data["fsm_storage"] = self.storage
        if context is None:
            return await handler(event, data)
        async with self._locked(context.key):
            raw_state, form_data = None, None
            try:
                raw_state = await context.get_state()
                if raw_state and raw_state.startswith(FORM_STATE_PREFIX):
                    form_data = await context.get_data()
            except Exception as error:
                log.warning("FSM storage unavailable: %s", type(error).__name__)
                turn = data.get("turn")
                if turn is not None:
                    turn.storage_unavailable = True
                    await turn.session.rollback()  # a failed statement spoils the transaction
            data.update({"state": context, "raw_state": raw_state, "form_data": form_data})
            return await handler(event, data)

    @asynccontextmanager
    async def _locked(self, key: StorageKey) -> AsyncIterator[None]:
        async with AsyncExitStack() as stack:
            try:
                await stack.enter_async_context(_tolerant(self.events_isolation.lock(key)))
            except Exception as error:  # Redis is down: isolate within this process at least
                log.warning("event isolation unavailable: %s", type(error).__name__)
                await stack.enter_async_context(self._fallback_isolation.lock(key))
            yield


@asynccontextmanager
async def _tolerant(lock: Any) -> AsyncIterator[None]:
    """A lock whose release may fail (Redis went away) without failing a finished update."""
    await lock.__aenter__()
    try:
        yield
    finally:
        try:
            await lock.__aexit__(None, None, None)
        except Exception as error:
            log.warning("event isolation release failed: %s", type(error).__name__)
