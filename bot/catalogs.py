"""Gettext catalogs of UI strings: extract from the code, update, compile, check.

`python -m bot texts update` after changing UI strings (then translate the new entries in
bot/locales/*/LC_MESSAGES/messages.po), `python -m bot texts compile` after translating.
The tests fail when a catalog is incomplete or stale.
"""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po, write_po

from bot.config import REPO_ROOT
from bot.i18n import DOMAIN, LOCALES_DIR
from knowledge.model import LOCALES

TRANSLATED_LOCALES = LOCALES  # msgids are English; en.po may reword them
SOURCE_DIRS = ("bot", "handlers")
KEYWORDS = {"_": None, "__": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}


def extract_template() -> Catalog:
    template = Catalog(project="lis-bot", domain=DOMAIN, fuzzy=False)
    for folder in SOURCE_DIRS:
        for _filename, _line, message, _comments, context in extract_from_dir(
            REPO_ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            template.add(message, context=context)
    return template


def po_path(locale: str) -> Path:
    return LOCALES_DIR / locale / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(locale: str) -> Catalog:
    with po_path(locale).open("rb") as handle:
        return read_po(handle, locale=locale, domain=DOMAIN)


def compiled_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def update() -> None:
    """Write messages.pot and merge it into every locale's .po, keeping translations."""
    template = extract_template()
    LOCALES_DIR.mkdir(parents=True, exist_ok=True)
    with (LOCALES_DIR / f"{DOMAIN}.pot").open("wb") as handle:
        write_po(handle, template, omit_header=True, sort_output=True, width=99)
    for locale in TRANSLATED_LOCALES:
        path = po_path(locale)
        catalog = read_catalog(locale) if path.exists() else Catalog(locale=locale, domain=DOMAIN)
        catalog.update(template, no_fuzzy_matching=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, omit_header=True, sort_output=True, width=99)


def compile_all() -> None:
    for locale in TRANSLATED_LOCALES:
        po_path(locale).with_suffix(".mo").write_bytes(compiled_bytes(read_catalog(locale)))


def problems() -> list[str]:
    """Why the catalogs are not ready to ship; empty when they are."""
    found: list[str] = []
    wanted = {message.id for message in extract_template() if message.id}
    for locale in TRANSLATED_LOCALES:
        catalog = read_catalog(locale)
        present = {message.id for message in catalog if message.id}
        for missing in sorted(map(str, wanted - present)):
            found.append(f"{locale}: not in the catalog (run `python -m bot texts update`): "
                         f"{missing!r}")
        for message in catalog:
            if not message.id:
                continue
            if message.id not in wanted:
                found.append(f"{locale}: no longer used in the code: {message.id!r}")
            elif not message.string or message.fuzzy:
                found.append(f"{locale}: not translated yet: {message.id!r}")
        mo = po_path(locale).with_suffix(".mo")
        if not mo.exists() or _translations(_read_mo(mo)) != _translations(catalog):
            found.append(f"{locale}: {mo.name} is stale (run `python -m bot texts compile`)")
    return found


def _read_mo(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_mo(handle)


def _translations(catalog: Catalog) -> dict[object, object]:
    """What a catalog translates, ignoring headers (their dates change on every read)."""
    return {m.id: m.string for m in catalog if m.id and m.string and not m.fuzzy}
