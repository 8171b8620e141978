"""The installed agent hook against `python -c pass`, interleaved in one run.

    python bench/bench_hook.py [--rounds 40] [--agent claude] [--no-compile] [--baseline-src DIR]

What it does:

1. `python -m compileall -q guard` (this machine sets PYTHONDONTWRITEBYTECODE=1, so without it
   every import compiles from source and the hook looks far slower than an installed one);
2. `codex-guard hook install AGENT --project` into a temporary git repository, with the venv of
   this interpreter, and reads back the command it wrote (it must be absolute);
3. runs, in each round and in this order (A B C D A B C D ...): `<same python> -c pass`, the
   hook on a command without codex (`ls -la /tmp && git status`), the hook on a codex command
   (denied: CG201, a positional prompt with an open stdin), and for comparison what `hook
   install` wrote before (the console script `codex-guard hook AGENT`) on the first command.
   Each is started by argv (no shell: both agents' runners add the same shell either way),
   stdin from a file, env with PATH=/usr/bin:/bin only, so the hook cannot lean on the venv
   being on PATH;
4. prints the median of each and the ratios hook/`python -c pass`, with PASS/FAIL against the
   goals (1.5x without codex, 3x with codex); then the median CPU time of each child (user+sys,
   `os.wait4`), which the load of a shared machine moves far less than wall time. The load
   average is printed before and after.

`--baseline-src DIR`: DIR holds another version's `guard/` and `rules/` (e.g. `git archive REV
guard rules | tar -x -C DIR`); its `guard/hookmain.py`, run the same way, joins each round on
the codex command, so a change is measured against its base in the same run.

Exit 0 when both goals pass, 1 when one fails, 2 when the set-up fails.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLAIN = "ls -la /tmp && git status --short"
CODEX = 'codex exec -C . -s read-only "summarize the repo"'  # CG201: stdin left open
GOAL_PLAIN = 1.5
GOAL_CODEX = 3.0


def payload(command: str, cwd: Path) -> str:
    return json.dumps(
        {
            "session_id": "bench",
            "transcript_path": None,
            "cwd": str(cwd),
            "permission_mode": "default",
            "hook_event_name": "PreToolUse",
            "tool_name": "Bash",
            "tool_input": {"command": command},
            "tool_use_id": "t1",
        }
    )


def install(agent: str, project: Path) -> list[str]:
    guard = Path(sys.executable).parent / "codex-guard"
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    env = {**os.environ, "CODEX_HOME": str(project / ".codex-home"), "HOME": str(project)}
    subprocess.run(
        [str(guard), "hook", "install", agent, "--project"],
        cwd=project,
        env=env,
        check=True,
        capture_output=True,
    )
    name = ".claude/settings.json" if agent == "claude" else ".codex/hooks.json"
    data = json.loads((project / name).read_text())
    command = data["hooks"]["PreToolUse"][-1]["hooks"][0]["command"]
    argv = shlex.split(command)
    if not os.path.isabs(argv[0]):
        raise SystemExit(f"the installed hook command is not absolute: {command}")
    return argv


def timed(
    argv: list[str], stdin_path: Path | None, env: dict[str, str], cwd: Path
) -> tuple[float, float]:
    """Wall time and the child's CPU time (user+sys, from os.wait4) of one run."""
    with open(stdin_path or os.devnull, "rb") as stdin:
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            stdin=stdin,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=cwd,
        )
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait
    if proc.returncode not in (0, 2):
        raise SystemExit(f"{shlex.join(argv)} failed ({proc.returncode})")
    return elapsed, usage.ru_utime + usage.ru_stime


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--agent", choices=["claude", "codex"], default="claude")
    parser.add_argument("--no-compile", action="store_true")
    parser.add_argument("--baseline-src", help="folder holding another version's guard/, rules/")
    args = parser.parse_args()
    baseline_main = Path(args.baseline_src or ROOT, "guard", "hookmain.py")
    if not baseline_main.is_file():
        print(f"no {baseline_main}", file=sys.stderr)
        return 2
    if not args.no_compile:
        for src in filter(None, [str(ROOT), args.baseline_src]):
            subprocess.run([sys.executable, "-m", "compileall", "-q", f"{src}/guard"], check=True)
    with tempfile.TemporaryDirectory() as tmp:
        project = Path(tmp) / "repo"
        try:
            hook = install(args.agent, project)
        except (subprocess.CalledProcessError, OSError, KeyError, ValueError) as exc:
            print(f"set-up failed: {exc}", file=sys.stderr)
            return 2
        plain, codex = Path(tmp) / "plain.json", Path(tmp) / "codex.json"
        plain.write_text(payload(PLAIN, project))
        codex.write_text(payload(CODEX, project))
        env = {"PATH": "/usr/bin:/bin", "HOME": str(project), "LANG": "C.UTF-8"}
        # The decision itself, once: a codex command must be denied, a plain one allowed.
        check = subprocess.run(hook, stdin=codex.open("rb"), capture_output=True, env=env)
        if b'"deny"' not in check.stdout:
            print(f"the hook did not deny the codex command: {check.stdout!r}", file=sys.stderr)
            return 2
        load_before = os.getloadavg()
        runs: dict[str, list[tuple[float, float]]] = {
            "python -c pass": [],
            "hook, no codex": [],
            "hook, codex": [],
            "old: console script, no codex": [],
        }
        # The same command line with the baseline's hookmain.py in place of this one's.
        base_hook = [str(baseline_main) if arg.endswith("hookmain.py") else arg for arg in hook]
        if args.baseline_src:
            runs["baseline hook, codex"] = []
        baseline = [hook[0], "-c", "pass"]
        # What `hook install` wrote before (a bare `codex-guard hook AGENT`), here by its path.
        old = [str(Path(sys.executable).parent / "codex-guard"), "hook", args.agent]
        for _ in range(args.rounds):
            runs["python -c pass"].append(timed(baseline, None, env, project))
            runs["hook, no codex"].append(timed(hook, plain, env, project))
            runs["hook, codex"].append(timed(hook, codex, env, project))
            runs["old: console script, no codex"].append(timed(old, plain, env, project))
            if args.baseline_src:
                runs["baseline hook, codex"].append(timed(base_hook, codex, env, project))
    load_after = os.getloadavg()
    medians = {name: statistics.median(t[0] for t in times) for name, times in runs.items()}
    cpu = {name: statistics.median(t[1] for t in times) for name, times in runs.items()}
    print(f"hook command: {shlex.join(hook)}")
    print(f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after")
    print(f"{args.rounds} interleaved rounds; median wall time per run, then CPU (user+sys):")
    for name, value in medians.items():
        print(
            f"  {name:30} {value * 1000:7.1f} ms  {value / medians['python -c pass']:5.2f}x"
            f"   cpu {cpu[name] * 1000:6.1f} ms  {cpu[name] / cpu['python -c pass']:5.2f}x"
        )
    base = medians["python -c pass"]
    ok = True
    for name, goal in (("hook, no codex", GOAL_PLAIN), ("hook, codex", GOAL_CODEX)):
        ratio = medians[name] / base
        passed = ratio <= goal
        ok = ok and passed
        print(f"{'PASS' if passed else 'FAIL'} {name}: {ratio:.2f}x python -c pass (goal {goal}x)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
