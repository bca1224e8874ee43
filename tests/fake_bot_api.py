"""A fake Telegram Bot API over HTTP, for end-to-end tests of `python -m bot run`.

It listens on 127.0.0.1 (an ephemeral port) and answers `POST /bot{token}/{method}` for the
methods this bot uses, with realistic Telegram objects. Every call is recorded as
`(method, params)`; any other method, or a wrong token, is answered with an error *and*
recorded in `unexpected`, so a test can assert that the bot called nothing new.

Updates are pushed with `push_message` / `push_callback` and delivered through long-polling
`getUpdates` (honouring `offset` and `timeout`). `stop()` releases pending polls at once, so
shutdown never waits for a poll to time out.

It is as strict as Telegram, with the same rules as the in-process `LocalTelegram`: bad HTML,
over-long text, callback data over 64 bytes, unchanged edits and a second answer to one button
press are refused. `fail_next(method, ...)` makes the next calls of a method fail.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import re
import time
from collections.abc import Callable
from typing import Any

from aiogram.types import InlineKeyboardMarkup
from aiohttp import web

from bot.local_telegram import NOT_MODIFIED, Refused, check_markup, check_text
from handlers.platform.telegram_html import CAPTION_LIMIT, TEXT_LIMIT

DEFAULT_TOKEN = "123456:TEST-TOKEN"
BOT_FIRST_NAME = "LIS Gdynia"
BOT_USERNAME = "lis_gdynia_bot"
USER_FIRST_NAME = "Ala"

Params = dict[str, Any]
Predicate = Callable[[Params], bool]

_TAG = re.compile(r"<[^>]+>")


class FakeBotApi:
    def __init__(self, token: str = DEFAULT_TOKEN, *, max_poll_timeout: float = 30.0) -> None:
        self.token = token
        self.bot_user = {
            "id": int(token.split(":", 1)[0]),
            "is_bot": True,
            "first_name": BOT_FIRST_NAME,
            "username": BOT_USERNAME,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.max_poll_timeout = max_poll_timeout
        # Every call, in order, and what it returned (results[i] belongs to calls[i]).
        self.calls: list[tuple[str, Params]] = []
        self.results: list[Any] = []
        self.unexpected: list[tuple[str, Params]] = []
        self.updates: list[dict[str, Any]] = []  # not yet confirmed by an offset
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.chat_messages: dict[int, list[dict[str, Any]]] = {}  # the same, by chat, in order
        self._changed = asyncio.Condition()
        self._stopping = False
        self._update_ids = itertools.count(100)
        self._callback_ids = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._next_message_id: dict[int, int] = {}
        self._languages: dict[int, str] = {}
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._failures: dict[str, list[Refused]] = {}
        self._holds: list[tuple[str, Predicate | None, asyncio.Event]] = []
        self.held: list[Params] = []  # requests that were held, in order of arrival
        self.abandoned: list[Params] = []  # held requests whose sender went away: not done
        self._answered: set[str] = set()
        self._methods: dict[str, tuple[str, Callable[[Params], Any]]] = {
            name.lower(): (name, handler)
            for name, handler in (
                ("getMe", lambda params: self.bot_user),
                ("deleteWebhook", lambda params: True),
                ("setWebhook", lambda params: True),
                ("setMyCommands", lambda params: True),
                ("answerCallbackQuery", lambda params: True),
                ("sendMessage", self._send_message),
                ("editMessageText", self._edit_message_text),
                ("editMessageReplyMarkup", self._edit_message_reply_markup),
                ("sendDocument", self._send_document),
            )
        }

    # -- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/bot{token}/{method}", self._handle)
        # A short shutdown_timeout: cleanup must never wait long for a pending request.
        self._runner = web.AppRunner(app, shutdown_timeout=1.0, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server  # aiohttp exposes the bound port only through the server
        assert server is not None and server.sockets, "the fake Bot API did not bind"
        self._port = server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        async with self._changed:
            self._stopping = True
            self._changed.notify_all()  # pending getUpdates return at once
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @property
    def base_url(self) -> str:
        if self._port is None:
            raise RuntimeError("FakeBotApi is not started")
        return f"http://127.0.0.1:{self._port}"

    def fail_next(self, method: str, *failures: Refused) -> None:
        """The next calls of `method` (e.g. "deleteWebhook") fail like this, one each."""
        self._failures.setdefault(method.lower(), []).extend(failures)

    def hold(self, method: str, predicate: Predicate | None = None) -> asyncio.Event:
        """The next call of `method` that matches waits until the returned event is set; if
        its sender has gone by then (a killed worker), Telegram never got it: not delivered."""
        released = asyncio.Event()
        self._holds.append((method.lower(), predicate, released))
        return released

    # -- pushing updates ------------------------------------------------------------------

    def push_message(self, user_id: int, text: str, language_code: str = "pl") -> dict[str, Any]:
        """A private message from `user_id`, as Telegram would deliver it."""
        self._languages[user_id] = language_code
        message: dict[str, Any] = {
            "message_id": self._take_message_id(user_id),
            "from": self._user(user_id),
            "chat": self._private_chat(user_id),
            "date": int(time.time()),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return self._push({"message": message})

    def push_callback(
        self, user_id: int, message_dict: dict[str, Any], data: str
    ) -> dict[str, Any]:
        """`user_id` presses a button with callback `data` under the bot's `message_dict`."""
        callback_query = {
            "id": str(next(self._callback_ids)),
            "from": self._user(user_id),
            "message": message_dict,
            "chat_instance": f"ci-{user_id}",
            "data": data,
        }
        return self._push({"callback_query": callback_query})

    # -- waiting and inspection -----------------------------------------------------------

    async def wait_for(
        self, method: str, predicate: Predicate | None = None, timeout: float = 10
    ) -> Params:
        """The params of the first call of `method` (already made or to come) that matches."""

        def find() -> Params | None:
            for name, params in self.calls:
                if name == method and (predicate is None or predicate(params)):
                    return params
            return None

        async with asyncio.timeout(timeout):
            async with self._changed:
                await self._changed.wait_for(lambda: find() is not None)
                found = find()
                assert found is not None
                return found

    def calls_of(self, method: str) -> list[Params]:
        return [params for name, params in self.calls if name == method]

    def result_of(self, params: Params) -> Any:
        """What the fake returned for the call whose params are `params` (by identity)."""
        for (_, recorded), result in zip(self.calls, self.results, strict=True):
            if recorded is params:
                return result
        raise KeyError("no such call")

    # -- HTTP -----------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        raw_method = request.match_info["method"]
        params = await self._parse(request)
        if request.match_info["token"] != self.token:
            await self._record(raw_method, params, None, unexpected=True)
            return _error(401, "Unauthorized")
        known = self._methods.get(raw_method.lower())
        if raw_method.lower() == "getupdates":
            return await self._get_updates(params)
        if known is None:
            await self._record(raw_method, params, None, unexpected=True)
            return _error(404, "unexpected method")
        name, handler = known
        if not await self._held_until_released(name, params, request):
            return _error(499, "client went away")
        try:
            if self._failures.get(name.lower()):
                raise self._failures[name.lower()].pop(0)
            self._validate(name, params)
            result = handler(params)
        except Refused as refused:  # what Telegram refuses is not an unexpected call
            await self._record(name, params, None)
            return _error(refused.status, refused.description, refused.parameters)
        except (KeyError, ValueError, TypeError) as error:  # malformed parameters
            await self._record(name, params, None, unexpected=True)
            return _error(400, f"Bad Request: {error!r}")
        await self._record(name, params, result)
        return web.json_response({"ok": True, "result": result})

    async def _held_until_released(self, name: str, params: Params, request: web.Request
                                   ) -> bool:
        """False if the request was held and its sender went away meanwhile."""
        hold = next((h for h in self._holds if h[0] == name.lower() and (
            h[1] is None or h[1](params))), None)
        if hold is None:
            return True
        self._holds.remove(hold)
        async with self._changed:
            self.held.append(params)
            self._changed.notify_all()
        try:
            await hold[2].wait()
        except asyncio.CancelledError:
            self.abandoned.append(params)
            raise
        if request.transport is None or request.transport.is_closing():
            self.abandoned.append(params)
            return False
        return True

    async def _parse(self, request: web.Request) -> Params:
        params: Params = {}
        if request.content_type == "application/json":
            # Telegram takes a JSON body as well as a form; both are recorded as the form's
            # strings (objects as their JSON), so every check reads the same parameters.
            body = await request.json()
            body = body if isinstance(body, dict) else {}  # refused below: no parameters
            params.update({key: value if isinstance(value, str) else json.dumps(value)
                           for key, value in body.items()})
        elif request.can_read_body:
            form = await request.post()
            files: dict[str, web.FileField] = {}
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = value
                else:
                    params[key] = value
            for key, value in list(params.items()):
                if isinstance(value, str) and value.startswith("attach://"):
                    attached = files.get(value.removeprefix("attach://"))
                    if attached is not None:
                        params[key] = {
                            "filename": attached.filename,
                            "content_type": attached.content_type,
                            "content": attached.file.read(),
                        }
        return params

    async def _record(
        self, method: str, params: Params, result: Any, *, unexpected: bool = False
    ) -> None:
        async with self._changed:
            self.calls.append((method, params))
            self.results.append(result)
            if unexpected:
                self.unexpected.append((method, params))
            self._changed.notify_all()

    async def _get_updates(self, params: Params) -> web.Response:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), self.max_poll_timeout)
        allowed = params.get("allowed_updates")
        allowed_types = set(json.loads(allowed)) if isinstance(allowed, str) and allowed else None

        def pending() -> list[dict[str, Any]]:
            return [
                update
                for update in self.updates
                if update["update_id"] >= offset
                and (allowed_types is None or any(kind in update for kind in allowed_types))
            ]

        async with self._changed:
            index = len(self.calls)
            self.calls.append(("getUpdates", params))
            self.results.append(None)
            self._changed.notify_all()
            # Telegram forgets updates once an offset above their id confirms them.
            self.updates = [update for update in self.updates if update["update_id"] >= offset]
            if timeout > 0 and not self._stopping:
                try:
                    async with asyncio.timeout(timeout):
                        await self._changed.wait_for(lambda: bool(pending()) or self._stopping)
                except TimeoutError:
                    pass
            result = [] if self._stopping else pending()
            self.results[index] = result
        return web.json_response({"ok": True, "result": result})

    def _validate(self, name: str, params: Params) -> None:
        html_mode = str(params.get("parse_mode", "")).upper() == "HTML"
        if name in ("sendMessage", "editMessageText"):
            check_text(str(params.get("text", "")), TEXT_LIMIT, html_mode)
        if name == "sendDocument" and params.get("caption"):
            check_text(str(params["caption"]), CAPTION_LIMIT, html_mode)
        markup = params.get("reply_markup")
        if isinstance(markup, str) and markup:
            check_markup(InlineKeyboardMarkup.model_validate_json(markup))
        if name in ("editMessageText", "editMessageReplyMarkup") and not params.get(
                "inline_message_id"):
            existing = self.messages.get((int(params["chat_id"]), int(params["message_id"])))
            if existing is not None and _unchanged(existing, name, params):
                raise Refused(400, NOT_MODIFIED)
        if name == "answerCallbackQuery":
            query_id = str(params.get("callback_query_id"))
            if query_id in self._answered:
                raise Refused(400, "Bad Request: query is too old and response timeout expired "
                                   "or query ID is invalid")
            self._answered.add(query_id)

    # -- methods --------------------------------------------------------------------------

    def _send_message(self, params: Params) -> dict[str, Any]:
        return self._new_message(
            params, text=_visible_text(params["text"], params.get("parse_mode")))

    def _send_document(self, params: Params) -> dict[str, Any]:
        message = self._new_message(params)
        document = params["document"]
        file_number = next(self._file_ids)
        if isinstance(document, dict):
            message["document"] = {
                "file_id": f"doc-{file_number}",
                "file_unique_id": f"udoc-{file_number}",
                "file_name": document["filename"],
                "mime_type": document["content_type"],
                "file_size": len(document["content"]),
            }
        else:  # a file_id or URL sent as a string
            message["document"] = {
                "file_id": str(document),
                "file_unique_id": f"udoc-{file_number}",
            }
        if params.get("caption"):
            message["caption"] = _visible_text(params["caption"], params.get("parse_mode"))
        return message

    def _edit_message_text(self, params: Params) -> dict[str, Any] | bool:
        message = self._existing_message(params)
        if message is None:
            return True  # an inline message: Telegram answers True
        message["text"] = _visible_text(params["text"], params.get("parse_mode"))
        message["edit_date"] = int(time.time())
        _set_markup(message, params)
        return dict(message)

    def _edit_message_reply_markup(self, params: Params) -> dict[str, Any] | bool:
        message = self._existing_message(params)
        if message is None:
            return True
        message["edit_date"] = int(time.time())
        _set_markup(message, params)
        return dict(message)

    # -- helpers --------------------------------------------------------------------------

    def _push(self, fields: dict[str, Any]) -> dict[str, Any]:
        update = {"update_id": next(self._update_ids), **fields}
        self.updates.append(update)
        asyncio.get_running_loop().create_task(self._notify())
        return update

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def _take_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def _user(self, user_id: int) -> dict[str, Any]:
        return {
            "id": user_id,
            "is_bot": False,
            "first_name": USER_FIRST_NAME,
            "language_code": self._languages.get(user_id, "pl"),
        }

    @staticmethod
    def _private_chat(chat_id: int) -> dict[str, Any]:
        return {"id": chat_id, "type": "private", "first_name": USER_FIRST_NAME}

    def _chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id > 0:
            return self._private_chat(chat_id)
        return {"id": chat_id, "type": "supergroup", "title": "Coordinators"}

    def _new_message(self, params: Params, **fields: Any) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message: dict[str, Any] = {
            "message_id": self._take_message_id(chat_id),
            "from": {k: self.bot_user[k] for k in ("id", "is_bot", "first_name", "username")},
            "chat": self._chat(chat_id),
            "date": int(time.time()),
            **fields,
        }
        _set_markup(message, params)
        self.messages[(chat_id, message["message_id"])] = message
        self.chat_messages.setdefault(chat_id, []).append(message)
        return dict(message)

    def _existing_message(self, params: Params) -> dict[str, Any] | None:
        if params.get("inline_message_id"):
            return None
        key = (int(params["chat_id"]), int(params["message_id"]))
        if key not in self.messages:
            raise KeyError("Bad Request: message to edit not found")
        return self.messages[key]


def _set_markup(message: dict[str, Any], params: Params) -> None:
    markup = params.get("reply_markup")
    if isinstance(markup, str):
        markup = json.loads(markup)
    if markup and "inline_keyboard" in markup:
        message["reply_markup"] = markup
    else:
        message.pop("reply_markup", None)


def _visible_text(text: str, parse_mode: str | None) -> str:
    """What Telegram stores: HTML markup removed (entities are not reproduced)."""
    if parse_mode and parse_mode.upper() == "HTML":
        return html.unescape(_TAG.sub("", text))
    return text


def _unchanged(existing: dict[str, Any], name: str, params: Params) -> bool:
    markup = params.get("reply_markup")
    new_markup = json.loads(markup) if isinstance(markup, str) and markup else None
    same_markup = (new_markup or None) == (existing.get("reply_markup") or None)
    if name == "editMessageReplyMarkup":
        return same_markup
    text = _visible_text(str(params.get("text", "")), params.get("parse_mode"))
    return same_markup and text == existing.get("text")


def _error(code: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    payload: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        payload["parameters"] = parameters
    return web.json_response(payload, status=code)
