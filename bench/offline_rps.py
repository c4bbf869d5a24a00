"""offline-rps (a plain line): requests per second the offline model answers on loopback, streamed and
not, for the demo's first request from one keep-alive httpx2 client, one request at a time."""

from __future__ import annotations

import time

from bench.common import demo_session, median, plain_line, questions

SECONDS = 1.0
ROUNDS = 3


def _rate(client, url: str, body: dict) -> float:
    count, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < SECONDS:
        response = client.post(url, json=body)
        response.read()
        if response.status_code != 200:
            raise RuntimeError(f"offline model answered {response.status_code}: {response.text[:200]}")
        count += 1
    return count / elapsed


def run() -> None:
    import httpx2

    from playground.core.engine import first_request
    from playground.core.offline import OfflineServer
    from playground.core.session import Turn

    session = demo_session()
    session.turns = [Turn(user=questions(1)[0])]
    streamed = first_request(session)
    whole = {key: value for key, value in streamed.items() if key not in ("stream", "stream_options")}
    with OfflineServer() as server, httpx2.Client() as client:
        url = server.base_url + "/chat/completions"
        rates = {name: median([_rate(client, url, body) for _ in range(ROUNDS)])
                 for name, body in (("non-streamed", whole), ("streamed", streamed))}
    plain_line("offline model: " + ", ".join(f"{rate:.0f} requests/s {name}" for name, rate in rates.items())
               + " (demo's first request: 2 tools, 2 parallel calls answered; one keep-alive httpx2 client, "
               f"sequential; medians of {ROUNDS} x {SECONDS:.0f} s)")
