"""replay: plain vcrpy (default match_on + body) replaying a 300-request cassette through the raw openai
client, over playground's Recorder + Engine replaying the same recorded session; each round in a fresh process."""

from __future__ import annotations

import asyncio
import gc
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench.common import (
    ROOT, BenchError, assemble, bench_line, cassette_bodies, digest, log, median, memory_now, mib, plain_line,
    questions, record, replay, reset_memory_peak, step_result, timed,
)

CONVERSATIONS = 150
"""150 demo conversations of 2 requests each: 300 requests."""
VCRPY_MATCH_ON = ("method", "scheme", "host", "port", "path", "query", "body")
ROUNDS = ("playground", "vcrpy", "playground", "playground", "vcrpy", "playground")
"""Interleaved; plain vcrpy takes ~30 s a round here, so it gets two."""


# -- the two sides (run inside a worker process) -------------------------------------------------

async def _vcrpy_requests(cassette: Path, base_url: str, bodies: list[dict[str, Any]]) -> list[dict[str, Any]]:
    import openai
    import vcr

    results = []
    with vcr.VCR(match_on=VCRPY_MATCH_ON).use_cassette(str(cassette), record_mode="none"):
        client = openai.AsyncOpenAI(base_url=base_url, api_key="no-key", max_retries=0)
        try:
            for body in bodies:
                stream = await client.chat.completions.create(**body)
                results.append(step_result(await assemble(stream)))
        finally:
            await client.close()
    return results


def _side(name: str, workdir: Path, cassette: str):
    """A zero-argument replay of `cassette` by one side, its inputs read outside the timing."""
    inputs = json.loads((workdir / f"{name}.json").read_text())
    if name == "playground":
        return lambda: replay(workdir / f"{cassette}.yaml", inputs[cassette])
    copy = workdir / f"{cassette}.vcrpy-copy.yaml"  # vcrpy gets its own copy of the same file
    shutil.copyfile(workdir / f"{cassette}.yaml", copy)
    return lambda: asyncio.run(_vcrpy_requests(copy, inputs["base_url"], inputs["bodies"][cassette]))


def worker(name: str, workdir: Path) -> dict[str, Any]:
    """One round: warm up on a 2-request cassette, then time the 300-request replay and its peak memory."""
    _side(name, workdir, "warm")()
    run = _side(name, workdir, "main")
    gc.collect()
    before = memory_now()["VmRSS"]
    reset_memory_peak()
    seconds, results = timed(run)
    return {"seconds": seconds, "peak": memory_now()["VmHWM"] - before, "digest": digest(results),
            "requests": len(results)}


# -- the benchmark ----------------------------------------------------------------------------------

def _round(name: str, workdir: Path) -> dict[str, Any]:
    process = subprocess.run([sys.executable, "-m", "bench.replay", "--worker", name, str(workdir)],
                             cwd=ROOT, capture_output=True, text=True)
    if process.returncode != 0:
        raise BenchError(f"replay worker ({name}) failed:\n{process.stderr.strip()}")
    return json.loads(process.stdout.strip().splitlines()[-1])


def _prepare(workdir: Path) -> str:
    """Record the session and its warm-up; what each side is given: the questions (playground), the
    recorded request bodies and base URL (vcrpy)."""
    from playground.recording.cassette import load_cassette

    texts, warm = questions(CONVERSATIONS), questions(1, offset=CONVERSATIONS)
    log(f"recording {2 * CONVERSATIONS} requests with the offline model")
    expected = record(workdir / "main.yaml", texts)
    record(workdir / "warm.yaml", warm)
    uri = load_cassette(workdir / "main.yaml")[0].request.uri
    bodies = {name: cassette_bodies(workdir / f"{name}.yaml") for name in ("main", "warm")}
    (workdir / "playground.json").write_text(json.dumps({"main": texts, "warm": warm}))
    (workdir / "vcrpy.json").write_text(json.dumps({"base_url": uri.removesuffix("/chat/completions"),
                                                    "bodies": bodies}))
    return digest(expected)


def run() -> bool:
    with tempfile.TemporaryDirectory(prefix="bench-replay-") as tmp:
        workdir = Path(tmp)
        expected = _prepare(workdir)
        size = (workdir / "main.yaml").stat().st_size
        rounds: dict[str, list[dict[str, Any]]] = {"playground": [], "vcrpy": []}
        for name in ROUNDS:
            log(f"replay round: {name}")
            result = _round(name, workdir)
            if result["digest"] != expected:
                raise BenchError(f"replay: {name} did not give the recorded results; no timing is honest")
            rounds[name].append(result)
    ours_s, ours_peak = (median([r[key] for r in rounds["playground"]]) for key in ("seconds", "peak"))
    vcrpy_s, vcrpy_peak = (median([r[key] for r in rounds["vcrpy"]]) for key in ("seconds", "peak"))
    requests = 2 * CONVERSATIONS
    met = bench_line("replay", vcrpy_s / ours_s, ">=10",
                     f"plain vcrpy {vcrpy_s:.2f} s vs playground {ours_s:.2f} s for {requests} requests "
                     f"({vcrpy_s / requests * 1000:.1f} vs {ours_s / requests * 1000:.2f} ms/request; "
                     f"same cassette, same results; medians of {len(rounds['vcrpy'])} and "
                     f"{len(rounds['playground'])} rounds, fresh process each)")
    plain_line(f"peak memory replaying the {requests}-request session: playground {mib(ours_peak)}, "
               f"plain vcrpy {mib(vcrpy_peak)} (resident-size high-water mark above the warmed-up process)")
    plain_line(f"cassette size: {size / 1000:.0f} kB for {requests} requests "
               f"({size / requests / 1000:.1f} kB per interaction, readable YAML)")
    return met


if __name__ == "__main__":
    if sys.argv[1:2] == ["--worker"]:
        print(json.dumps(worker(sys.argv[2], Path(sys.argv[3]))))
