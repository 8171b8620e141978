"""Runtime-door speed, measured side by side in one run (ratios, not timed tests).

    python bench/runtime/run.py [--reps N] [--json]

Goals (issue 4):
- `codex-guard hook claude` on a command with no codex in it: within 1.5x of `python -c pass`;
- the hook on a codex command: within 3x of `python -c pass`;
- `codex-guard exec -- FAKECODEX exec ...`: under 40 ms median above exec'ing FAKECODEX directly,
  with the auth answer warm (a ChatGPT auth.json, and a cached `login status` fallback).
`python -c pass` uses the interpreter of the `codex-guard` console script itself. Every variant is
run round-robin, so drift on a busy machine hits all of them alike.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

FAKE_CODEX = "#!/bin/sh\nexit 0\n"
NO_CODEX = {"tool_name": "Bash", "tool_input": {"command": "git status && pytest -q"}}
WITH_CODEX = {
    "tool_name": "Bash",
    "tool_input": {"command": "printf '%s' \"$P\" | codex exec -C . -s read-only -"},
}


@dataclass
class Variant:
    name: str
    argv: list[str]
    stdin: bytes | None = None
    env: dict[str, str] | None = None


def console_script() -> Path:
    """The installed `codex-guard` entry point (not a pyenv/asdf shim in front of it)."""
    beside = Path(sys.executable).parent / "codex-guard"
    if beside.is_file():
        return beside
    found = shutil.which("codex-guard")
    if not found:
        sys.exit("codex-guard is not installed (pip install -e .)")
    return Path(found)


def script_python(script: Path) -> str:
    first = script.read_text(encoding="utf-8", errors="replace").splitlines()[0]
    return first[2:].strip().split()[0] if first.startswith("#!") else sys.executable


def chatgpt_auth() -> str:
    def part(data: dict[str, object]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    token = f"{part({'alg': 'none'})}.{part({'email': 'b@example.com'})}.sig"
    return json.dumps({"auth_mode": "chatgpt", "tokens": {"id_token": token}})


def time_once(variant: Variant, cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        variant.argv,
        input=variant.stdin,
        stdin=None if variant.stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=variant.env,
        cwd=cwd,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        err = proc.stderr.decode(errors="replace").strip().splitlines()
        sys.exit(f"{variant.name}: exit {proc.returncode}: {err[-1] if err else ''}")
    return elapsed


def measure(variants: list[Variant], reps: int, cwd: Path) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {v.name: [] for v in variants}
    for v in variants:  # warm-up: page cache, rule cache, auth cache
        for _ in range(3):
            time_once(v, cwd)
    for _ in range(reps):
        for v in variants:
            samples[v.name].append(time_once(v, cwd))
    return samples


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=40)
    parser.add_argument("--json", action="store_true", help="print the numbers as JSON")
    args = parser.parse_args()

    script = console_script()
    python = script_python(script)
    with tempfile.TemporaryDirectory(prefix="cg-bench-") as tmp:
        root = Path(tmp)
        work = root / "work"
        work.mkdir()
        fake = root / "bin" / "codex"  # the exec shim starts only a program called codex
        fake.parent.mkdir()
        fake.write_text(FAKE_CODEX)
        fake.chmod(0o755)
        home = root / "codex-home"
        home.mkdir()
        (home / "auth.json").write_text(chatgpt_auth())
        home_cached = root / "codex-home-cached"  # no auth_mode: answered by the cached fallback
        home_cached.mkdir()
        (home_cached / "auth.json").write_text("{}")
        env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "CODEX_API_KEY")}
        env["XDG_CACHE_HOME"] = str(root / "cache")
        # An installed wheel has byte-code; a checkout run with PYTHONDONTWRITEBYTECODE=1 compiles
        # every module on every start (~150 ms here). Measure the installed case: byte-code in a
        # private prefix, written by the warm-up runs, the source tree left clean.
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(root / "pycache")
        run_env = {**env, "CODEX_HOME": str(home)}
        cached_env = {**env, "CODEX_HOME": str(home_cached)}
        # the fallback's one `codex login status`, answered by a stub, then cached
        status_stub = root / "status" / "codex"
        status_stub.parent.mkdir()
        status_stub.write_text("#!/bin/sh\necho 'Logged in using ChatGPT' >&2\nexit 0\n")
        status_stub.chmod(0o755)
        codex_args = ["exec", "-C", str(work), "-s", "read-only", "say hi"]
        # the PATH shim in front of a fake `codex` (the shim's own start-up has no click)
        shim_dir = root / "shim"
        real_dir = root / "real"
        real_dir.mkdir()
        (real_dir / "codex").write_text(FAKE_CODEX)
        (real_dir / "codex").chmod(0o755)
        subprocess.run(
            [str(script), "install-shim", str(shim_dir)],
            check=True,
            stdout=subprocess.DEVNULL,
            env=env,
        )
        shim_path = f"{shim_dir}{os.pathsep}{real_dir}{os.pathsep}{env['PATH']}"
        shim_env = {**run_env, "PATH": shim_path}
        variants = [
            Variant("python -c pass", [python, "-c", "pass"], env=env),
            Variant(
                "hook claude (no codex)",
                [str(script), "hook", "claude"],
                json.dumps(NO_CODEX).encode(),
                env,
            ),
            Variant(
                "hook claude (codex)",
                [str(script), "hook", "claude"],
                json.dumps(WITH_CODEX).encode(),
                env,
            ),
            Variant("fakecodex direct", [str(fake), *codex_args], env=run_env),
            Variant(
                "codex-guard exec (auth.json)",
                [str(script), "exec", "--", str(fake), *codex_args],
                env=run_env,
            ),
            Variant("codex shim -> exec", [str(shim_dir / "codex"), *codex_args], env=shim_env),
            Variant(
                "codex-guard exec (cached status)",
                [str(script), "exec", "--", str(status_stub), *codex_args],
                env=cached_env,
            ),
        ]
        samples = measure(variants, args.reps, work)

    med = {name: statistics.median(values) for name, values in samples.items()}
    base = med["python -c pass"]
    results: list[tuple[str, str, bool]] = []

    def goal(name: str, text: str, ok: Callable[[], bool]) -> None:
        results.append((name, text, ok()))

    no_codex = med["hook claude (no codex)"] / base
    with_codex = med["hook claude (codex)"] / base
    overhead_ms = (med["codex-guard exec (auth.json)"] - med["fakecodex direct"]) * 1000
    cached_ms = (med["codex-guard exec (cached status)"] - med["fakecodex direct"]) * 1000
    shim_ms = (med["codex shim -> exec"] - med["fakecodex direct"]) * 1000
    goal("PATH shim overhead", f"{shim_ms:.1f} ms (goal < 40 ms)", lambda: shim_ms < 40)
    goal(
        "hook, no codex", f"{no_codex:.2f}x python -c pass (goal <= 1.5x)", lambda: no_codex <= 1.5
    )
    goal(
        "hook, codex command",
        f"{with_codex:.2f}x python -c pass (goal <= 3x)",
        lambda: with_codex <= 3,
    )
    goal(
        "exec overhead (auth.json)",
        f"{overhead_ms:.1f} ms (goal < 40 ms)",
        lambda: overhead_ms < 40,
    )
    goal(
        "exec overhead (cached status)",
        f"{cached_ms:.1f} ms (goal < 40 ms)",
        lambda: cached_ms < 40,
    )

    # Load-independent view: what codex-guard adds on top of the interpreter's own start-up.
    above = {
        "codex-guard exec": med["codex-guard exec (auth.json)"] - base,
        "codex shim -> exec": med["codex shim -> exec"] - base,
        "hook (codex)": med["hook claude (codex)"] - base,
        "hook (no codex)": med["hook claude (no codex)"] - base,
    }
    if args.json:
        print(
            json.dumps(
                {
                    "median_s": med,
                    "goals": [{"goal": g, "value": t, "pass": p} for g, t, p in results],
                },
                indent=2,
            )
        )
    else:
        print(f"interpreter: {python}\nconsole script: {script}\nrepetitions: {args.reps}\n")
        for name, value in med.items():
            print(f"  {name:<34} median {value * 1000:7.1f} ms")
        print()
        print("\nabove `python -c pass` (codex-guard's own imports and work):")
        for name, value in above.items():
            print(f"  {name:<34} {value * 1000:+7.1f} ms")
        print()
        for name, text, ok in results:
            print(f"{'PASS' if ok else 'FAIL'}  {name}: {text}")
    return 0 if all(ok for _n, _t, ok in results) else 1


if __name__ == "__main__":
    sys.exit(main())
