"""An entry's answer (light markup) as Telegram HTML, escaped, with dated stages filled in."""

from __future__ import annotations

import html
import re
from datetime import date

from babel.dates import format_date

from knowledge.model import Entry, KnowledgeBase, Stage, Timeline

TELEGRAM_TEXT_LIMIT = 4096
TIMELINE_PLACEHOLDER = "{{timeline}}"

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_LINK = re.compile(r"\[([^\]\n]+)\]\((https?://[^\s)]+)\)")
_LIST_ITEM = re.compile(r"^- ", re.MULTILINE)


def markup_to_html(text: str) -> str:
    """Escape everything, then turn **bold**, [text](url) and '- ' items into Telegram HTML."""
    escaped = html.escape(text.strip(), quote=False)
    escaped = _LINK.sub(
        lambda m: f'<a href="{html.escape(m.group(2), quote=True)}">{m.group(1)}</a>', escaped
    )
    escaped = _BOLD.sub(r"<b>\1</b>", escaped)
    return _LIST_ITEM.sub("• ", escaped)


def render_answer(base: KnowledgeBase, entry: Entry, locale: str, today: date) -> str:
    text = entry.answer.get(locale) or entry.answer["pl"]
    if entry.timeline and TIMELINE_PLACEHOLDER in text:
        timeline = base.timelines.get(entry.timeline)
        summary = describe_timeline(timeline, locale, today) if timeline else ""
        text = text.replace(TIMELINE_PLACEHOLDER, summary)
    rendered = markup_to_html(text)
    if len(rendered) > TELEGRAM_TEXT_LIMIT:
        # The validator warns about long answers; never let Telegram reject one.
        rendered = markup_to_html(text[: TELEGRAM_TEXT_LIMIT // 2]) + "…"
    return rendered


def describe_timeline(timeline: Timeline, locale: str, today: date) -> str:
    """'Now: X (dates). Next: Y (dates).' in the resident's language, from dated stages."""
    phrase = lambda key: timeline.phrases[key].get(locale) or timeline.phrases[key]["pl"]  # noqa: E731
    current = [s for s in timeline.stages if (s.start or s.end) <= today <= s.end]
    upcoming = [s for s in timeline.stages if (s.start or s.end) > today]
    lines = [f"**{timeline.title.get(locale) or timeline.title['pl']}**"]
    for stage in current:
        lines.append(f"{phrase('now')}: {_stage_text(stage, locale)}")
    if upcoming:
        lines.append(f"{phrase('next')}: {_stage_text(upcoming[0], locale)}")
    else:
        lines.append(phrase("finished"))
    return "\n".join(lines)


def _stage_text(stage: Stage, locale: str) -> str:
    name = stage.name.get(locale) or stage.name["pl"]
    return f"{name} ({format_period(stage.start, stage.end, locale)})"


def format_period(start: date | None, end: date, locale: str) -> str:
    last = format_date(end, "d MMMM y", locale=locale)
    if start is None or start == end:
        return last
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{last}"
    if start.year != end.year:
        return f"{format_date(start, 'd MMMM y', locale=locale)} – {last}"
    return f"{format_date(start, 'd MMMM', locale=locale)} – {last}"
