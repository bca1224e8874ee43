"""aiogram's aiohttp session, sending JSON bodies instead of url-encoded forms.

aiogram posts every Bot API call as a form; aiohttp url-encodes it byte by byte in Python,
which for an answer of a kilobyte or two cost more CPU than handling the update around it.
The Bot API takes the same parameters as a JSON body, so calls without files go as JSON
(nested objects as objects); calls with files (documents, photos) keep aiogram's multipart
form. The request and its answer are otherwise aiogram's own: same timeouts, same errors.
"""

from __future__ import annotations

from typing import Any, cast

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiohttp import ClientError, ClientTimeout

JSON_HEADERS = {"Content-Type": "application/json"}


class JsonAiohttpSession(AiohttpSession):
    def build_json(self, bot: Bot, method: TelegramMethod[Any]) -> str | None:
        """The call as a JSON body, or None when it carries files (sent as a form)."""
        files: dict[str, Any] = {}
        payload = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if prepared is not None:
                payload[key] = prepared
        if files:
            return None
        return self.json_dumps(payload)

    async def make_request(self, bot: Bot, method: TelegramMethod[TelegramType],
                           timeout: int | None = None) -> TelegramType:
        body = self.build_json(bot, method)
        if body is None:
            return await super().make_request(bot, method, timeout)
        session = await self.create_session()
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        try:
            limit = ClientTimeout(total=self.timeout if timeout is None else timeout)
            async with session.post(url, data=body, headers=JSON_HEADERS,
                                    timeout=limit) as response:
                raw = await response.text()
        except TimeoutError as error:
            raise TelegramNetworkError(method=method, message="Request timeout error") from error
        except ClientError as error:
            raise TelegramNetworkError(method=method,
                                       message=f"{type(error).__name__}: {error}") from error
        checked = self.check_response(bot=bot, method=method, status_code=response.status,
                                      content=raw)
        return cast(TelegramType, checked.result)
