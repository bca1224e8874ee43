"""Contacts named in the bot's own messages, from knowledge/contacts.yaml (never from code).

Gettext strings carry placeholders ("LIS is available without the bot: {contact}"); the
phones, e-mails and addresses come from the knowledge files, so staff change them in one place.
"""

from __future__ import annotations

import html

from aiogram.utils.i18n import gettext as _

from handlers.platform.context import Turn
from knowledge.model import localized


def contact_line(turn: Turn, name: str) -> str:
    """'phone 58 727 39 00, sekretariat@lis.gdynia.pl' for a contact, escaped."""
    contact = turn.base.contacts.get(name)
    if contact is None:
        return ""
    parts = []
    if contact.phone:
        parts.append(_("phone {phone}").format(phone=html.escape(contact.phone)))
    if contact.email:
        parts.append(html.escape(contact.email))
    return ", ".join(parts)


def contact_name(turn: Turn, name: str) -> str:
    contact = turn.base.contacts.get(name)
    return html.escape(localized(contact.name, turn.locale)) if contact else ""


def contact_address(turn: Turn, name: str) -> str:
    contact = turn.base.contacts.get(name)
    return html.escape(contact.address or "") if contact else ""


def reach_lis(turn: Turn) -> str:
    return contact_line(turn, "lis")
