"""Child process for tests/test_doors_fuzz.py: runs each door in-process on each input.

Reads a JSON list of cases on stdin ({"door": ..., "data": base64}) and prints one JSON result per
line as soon as each case is done, so a crash (a segfault kills this process) is pinned to the
case after the last printed result.
"""

from __future__ import annotations

import base64
import io
import json
import os
import sys
import tempfile
import traceback
from pathlib import Path

from click.testing import CliRunner

from guard.commands import app
from guard.runtime.hook import run_hook


def run_case(door: str, data: bytes, folder: Path) -> dict[str, object]:
    if door in ("hook-claude", "hook-codex"):
        out, err = io.StringIO(), io.StringIO()
        stdin = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8")
        code = run_hook(door.split("-")[1], stdin, out, err)
        return {"code": code, "stdout": out.getvalue(), "stderr": err.getvalue()}
    runner = CliRunner()
    if door == "check":
        text = data.decode("utf-8", "surrogateescape")
        if "\x00" in text or not text or any("\ud800" <= c <= "\udfff" for c in text):
            result = runner.invoke(app, ["check"], input=data)  # as a pipe: bytes as they are
        else:
            result = runner.invoke(app, ["check", text])
    else:
        script = folder / "fuzz.sh"
        script.write_bytes(data)
        result = runner.invoke(app, ["lint", "-j", "1", str(script)])
    crash = ""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        crash = "".join(traceback.format_exception(result.exception))
    return {
        "code": result.exit_code,
        "stdout": result.stdout,
        "stderr": result.stderr,
        "crash": crash,
    }


def main() -> int:
    cases = json.load(sys.stdin)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        os.chdir(folder)
        os.environ["XDG_CACHE_HOME"] = str(folder / "cache")
        for case in cases:
            data = base64.b64decode(case["data"])
            result = run_case(case["door"], data, folder)
            print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
