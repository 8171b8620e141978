"""A spawn's argv list that starts with a wrapper is read by the command model, as the same
words on a shell line would be: `["timeout", "600", "codex", ...]`, `["ssh", host, "codex", ...]`,
`["docker", "compose", "run", "-e", K, svc, "codex", ...]`, `["uv", "run", "codex", ...]`,
`spawn("npx", ["--yes", "@openai/codex", ...])`. The sources keep no list of wrappers of their
own (guard/shell/wrappers.py is the one place), words that only mention codex stay silent, and
what the linter reads is what really runs (a recording stand-in codex behind real wrappers)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from guard.sources import spawnline
from tests.sources.recorded_runs import run_recorded

CLI = [sys.executable, "-m", "guard.cli"]


def lint(path: Path) -> list[tuple[str, int, str]]:
    done = subprocess.run(
        [*CLI, "lint", "--no-cache", "--format", "json", str(path)],
        capture_output=True, text=True, timeout=300, cwd=path.parent,
    )  # fmt: skip
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    doc: dict[str, Any] = json.loads(done.stdout)
    assert doc["errors"] == []
    return sorted((f["rule"], f["line"], f["message"]) for f in doc["findings"])


def rules_at(found: list[tuple[str, int, str]]) -> set[tuple[str, int]]:
    return {(rule, line) for rule, line, _ in found}


def line_of(text: str, needle: str) -> int:
    """The 1-based line of the one spawn call that holds `needle` (where a finding points)."""
    (index,) = [i for i, line in enumerate(text.splitlines()) if needle in line]
    return index + 1


PY_FLEET = """\
import os
import subprocess

WORKDIR = "/srv/fleet/repo"


def remote_worker(host: str, task: str) -> None:
    # ssh hands the key to the remote codex (SendEnv)
    subprocess.run(
        ["ssh", "-o", "SendEnv=OPENAI_API_KEY", host, "codex", "exec", "-C", WORKDIR,
         "-s", "workspace-write", "-"],
        input=task, text=True, check=True,
    )


def compose_worker(task_file: str) -> None:
    subprocess.run(
        ["docker", "compose", "run", "--rm", "-e", "OPENAI_API_KEY", "worker",
         "codex", "exec", "-C", "/work", "-s", "workspace-write", "-"],
        stdin=open(task_file), check=True,
    )


def uv_validator(task: str) -> None:
    subprocess.run(
        ["uv", "run", "codex", "exec", "-C", WORKDIR, "-s", "danger-full-access", task],
        stdin=subprocess.DEVNULL, check=True,
    )


def timed_worker(task: str, key: str) -> None:
    subprocess.run(
        ["timeout", "600", "codex", "exec", "-C", WORKDIR, "-s", "workspace-write", task],
        env={**os.environ, "OPENAI_API_KEY": key}, stdin=subprocess.DEVNULL, check=True,
    )


def shell_worker(task: str) -> None:
    subprocess.run(
        ["bash", "-lc", f"codex exec -C {WORKDIR} --yolo '{task}'"],
        stdin=subprocess.DEVNULL, check=True,
    )


def clean_worker(task: str) -> None:
    subprocess.run(
        ["nice", "-n", "10", "codex", "exec", "-C", WORKDIR, "-s", "workspace-write", "-"],
        input=task, text=True, check=True,
    )


def notes() -> None:
    # Lines that only mention codex: none of them starts it.
    subprocess.run(["grep", "-rn", "codex exec --yolo", "docs/"], check=False)
    subprocess.run(["echo", "run codex exec --yolo to skip the sandbox"], check=True)
    subprocess.run(["git", "commit", "-m", "codex exec: drop --yolo"], check=True)
    subprocess.run(["python3", "-m", "pytest", "tests/codex", "-k", "exec"], check=True)
    subprocess.run(["ssh", "build-host", "grep", "-c", "codex", "/var/log/syslog"], check=True)
