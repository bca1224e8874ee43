"""An in-process Telegram Bot API: the session behind the console channel and the tests.

It answers the Bot API methods this bot uses with real, validated Telegram objects and keeps
each chat's messages, so buttons can be pressed and replies quoted. It is as strict as
Telegram: it refuses HTML that Telegram's parser refuses, text over 4,096 and captions over
1,024 UTF-16 units (after entities are parsed), empty text, callback data over 64 bytes, an
edit that changes nothing ("message is not modified") and a second answer to one button
press. Any other method fails loudly, so a handler that starts calling something new cannot
go unnoticed. Failures can be injected per chat, as Telegram and a coordinators' chat
sometimes fail: 429 with retry_after, 5xx, timeouts, "bot was blocked", chat not found, and a
lost response (the message is delivered, the answer never arrives).
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncGenerator, Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import (
    AnswerCallbackQuery,
    DeleteMessage,
    DeleteWebhook,
    EditMessageReplyMarkup,
    EditMessageText,
    GetMe,
    SendDocument,
    SendMessage,
    SendPhoto,
    SetMyCommands,
    TelegramMethod,
)
from aiogram.types import InlineKeyboardMarkup, InputFile

from handlers.platform.telegram_html import (
    CALLBACK_DATA_LIMIT,
    CAPTION_LIMIT,
    TEXT_LIMIT,
    TelegramHtmlError,
    parse_html,
    utf16_len,
    visible_text,
)

_COMMAND_NAME = re.compile(r"[a-z0-9_]{1,32}")
BOT_USER = {"id": 42, "is_bot": True, "first_name": "LIS Gdynia", "username": "lis_gdynia_bot"}


class UnexpectedTelegramCall(AssertionError):
    """The bot called a Bot API method the local Telegram does not know."""


class Refused(Exception):
    """What Telegram answers with an error: (HTTP status, description, parameters)."""

    def __init__(self, status: int, description: str, **parameters: Any) -> None:
        super().__init__(description)
        self.status, self.description, self.parameters = status, description, parameters

    def payload(self) -> dict[str, Any]:
        payload: dict[str, Any] = {"ok": False, "error_code": self.status,
                                   "description": self.description}
        if self.parameters:
            payload["parameters"] = self.parameters
        return payload


# Failures to inject with `LocalTelegram.fail_next`.
def too_many_requests(retry_after: int) -> Refused:
    return Refused(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)


def server_error(status: int = 502) -> Refused:
    return Refused(status, "Bad Gateway" if status == 502 else "Internal Server Error")


def blocked() -> Refused:
    return Refused(403, "Forbidden: bot was blocked by the user")


def chat_not_found() -> Refused:
    return Refused(400, "Bad Request: chat not found")


TIMEOUT = "timeout"  # the request times out; nothing is delivered
LOST_RESPONSE = "lost"  # delivered, but the answer is lost (the bot sees a network error)


@dataclass(frozen=True)
class Held:
    """The request waits until `released` is set (a slow Telegram), then goes through."""

    released: asyncio.Event


Failure = Refused | Held | str


@dataclass(frozen=True)
class Button:
    label: str
    callback_data: str | None = None
    url: str | None = None


@dataclass
class SentMessage:
    chat_id: int
    message_id: int
    html: str
    buttons: list[list[Button]] = field(default_factory=list)
    document_name: str | None = None
    document: bytes | None = None
    reply_to: int | None = None  # the message it answers, if any
    photo: bool = False  # the document is a picture (sendPhoto)
    edited: bool = False
    deleted: bool = False

    @property
    def text(self) -> str:
        """What the resident reads: the HTML rendered as plain text, links shown in brackets."""
        return html_to_text(self.html)

    @property
    def labels(self) -> list[str]:
        return [button.label for row in self.buttons for button in row]

    def button(self, label_or_number: str | int) -> Button:
        flat = [button for row in self.buttons for button in row]
        if isinstance(label_or_number, int):
            return flat[label_or_number - 1]
        return next(b for b in flat if b.label == label_or_number)


@dataclass
class CallbackAnswer:
    callback_query_id: str
    text: str | None
    show_alert: bool


Listener = Callable[[str, SentMessage | CallbackAnswer], None]


class LocalTelegram(BaseSession):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[TelegramMethod[Any]] = []
        self.messages: dict[tuple[int, int], SentMessage] = {}
        self.callback_answers: list[CallbackAnswer] = []
        self.refusals: list[tuple[str, str]] = []  # (method, description) Telegram would answer
        self.commands: dict[tuple[str, str], list[tuple[str, str]]] = {}  # (scope, language)
        self._next_message_id: dict[int, int] = {}
        self._failures: dict[int, list[Failure]] = {}
        self._answered_queries: set[str] = set()
        self._callback_count = 0
        self._listeners: list[Listener] = []

    # -- inspection -------------------------------------------------------------------------

    def subscribe(self, listener: Listener) -> None:
        """Call `listener(kind, item)` for every message sent ('sent'), edited, or answer."""
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        self._listeners.remove(listener)

    def chat_history(self, chat_id: int) -> list[SentMessage]:
        return [m for (chat, _), m in self.messages.items() if chat == chat_id and not m.deleted]

    def latest_with_buttons(self, chat_id: int) -> SentMessage | None:
        return next((m for m in reversed(self.chat_history(chat_id)) if m.buttons), None)

    def latest(self, chat_id: int) -> SentMessage | None:
        history = self.chat_history(chat_id)
        return history[-1] if history else None

    def register_incoming(self, chat_id: int, message_id: int) -> None:
        """Keep bot and resident message ids apart, as Telegram does within one chat."""
        self._next_message_id[chat_id] = max(self._next_message_id.get(chat_id, 1), message_id + 1)

    def next_callback_id(self) -> str:
        """Telegram's button-press ids are unique for good: a new bot process sees new ones."""
        self._callback_count += 1
        return f"cb{self._callback_count}"

    def next_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def fail_next(self, chat_id: int, *failures: Failure) -> None:
        """The next calls addressed to `chat_id` fail like this, one failure per call."""
        self._failures.setdefault(chat_id, []).extend(failures)

    def fail_deliveries(self, chat_id: int, times: int, *, error_code: int = 502,
                        description: str = "Bad Gateway") -> None:
        """Make the next `times` messages to `chat_id` fail as Telegram would."""
        self.fail_next(chat_id, *[Refused(error_code, description)] * times)

    # -- BaseSession ------------------------------------------------------------------------

    async def make_request(
        self, bot: Bot, method: TelegramMethod[Any], timeout: int | None = None
    ) -> Any:
        self.calls.append(method)
        handler = self._handlers().get(type(method))
        if handler is None:
            raise UnexpectedTelegramCall(f"unexpected Telegram call: {type(method).__name__}")
        chat_id = getattr(method, "chat_id", None)
        failure = self._failures[chat_id].pop(0) if isinstance(chat_id, int) and (
            self._failures.get(chat_id)) else None
        if failure == TIMEOUT:
            raise TelegramNetworkError(method, "Request timeout error")
        if isinstance(failure, Held):
            await failure.released.wait()
        try:
            if isinstance(failure, Refused):
                raise failure
            result = await handler(bot, method)
        except Refused as refused:
            self.refusals.append((type(method).__name__, refused.description))
            return self.check_response(bot, method, refused.status,
                                       json.dumps(refused.payload())).result
        if failure == LOST_RESPONSE:
            raise TelegramNetworkError(method, "Server disconnected")
        payload = {"ok": True, "result": result}
        return self.check_response(bot, method, 200, json.dumps(payload)).result

    async def stream_content(
        self, url: str, headers: dict[str, Any] | None = None, timeout: int = 30,
        chunk_size: int = 65536, raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        raise UnexpectedTelegramCall("unexpected file download")
        yield b""  # pragma: no cover  (makes this an async generator)

    async def close(self) -> None:
        """Nothing to close: no network."""

    # -- methods ----------------------------------------------------------------------------

    def _handlers(self) -> dict[type, Callable[[Bot, Any], Any]]:
        return {
            GetMe: self._get_me,
            SendMessage: self._send_message,
            EditMessageText: self._edit_text,
            EditMessageReplyMarkup: self._edit_markup,
            AnswerCallbackQuery: self._answer_callback,
            SendDocument: self._send_document,
            SendPhoto: self._send_photo,
            DeleteMessage: self._delete_message,
            DeleteWebhook: self._true,
            SetMyCommands: self._set_commands,
        }

    async def _true(self, bot: Bot, method: Any) -> bool:
        return True

    async def _set_commands(self, bot: Bot, method: SetMyCommands) -> bool:
        """Refuses what Telegram refuses: bad names, empty or long descriptions, >100."""
        names = [command.command for command in method.commands]
        if len(names) > 100 or len(set(names)) != len(names):
            raise Refused(400, "Bad Request: too many or repeated commands")
        for command in method.commands:
            if not _COMMAND_NAME.fullmatch(command.command):
                raise Refused(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.description) <= 256:
                raise Refused(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        scope = method.scope.model_dump(exclude_none=True) if method.scope else {"type": "default"}
        key = (json.dumps(scope, sort_keys=True), method.language_code or "")
        self.commands[key] = [(c.command, c.description) for c in method.commands]
        return True

    def menu(self, scope: dict[str, Any], language_code: str = "") -> list[tuple[str, str]]:
        """The commands set for a scope (e.g. {"type": "all_private_chats"}) and language."""
        return self.commands.get((json.dumps(scope, sort_keys=True), language_code), [])

    async def _get_me(self, bot: Bot, method: GetMe) -> dict[str, Any]:
        return BOT_USER

    async def _send_message(self, bot: Bot, method: SendMessage) -> dict[str, Any]:
        chat_id = int(method.chat_id)
        check_text(method.text, TEXT_LIMIT, _html_mode(bot, method.parse_mode))
        check_markup(method.reply_markup)
        message = SentMessage(
            chat_id=chat_id,
            message_id=self.next_message_id(chat_id),
            html=method.text,
            buttons=_buttons(method.reply_markup),
            reply_to=_reply_to(method.reply_parameters),
        )
        return self._store(message, "sent")

    async def _send_document(self, bot: Bot, method: SendDocument) -> dict[str, Any]:
        chat_id = int(method.chat_id)
        if method.caption:
            check_text(method.caption, CAPTION_LIMIT, _html_mode(bot, method.parse_mode))
        check_markup(method.reply_markup)
        document: InputFile = method.document  # type: ignore[assignment]
        content = b"".join([chunk async for chunk in document.read(bot)])
        message = SentMessage(
            chat_id=chat_id,
            message_id=self.next_message_id(chat_id),
            html=method.caption or "",
            buttons=_buttons(method.reply_markup),
            document_name=document.filename or "document",
            document=content,
            reply_to=_reply_to(method.reply_parameters),
        )
        return self._store(message, "sent")

    async def _send_photo(self, bot: Bot, method: SendPhoto) -> dict[str, Any]:
        chat_id = int(method.chat_id)
        if method.caption:
            check_text(method.caption, CAPTION_LIMIT, _html_mode(bot, method.parse_mode))
        photo: InputFile = method.photo  # type: ignore[assignment]
        content = b"".join([chunk async for chunk in photo.read(bot)])
        if not content.startswith(b"\x89PNG") and not content.startswith(b"\xff\xd8"):
            raise Refused(400, "Bad Request: IMAGE_PROCESS_FAILED")
        message = SentMessage(chat_id=chat_id, message_id=self.next_message_id(chat_id),
                              html=method.caption or "", buttons=_buttons(method.reply_markup),
                              document_name=photo.filename or "photo.png", document=content,
                              photo=True)
        return self._store(message, "sent")

    async def _edit_text(self, bot: Bot, method: EditMessageText) -> dict[str, Any]:
        message = self._existing(method.chat_id, method.message_id)
        text = method.text or ""
        check_text(text, TEXT_LIMIT, _html_mode(bot, method.parse_mode))
        check_markup(method.reply_markup)
        if text == message.html and _buttons(method.reply_markup) == message.buttons:
            raise Refused(400, NOT_MODIFIED)
        message.html = text
        message.buttons = _buttons(method.reply_markup)
        message.edited = True
        return self._store(message, "edited")

    async def _edit_markup(self, bot: Bot, method: EditMessageReplyMarkup) -> dict[str, Any]:
        message = self._existing(method.chat_id, method.message_id)
        check_markup(method.reply_markup)
        if _buttons(method.reply_markup) == message.buttons:
            raise Refused(400, NOT_MODIFIED)
        message.buttons = _buttons(method.reply_markup)
        message.edited = True
        return self._store(message, "edited")

    async def _delete_message(self, bot: Bot, method: DeleteMessage) -> bool:
        self._existing(method.chat_id, method.message_id).deleted = True
        return True

    async def _answer_callback(self, bot: Bot, method: AnswerCallbackQuery) -> bool:
        if method.callback_query_id in self._answered_queries:
            raise Refused(400, "Bad Request: query is too old and response timeout expired or "
                               "query ID is invalid")
        self._answered_queries.add(method.callback_query_id)
        if method.text and utf16_len(method.text) > 200:
            raise Refused(400, "Bad Request: MESSAGE_TOO_LONG")
        answer = CallbackAnswer(method.callback_query_id, method.text, bool(method.show_alert))
        self.callback_answers.append(answer)
        self._notify("answered", answer)
        return True

    def _existing(self, chat_id: Any, message_id: Any) -> SentMessage:
        key = (int(chat_id), int(message_id))
        if key not in self.messages or self.messages[key].deleted:
            raise Refused(400, "Bad Request: message to edit not found")
        return self.messages[key]

    def _store(self, message: SentMessage, kind: str) -> dict[str, Any]:
        self.messages[(message.chat_id, message.message_id)] = message
        self._notify(kind, message)
        return message_payload(message)

    def _notify(self, kind: str, item: SentMessage | CallbackAnswer) -> None:
        for listener in self._listeners:
            listener(kind, item)


NOT_MODIFIED = ("Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message")


def _html_mode(bot: Bot, parse_mode: Any) -> bool:
    mode = bot.default.parse_mode if parse_mode is None or not isinstance(parse_mode, str) else (
        parse_mode)
    return isinstance(mode, str) and mode.upper() == "HTML"


def check_text(text: str, limit: int, html_mode: bool) -> None:
    """Refuse what Telegram refuses: unparsable HTML, empty or over-long visible text."""
    try:
        visible = parse_html(text) if html_mode else text.strip()
    except TelegramHtmlError as error:
        raise Refused(400, f"Bad Request: can't parse entities: {error}") from None
    if not visible:
        raise Refused(400, "Bad Request: message text is empty")
    if utf16_len(visible) > limit:
        raise Refused(400, "Bad Request: message is too long" if limit == TEXT_LIMIT
                      else "Bad Request: message caption is too long")


def check_markup(markup: Any) -> None:
    if not isinstance(markup, InlineKeyboardMarkup):
        return
    for row in markup.inline_keyboard:
        for button in row:
            if not button.text.strip():
                raise Refused(400, "Bad Request: text buttons are unallowed in the inline keyboard")
            data = button.callback_data
            if data is not None and not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
                raise Refused(400, "Bad Request: BUTTON_DATA_INVALID")


def chat_payload(chat_id: int) -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": "Resident"}
    return {"id": chat_id, "type": "supergroup", "title": "Coordinators"}


def message_payload(message: SentMessage) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "message_id": message.message_id,
        "date": int(time.time()),
        "chat": chat_payload(message.chat_id),
        "from": BOT_USER,
    }
    if message.photo:
        payload["photo"] = [{"file_id": f"photo-{message.message_id}",
                             "file_unique_id": f"photo-{message.message_id}",
                             "width": 900, "height": 420}]
        if message.html:
            payload["caption"] = visible_text(message.html)
    elif message.document_name:
        payload["document"] = {
            "file_id": f"doc-{message.message_id}",
            "file_unique_id": f"doc-{message.message_id}",
            "file_name": message.document_name,
        }
        if message.html:
            payload["caption"] = visible_text(message.html)
    else:
        payload["text"] = visible_text(message.html)
    if message.buttons:
        payload["reply_markup"] = {
            "inline_keyboard": [
                [
                    {"text": b.label, "callback_data": b.callback_data}
                    if b.url is None
                    else {"text": b.label, "url": b.url}
                    for b in row
                ]
                for row in message.buttons
            ]
        }
    return payload


def _reply_to(parameters: Any) -> int | None:
    return int(parameters.message_id) if parameters is not None else None


def _buttons(markup: Any) -> list[list[Button]]:
    if not isinstance(markup, InlineKeyboardMarkup):
        return []
    return [
        [Button(b.text, b.callback_data, b.url) for b in row] for row in markup.inline_keyboard
    ]


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._href: str | None = None
        self._link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href")
            self._link_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            text = "".join(self._link_text)
            self.parts.append(text if text == self._href else f"{text} ({self._href})")
            self._href = None

    def handle_data(self, data: str) -> None:
        (self._link_text if self._href is not None else self.parts).append(data)


def html_to_text(markup: str) -> str:
    extractor = _TextExtractor()
    extractor.feed(markup)
    extractor.close()
    return "".join(extractor.parts)
