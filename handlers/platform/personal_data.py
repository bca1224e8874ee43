"""Everything held about one resident, across every declared purpose: export and erasure.

Used by /mydata, /consents (withdrawal) and /forget. All of it happens in the update's
transaction: if anything fails midway, nothing is deleted. Drafts held in Redis go only after
that transaction has committed.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from aiogram.utils.i18n import gettext as _

from handlers.platform.context import Turn
from storage.consents import ConsentRepository
from storage.drafts import Draft
from storage.models import as_record
from storage.outbox import Outgoing, drop_pending, pending_about
from storage.purposes import Erased


@dataclass
class ErasureReport:
    per_purpose: dict[str, int] = field(default_factory=dict)
    drafts: int = 0
    queued: int = 0
    references: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.per_purpose.values()) + self.drafts


async def export_everything(turn: Turn, user_id: int, chosen_language: str | None
                            ) -> dict[str, Any]:
    subject = turn.subject(user_id)
    events = await ConsentRepository(turn.session).events(subject=subject)
    lis = turn.base.contacts.get("lis")
    document: dict[str, Any] = {
        "generated_at": turn.now.isoformat(),
        "controller": f"{lis.name.get('pl', '')}, {lis.address or ''}".strip(", ") if lis else "",
        "pseudonym": subject,
        "consent_events": [as_record(event) for event in events],
    }
    for purpose in turn.services.purposes:
        document[purpose.data.export_name] = await purpose.data.export(turn.session, subject)
    document["forms_in_progress"] = [
        {"form": draft.data.get("form"), "step": draft.data.get("step"), "answers": draft.data}
        for draft in await turn.services.drafts.drafts_of(subject)
    ]
    document["queued_messages"] = [
        {"kind": m.kind, "purpose": m.purpose, "about": m.ref_kind, "text": m.text,
         "queued_at": m.created_at.isoformat()}
        for m in await pending_about(turn.session, subject)
    ]
    document["language_chosen_in_this_session"] = chosen_language
    return document


async def submissions(turn: Turn, subject: str, purpose_ids: list[str]) -> list[str]:
    """What erasing these purposes would delete that staff have seen (to confirm first)."""
    found: list[str] = []
    for purpose_id in purpose_ids:
        purpose = turn.services.purposes.get(purpose_id)
        if purpose is not None:
            found += await purpose.data.submissions(turn.session, subject)
    return found


async def erase_purpose(turn: Turn, subject: str, purpose_id: str) -> ErasureReport:
    """Delete one purpose's data, its unfinished drafts and its queued messages."""
    report = ErasureReport()
    purpose = turn.services.purposes.get(purpose_id)
    if purpose is None:
        return report
    erased: Erased = await purpose.data.erase(turn.session, subject)
    report.per_purpose[purpose_id] = erased.count
    if purpose.tell_staff_on_erase:
        report.references += erased.references
    if purpose.after_erase is not None:
        await purpose.after_erase(turn, erased)
    report.queued = await drop_pending(turn.session, subject=subject, purpose=purpose_id)
    drafts = [d for d in await turn.services.drafts.drafts_of(subject) if d.purpose == purpose_id]
    report.drafts = await _delete_drafts(turn, subject, drafts)
    return report


async def erase_everything(turn: Turn, subject: str) -> ErasureReport:
    report = ErasureReport()
    for purpose in turn.services.purposes:
        erased = await purpose.data.erase(turn.session, subject)
        report.per_purpose[purpose.id] = erased.count
        if purpose.tell_staff_on_erase:
            report.references += erased.references
        if purpose.after_erase is not None:
            await purpose.after_erase(turn, erased)
    report.queued = await drop_pending(turn.session, subject=subject)
    drafts = await turn.services.drafts.drafts_of(subject)
    report.drafts = await _delete_drafts(turn, subject, drafts)
    return report


async def _delete_drafts(turn: Turn, subject: str, drafts: list[Draft]) -> int:
    keys = [draft.key for draft in drafts]
    if not keys:
        return 0
    store = turn.services.drafts
    if getattr(store, "transactional", False):
        await store.delete_drafts(subject, keys)
    else:  # Redis: only once the database part of the erasure has committed
        async def delete_later() -> None:
            await store.delete_drafts(subject, keys)

        turn.after_commit.append(delete_later)
    return len(keys)


def ask_staff_to_erase(turn: Turn, references: list[str]) -> None:
    """Art. 17/19: coordinators are asked (through the outbox) to delete their copies."""
    chat_id = turn.staff.chat_id
    if not references or chat_id is None:
        return
    with turn.services.i18n.use_locale(turn.staff.locale):
        text = _("A resident withdrew consent: please delete every copy of {references} "
                 "(messages, exports, notes).").format(
                     references=html.escape(", ".join(references)))
    turn.enqueue(Outgoing(chat_id=chat_id, text=text, role="erase.request"))
