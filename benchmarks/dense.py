"""What the dense encoder costs beside the lexical matcher, measured in one harness.

Run from the repository root:

    python benchmarks/dense.py            # about a minute on two cores

Prints, for the dev and independent questions (tests/data/):
- per-question latency p50/p99 of the lexical matcher and of the hybrid, in the same process
  and interleaved question by question, and their ratio (the goal is p99 <= 50 ms);
- the encoder's cost for one new text (what a phrasing without a cached vector costs);
- the hybrid's build time with the committed caches, and with the classifier retrained;
- peak RSS of a child process that builds each matcher (maxrss is per process);
- `python -m bot ask` start-up (the goal is <= 3 s) beside `python -c pass` and beside
  importing numpy + scikit-learn, timed the same way in the same run.

The machine is shared and noisy: read the ratios, the absolute figures only roughly.
Figures only: nothing here asserts.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # runs without installing the project

from knowledge.analyzer import warm_up  # noqa: E402
from knowledge.encoder import load_encoder  # noqa: E402
from knowledge.evaluation import read_rows  # noqa: E402
from knowledge.loader import load_knowledge  # noqa: E402
from knowledge.search import Matcher  # noqa: E402

KNOWLEDGE_DIR = ROOT / "knowledge"
QUESTION_FILES = (ROOT / "tests/data/dev.tsv", ROOT / "tests/data/independent.tsv")
START_RUNS = 5


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def latency() -> None:
    warm_up()
    base = load_knowledge(KNOWLEDGE_DIR)
    encoder = load_encoder(True)
    if encoder is None:
        print("the encoder is not installed here: nothing to compare")
        return
    lexical = Matcher(base)
    started = time.perf_counter()
    hybrid = Matcher(base, encoder=encoder, vectors_dir=KNOWLEDGE_DIR)
    cached_build = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as folder:
        shutil.copytree(KNOWLEDGE_DIR / ".vectors", Path(folder) / ".vectors")
        for stale in Path(folder, ".vectors").glob("*.classifier.npz"):
            stale.unlink()
        started = time.perf_counter()
        Matcher(base, encoder=encoder, vectors_dir=Path(folder))
        trained_build = time.perf_counter() - started

    questions = [q for path in QUESTION_FILES for _, _, q in read_rows(path)]
    for matcher in (lexical, hybrid):  # first calls fill caches of both alike
        for question in questions[:20]:
            matcher.search(question)
    times: dict[str, list[float]] = {"lexical": [], "hybrid": []}
    for question in questions:
        for name, matcher in (("lexical", lexical), ("hybrid", hybrid)):
            started = time.perf_counter()
            matcher.search(question)
            times[name].append((time.perf_counter() - started) * 1000)
    one_text = []
    for index in range(50):
        started = time.perf_counter()
        encoder.encode([f"zupełnie nowe sformułowanie pytania numer {index}"])
        one_text.append((time.perf_counter() - started) * 1000)

    print(f"{len(questions)} questions (dev + independent), interleaved:")
    for name, values in times.items():
        print(f"  {name:8} p50 {percentile(values, 0.5):6.1f} ms   "
              f"p99 {percentile(values, 0.99):6.1f} ms")
    print(f"  hybrid / lexical: p50 x{percentile(times['hybrid'], 0.5) / percentile(times['lexical'], 0.5):.1f}, "  # noqa: E501
          f"p99 x{percentile(times['hybrid'], 0.99) / percentile(times['lexical'], 0.99):.1f}")
    print(f"encoding one new text: median {statistics.median(one_text):.1f} ms")
    print(f"hybrid build: {cached_build:.2f} s with the committed caches, "
          f"{trained_build:.2f} s retraining the classifier")


def child_rss(mode: str) -> None:
    warm_up()
    base = load_knowledge(KNOWLEDGE_DIR)
    encoder = load_encoder(True) if mode == "hybrid" else None
    matcher = Matcher(base, encoder=encoder, vectors_dir=KNOWLEDGE_DIR if encoder else None)
    matcher.search("kiedy głosowanie w budżecie obywatelskim")
    print(json.dumps({"maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def rss() -> None:
    for mode in ("lexical", "hybrid"):
        result = subprocess.run([sys.executable, __file__, "--child", mode], capture_output=True,
                                text=True, check=True, cwd=ROOT)
        print(f"peak RSS building and asking, {mode:8}: "
              f"{json.loads(result.stdout.splitlines()[-1])['maxrss_mb']:.0f} MB")


def timed(command: list[str]) -> float:
    runs = []
    for _ in range(START_RUNS):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True, cwd=ROOT)
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def start_up() -> None:
    python = timed([sys.executable, "-c", "pass"])
    imports = timed([sys.executable, "-c", "import numpy, sklearn.svm"])
    ask = timed([sys.executable, "-m", "bot", "ask", "kiedy jest głosowanie w BO?"])
    print(f"start-up (median of {START_RUNS}): python -c pass {python:.2f} s, "
          f"numpy + scikit-learn imports {imports:.2f} s, ask {ask:.2f} s "
          f"(x{ask / imports:.1f} the imports)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--child", choices=("lexical", "hybrid"))
    args = parser.parse_args()
    if args.child:
        child_rss(args.child)
        return
    latency()
    rss()
    start_up()


if __name__ == "__main__":
    main()
