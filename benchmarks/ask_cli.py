"""Wall time of `python -m bot ask --json` over 300 questions (start-up included).

Run from the repository root: `python benchmarks/ask_cli.py`. Prints figures only.
"""

from __future__ import annotations

import csv
import subprocess
import sys
import time
from itertools import cycle, islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUESTION_COUNT = 300


def main() -> None:
    with (ROOT / "tests/data/dev.tsv").open(encoding="utf-8", newline="") as handle:
        questions = [row["question"] for row in csv.DictReader(handle, delimiter="\t",
                                                                quoting=csv.QUOTE_NONE)]
    stdin = "\n".join(islice(cycle(questions), QUESTION_COUNT)) + "\n"
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "bot", "ask", "--json"], input=stdin,
                            capture_output=True, text=True, cwd=ROOT, check=True)
    elapsed = time.perf_counter() - started
    answers = len(result.stdout.splitlines())
    print(f"ask --json: {answers} questions in {elapsed:.2f} s "
          f"({elapsed / answers * 1000:.1f} ms per question, start-up included)")


if __name__ == "__main__":
    main()
