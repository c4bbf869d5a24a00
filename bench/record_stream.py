"""record-stream: time from a step's request to its first streamed chunk through the engine while
recording, over the same without recording (the offline model serving a deliberately slow stream)."""

from __future__ import annotations

import asyncio
import tempfile
import time
from pathlib import Path

from bench.common import BenchError, bench_line, demo_session, interleaved, median, ms, questions, same_or_fail

CHUNK_DELAY = 0.05
ROUNDS = 5


async def _first_chunks(base_url: str, cassette: Path | None) -> tuple[list[float], list]:
    """One demo conversation; for each step, the seconds from StepStarted to its first delta."""
    from playground.core import events as ev
    from playground.core.engine import Engine
    from playground.core.session import Turn
    from playground.recording import Recorder

    session = demo_session(provider=base_url)
    session.turns = [Turn(user=questions(1)[0])]
    recorder = Recorder(session, mode="all", cassette=cassette) if cassette else None
    engine = Engine(session, client_factory=recorder.client_factory() if recorder else None, mode="auto")
    firsts, started = [], None
    try:
        async for event in engine.run_all():
            if isinstance(event, ev.StepStarted):
                started = time.perf_counter()
            elif isinstance(event, (ev.TextDelta, ev.ToolCallDelta)) and started is not None:
                firsts.append(time.perf_counter() - started)
                started = None
            elif isinstance(event, ev.ErrorEvent):
                raise BenchError(f"record-stream: the engine failed: {event.message}")
    finally:
        await engine.aclose()
    if recorder is not None and (recorder.save() is None or len(recorder.player.interactions) != 2):
        raise BenchError("record-stream: the recording did not keep the 2 streamed responses")
    return firsts, engine.transcript().messages


class _Side:
    """Runs the conversation, recording into `folder` (or not); keeps every step's first-chunk time."""

    def __init__(self, base_url: str, folder: Path | None):
        self.base_url, self.folder = base_url, folder
        self.firsts: list[float] = []
        self.transcripts: list[list] = []

    def __call__(self) -> float:
        cassette = self.folder / f"{len(self.transcripts)}.yaml" if self.folder else None
        firsts, messages = asyncio.run(_first_chunks(self.base_url, cassette))
        self.firsts += firsts
        self.transcripts.append(messages)
        return median(firsts)


def run() -> bool:
    from playground.core.offline import OfflineServer

    with tempfile.TemporaryDirectory(prefix="bench-record-") as tmp, \
            OfflineServer(chunk_delay=CHUNK_DELAY) as server:
        _Side(server.base_url, None)()  # warm-up (imports, first connection)
        recording, plain = _Side(server.base_url, Path(tmp)), _Side(server.base_url, None)
        interleaved(recording, plain, ROUNDS)
    for transcript in recording.transcripts + plain.transcripts:
        same_or_fail("record-stream", transcript, plain.transcripts[0])
    ours, theirs = median(recording.firsts), median(plain.firsts)
    return bench_line("record-stream", ours / theirs, "<=1.1",
                      f"first chunk {ms(ours)} while recording vs {ms(theirs)} without "
                      f"(offline model, {ms(CHUNK_DELAY)} between chunks; median of {len(plain.firsts)} "
                      f"steps each, {ROUNDS} interleaved rounds; each recording saved and complete)")