"""


def test_python_spawns_through_wrappers_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "fleet.py"
    path.write_text(PY_FLEET, encoding="utf-8")
    found = lint(path)

    def at(needle: str) -> int:  # the `subprocess.run(` line of the spawn holding `needle`
        return line_of(PY_FLEET, needle) - 1

    assert rules_at(found) == {
        ("CG101", at('["ssh", "-o"')),  # ssh -o SendEnv=OPENAI_API_KEY
        ("CG101", at('["docker", "compose"')),  # docker compose run -e OPENAI_API_KEY
        ("CG303", at('["uv", "run"')),  # uv run codex ... danger-full-access
        ("CG101", at('["timeout", "600"')),  # timeout 600 codex, env={**os.environ, K: key}
        ("CG303", at('["bash", "-lc"')),  # bash -lc "codex exec ... --yolo"
    }, found


JS_FLEET = """\
import { spawn, execFileSync } from "node:child_process";

const ROOT = "/srv/fleet/repo";

export function timed(prompt) {
  return spawn("timeout", ["600", "codex", "exec", "-C", ROOT, "--yolo", prompt], {
    stdio: ["ignore", "pipe", "pipe"],
  });
}

export function viaNpx(prompt) {
  return execFileSync("npx", ["--yes", "@openai/codex", "exec", "-C", ROOT, "-s", "read-only", prompt], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, OPENAI_API_KEY: process.env.FLEET_KEY },
  });
}

export function remote(host, prompt) {
  return spawn("ssh", [host, "codex", "exec", "-C", ROOT, "-s", "danger-full-access", prompt], {
    stdio: ["ignore", "pipe", "pipe"],
  });
}

export function inContainer(prompt) {
  return spawn("docker", ["exec", "-e", "CODEX_API_KEY=sk-live", "worker", "codex", "exec",
    "-C", "/work", "-s", "workspace-write", prompt], { stdio: ["ignore", "pipe", "pipe"] });
}

export function quiet() {
  spawn("grep", ["-rn", "codex exec --yolo", "docs"], { stdio: "ignore" });
  spawn("echo", ["codex", "exec", "--yolo"], { stdio: "ignore" });
  return spawn("timeout", ["5", "codex", "--version"], { stdio: "ignore" });
}
"""


def test_javascript_spawns_through_wrappers_are_checked(tmp_path: Path) -> None:
    path = tmp_path / "fleet.mjs"
    path.write_text(JS_FLEET, encoding="utf-8")
    found = lint(path)
    assert rules_at(found) == {
        ("CG303", line_of(JS_FLEET, '"600", "codex"')),  # timeout 600 codex ... --yolo
        ("CG101", line_of(JS_FLEET, '"@openai/codex"')),  # npx --yes, env with the key
        # its stdout piped back and returned to the caller: terminal text taken as the result
        ("CG601", line_of(JS_FLEET, '"@openai/codex"')),
        ("CG303", line_of(JS_FLEET, 'spawn("ssh"')),  # ssh host codex ... danger-full-access
        ("CG101", line_of(JS_FLEET, '"CODEX_API_KEY=')),  # docker exec -e CODEX_API_KEY=...
    }, found


def test_an_unknown_program_behind_a_wrapper_is_cg902(tmp_path: Path) -> None:
    """The wrapper is peeled; what it runs is unresolved and its arguments are codex's: one
    CG902, as an unknown program first in the list is. An unknown tail with nothing codex-like
    is no finding (`timeout 600 *cmd`)."""
    path = tmp_path / "dispatch.py"
    path.write_text(
        "import os\nimport subprocess\n\nCLI = os.environ.get('CODEX_BIN')\n\n\n"
        "def run(task: str, cmd: list[str]) -> None:\n"
        "    subprocess.run(['timeout', '600', CLI, 'exec', '--yolo', task],"
        " stdin=subprocess.DEVNULL)\n"
        "    subprocess.run(['timeout', '600', *cmd], stdin=subprocess.DEVNULL)\n",
        encoding="utf-8",
    )
    found = lint(path)
    assert rules_at(found) == {("CG902", 8)}, found
    assert "timeout 600" in found[0][2]


@pytest.mark.parametrize(
    ("argv", "runs"),
    [
        (("timeout", "600", "codex", "exec", "-"), True),
        (("ssh", "-o", "SendEnv=OPENAI_API_KEY", "h", "codex", "exec", "-"), True),
        (("docker", "compose", "run", "-e", "K", "svc", "codex", "exec", "-"), True),
        (("uv", "run", "codex", "exec", "-"), True),
        (("npx", "--yes", "@openai/codex", "exec", "-"), True),
        (("bash", "-lc", "cd /r && codex exec -"), True),
        (("agent-run", "--timeout", "900", "--", "codex", "exec", "--yolo", "p"), True),
        (("grep", "codex exec", "log"), False),
        (("echo", "codex", "exec", "--yolo"), False),
        (("kubectl", "logs", "codex", "-f"), False),
        (("ssh", "h", "grep", "-c", "codex", "/var/log/syslog"), False),
    ],
)
def test_the_command_model_decides_what_runs_codex(argv: tuple[str, ...], runs: bool) -> None:
    assert spawnline.is_codex_argv(argv) is runs


def test_the_sources_keep_no_wrapper_list_of_their_own() -> None:
    assert not hasattr(spawnline, "RUNNERS")


RUNNER = """\
import os
import subprocess
import sys


