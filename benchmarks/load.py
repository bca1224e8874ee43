"""Load benchmark: webhook workers under many residents, beside a bare aiogram echo bot.

Run from the repository root (PostgreSQL and Redis on 127.0.0.1, as for the tests):

    python benchmarks/load.py                      # every configuration, about 15 minutes
    python benchmarks/load.py --only pg-redis      # configurations whose name contains this
    python benchmarks/load.py --burst 1500 --paced-seconds 10

This process plays Telegram: a fake Bot API server (tests/fake_bot_api.py) that the workers
call, and a load generator that posts updates to the workers' webhook (round robin over the
workers, as a reverse proxy would), each acknowledged only after it was handled. The mix is
what residents do: 75 % questions (from tests/data, lightly perturbed, each from a different
resident), 20 % steps of the BO idea form (typed answers and its buttons, by residents who fill
it in again and again, one step at a time) and 5 % presses of a programme button.

For each configuration (1 or 2 workers; SQLite, or PostgreSQL + Redis; the lexical or the
hybrid matcher) and for the echo bot on the same harness, it reports:
- start: seconds from spawning the first worker to its first update answered, and its RSS then;
- burst: updates per second with 32 requests in flight (Telegram's webhook keeps up to 40),
  p50/p95/p99 latency, worker CPU per update, errors;
- paced: p50/p95/p99 latency at 50 updates per second, sent on schedule;
- the workers' peak RSS.
Every figure is also shown as a ratio to the echo bot's, run in the same harness minutes apart:
the machine is shared and noisy, ratios move less than seconds. Errors are non-200 answers,
requests that failed, and questions that got no reply. Figures only, no thresholds.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import itertools
import json
import os
import random
import signal
import sys
import tempfile
import time
import unicodedata
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from tests.fake_bot_api import DEFAULT_TOKEN, FakeBotApi  # noqa: E402
from tests.webhook_residents import Resident, Worker, free_port  # noqa: E402

SECRET = "load-benchmark_secret-0123456789abcdef"
PSEUDONYM_KEY = "load-benchmark-pseudonym-key-0123456789abcdef"
STAFF_CHAT = -1_001_555_000_111
COORDINATOR = 7_000_000_777
IN_FLIGHT = 32
PACED_RATE = 50.0
FORM_RESIDENTS = 40
BUTTON_RESIDENTS = 40
MIX = (("question", 0.75), ("form", 0.20), ("button", 0.05))
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PROFILE_DIR: Path | None = None  # --profile: the first worker runs under cProfile
TITLES = ["Zielone przystanki w całej Gdyni 🌳", "Ławki <b>i</b> cień na Oksywiu",
          "Warsztaty dla seniorów & młodzieży", "Більше лавок у парку"]
DESCRIPTION = ("Ludzie nie mają gdzie usiąść w parku przy placu zabaw; potrzebne ławki, kosze "
               "i trochę cienia dla rodziców z dziećmi.")
# The BO idea form, city-wide and soft (no district, no pin), as an English-speaking resident.
FORM_STEPS: list[tuple[str, str]] = [
    ("send", "/pomysl"), ("press", "🏙 City-wide project"), ("send", "{title}"),
    ("send", DESCRIPTION), ("press", "🎭 Soft (classes, events)"),
    ("press", "Skip: no particular place"), ("send", "45 tys"), ("send", "Jan Kowalski"),
    ("send", "jan.kowalski@example.com"), ("press", "✅ Send to coordinators"),
]


@dataclass(frozen=True)
class Config:
    name: str
    workers: int
    backend: str  # sqlite | pg-redis
    matcher: str  # lexical | hybrid | echo

    @property
    def echo(self) -> bool:
        return self.matcher == "echo"


CONFIGS = [
    Config("echo, 1 worker", 1, "none", "echo"),
    Config("echo, 2 workers", 2, "none", "echo"),
    Config("sqlite, lexical, 1 worker", 1, "sqlite", "lexical"),
    Config("sqlite, lexical, 2 workers", 2, "sqlite", "lexical"),
    Config("pg-redis, lexical, 1 worker", 1, "pg-redis", "lexical"),
    Config("pg-redis, lexical, 2 workers", 2, "pg-redis", "lexical"),
    Config("sqlite, hybrid, 1 worker", 1, "sqlite", "hybrid"),
    Config("pg-redis, hybrid, 1 worker", 1, "pg-redis", "hybrid"),
    Config("pg-redis, hybrid, 2 workers", 2, "pg-redis", "hybrid"),
]


@dataclass
class Phase:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    wall: float = 0.0
    cpu: float = 0.0
    sent: int = 0

    def summary(self) -> dict[str, float]:
        ordered = sorted(self.latencies) or [0.0]

        def pick(share: float) -> float:
            return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

        return {"updates": self.sent, "per_s": self.sent / self.wall if self.wall else 0.0,
                "p50_ms": pick(0.50), "p95_ms": pick(0.95), "p99_ms": pick(0.99),
                "cpu_ms": self.cpu / self.sent * 1000 if self.sent else 0.0,
                "errors": self.errors}


# -- questions ----------------------------------------------------------------------------------

def questions(seed: int) -> list[tuple[str, str]]:
    """(language, question) from the labelled sets, with typos and lost diacritics mixed in."""
    rows: list[tuple[str, str]] = []
    for name in ("dev.tsv", "independent.tsv"):
        with (ROOT / "tests" / "data" / name).open(encoding="utf-8") as handle:
            rows += [(row["lang"], row["question"]) for row in csv.DictReader(
                handle, delimiter="\t")]
    rng = random.Random(seed)
    varied = []
    for lang, text in rows:
        varied.append((lang, text))
        plain = "".join(c for c in unicodedata.normalize("NFKD", text)
                        if not unicodedata.combining(c))
        varied.append((lang, plain.lower()))
        if len(text) > 12:
            at = rng.randrange(1, len(text) - 2)
            varied.append((lang, text[:at] + text[at + 1] + text[at] + text[at + 2:]))
    rng.shuffle(varied)
    return varied


# -- processes ----------------------------------------------------------------------------------

def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime + stime


def _memory_mb(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Running:
    processes: list[asyncio.subprocess.Process]
    workers: list[Worker]
    start_s: float
    start_rss_mb: float
    logs: list[Path]

    def cpu(self) -> float:
        return sum(_cpu_seconds(p.pid) for p in self.processes)

    def peak_rss_mb(self) -> float:
        return max(_memory_mb(p.pid, "VmHWM") for p in self.processes)


async def _prepare_storage(config: Config, folder: Path) -> dict[str, str]:
    if config.backend == "sqlite":
        return {"DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'bot.sqlite3'}"}
    if config.backend != "pg-redis":
        return {}
    import asyncpg
    from redis.asyncio import Redis

    server = os.environ.get("LOAD_DATABASE_URL",
                            "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"lis_bot_load_{uuid.uuid4().hex[:8]}"
    connection = await asyncpg.connect(server)
    try:
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    redis_url = os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/14")
    redis = Redis.from_url(redis_url)
    await redis.flushdb()
    await redis.aclose()
    return {"DATABASE_URL": server.rsplit("/", 1)[0] + f"/{name}", "REDIS_URL": redis_url,
            "_DROP_DATABASE": name, "_SERVER": server}


async def _drop_storage(storage: dict[str, str]) -> None:
    if "_DROP_DATABASE" not in storage:
        return
    import asyncpg

    connection = await asyncpg.connect(storage["_SERVER"])
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{storage["_DROP_DATABASE"]}" '
                                 "WITH (FORCE)")
    finally:
        await connection.close()


def _environment(api: FakeBotApi, config: Config, storage: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.upper().startswith(("TELEGRAM_", "DATABASE_URL", "REDIS_URL", "WEBHOOK_"))}
    env |= {k: v for k, v in storage.items() if not k.startswith("_")}
    env |= {
        "TELEGRAM_BOT_TOKEN": DEFAULT_TOKEN, "TELEGRAM_API_BASE": api.base_url,
        "PSEUDONYM_KEY": PSEUDONYM_KEY, "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_URL": "https://bot.example.org/telegram",
        "DENSE_MATCHING": "1" if config.matcher == "hybrid" else "0",
        "COORDINATOR_CHAT_ID": str(STAFF_CHAT), "COORDINATOR_IDS": str(COORDINATOR),
        "FLOOD_BURST": "1000",  # simulated residents type faster than people; guard still on
        "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
        "PYTHONPATH": str(ROOT), "LOG_LEVEL": "INFO", "PROFILE_ON_SIGNAL": "1",
    }
    return env


async def _start(api: FakeBotApi, config: Config, env: dict[str, str], folder: Path,
                 http: aiohttp.ClientSession) -> Running:
    profile = [str(ROOT / "benchmarks" / "profiled.py"),
               str(PROFILE_DIR / f"{config.name}.prof")] if PROFILE_DIR else []
    command = ([sys.executable, *profile, str(ROOT / "benchmarks" / "echo_worker.py")]
               if config.echo else [sys.executable, *profile, "-m", "bot", "webhook"])
    if not config.echo:
        migrate = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "migrate", cwd=folder, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL)
        if await migrate.wait() != 0:
            raise RuntimeError("migrate failed")
    processes, workers, logs = [], [], []
    start_s = start_rss = 0.0
    for number in range(config.workers):
        port = free_port()
        log = folder / f"worker{number}.log"
        logs.append(log)
        started = time.perf_counter()
        with log.open("wb") as output:
            process = await asyncio.create_subprocess_exec(
                *command, cwd=folder, env=env | {"WEBHOOK_PORT": str(port)},
                stdin=asyncio.subprocess.DEVNULL, stdout=output, stderr=output)
        worker = Worker(f"http://127.0.0.1:{port}", "/telegram", SECRET)
        await _until_healthy(http, worker, process, log)
        first = Resident(api, 7_900_000_000 + number, "pl")
        if await worker.post(http, first.message("/start")) != 200:
            raise RuntimeError(f"the first update failed: {log.read_text()[-2000:]}")
        if number == 0:
            start_s = time.perf_counter() - started
            start_rss = _memory_mb(process.pid, "VmRSS")
        processes.append(process)
        workers.append(worker)
    return Running(processes, workers, start_s, start_rss, logs)


async def _until_healthy(http: aiohttp.ClientSession, worker: Worker,
                         process: asyncio.subprocess.Process, log: Path) -> None:
    for _ in range(6000):  # two minutes (a profiled worker starts slowly)
        if process.returncode is not None:
            raise RuntimeError(f"a worker exited at start:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(aiohttp.ClientError):
            async with http.get(worker.base_url + "/healthz") as health:
                if health.status == 200:
                    return
        await asyncio.sleep(0.02)
    raise RuntimeError(f"a worker did not start:\n{log.read_text()[-3000:]}")


async def _stop(running: Running) -> None:
    for process in running.processes:
        if process.returncode is None:
            process.terminate()
    for process in running.processes:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), 30)
        if process.returncode is None:
            process.kill()
            await process.wait()


# -- residents ----------------------------------------------------------------------------------

class FormFiller:
    """A resident filling in the BO idea form again and again, one step per update."""

    def __init__(self, api: FakeBotApi, user_id: int, echo: bool) -> None:
        self.resident = Resident(api, user_id, "en")
        self.echo = echo
        self.step = 0
        self.busy = False

    async def begin(self, http: aiohttp.ClientSession, worker: Worker) -> None:
        """Consent once (outside the measured phases), then the form is ready to fill in."""
        if self.echo:
            await worker.post(http, self.resident.message("/start"))
            return
        for make in (lambda: self.resident.message("/pomysl"),
                     lambda: self.resident.press("I agree"),
                     lambda: self.resident.press("16 or older")):
            await worker.post(http, make())
        self.step = 1  # the form stands at its first step

    def next_update(self) -> dict[str, Any]:
        kind, value = FORM_STEPS[self.step]
        self.step = (self.step + 1) % len(FORM_STEPS)
        if self.echo:
            return self.resident.message(value.format(title=random.choice(TITLES)))
        if kind == "press":
            return self.resident.press(value)
        return self.resident.message(value.format(title=random.choice(TITLES)))


class Presser:
    def __init__(self, api: FakeBotApi, user_id: int) -> None:
        self.resident = Resident(api, user_id, "pl")
        self.busy = False

    async def begin(self, http: aiohttp.ClientSession, worker: Worker) -> None:
        await worker.post(http, self.resident.message("/start"))

    def next_update(self) -> dict[str, Any]:
        greeting = self.resident.api.chat_messages[self.resident.user_id][0]
        buttons = [b for row in greeting.get("reply_markup", {}).get("inline_keyboard", [])
                   for b in row if "callback_data" in b]
        data = random.choice(buttons)["callback_data"] if buttons else "menu"
        return self.resident.api.push_callback(self.resident.user_id, dict(greeting), data)


class Generator:
    def __init__(self, api: FakeBotApi, running: Running, config: Config, seed: int) -> None:
        self.api = api
        self.running = running
        self.rng = random.Random(seed)
        self.questions = itertools.cycle(questions(seed))
        self.user_ids = itertools.count(7_600_000_000 + seed * 1_000_000)
        self.forms = [FormFiller(api, 7_700_000_000 + n, config.echo)
                      for n in range(FORM_RESIDENTS)]
        self.pressers = [Presser(api, 7_800_000_000 + n) for n in range(BUTTON_RESIDENTS)]
        self.round_robin = itertools.cycle(running.workers)
        self.asked: list[int] = []  # residents who asked a question: each must get a reply

    async def begin(self, http: aiohttp.ClientSession) -> None:
        await asyncio.gather(*(person.begin(http, next(self.round_robin))
                               for person in [*self.forms, *self.pressers]))

    def _pick(self) -> str:
        roll, total = self.rng.random(), 0.0
        for kind, share in MIX:
            total += share
            if roll < total:
                return kind
        return MIX[0][0]

    async def one(self, http: aiohttp.ClientSession, phase: Phase) -> None:
        kind = self._pick()
        person: FormFiller | Presser | None = None
        if kind in ("form", "button"):
            people: list[Any] = self.forms if kind == "form" else self.pressers
            idle = [p for p in people if not p.busy]
            person = self.rng.choice(idle) if idle else None
        if person is None:
            kind = "question"
        if person is not None:
            person.busy = True
            update = person.next_update()
        else:
            lang, text = next(self.questions)
            user_id = next(self.user_ids)
            self.asked.append(user_id)
            update = Resident(self.api, user_id, lang if lang in ("pl", "uk", "en") else "pl"
                              ).message(text)
        worker = next(self.round_robin)
        started = time.perf_counter()
        try:
            status = await worker.post(http, update)
        except (aiohttp.ClientError, TimeoutError):
            status = 0
        phase.latencies.append(time.perf_counter() - started)
        phase.sent += 1
        if status != 200:
            phase.errors += 1
        if person is not None:
            person.busy = False

    async def burst(self, http: aiohttp.ClientSession, count: int) -> Phase:
        phase = Phase()
        remaining = iter(range(count))

        async def lane() -> None:
            for _ in remaining:
                await self.one(http, phase)

        cpu, started = self.running.cpu(), time.perf_counter()
        await asyncio.gather(*(lane() for _ in range(IN_FLIGHT)))
        phase.wall, phase.cpu = time.perf_counter() - started, self.running.cpu() - cpu
        return phase

    async def paced(self, http: aiohttp.ClientSession, seconds: float) -> Phase:
        phase = Phase()
        tasks = []
        cpu, started = self.running.cpu(), time.perf_counter()
        for number in range(int(seconds * PACED_RATE)):
            delay = started + number / PACED_RATE - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(self.one(http, phase)))
        await asyncio.gather(*tasks)
        phase.wall, phase.cpu = time.perf_counter() - started, self.running.cpu() - cpu
        return phase

    def unanswered(self) -> int:
        answered = {int(p["chat_id"]) for p in self.api.calls_of("sendMessage")
                    if str(p.get("chat_id", "")).isdigit()}
        return sum(1 for user_id in self.asked if user_id not in answered)


# -- one configuration --------------------------------------------------------------------------

async def measure(config: Config, burst: int, paced_seconds: float, seed: int
                  ) -> dict[str, Any]:
    api = FakeBotApi(DEFAULT_TOKEN)
    await api.start()
    timeout = aiohttp.ClientTimeout(total=120)
    connector = aiohttp.TCPConnector(limit=IN_FLIGHT * 2)
    with tempfile.TemporaryDirectory(prefix="lis-load-") as name:
        folder = Path(name)
        storage = await _prepare_storage(config, folder)
        try:
            async with aiohttp.ClientSession(timeout=timeout, connector=connector) as http:
                running = await _start(api, config, _environment(api, config, storage),
                                       folder, http)
                try:
                    generator = Generator(api, running, config, seed)
                    await generator.begin(http)
                    if PROFILE_DIR:
                        for process in running.processes:
                            process.send_signal(signal.SIGUSR1)
                    hot = await generator.burst(http, burst)
                    steady = await generator.paced(http, paced_seconds)
                    missing = generator.unanswered()
                    peak = running.peak_rss_mb()
                finally:
                    await _stop(running)
                failed = [log.name for log, process in zip(running.logs, running.processes,
                                                           strict=True)
                          if process.returncode not in (0, -15)]
                tracebacks = sum(log.read_text(errors="replace").count("Traceback")
                                 for log in running.logs)
        finally:
            await _drop_storage(storage)
            await api.stop()
    return {"config": config.name, "workers": config.workers, "start_s": running.start_s,
            "start_rss_mb": running.start_rss_mb, "peak_rss_mb": peak,
            "burst": hot.summary(), "paced": steady.summary(), "unanswered": missing,
            "tracebacks": tracebacks, "bad_exits": failed,
            "refused_by_telegram": len(api.unexpected)}


# -- report -------------------------------------------------------------------------------------

def _ratio(value: float, floor: float) -> str:
    return f"{value / floor:.1f}×" if floor else "–"


def report(results: list[dict[str, Any]]) -> None:
    echo = {r["workers"]: r for r in results if r["config"].startswith("echo")}
    header = ["configuration", "start s", "start MB", "upd/s", "×echo", "p50", "p95", "p99",
              "CPU ms/upd", "×echo", "paced p50", "p95", "p99", "peak MB", "errors"]
    rows = [header]
    for r in results:
        floor = echo.get(r["workers"]) or echo.get(1)
        b, p = r["burst"], r["paced"]
        errors = b["errors"] + p["errors"] + r["unanswered"] + r["tracebacks"] + len(
            r["bad_exits"]) + r["refused_by_telegram"]
        rows.append([
            r["config"], f"{r['start_s']:.1f}", f"{r['start_rss_mb']:.0f}",
            f"{b['per_s']:.0f}", _ratio(b["per_s"], floor["burst"]["per_s"]) if floor else "–",
            f"{b['p50_ms']:.0f}", f"{b['p95_ms']:.0f}", f"{b['p99_ms']:.0f}",
            f"{b['cpu_ms']:.2f}", _ratio(b["cpu_ms"], floor["burst"]["cpu_ms"]) if floor else "–",
            f"{p['p50_ms']:.0f}", f"{p['p95_ms']:.0f}", f"{p['p99_ms']:.0f}",
            f"{r['peak_rss_mb']:.0f}", str(errors)])
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for number, row in enumerate(rows):
        print(" | ".join(cell.ljust(w) if i == 0 else cell.rjust(w)
                         for i, (cell, w) in enumerate(zip(row, widths, strict=True))))
        if number == 0:
            print("-|-".join("-" * w for w in widths))
    print()
    print(f"burst: {results[0]['burst']['updates']} updates, {IN_FLIGHT} in flight; paced: "
          f"{PACED_RATE:.0f} updates/s. Latency in ms, from posting an update to its "
          "acknowledgement (sent after it was handled). CPU: the workers' user+system time "
          "during the burst, per update. ×echo: against the bare aiogram echo bot with as many "
          "workers. errors: non-200 answers, failed requests, questions left without a reply, "
          "tracebacks in the workers' logs, unclean exits, calls the fake Telegram refused.")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run the configurations whose name contains this "
                                       "(the echo runs always go too)")
    parser.add_argument("--burst", type=int, default=3000)
    parser.add_argument("--paced-seconds", type=float, default=20.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--profile", type=Path,
                        help="run the workers under cProfile, writing <config>.prof here "
                             "(slows them: figures are then for finding time, not for reading)")
    args = parser.parse_args()
    global PROFILE_DIR
    PROFILE_DIR = args.profile
    chosen = [c for c in CONFIGS if c.echo or not args.only or args.only in c.name]
    results = []
    for config in chosen:
        print(f"running {config.name}…", file=sys.stderr, flush=True)
        result = await measure(config, args.burst, args.paced_seconds, args.seed)
        print(json.dumps(result), file=sys.stderr, flush=True)
        results.append(result)
    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))



if __name__ == "__main__":
    asyncio.run(main())
