"""startup: wall time from launching a process to the first frame painted, for the playground TUI
(`create_app()`, the bundled demo) over a bare Textual app with one Static, started the same way."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time

from bench.common import ROOT, BenchError, bench_line, interleaved, median, ms

ROUNDS = 9
SIZE = (160, 48)
APPS = {
    "bare": "from textual.app import App\nfrom textual.widgets import Static\n"
            "class Bare(App):\n    def compose(self):\n        yield Static('Hello from a bare Textual app')\n"
            "app = Bare()\nloaded = lambda app: True\n",
    "playground": "from playground.tui.app import create_app\napp = create_app()\n"
                  "loaded = lambda app: app.session is not None\n",
}
RUNNER = """
import time
from bench.common import on_frames
{app}
times = []
def frame(app):
    if not times:
        times.append(time.monotonic())
    if loaded(app):
        times.append(time.monotonic())
        app.exit()
on_frames(frame)
app.run(headless=True, size={size})
print(times[0], times[-1])
"""
"""What a launched process runs: the app headless, a frame hook in this script (not in product code)
that notes the first frame and the first one with the session loaded, then exits."""


def _launch(kind: str, home: str) -> tuple[float, float]:
    env = {**os.environ, "XDG_STATE_HOME": home, "XDG_CONFIG_HOME": home,
           "PYTHONPYCACHEPREFIX": os.path.join(home, "pycache")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    code = RUNNER.format(app=APPS[kind], size=SIZE)
    # Bytecode as on a user's machine, even while the sources are being edited (not timed).
    subprocess.run([sys.executable, "-m", "compileall", "-q", "playground"], cwd=ROOT, env=env, check=True)
    started = time.monotonic()
    process = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=60)
    if process.returncode != 0 or not process.stdout.strip():
        raise BenchError(f"startup: the {kind} app did not paint a frame:\n{process.stderr.strip()[-2000:]}")
    first, loaded = (float(value) - started for value in process.stdout.split()[-2:])
    return first, loaded


def run() -> bool:
    loaded: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-startup-") as home:
        def playground() -> float:
            first, ready = _launch("playground", home)
            loaded.append(ready)
            return first

        _launch("bare", home), playground()  # warm the file and bytecode caches for both
        loaded.clear()
        ours, bare = interleaved(playground, lambda: _launch("bare", home)[0], ROUNDS)
    return bench_line("startup", median(ours) / median(bare), "<=1.3",
                      f"first frame {ms(median(ours))} for the playground (demo session) vs {ms(median(bare))} "
                      f"for a bare App + Static, from process launch, headless {SIZE[0]}x{SIZE[1]}; the demo is "
                      f"fully on screen at {ms(median(loaded))} (medians of {ROUNDS} interleaved launches)")
