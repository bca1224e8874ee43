"""Retention: delete what is past the period set for its purpose (knowledge/consents.yaml)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from knowledge.model import ConsentPolicy
from storage.consents import WITHDRAWN
from storage.models import (
    ConsentEvent,
    FsmRecord,
    Idea,
    LanguagePreference,
    NewsSubscription,
    OutboxMessage,
    UnansweredQuestion,
)

# Each purpose's own data, and the column that dates it.
PURPOSE_TABLES = {
    "preferences": (LanguagePreference, LanguagePreference.updated_at),
    "news": (NewsSubscription, NewsSubscription.created_at),
    "bo_idea": (Idea, Idea.created_at),
}


async def purge(session: AsyncSession, policy: ConsentPolicy, now: datetime) -> dict[str, int]:
    """Delete everything past retention; returns how many records went, by kind."""
    days = policy.retention
    counts = {
        "unfinished_forms": await _delete_older(
            session, FsmRecord, FsmRecord.updated_at, now - timedelta(days=days.drafts_days)),
        "unanswered_questions": await _delete_older(
            session, UnansweredQuestion, UnansweredQuestion.created_at,
            now - timedelta(days=days.unanswered_days)),
    }
    ideas_policy = policy.purposes.get("bo_idea")
    if ideas_policy is not None and ideas_policy.retention_days is not None:
        cutoff = now - timedelta(days=ideas_policy.retention_days)
        expired = select(Idea.id).where(Idea.created_at < cutoff)
        await session.exec(delete(OutboxMessage).where(col(OutboxMessage.idea_id).in_(expired)))
    for purpose, (model, dated_by) in PURPOSE_TABLES.items():
        retention_days = policy.purposes[purpose].retention_days if purpose in policy.purposes else None
        counts[purpose] = 0 if retention_days is None else await _delete_older(
            session, model, dated_by, now - timedelta(days=retention_days))
    counts["consent_proofs"] = await _purge_proofs(session, now - timedelta(days=days.proof_days))
    await session.commit()
    return counts


async def _delete_older(session: AsyncSession, model: type, dated_by: object, cutoff: datetime) -> int:
    result = await session.exec(delete(model).where(dated_by < cutoff))  # type: ignore[operator]
    return result.rowcount or 0


async def _purge_proofs(session: AsyncSession, cutoff: datetime) -> int:
    """A consent's whole history goes once it was withdrawn longer ago than the proof period."""
    events = (await session.exec(
        select(ConsentEvent).order_by(col(ConsentEvent.recorded_at), col(ConsentEvent.id))
    )).all()
    latest: dict[tuple[str, str], ConsentEvent] = {}
    for event in events:
        latest[(event.subject, event.purpose)] = event
    expired = [key for key, event in latest.items()
               if event.event == WITHDRAWN and event.recorded_at < cutoff]
    removed = 0
    for subject, purpose in expired:
        result = await session.exec(delete(ConsentEvent).where(
            ConsentEvent.subject == subject, ConsentEvent.purpose == purpose))
        removed += result.rowcount or 0
    return removed
