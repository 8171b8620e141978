"""Helpers for the lint tests: real git repos, the CLI in-process or as the console script, and a
stand-in engine that reports every `codex exec` line (so source/pipeline tests do not depend on the
real rules' judgement)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from guard.engine.run import lane_directives
from guard.findings import Finding, Location, Severity
from guard.settings import Settings
from guard.sources.snippet import Snippet


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


def make_repo(path: Path, files: dict[str, str | bytes] | None = None) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(path)], check=True)
    for name, content in (files or {}).items():
        write(path / name, content)
    return path


def write(path: Path, content: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


def fake_engine(snippet: Snippet, settings: Settings, plan: object = None) -> list[Finding]:
    """CG201 (error) at every line holding `codex exec`, CG101 at every `OPENAI_API_KEY`
    (`plan`, the file's session plan, as the real `lint_snippet` takes it: unused)."""
    found: list[Finding] = []
    for index, line in enumerate(snippet.text.split("\n")):
        number = snippet.line_offset + index + 1
        for needle, rule, name in (
            ("codex exec", "CG201", "positional-prompt-open-stdin"),
            ("OPENAI_API_KEY", "CG101", "api-key-in-env"),
        ):
            column = line.find(needle)
            if column == -1:
                continue
            column += 1 + (snippet.column_offset if index == 0 else 0)  # as the parser does
            found.append(
                Finding(
                    rule=rule,
                    name=name,
                    severity=Severity.ERROR,
                    message=f"{needle} here ({snippet.context.value})",
                    location=Location(snippet.path, number, column, number, column + 5),
                    fix="do it right",
                    lane=lane_directives(snippet).get(number),
                )
            )
    return found


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> None:
    import guard.engine.api

    monkeypatch.setattr(guard.engine.api, "lint_snippet", fake_engine)
    # the stand-in's findings must never land in (or come from) the content-hash cache
    monkeypatch.setenv("CODEX_GUARD_NO_CACHE", "1")


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Callable[..., Run]:
    """The CLI in-process (so the engine can be monkeypatched), run from `cwd`."""

    def run(*args: str, cwd: Path | None = None) -> Run:
        from guard.cli import main

        if cwd is not None:
            monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def record_lint_calls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """A private cache for in-process runs; the paths each run hands to `lint_file`."""
    import guard.commands.lint as lint

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("CODEX_GUARD_NO_CACHE", raising=False)
    seen: list[str] = []
    real = lint.lint_file

    def recording(job: lint.FileJob) -> lint.FileOutcome:
        seen.append(job.path)
        return real(job)

    monkeypatch.setattr(lint, "lint_file", recording)
    return seen


def cached_lint_runner(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    calls: list[str],
    *fixed: str,
) -> Callable[..., Run]:
    """`lint FIXED ARGS` in-process from `cwd`, each run opening the cache store anew, as a
    process does, with `calls` cleared first."""
    import guard.sources.cache as cache

    def lint_in_process(*args: str, cwd: Path) -> Run:
        from guard.cli import main

        monkeypatch.chdir(cwd)
        monkeypatch.setattr(cache, "_stores", {})
        capsys.readouterr()
        calls.clear()
        code = main(["lint", *fixed, *args])
        out = capsys.readouterr()
        return Run(code, out.out, out.err)

    return lint_in_process


def console(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Run:
    """The real `codex-guard` console script."""
    done = subprocess.run(
        ["codex-guard", *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=300
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert "Traceback" not in done.stdout
    return Run(done.returncode, done.stdout, done.stderr)
