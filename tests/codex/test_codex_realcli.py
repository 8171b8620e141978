"""The grammar table against the real codex: what it rejects exits 2, what it accepts exits 0.

Runs `codex [SUB...] FLAG [VALUE] --help` for every flag of every modelled command (clap parses the
whole argv before `--help` prints, so a rejected flag or value exits 2 first; FACTS.md "Hidden and
removed flags"). Runs against every real binary `.ci/install-codex` installed (0.171.0 in .codex-cli, 0.169.0 in
.codex-cli-0.169.0, or $CODEX_GUARD_REAL_CODEX); skipped when none is. No network is needed.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from guard.codex.grammar import (
    CommandSpec,
    FlagSpec,
    any_flag_spec,
    grammar_for,
    supported_versions,
)
from tests.codex.realbin import installed, real_codex


def _run(binary: Path, home: str, argv: list[str]) -> int:
    env = {**os.environ, "CODEX_HOME": home}
    for key in ("OPENAI_API_KEY", "CODEX_API_KEY"):
        env.pop(key, None)
    proc = subprocess.run(
        [str(binary), *argv], env=env, stdin=subprocess.DEVNULL, capture_output=True,
        timeout=60, check=False,
    )  # fmt: skip
    return proc.returncode


def _args(spec: FlagSpec | None, name: str) -> list[str]:
    if spec is None or not spec.takes_value:
        return [name]
    return [name, spec.choices[0] if spec.choices else "x"]


def _cases(version: str) -> Iterator[tuple[list[str], int]]:
    grammar = grammar_for(version)
    top = grammar.command("")
    assert top is not None
    every_name = {n for cmd in grammar.commands.values() for s in cmd.flags for n in s.names()}
    every_name |= {n for cmd in grammar.commands.values() for r in cmd.rejected for n in r.names}
    every_name.add("--full-auto")
    for path, command in grammar.commands.items():
        prefix = path.split() + (["SID"] if path == "exec fork" else [])
        for name in sorted(every_name):
            if name in ("-h", "--help"):
                continue
            yield from _case(command, prefix, name)


def _case(command: CommandSpec, prefix: list[str], name: str) -> Iterator[tuple[list[str], int]]:
    spec = command.flag(name)
    if spec is not None:
        yield [*prefix, *_args(spec, name), "--help"], 0
        for value in spec.choices:
            yield [*prefix, name, value, "--help"], 0
        if spec.choices:
            yield [*prefix, name, "not-a-valid-value", "--help"], 2
        return
    yield [*prefix, *_args(any_flag_spec(name), name), "--help"], 2


def _installed_with_table() -> list[tuple[str, Path]]:
    return [(v, p) for v, p in sorted(installed().items()) if v in supported_versions()]


def test_some_real_codex_is_installed_for_a_table() -> None:
    if not installed():
        pytest.skip("no real codex installed (run .ci/install-codex)")
    assert _installed_with_table(), f"installed codex {sorted(installed())} has no grammar table"


@pytest.mark.parametrize("version", ["0.169.0", "0.171.0"])
def test_real_cli_agrees_with_table(version: str) -> None:
    binary = real_codex(version)
    if binary is None:
        pytest.skip(f"codex-cli {version} not installed (.ci/install-codex {version})")
    with tempfile.TemporaryDirectory() as home:
        cases = list(_cases(version))
        with ThreadPoolExecutor(max_workers=4) as pool:
            codes = list(pool.map(lambda c: _run(binary, home, c[0]), cases))
    wrong = [
        f"codex {' '.join(argv)}: exit {code}, table says {want}"
        for (argv, want), code in zip(cases, codes, strict=True)
        if code != want
    ]
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("version", ["0.169.0", "0.171.0"])
def test_sandbox_options_are_the_grammars(version: str) -> None:
    """`codex sandbox [OPTIONS] [COMMAND]...` (guard/codex/grammar.py `sandboxed_command`): the
    options its help lists, and which take a value, are the ones the command model skips to find
    the command it runs; and that command gets the caller's environment."""
    from guard.codex.grammar import SANDBOX_SWITCHES, SANDBOX_VALUE_OPTIONS, help_flags

    binary = real_codex(version)
    if binary is None:
        pytest.skip(f"codex-cli {version} not installed (.ci/install-codex {version})")
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "CODEX_HOME": home, "PROBE": "reached"}
        text = subprocess.run(
            [str(binary), "sandbox", "--help"], env=env, stdin=subprocess.DEVNULL,
            capture_output=True, text=True, timeout=60, check=True,
        ).stdout  # fmt: skip
        ran = subprocess.run(
            [str(binary), "sandbox", "--", "/bin/sh", "-c", 'echo "ran:$PROBE"'], env=env,
            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    listed = help_flags(text) - {"-h", "--help"}
    assert listed <= SANDBOX_VALUE_OPTIONS | SANDBOX_SWITCHES  # every option is known...
    takes_value = {
        name
        for line in text.splitlines()
        if "<" in line and line.lstrip().startswith("-")
        for name in line.split("<", 1)[0].replace(",", " ").split()
    }
    assert takes_value == listed & SANDBOX_VALUE_OPTIONS  # ... with the arity it has
    assert {"-c", "-C", "-p", "-P"} <= takes_value
    if ran.returncode == 0:  # a host whose kernel refuses the sandbox runs nothing
        assert "ran:reached" in ran.stdout
