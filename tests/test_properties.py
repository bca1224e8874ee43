"""Properties that must hold for any input, found by hypothesis rather than listed by hand:
the message splitter, the cost parser, the district matcher and callback-data parsing."""

from __future__ import annotations

import html
import re

from aiogram.filters.callback_data import CallbackData
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from bot.config import REPO_ROOT
from handlers.platform.answers import FeedbackCallback, TopicCallback
from handlers.platform.forms import FormCallback
from handlers.platform.telegram_html import parse_html, split_message, utf16_len
from handlers.resident.language import LanguageCallback
from handlers.resident.menu import MenuCallback
from handlers.views.events import EventCallback, SignupCallback
from knowledge.form_input import match_district, parse_amount
from knowledge.loader import load_knowledge

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
DISTRICTS = load_knowledge(REPO_ROOT / "knowledge").districts

# Residents' text: Polish and Ukrainian letters, emoji (two UTF-16 units), HTML's own
# characters, punctuation that ends sentences, spaces and newlines.
_LETTERS = "abcżółćęśąźńЖжЇїєґ🙂🏠<>&\"' .,!?…\n-"
plain_text = st.text(alphabet=_LETTERS, min_size=0, max_size=300)


@st.composite
def markup(draw: st.DrawFn) -> str:
    """Valid Telegram HTML as handlers write it: escaped text in paragraphs, some of it bold,
    italic or linked (tags never cross a paragraph)."""
    paragraphs = []
    for _ in range(draw(st.integers(1, 12))):
        parts = []
        for _ in range(draw(st.integers(1, 6))):
            text = html.escape(draw(plain_text).replace("\n", " "))
            tag = draw(st.sampled_from([None, "b", "i", "a"]))
            if tag == "a":
                parts.append(f'<a href="https://lis.gdynia.pl/">{text}</a>')
            elif tag:
                parts.append(f"<{tag}>{text}</{tag}>")
            else:
                parts.append(text)
        paragraphs.append(" ".join(parts))
    return "\n\n".join(paragraphs)


def _words(text: str) -> list[str]:
    return re.findall(r"\S+", text)


@SETTINGS
@given(markup(), st.integers(min_value=60, max_value=600))
@example('x <a href="https://lis.gdynia.pl/">' + "&lt;" * 100 + "</a>", 60)  # found by hypothesis:
@example("🏠" * 70 + " " + "&amp;" * 70, 60)  # a link's tag was cut at its space, then mid-tag
def test_every_part_is_valid_html_within_the_limit_and_nothing_is_lost(text: str, limit: int
                                                                       ) -> None:
    parts = split_message(text, limit)
    visible_parts = [parse_html(part) for part in parts]  # raises if Telegram would refuse
    assert all(utf16_len(visible) <= limit for visible in visible_parts)
    # Every word arrives, in order (a word longer than the limit may be cut in pieces).
    assert "".join(_words(" ".join(visible_parts))) == "".join(_words(parse_html(text)))


@SETTINGS
@given(markup())
def test_a_message_within_the_limit_is_sent_as_it_is(text: str) -> None:
    if utf16_len(parse_html(text)) <= 4096:
        assert split_message(text) == [text]


@SETTINGS
@given(st.integers(min_value=1, max_value=50_000_000))
@example(1_200)
def test_amounts_written_as_residents_write_them_read_back_the_same(amount: int) -> None:
    grouped = f"{amount:,}".replace(",", " ")
    for written in (str(amount), grouped, f"{grouped} zł", f"{amount} PLN", f"{amount}zł"):
        assert parse_amount(written) == amount, written


@SETTINGS
@given(st.text(max_size=80))
def test_the_cost_parser_never_crashes_and_never_reads_a_negative(text: str) -> None:
    value = parse_amount(text)
    assert value is None or value > 0


@SETTINGS
@given(st.sampled_from(DISTRICTS), st.sampled_from(["", "na ", "w ", "dzielnica "]),
       st.booleans(), st.booleans())
def test_a_district_is_found_however_it_is_cased_prefixed_or_spelt(district, prefix: str,
                                                                   upper: bool,
                                                                   plain: bool) -> None:
    name = district.name
    if plain:  # without diacritics, as on a phone without Polish keys
        name = name.translate(str.maketrans("ąćęłńóśźżĄĆĘŁŃÓŚŹŻ", "acelnoszzACELNOSZZ"))
    typed = (prefix + name).upper() if upper else prefix + name
    found = match_district(typed, DISTRICTS)
    assert found is not None and found.name == district.name


@SETTINGS
@given(st.text(max_size=60))
def test_the_district_matcher_never_crashes(text: str) -> None:
    found = match_district(text, DISTRICTS)
    assert found is None or found in DISTRICTS


CALLBACKS: list[type[CallbackData]] = [TopicCallback, FeedbackCallback, FormCallback,
                                       MenuCallback, LanguageCallback, EventCallback,
                                       SignupCallback]


@SETTINGS
@given(st.sampled_from(CALLBACKS), st.text(max_size=64))
def test_forged_callback_data_is_refused_with_a_value_error_only(kind: type[CallbackData],
                                                                 tail: str) -> None:
    """Whatever a client sends after a known prefix, parsing gives a valid object or a
    ValueError (which aiogram's filter treats as 'not this button'), never anything else."""
    data = f"{kind.__prefix__}:{tail}"
    assume(len(data.encode()) <= 64)  # Telegram delivers at most 64 bytes
    try:
        parsed = kind.unpack(data)
    except (ValueError, TypeError):
        return
    assert parsed.pack() is not None


# -- folding ---------------------------------------------------------------------------------

def _fold_one_by_one(text: str) -> str:
    """The definition `fold` implements with a cached translation table."""
    import unicodedata

    def one(char: str) -> str:
        char = char.translate(str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O"}))
        if char.isascii() or re.match(r"[\u0400-\u04FF]", char):
            return char
        return "".join(c for c in unicodedata.normalize("NFKD", char)
                       if not unicodedata.combining(c))

    return "".join(one(c) for c in text).casefold()


@SETTINGS
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60)
       | st.sampled_from(["Zgłoś ŁAWKĘ na Oksywiu 🌳", "Їжак і ЄВРО", "Straße ﬁ Ørsted"]))
def test_folding_is_the_same_however_it_is_computed(text: str) -> None:
    from knowledge.text import fold

    assert fold(text) == _fold_one_by_one(text)
