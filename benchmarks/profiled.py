"""Run `python -m bot …` (or another script) under cProfile with a CPU-time clock.

    python benchmarks/profiled.py OUT.prof -m bot webhook
    python benchmarks/profiled.py OUT.prof benchmarks/echo_worker.py

benchmarks/load.py --profile uses it. CPU time, not wall time: on a shared machine, waiting
for the other core is not what a worker costs. With PROFILE_ON_SIGNAL=1, profiling starts at
the first SIGUSR1 (load.py sends it as the burst begins), so start-up does not drown the
figures. Only the main thread is profiled; what other threads use while it waits shows up
under the event loop's `poll`.
"""

from __future__ import annotations

import cProfile
import os
import runpy
import signal
import sys
import time


def main() -> None:
    out, *command = sys.argv[1:]
    profile = cProfile.Profile(timer=time.process_time)
    sys.argv = command[1:] if command[0] == "-m" else command
    if os.environ.get("PROFILE_ON_SIGNAL") == "1":
        signal.signal(signal.SIGUSR1, lambda *_: profile.enable())
    else:
        profile.enable()
    try:
        if command[0] == "-m":
            sys.argv = [command[1], *command[2:]]
            runpy.run_module(command[1], run_name="__main__", alter_sys=True)
        else:
            runpy.run_path(command[0], run_name="__main__")
    except SystemExit:
        pass
    finally:
        profile.disable()
        profile.dump_stats(out)


if __name__ == "__main__":
    main()