def timed(task: str) -> None:
    subprocess.run(["timeout", "60", "codex", "exec", "-s", "read-only", task],
                   env={**os.environ, "OPENAI_API_KEY": os.environ["BILLING_KEY"]},
                   stdin=subprocess.DEVNULL, check=True)


def cleaned(task: str) -> None:
    subprocess.run(["env", "-u", "OPENAI_API_KEY", "nice", "codex", "exec", "-s", "read-only",
                    task], env={**os.environ, "OPENAI_API_KEY": os.environ["BILLING_KEY"]},
                   stdin=subprocess.DEVNULL, check=True)


def shelled(task: str) -> None:
    subprocess.run(["bash", "-c", f"codex exec -s read-only '{task}'"],
                   env=dict(os.environ, OPENAI_API_KEY=os.environ["BILLING_KEY"]),
                   stdin=subprocess.DEVNULL, check=True)


def handed_over(task: str) -> None:
    env = dict(os.environ, OPENAI_API_KEY=os.environ["BILLING_KEY"])
    os.execvpe("timeout", ["timeout", "60", "codex", "exec", "-s", "read-only", task], env)


def handed_over_clean(task: str) -> None:
    os.execve("/usr/bin/env", ["env", "codex", "exec", "-s", "read-only", task],
              {"PATH": os.environ["PATH"], "RECORD": os.environ["RECORD"]})


if __name__ == "__main__":
    globals()[sys.argv[1]]("fix it")
"""


@pytest.mark.skipif(shutil.which("timeout") is None, reason="coreutils timeout is not installed")
@pytest.mark.parametrize(
    "function", ["timed", "cleaned", "shelled", "handed_over", "handed_over_clean"]
)
def test_a_finding_is_what_the_wrapped_codex_receives(tmp_path: Path, function: str) -> None:
    """CG101 on a wrapped spawn exactly when the key reaches the codex the wrapper starts."""
    lines = RUNNER.splitlines()
    start = line_of(RUNNER, f"def {function}(")
    line = next(n for n in range(start, len(lines) + 1) if "(" in lines[n - 1] and (
        "subprocess.run(" in lines[n - 1] or "os.exec" in lines[n - 1]))  # fmt: skip
    path = tmp_path / "runner.py"
    path.write_text(RUNNER, encoding="utf-8")
    (run,) = run_recorded(tmp_path, [sys.executable, str(path), function])
    assert run.argv[:3] == ["exec", "-s", "read-only"]
    reported = ("CG101", line) in rules_at(lint(path))
    assert reported is run.has_key, (function, run)


LAUNCHER = """\
import os


def handoff(task: str) -> None:
    os.execvp("timeout", ["timeout", "3600", "codex", "exec", "-C", "/srv", "--yolo", task])


def handoff_keyed(task: str) -> None:
    env = dict(os.environ, OPENAI_API_KEY=os.environ["FLEET_KEY"])
    os.execvpe("codex", ["codex", "exec", "-C", "/srv", "-s", "read-only", "-"], env)


def handoff_listed(task: str) -> None:
    os.execlp("codex", "codex", "exec", "-C", "/srv", "-s", "danger-full-access", "-")


def worker(task: str) -> int:
    return os.spawnvp(os.P_WAIT, "codex", ["codex", "exec", "-C", "/srv", "-s", "read-only", "-"])


