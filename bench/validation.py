"""validation (a plain line): the time to validate the 3,420 reference tool definitions (BFCL, OpenAI format)."""

from __future__ import annotations

import json

from bench.common import REFERENCE_TOOLS, median, ms, plain_line, timed

ROUNDS = 5


def run() -> None:
    from playground.core.tools import validate_tools

    if not REFERENCE_TOOLS.is_file():
        plain_line(f"validation: skipped, {REFERENCE_TOOLS} is not here")
        return
    tools = [json.loads(line)["tool"] for line in REFERENCE_TOOLS.read_text().splitlines() if line.strip()]
    validate_tools(tools[:10])  # warm-up: imports, the metaschema
    rounds = [timed(lambda: validate_tools(tools)) for _ in range(ROUNDS)]
    seconds, problems = median([s for s, _ in rounds]), rounds[0][1]
    duplicates = sum(p.message.startswith("duplicate name") for p in problems)
    errors = sum(p.severity == "error" for p in problems) - duplicates
    warnings = len(problems) - errors - duplicates
    plain_line(f"validation: {len(tools)} reference tools in {ms(seconds)} ({seconds / len(tools) * 1e6:.0f} us/tool; "
               f"found {errors} errors, {warnings} warnings and {duplicates} names that repeat across the set; "
               f"validate_tools, median of {ROUNDS})")
