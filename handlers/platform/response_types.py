"""Keeps aiogram's parsed-response types alive, so each is built once per process.

aiogram parses every Bot API answer as `Response[<the method's result type>]`, a pydantic
generic parametrised on each call. pydantic caches parametrised generics only weakly, so on a
busy worker the garbage collector drops them between calls and each answer rebuilt its class
and validator (2-3 ms of CPU, the largest cost of an update). A request middleware on the
bot's session holds a strong reference to each the first time its method is used.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot
from aiogram.client.session.middlewares.base import BaseRequestMiddleware, NextRequestMiddlewareType
from aiogram.methods import TelegramMethod
from aiogram.methods.base import Response, TelegramType


class KeepResponseTypes(BaseRequestMiddleware):
    def __init__(self) -> None:
        self._kept: dict[Any, Any] = {}

    async def __call__(self, make_request: NextRequestMiddlewareType[TelegramType], bot: Bot,
                       method: TelegramMethod[TelegramType]) -> Any:
        returning = method.__returning__
        if returning not in self._kept:
            self._kept[returning] = Response[returning]  # type: ignore[valid-type]
        return await make_request(bot, method)
