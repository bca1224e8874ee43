"""Inline keyboards, built the way aiogram's `Keyboard` builds them, cheaply.

The builder deep-copies every button it holds each time one is added (and again to export),
which made keyboards the largest single cost of an answer (~0.25 ms each, several per
update). This keeps its `button`, `adjust` and `as_markup` and the same rules: rows of at most
8 buttons, at most 100, callback data packed from `CallbackData`.
"""

from __future__ import annotations

from typing import Any

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

MAX_WIDTH = 8
MAX_BUTTONS = 100


class Keyboard:
    def __init__(self) -> None:
        self._buttons: list[InlineKeyboardButton] = []
        self._sizes: tuple[int, ...] = (MAX_WIDTH,)

    def button(self, *, text: str, callback_data: str | CallbackData | None = None,
               **fields: Any) -> Keyboard:
        if isinstance(callback_data, CallbackData):
            callback_data = callback_data.pack()
        if len(self._buttons) >= MAX_BUTTONS:
            raise ValueError(f"a keyboard holds at most {MAX_BUTTONS} buttons")
        self._buttons.append(InlineKeyboardButton(text=text, callback_data=callback_data,
                                                  **fields))
        return self

    def adjust(self, *sizes: int) -> Keyboard:
        """Rows of these sizes, the last size repeated for the buttons left over."""
        for size in sizes:
            if not 1 <= size <= MAX_WIDTH:
                raise ValueError(f"row size {size} is not allowed, range: [1, {MAX_WIDTH}]")
        self._sizes = sizes or (MAX_WIDTH,)
        return self

    def rows(self) -> list[list[InlineKeyboardButton]]:
        rows: list[list[InlineKeyboardButton]] = []
        position = 0
        while position < len(self._buttons):
            size = self._sizes[min(len(rows), len(self._sizes) - 1)]
            rows.append(self._buttons[position:position + size])
            position += size
        return rows

    def as_markup(self) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup(inline_keyboard=self.rows())
