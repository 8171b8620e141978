"""Property: whatever the argv and the env, the exec shim and the PATH shim never start codex with
a forbidden key in the env it receives, for a command that can reach a model.

Each example runs the door for real (a subprocess, stdin /dev/null) with a recording stand-in
codex first on PATH, and asserts on what the recorder got: either codex was not started (exit 3,
2 or 127) or it was started without any forbidden key (or for a command the grammar says never
reaches a model, such as `--version`). Wrapper prefixes are drawn from the command model's wrapper
list plus shell strings, interpreters, unknown commands and `env` in all its forms.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guard.codex.grammar import reaches_model
from guard.shell.wrappers import WRAPPER_PROGRAMS
from tests.runtime.conftest import FORBIDDEN, guard_cmd
from tests.runtime.recorder import Recorder, chatgpt_home_in, clean_env, make_recorder

EXAMPLES = 60  # each example is one real process start (~0.2-0.5 s)
DOORS_EXIT = {0, 2, 3, 127}

# `@PATH@` etc. are filled in per run: `env -i` must still be able to find codex.
CLEAN_ENV = ["PATH=@PATH@", "CODEX_HOME=@CODEX_HOME@", "XDG_CACHE_HOME=@CACHE@", "HOME=@HOME@"]
PREFIXES: list[list[str]] = [
    ["env", "OPENAI_API_KEY=sk-x"],
    ["env", "CODEX_API_KEY="],
    ["/usr/bin/env", "-u", "OPENAI_API_KEY"],
    ["env", "--unset=CODEX_API_KEY"],
    ["env", "-i", *CLEAN_ENV],
    ["env", "-i", *CLEAN_ENV, "OPENAI_API_KEY=sk-x"],
    ["env", "-S", "OPENAI_API_KEY=sk-x"],
    ["env", "-", *CLEAN_ENV, "CODEX_API_KEY=k"],
    ["timeout", "30"],
    ["timeout", "-s", "KILL", "30"],
    ["nohup"],
    ["nice", "-n", "1"],
    ["setsid"],
    ["stdbuf", "-oL"],
    ["ionice", "-c", "3"],
    ["command"],
    ["time"],
    ["xargs"],
    ["sudo", "-E"],
    ["sh", "-c", 'OPENAI_API_KEY=sk-x exec "$0" "$@"'],
    ["bash", "-c", 'export CODEX_API_KEY=k; exec "$0" "$@"'],
    ["sh", "-c", 'exec "$0" "$@"'],
    ["python3", "-c", "import os,sys; os.environ['OPENAI_API_KEY']='k'; os.execvp(sys.argv[1], sys.argv[1:])"],
    ["@LAUNCHER@"],  # an unknown program that sets the key and runs the rest
    ["no-such-program-here"],
]  # fmt: skip
CODEX_ARGS: list[list[str]] = [
    ["exec", "-C", ".", "-s", "read-only", "p"],
    ["exec", "--yolo", "p"],
    ["e", "-s", "workspace-write", "-"],
    ["review"],
    ["fix it"],
    ["--", "exec"],
    ["app-server"],
    ["exec-server"],
    ["--version"],
    ["login", "status"],
    ["login", "--with-api-key"],
    ["completion", "bash"],
]
LAUNCHER = '#!/bin/sh\nOPENAI_API_KEY=sk-launcher exec "$@"\n'


@dataclass
class Lab:
    recorder: Recorder
    env: dict[str, str]
    cwd: Path
    fill: dict[str, str]
    shim_path: str


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Lab:
    root = tmp_path_factory.mktemp("never-billed")
    recorder = make_recorder(root / "bin")
    home = chatgpt_home_in(root / "codex-home")
    launcher = root / "tools" / "launch"
    launcher.parent.mkdir()
    launcher.write_text(LAUNCHER)
    launcher.chmod(0o755)
    base = {k: v for k, v in os.environ.items() if k != "CODEX_GUARD_EXEC_OPTIONS"}
    base["XDG_CACHE_HOME"] = str(root / "cache")
    env = clean_env(base, recorder, home)
    env["HOME"] = str(root)
    shim = root / "shim"
    subprocess.run(guard_cmd("install-shim", str(shim)), env=env, check=True, capture_output=True)
    cwd = root / "work"
    cwd.mkdir()
    fill = {
        "@PATH@": f"{recorder.folder}:/usr/bin:/bin",
        "@CODEX_HOME@": str(home),
        "@CACHE@": env["XDG_CACHE_HOME"],
        "@HOME@": str(root),
        "@LAUNCHER@": str(launcher),
    }
    return Lab(recorder, env, cwd, fill, f"{shim}:{env['PATH']}")


def _filled(words: list[str], fill: dict[str, str]) -> list[str]:
    out = []
    for word in words:
        for mark, value in fill.items():
            word = word.replace(mark, value)
        out.append(word)
    return out


def _run_exec_shim(
    lab: Lab, argv: list[str], keys: dict[str, str], scrub: bool
) -> subprocess.CompletedProcess[str]:
    """`codex-guard exec [--scrub-env] -- ARGV` in the lab, with the keys added to its env."""
    options = ["--scrub-env"] if scrub else []
    return subprocess.run(
        guard_cmd("exec", *options, "--", *argv),
        env={**lab.env, **keys},
        cwd=lab.cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _check(lab: Lab, proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr
    runs = lab.recorder.runs()
    for run in runs:
        if run.forbidden:
            assert not reaches_model(run.argv), (run, proc.args, proc.stderr)
    if not runs:
        assert proc.returncode in DOORS_EXIT, (proc.returncode, proc.args, proc.stderr)


prefixes = st.lists(st.sampled_from(PREFIXES), max_size=3)
codex_args = st.sampled_from(CODEX_ARGS)
keys = st.dictionaries(st.sampled_from(FORBIDDEN), st.sampled_from(["sk-real", ""]), max_size=2)


# Every wrapper the command model peels, bare and with a key-setting word after it (`sudo
# OPENAI_API_KEY=k codex`): a wrapper added to wrappers.WRAPPER_PROGRAMS is fuzzed here at once.
MODEL_PREFIXES: list[list[str]] = [
    *([name] for name in sorted(WRAPPER_PROGRAMS)),
    *([name, "OPENAI_API_KEY=sk-x"] for name in sorted(WRAPPER_PROGRAMS)),
]


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    prefix=st.lists(st.sampled_from(MODEL_PREFIXES), min_size=1, max_size=2),
    args=codex_args,
    keys=keys,
    scrub=st.booleans(),
)
def test_the_exec_shim_never_starts_codex_with_a_key_behind_any_model_wrapper(
    lab: Lab, prefix: list[list[str]], args: list[str], keys: dict[str, str], scrub: bool
) -> None:
    """Only the no-key promise and no traceback: a bare wrapper may fail on its own (`stdbuf
    codex` wants a mode), which is no door's fault."""
    lab.recorder.clear()
    argv = [*(w for part in prefix for w in part), str(lab.recorder.path), *args]
    proc = _run_exec_shim(lab, argv, keys, scrub)
    assert "Traceback" not in proc.stderr, proc.stderr
    for run in lab.recorder.runs():
        if run.forbidden:
            assert not reaches_model(run.argv), (run, proc.args, proc.stderr)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    prefix=prefixes,
    codex_word=st.sampled_from(["codex", "@RECORDER@"]),
    args=codex_args,
    keys=keys,
    scrub=st.booleans(),
)
def test_the_exec_shim_never_starts_codex_with_a_key(
    lab: Lab,
    prefix: list[list[str]],
    codex_word: str,
    args: list[str],
    keys: dict[str, str],
    scrub: bool,
) -> None:
    lab.recorder.clear()
    word = str(lab.recorder.path) if codex_word == "@RECORDER@" else codex_word
    argv = [*_filled([w for part in prefix for w in part], lab.fill), word, *args]
    proc = _run_exec_shim(lab, argv, keys, scrub)
    _check(lab, proc)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(prefix=prefixes, args=codex_args, keys=keys)
def test_the_path_shim_never_starts_codex_with_a_key(
    lab: Lab, prefix: list[list[str]], args: list[str], keys: dict[str, str]
) -> None:
    """The wrappers run for real here (the caller's command line); the shim is `codex` on PATH."""
    lab.recorder.clear()
    fill = {**lab.fill, "@PATH@": f"{lab.shim_path.split(':')[0]}:{lab.fill['@PATH@']}"}
    argv = [*_filled([w for part in prefix for w in part], fill), "codex", *args]
    if argv[0].startswith("no-such-program"):
        return  # nothing starts at all: not a door's case
    try:
        proc = subprocess.run(
            argv,
            env={**lab.env, "PATH": lab.shim_path, **keys},
            cwd=lab.cwd,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except FileNotFoundError:
        return  # a wrapper missing on this machine (sudo): nothing ran
    # The caller's own wrappers run for real here (`python3 -c` may fail with its traceback);
    # none may come from codex-guard.
    assert "Traceback" not in proc.stderr or "/guard/" not in proc.stderr, proc.stderr
    for run in lab.recorder.runs():
        if run.forbidden:
            assert not reaches_model(run.argv), (run, argv, proc.stderr)
