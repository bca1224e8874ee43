"""Reading what residents type into the BO idea form: amounts, districts, contacts.

Pure functions, no aiogram: "50 tys", "50 000 zł", "1,2 mln", "ok. 20k"; "oksywiu",
"witomino leśniczówka"; e-mail addresses and Polish phone numbers.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz, process

from knowledge.model import District
from knowledge.text import fold

_AMOUNT = re.compile(
    r"^(?:ok\.?|około|okolo|about|approx\.?|~|близько|приблизно)?\s*"
    r"(?P<number>\d{1,3}(?:[ \u00a0.]\d{3})+|\d+)(?:[.,](?P<fraction>\d+))?\s*"
    r"(?P<unit>tys\.?|tysięcy|tysiecy|tysiące|tysiace|tysiąc|tysiac|k|thousand|тис\.?|тисяч"
    r"|mln\.?|milion(?:y|ów|ow)?|million|m|млн\.?)?\s*"
    r"(?:zł|zl|pln|złotych|zlotych|злотих)?\.?\s*$",
    re.IGNORECASE,
)
_THOUSANDS = {"tys", "tysięcy", "tysiecy", "tysiące", "tysiace", "tysiąc", "tysiac", "k",
              "thousand", "тис", "тисяч"}
_EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}$", re.IGNORECASE)
_PHONE_DIGITS = re.compile(r"^(?:\+?48)?(\d{9})$")
DISTRICT_CUTOFF = 82


def parse_amount(text: str) -> int | None:
    """An amount in złoty, or None when it cannot be read."""
    match = _AMOUNT.match(text.strip())
    if match is None:
        return None
    whole = re.sub(r"[ \u00a0.]", "", match["number"])
    value = float(f"{whole}.{match['fraction']}") if match["fraction"] else float(whole)
    unit = (match["unit"] or "").lower().rstrip(".")
    if unit in _THOUSANDS:
        value *= 1_000
    elif unit:
        value *= 1_000_000
    elif match["fraction"] and len(match["fraction"]) == 3:
        value = float(whole + match["fraction"])  # "1.200" or "1,200" as a thousands separator
    return round(value) if value > 0 else None


# Folded names and aliases of a districts list, built once per loaded base: questions look for
# a district in every window of one to three words, so this is asked dozens of times a message.
_NAME_TABLES: dict[int, tuple[list[District], dict[str, District]]] = {}


def _district_names(districts: list[District]) -> dict[str, District]:
    cached = _NAME_TABLES.get(id(districts))
    if cached is not None and cached[0] is districts:
        return cached[1]
    names: dict[str, District] = {}
    for district in districts:
        for name in (district.name, *district.aliases):
            names[" ".join(fold(name).replace("-", " ").split())] = district
    if len(_NAME_TABLES) > 8:  # old bases after reloads
        _NAME_TABLES.clear()
    _NAME_TABLES[id(districts)] = (districts, names)
    return names


def match_district(text: str, districts: list[District]) -> District | None:
    """The district a resident means: its name, an alias or a near spelling of either."""
    wanted = " ".join(fold(text).replace("-", " ").split())
    for prefix in ("na ", "w ", "we ", "z ", "dzielnica ", "osiedle "):
        if wanted.startswith(prefix):
            wanted = wanted[len(prefix):]
    names = _district_names(districts)
    if wanted in names:
        return names[wanted]
    found = process.extractOne(wanted, list(names), scorer=fuzz.ratio, score_cutoff=DISTRICT_CUTOFF)
    return names[found[0]] if found else None


def clean_email(text: str) -> str | None:
    value = text.strip()
    return value if _EMAIL.match(value) and len(value) <= 120 else None


def clean_phone(text: str) -> str | None:
    digits = re.sub(r"[\s().-]", "", text.strip())
    match = _PHONE_DIGITS.match(digits)
    return f"+48 {match[1][:3]} {match[1][3:6]} {match[1][6:]}" if match else None
