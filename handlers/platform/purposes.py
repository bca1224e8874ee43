"""Consent purposes, each declared once: what it is called, where its data lives, what follows.

A `Purpose` pairs the conversation side (its name shown to residents, what happens after
consent) with its data (`storage.purposes.PurposeData`). Its notice, version and retention
period come from knowledge/consents.yaml. /mydata, /consents, /forget, `purge` and
`knowledge check` iterate the registry, so a new purpose touches one place.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n.lazy_proxy import LazyProxy

from storage.consents import ActiveConsent
from storage.purposes import Erased, PurposeData

if TYPE_CHECKING:
    from handlers.platform.context import Turn

# What a flow does once consent is recorded: (query, message, consent, turn, state, ref),
# where `ref` is what the flow was about when it asked (e.g. an event id), or "".
AfterConsent = Callable[[CallbackQuery, Message, ActiveConsent, "Turn", FSMContext, str],
                        Awaitable[None]]


@dataclass(frozen=True)
class Purpose:
    id: str
    label: LazyProxy | str  # "describing a participatory-budget idea", in the resident's language
    data: PurposeData
    after_consent: AfterConsent | None = None
    # Staff hold copies of its submissions: erasure asks them to delete theirs (Art. 17, 19).
    tell_staff_on_erase: bool = False
    # What follows an erasure of its data (e.g. freed seats go to the waiting list).
    after_erase: Callable[[Turn, Erased], Awaitable[None]] | None = None

    @property
    def name(self) -> str:
        return str(self.label)


class Purposes:
    def __init__(self, purposes: Iterable[Purpose]) -> None:
        self._purposes = {purpose.id: purpose for purpose in purposes}

    def __iter__(self) -> Iterator[Purpose]:
        return iter(self._purposes.values())

    def __contains__(self, purpose_id: object) -> bool:
        return purpose_id in self._purposes

    def get(self, purpose_id: str) -> Purpose | None:
        return self._purposes.get(purpose_id)

    def ids(self) -> list[str]:
        return list(self._purposes)

    def data(self) -> dict[str, PurposeData]:
        return {purpose.id: purpose.data for purpose in self}

    def with_purpose(self, purpose: Purpose) -> Purposes:
        return Purposes([*self, purpose])

    def name(self, purpose_id: str) -> str:
        purpose = self.get(purpose_id)
        return purpose.name if purpose else purpose_id
