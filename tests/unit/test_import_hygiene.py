"""playground.core stays headless: importing it loads neither textual nor rich (nor openai)."""

from __future__ import annotations

import json
import subprocess
import sys


def test_core_imports_neither_textual_nor_rich():
    code = (
        "import json, sys, pkgutil, importlib, playground.core as core\n"
        "for m in pkgutil.walk_packages(core.__path__, 'playground.core.'):\n"
        "    importlib.import_module(m.name)\n"
        "print(json.dumps(sorted(k for k in sys.modules if k.split('.')[0] in ('textual', 'rich', 'openai'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_the_tui_module_stays_light_until_its_first_frame():
    """openai (~0.9 s), pydantic and jsonschema load after the first frame, not on import."""
    code = "import json, sys, playground.tui.app\n" \
           "print(json.dumps(sorted(k for k in sys.modules if k.split('.')[0] in ('openai', 'pydantic', 'jsonschema'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []
