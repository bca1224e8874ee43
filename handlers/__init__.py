"""Routers, one per feature. Order matters: the first matching handler wins."""

from __future__ import annotations

from aiogram import Router

from handlers import (
    consent,
    coordinators,
    fallback,
    idea_form,
    language,
    news,
    privacy,
    questions,
    start,
)


def build_routers() -> list[Router]:
    return [
        start.build_router(),
        language.build_router(),
        consent.build_router(),
        privacy.build_router(),
        news.build_router(),
        coordinators.build_router(),
        idea_form.build_router(),  # before questions: text typed into the form is an answer
        questions.build_router(),  # any free text is a question
        fallback.build_router(),  # must stay last
    ]


def build_consent_flows() -> consent.ConsentFlows:
    """What each purpose's flow does once the resident has consented."""
    return {
        language.PURPOSE: language.on_preferences_consent,
        news.PURPOSE: news.on_news_consent,
        idea_form.PURPOSE: idea_form.on_idea_consent,
    }
