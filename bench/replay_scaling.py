"""replay-scaling: playground's replay cost per request (cassette loading included) for a 1,000-request
session, over the same for a 100-request session; both recorded from the same kind of demo conversations."""

from __future__ import annotations

import shutil
import tempfile
from itertools import count
from pathlib import Path

from bench.common import BenchError, bench_line, interleaved, log, median, questions, record, replay, timed

SMALL, LARGE = 100, 1000
ROUNDS = 3


def _replayer(cassette: Path, texts: list[str], expected: list[dict]):
    copies = count()

    def run() -> float:
        fresh = cassette.with_name(f"{cassette.stem}-{next(copies)}.yaml")  # parsed anew, as by a new process
        shutil.copyfile(cassette, fresh)
        seconds, results = timed(lambda: replay(fresh, texts))
        if results != expected:
            raise BenchError("replay-scaling: the replay did not give the recorded results")
        return seconds / len(results)
    return run


def run() -> bool:
    with tempfile.TemporaryDirectory(prefix="bench-scaling-") as tmp:
        runs = {}
        for requests in (SMALL, LARGE):
            log(f"recording {requests} requests with the offline model")
            cassette, texts = Path(tmp) / f"{requests}.yaml", questions(requests // 2)
            runs[requests] = _replayer(cassette, texts, record(cassette, texts))
        runs[SMALL]()  # warm-up
        large, small = interleaved(runs[LARGE], runs[SMALL], ROUNDS)
    per_large, per_small = median(large), median(small)
    return bench_line("replay-scaling", per_large / per_small, "<=1.5",
                      f"{per_large * 1000:.2f} ms/request replaying {LARGE} requests vs "
                      f"{per_small * 1000:.2f} ms/request replaying {SMALL} (load + match + engine; "
                      f"medians of {ROUNDS} interleaved rounds)")
