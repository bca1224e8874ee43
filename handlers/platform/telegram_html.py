"""Telegram's rules for HTML messages: what it accepts, what a resident sees, how long it is.

Telegram counts lengths in UTF-16 code units of the visible text (after tags and entities are
parsed): 4,096 for a message, 1,024 for a caption; an emoji outside the BMP counts twice. It
refuses unknown tags, unclosed tags, a bare `<` or `&`, and named entities other than four.
The strict fakes in the console channel and the tests use `parse_html` to refuse what Telegram
refuses; handlers use `fit` and `split_message` so they never send what it would refuse.
"""

from __future__ import annotations

import html
import re

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64  # bytes
ALLOWED_TAGS = frozenset({
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
    "tg-spoiler", "span", "blockquote", "tg-emoji",
})
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*)?)\s*>")
_ENTITY = re.compile(r"&(#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z]+);")
ELLIPSIS = "…"
_SPACE_OUTSIDE_TAGS = re.compile(r" (?![^<]*>)")


class TelegramHtmlError(ValueError):
    """What Telegram answers 'Bad Request: can't parse entities: …' to."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def parse_html(markup: str) -> str:
    """The visible text of a message as Telegram parses it; TelegramHtmlError if refused."""
    visible: list[str] = []
    open_tags: list[str] = []
    position = 0
    while position < len(markup):
        char = markup[position]
        if char == "<":
            match = _TAG.match(markup, position)
            offset = len(markup[:position].encode())
            if match is None:
                raise TelegramHtmlError(f"Unsupported start tag at byte offset {offset}")
            closing, name = match.group(1) == "/", match.group(2).lower()
            if name not in ALLOWED_TAGS:
                raise TelegramHtmlError(f'Unsupported start tag "{name}" at byte offset {offset}')
            if closing:
                if not open_tags or open_tags[-1] != name:
                    raise TelegramHtmlError(f'Unexpected end tag "{name}" at byte offset {offset}')
                open_tags.pop()
            else:
                if name == "a" and "a" in open_tags:
                    raise TelegramHtmlError("Nested links are not supported")
                open_tags.append(name)
            position = match.end()
        elif char == "&":
            match = _ENTITY.match(markup, position)
            if match is None or not _entity_known(match.group(1)):
                offset = len(markup[:position].encode())
                raise TelegramHtmlError(f"Unsupported HTML entity at byte offset {offset}")
            visible.append(_entity_text(match.group(1)))
            position = match.end()
        elif char == ">":
            visible.append(char)  # Telegram tolerates a bare '>'
            position += 1
        else:
            visible.append(char)
            position += 1
    if open_tags:
        raise TelegramHtmlError(f'Can\'t find end tag corresponding to start tag "{open_tags[-1]}"')
    return "".join(visible).strip()


def _entity_known(body: str) -> bool:
    return body.startswith("#") or body in NAMED_ENTITIES


def _entity_text(body: str) -> str:
    if body.startswith("#x"):
        return chr(int(body[2:], 16))
    if body.startswith("#"):
        return chr(int(body[1:]))
    return NAMED_ENTITIES[body]


def visible_text(markup: str) -> str:
    """What the resident reads (Telegram trims the ends); lenient for text that would fail."""
    try:
        return parse_html(markup)
    except TelegramHtmlError:
        return html.unescape(_TAG.sub("", markup)).strip()


def visible_length(markup: str) -> int:
    return utf16_len(visible_text(markup))


def cut_plain(text: str, limit: int) -> str:
    """Plain text cut to `limit` UTF-16 units, with an ellipsis when shortened."""
    if utf16_len(text) <= limit:
        return text
    kept: list[str] = []
    used = 0
    for char in text:
        size = utf16_len(char)
        if used + size > limit - 1:
            break
        kept.append(char)
        used += size
    return "".join(kept).rstrip() + ELLIPSIS


def split_message(markup: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Split HTML into messages within `limit`, at paragraph, line or sentence boundaries.

    Tags open at a cut are closed at its end and reopened in the next part, so every part is
    valid on its own.
    """
    if visible_length(markup) <= limit:
        return [markup]
    parts: list[str] = []
    current = ""
    for piece in _pieces(markup, limit):
        candidate = current + piece
        if current and visible_length(_closed(candidate)) > limit:
            parts.append(_closed(current).strip())
            current = _reopened(current) + piece.lstrip("\n")
        else:
            current = candidate
    if current.strip():
        parts.append(_closed(current).strip())
    return [part for part in parts if visible_text(part)]


def _pieces(markup: str, limit: int) -> list[str]:
    """Paragraphs; a paragraph over the limit goes by lines, then sentences, then words."""
    pieces: list[str] = []
    for paragraph in re.split(r"(?<=\n\n)", markup):
        if visible_length(paragraph) <= limit:
            pieces.append(paragraph)
            continue
        for line in re.split(r"(?<=\n)", paragraph):
            if visible_length(line) <= limit:
                pieces.append(line)
                continue
            for sentence in re.split(r"(?<=[.!?…])\s+", line):
                if visible_length(sentence) <= limit:
                    pieces.append(sentence + " ")
                else:
                    pieces += [word + " " for word in _words_within(sentence, limit)]
    return pieces


def _words_within(sentence: str, limit: int) -> list[str]:
    words: list[str] = []
    for word in _SPACE_OUTSIDE_TAGS.split(sentence):  # `<a href="…">` is one piece
        while visible_length(word) > limit:  # one enormous "word"
            cut = _safe_cut(word, limit // 2)
            words.append(word[:cut])
            word = word[cut:]
        words.append(word)
    return words


def _safe_cut(text: str, index: int) -> int:
    """An index near `index` that is not inside a tag or an entity: before the one it falls
    in, or after it when it starts the text."""
    for opener, closer in (("<", ">"), ("&", ";")):
        start = text.rfind(opener, 0, index)
        end = text.find(closer, start) if start != -1 else -1
        if start != -1 and end >= index:
            index = start if start > 0 else end + 1
    return max(index, 1)


def _open_tags(markup: str) -> list[str]:
    """Opening tags (as written) still open at the end of `markup`."""
    stack: list[str] = []
    for match in _TAG.finditer(markup):
        name = match.group(2).lower()
        if match.group(1) == "/":
            if stack and _TAG.match(stack[-1]).group(2).lower() == name:  # type: ignore[union-attr]
                stack.pop()
        else:
            stack.append(match.group(0))
    return stack


def _closed(markup: str) -> str:
    closing = "".join(
        f"</{_TAG.match(tag).group(2).lower()}>"  # type: ignore[union-attr]
        for tag in reversed(_open_tags(markup))
    )
    return markup + closing


def _reopened(markup: str) -> str:
    return "".join(_open_tags(markup))


def fit(markup: str, limit: int = TEXT_LIMIT) -> str:
    """The first part of `markup` that fits one message (used where splitting cannot help)."""
    parts = split_message(markup, limit - 2)
    if visible_length(markup) <= limit:
        return markup
    if len(parts) == 1:
        return parts[0]
    return parts[0] + "\n" + ELLIPSIS
