"""log-append: appending 5,000 conversation messages to playground's conversation pane (ConversationView),
over writing the same text to a bare RichLog; each in a headless app, timed until the next frame is painted."""

from __future__ import annotations

import asyncio
import time

from bench.common import (
    CITIES, PRODUCTS, BenchError, bench_line, demo_session, interleaved, median, ms, on_frames, questions,
    run_conversations,
)

MESSAGES = 5000
ROUNDS = 3
SIZE = (120, 40)
_painted: list[asyncio.Future] = []


def _texts() -> list[tuple[str, str]]:
    """User questions, and the offline model's real answer to the first re-aimed at each city and product."""
    from playground.core.engine import Engine

    asked = questions(MESSAGES // 2)
    engine = Engine(demo_session(), mode="auto")

    async def first_answer() -> str:
        try:
            return (await run_conversations(engine, asked[:1]))[-1]["content"]
        finally:
            await engine.aclose()

    answer = asyncio.run(first_answer())
    if CITIES[0] not in answer or PRODUCTS[0] not in answer:
        raise BenchError("log-append: the offline model's answer does not name the city and the product")
    texts = []
    for question in asked:
        city, product = question.split(" in ", 1)[1].split(" today? Also search for ")
        texts += [("user", question), ("assistant", answer.replace(CITIES[0], city).replace(PRODUCTS[0], product))]
    return texts


def _frame(app) -> None:
    while _painted:
        future = _painted.pop()
        if not future.done():
            future.set_result(time.perf_counter())


async def _append(make, add, texts: list[tuple[str, str]]) -> tuple[float, object]:
    """Mount one widget in a headless app; append every text; seconds until the frame showing them."""
    from textual.app import App

    class One(App):
        def compose(self):
            yield make()

    app = One()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        widget = app.screen.children[0]
        started = time.perf_counter()
        for kind, text in texts:
            add(widget, kind, text)
        painted = asyncio.get_running_loop().create_future()
        _painted.append(painted)
        seconds = await painted - started
        await pilot.pause()
        return seconds, widget


def _conversation_side(texts):
    from playground.tui.widgets.conversation import ConversationView, Entry

    def run() -> float:
        seconds, view = asyncio.run(_append(
            ConversationView, lambda view, kind, text: view.add(Entry(kind, len(view.entries) // 2, text)), texts))
        if [(e.kind, e.text) for e in view.entries] != texts or view.scroll_y != view.max_scroll_y:
            raise BenchError("log-append: the conversation pane does not hold every message")
        return seconds
    return run


def _richlog_side(texts):
    from textual.widgets import RichLog

    def run() -> float:
        seconds, log = asyncio.run(_append(
            lambda: RichLog(wrap=True, markup=False, highlight=False), lambda log, kind, text: log.write(text), texts))
        last = " ".join(strip.text for strip in log.lines[-20:]).split()
        if len(log.lines) < len(texts) or last[-len(texts[-1][1].split()):] != texts[-1][1].split() \
                or log.scroll_y != log.max_scroll_y:
            raise BenchError("log-append: the RichLog does not hold every message")
        return seconds
    return run


def run() -> bool:
    texts = _texts()
    on_frames(_frame)
    ours, bare = interleaved(_conversation_side(texts), _richlog_side(texts), ROUNDS)
    return bench_line("log-append", median(ours) / median(bare), "<=2.0",
                      f"{MESSAGES} messages in {ms(median(ours))} to the conversation pane vs {ms(median(bare))} "
                      f"to a bare RichLog(wrap=True), same texts, until the next frame, headless {SIZE[0]}x{SIZE[1]} "
                      f"(medians of {ROUNDS} interleaved rounds)")
