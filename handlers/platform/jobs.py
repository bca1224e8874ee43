"""Background jobs, once: outbox delivery, knowledge reload, retention purge, reminders...

One `JobRunner` per process, started by the dispatcher's startup and stopped (awaited) by its
shutdown, in `run`, `chat` and the tests alike. Each job runs every `every` seconds, or sooner
when woken (handlers queue a message, then the update's commit wakes delivery). Handlers never
deliver: a resident's update never waits for other residents' messages. `tick` runs one job
once as its loop would (the console after each line, the test harness after each update).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


@dataclass
class Job:
    name: str
    run: Callable[[], Awaitable[Any]]
    every: float  # seconds between runs (real time)
    first_after: float = 0.0
    woken: asyncio.Event = field(default_factory=asyncio.Event)


class JobRunner:
    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._tasks: list[asyncio.Task[None]] = []
        self._locks: dict[str, asyncio.Lock] = {}

    def add(self, name: str, run: Callable[[], Awaitable[Any]], *, every: float,
            first_after: float = 0.0) -> None:
        self._jobs[name] = Job(name, run, every, first_after)
        self._locks[name] = asyncio.Lock()

    @property
    def running(self) -> bool:
        return bool(self._tasks)

    def has(self, name: str) -> bool:
        return name in self._jobs

    def wake(self, name: str) -> None:
        job = self._jobs.get(name)
        if job is not None:
            job.woken.set()

    async def run_now(self, name: str) -> Any:
        """Run a job once (not beside a run of itself) and return its result."""
        job = self._jobs[name]
        async with self._locks[name]:
            return await job.run()

    async def tick(self, name: str) -> Any:
        """Run a job once as its loop would: a failure is logged, not raised."""
        try:
            return await self.run_now(name)
        except Exception:
            log.exception("job %s failed", name)
            return None

    async def start(self) -> None:
        if self._tasks:
            return
        self._tasks = [asyncio.create_task(self._loop(job), name=f"job:{job.name}")
                       for job in self._jobs.values()]
        log.info("jobs started: %s", ", ".join(self._jobs))

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _loop(self, job: Job) -> None:
        delay = job.first_after
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(job.woken.wait(), timeout=delay)
            job.woken.clear()
            await self.tick(job.name)  # one failing round must not stop the job for good
            delay = job.every
