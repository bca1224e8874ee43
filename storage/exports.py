"""Exports for coordinators: BO ideas, sign-ups and questions to staff, as rows.

Only what each purpose allows goes out (no pseudonyms, no Telegram ids). Every export is
logged: who (a coordinator's pseudonym), when, what and how many rows, never the data itself.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from knowledge.model import GDYNIA
from storage.models import ExportLog, Idea, Signup, Ticket

KINDS = ("ideas", "signups", "tickets")
FORMATS = ("csv", "xlsx")
# Column keys per export (the caller translates them into headers).
COLUMNS = {
    "ideas": ("reference", "edition", "level", "district", "size", "title", "description",
              "kind", "location", "cost", "contact_name", "contact_email", "contact_phone",
              "reply_in_telegram", "status", "status_reason", "created_at"),
    "signups": ("event", "name", "contact", "needs", "status", "created_at"),
    "tickets": ("reference", "locale", "question", "status", "created_at", "first_answer_at",
                "closed_at", "rating"),
}
FILTERS = {"ideas": ("edition", "district", "status"), "signups": ("event", "status"),
           "tickets": ("status",)}


def _cell(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(GDYNIA).strftime("%Y-%m-%d %H:%M")
    return "" if value is None else value


async def export_rows(session: AsyncSession, what: str, filters: dict[str, str]
                      ) -> list[list[Any]]:
    if what == "ideas":
        query = select(Idea).order_by(col(Idea.id))
        if "edition" in filters and filters["edition"].isdecimal():
            query = query.where(col(Idea.edition) == int(filters["edition"]))
        if "district" in filters:
            query = query.where(col(Idea.district) == filters["district"])
        if "status" in filters:
            query = query.where(col(Idea.status) == filters["status"])
        return [[_cell(getattr(idea, name)) for name in COLUMNS["ideas"]]
                for idea in (await session.exec(query)).all()]
    if what == "signups":
        query_s = select(Signup).order_by(col(Signup.event_id), col(Signup.id))
        if "event" in filters:
            query_s = query_s.where(col(Signup.event_id) == filters["event"])
        if "status" in filters:
            query_s = query_s.where(col(Signup.status) == filters["status"])
        return [[s.event_id, s.name, s.contact or "", s.needs or "", s.status,
                 _cell(s.created_at)] for s in (await session.exec(query_s)).all()]
    query_t = select(Ticket).order_by(col(Ticket.id))
    if "status" in filters:
        query_t = query_t.where(col(Ticket.status) == filters["status"])
    return [[t.reference, t.locale, t.question, t.status, _cell(t.created_at),
             _cell(t.first_answer_at), _cell(t.closed_at), _cell(t.rating)]
            for t in (await session.exec(query_t)).all()]


def to_csv(headers: Sequence[str], rows: list[list[Any]]) -> bytes:
    """UTF-8 with a byte-order mark and semicolons: opens right in a Polish spreadsheet."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([[_safe_cell(value) for value in row] for row in rows])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(headers: Sequence[str], rows: list[list[Any]], sheet: str) -> bytes:
    from openpyxl import Workbook  # only exports need it

    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.title = sheet[:31]
    worksheet.append(list(headers))
    for row in rows:
        worksheet.append([_safe_cell(value) for value in row])
    worksheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _safe_cell(value: Any) -> Any:
    """A resident's text must never run as a spreadsheet formula."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def log_export(session: AsyncSession, *, by: str, what: str, format_: str,
               filters: dict[str, str], rows: int, now: datetime) -> None:
    session.add(ExportLog(by=by, what=what, format=format_, filters=filters, rows=rows,
                          created_at=now))
