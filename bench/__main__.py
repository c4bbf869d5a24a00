"""Run every benchmark (or those named: `python -m bench replay engine`) and print their lines."""

from __future__ import annotations

import importlib
import sys
import time

from bench.common import BenchError

BENCHMARKS = {
    "startup": "bench.startup",
    "replay": "bench.replay",
    "replay-scaling": "bench.replay_scaling",
    "record-stream": "bench.record_stream",
    "engine": "bench.engine",
    "log-append": "bench.log_append",
    "validation": "bench.validation",
    "offline-rps": "bench.offline_rps",
}


def main(names: list[str]) -> int:
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        print(f"bench: unknown benchmark {unknown[0]!r} (known: {', '.join(BENCHMARKS)})", file=sys.stderr)
        return 2
    started, missed, failed = time.perf_counter(), [], []
    for name in names or list(BENCHMARKS):
        try:
            if importlib.import_module(BENCHMARKS[name]).run() is False:
                missed.append(name)
        except BenchError as error:
            print(f"BENCH {name} ratio=nan    error: {error}", flush=True)
            failed.append(name)
    summary = f"bench: {time.perf_counter() - started:.0f} s"
    summary += f"; missed: {', '.join(missed)}" if missed else "; every ratio meets its target"
    print(summary + (f"; failed: {', '.join(failed)}" if failed else ""), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
