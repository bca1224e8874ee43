"""Routers, one per feature. Order matters: the first matching handler wins."""

from __future__ import annotations

from aiogram import Router

from handlers import fallback, language, questions, start


def build_routers() -> list[Router]:
    return [
        start.build_router(),
        language.build_router(),
        questions.build_router(),  # any free text is a question
        fallback.build_router(),  # must stay last
    ]
