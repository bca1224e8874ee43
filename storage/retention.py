"""Retention: delete what is past the period set for its purpose (knowledge/consents.yaml).

Every declared purpose's data is purged by its own `PurposeData.purge`; unfinished forms,
masked unanswered questions, delivery records and withdrawn consents' proofs have periods of
their own. Nothing commits here: the caller's transaction does.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import SQLModel, col, delete, select
from sqlmodel.ext.asyncio.session import AsyncSession

from knowledge.model import ConsentPolicy
from storage.consents import WITHDRAWN
from storage.models import ConsentEvent, FsmRecord, UnansweredQuestion
from storage.outbox import purge_delivered
from storage.purposes import PurposeData


async def purge(
    session: AsyncSession, policy: ConsentPolicy, purposes: Mapping[str, PurposeData],
    now: datetime,
) -> dict[str, int]:
    """Delete everything past retention; returns how many records went, by kind."""
    days = policy.retention
    counts = {
        "unfinished_forms": await _delete_older(
            session, FsmRecord, FsmRecord.updated_at, now - timedelta(days=days.drafts_days)),
        "unanswered_questions": await _delete_older(
            session, UnansweredQuestion, UnansweredQuestion.created_at,
            now - timedelta(days=days.unanswered_days)),
    }
    for purpose, data in purposes.items():
        rule = policy.purposes.get(purpose)
        retention_days = rule.retention_days if rule else None
        counts[purpose] = 0 if retention_days is None else await data.purge(
            session, older_than=now - timedelta(days=retention_days))
    counts["delivery_records"] = await purge_delivered(session, now)
    counts["consent_proofs"] = await _purge_proofs(session, now - timedelta(days=days.proof_days))
    return counts


async def _delete_older(session: AsyncSession, model: type[SQLModel], dated_by: Any,
                        cutoff: datetime) -> int:
    result = await session.exec(delete(model).where(col(dated_by) < cutoff))
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
            col(ConsentEvent.subject) == subject, col(ConsentEvent.purpose) == purpose))
        removed += result.rowcount or 0
    return removed