def search() -> None:
    # argv[0] is only the name grep sees: grep runs, not codex
    os.execv("/usr/bin/grep", ["codex", "-rn", "codex exec --yolo", "docs"])
"""


def test_os_exec_and_spawn_forms_are_spawns(tmp_path: Path) -> None:
    """os.execvp / execvpe / execlp / spawnvp run their program argument with the list's
    words after argv[0]; an `e` form's env is the program's environment."""
    path = tmp_path / "launch.py"
    path.write_text(LAUNCHER, encoding="utf-8")
    found = rules_at(lint(path))
    assert {(r, n) for r, n in found if r in ("CG101", "CG303")} == {
        ("CG303", line_of(LAUNCHER, '"3600"')),
        ("CG101", line_of(LAUNCHER, "os.execvpe(")),
        ("CG303", line_of(LAUNCHER, "os.execlp(")),
    }, found
    assert not {n for _, n in found} & {line_of(LAUNCHER, "os.execv(")}


SHELL_STRINGS = """\
import { spawn } from "node:child_process";

const ROOT = "/srv/fleet/repo";

export function timed(prompt) {
  const script = `cd ${ROOT} && codex exec --yolo ${JSON.stringify(prompt)}`;
  return spawn("timeout", ["600", "bash", "-lc", script], { stdio: ["ignore", "pipe", "pipe"] });
}

export function remote(host, prompt) {
  const line = `OPENAI_API_KEY=${process.env.KEY} codex exec -C ${ROOT} -s read-only -`;
  return spawn("ssh", [host, line], { stdio: ["pipe", "pipe", "pipe"] });
}

export function noted(prompt) {
  const note = `codex exec --yolo is not used here: ${prompt}`;
  return spawn("logger", ["-t", "fleet", note], { stdio: "ignore" });
}
"""


def test_a_shell_string_behind_a_wrapper_is_read_as_shell(tmp_path: Path) -> None:
    """A template held in a variable and run as shell text by a program the wrapper starts
    (`timeout 600 bash -lc`, `ssh HOST`): its codex line is checked; the same text given to a
    program that only logs it is not a run."""
    path = tmp_path / "remote.mjs"
    path.write_text(SHELL_STRINGS, encoding="utf-8")
    found = rules_at(lint(path))
    assert ("CG303", line_of(SHELL_STRINGS, 'spawn("timeout"')) in found
    assert ("CG101", line_of(SHELL_STRINGS, 'spawn("ssh"')) in found
    assert not {n for _, n in found} & {line_of(SHELL_STRINGS, 'spawn("logger"')}, found


REMOTE = """\
import shlex
import subprocess

ROOT = "/srv/fleet/repo"


def by_concat(host: str, task: str) -> None:
    subprocess.run(["ssh", host, "codex exec -C " + ROOT + " --yolo " + shlex.quote(task)],
                   stdin=subprocess.DEVNULL, check=True)


def by_join(host: str, task: str) -> None:
    argv = ["codex", "exec", "-C", ROOT, "-s", "danger-full-access", task]
    subprocess.run(["ssh", host, shlex.join(argv)], stdin=subprocess.DEVNULL, check=True)


def logged(host: str, task: str) -> None:
    subprocess.run(["ssh", host, "logger -t fleet " + shlex.quote("codex exec --yolo " + task)],
                   stdin=subprocess.DEVNULL, check=True)
"""


def test_remote_command_strings_built_in_python_are_read_as_shell(tmp_path: Path) -> None:
    """ssh's command is a string for the remote shell: built with `+` and `shlex.quote`, or
    `shlex.join(argv)`, it is read like the f-string it amounts to; quoted as data for another
    program (`logger`), it is no run."""
    path = tmp_path / "remote.py"
    path.write_text(REMOTE, encoding="utf-8")
    found = rules_at(lint(path))
    assert {(r, n) for r, n in found if r == "CG303"} == {
        ("CG303", line_of(REMOTE, "by_concat(") + 1),
        ("CG303", line_of(REMOTE, "shlex.join(argv)")),
    }, found
    assert not {n for _, n in found} & {line_of(REMOTE, '"logger -t')}
