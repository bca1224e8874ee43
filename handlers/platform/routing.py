"""Filters run on the event loop, not in threads.

aiogram calls a synchronous filter (every `F.…` magic filter, every plain function such as
`in_form`) through `asyncio.to_thread`: a thread hop, with its context switches and the GIL
passed back and forth, for a check that takes a microsecond, a dozen times per update. Our
filters are quick and pure, so they are wrapped as coroutines once, when the dispatcher is
built, and aiogram awaits them directly.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.handler import FilterObject


def _filters(router: Router) -> Iterator[FilterObject]:
    for observer in router.observers.values():
        for handler in [observer._handler, *observer.handlers]:  # noqa: SLF001 (router filters)
            yield from handler.filters or []
    for child in router.sub_routers:
        yield from _filters(child)


def _on_the_loop(check: Callable[..., Any]) -> Callable[..., Any]:
    async def run(*args: Any, **kwargs: Any) -> Any:
        return check(*args, **kwargs)

    return run


def run_filters_on_the_loop(router: Router) -> int:
    """Make every synchronous filter of `router` and its sub-routers awaitable; how many."""
    changed = 0
    for found in _filters(router):
        if not found.awaitable:
            found.callback = _on_the_loop(found.callback)
            found.awaitable = True
            changed += 1
    return changed


def filters_in_threads(router: Router) -> int:
    """How many filters aiogram would still run in a thread (tests check there are none)."""
    return sum(not found.awaitable for found in _filters(router))
