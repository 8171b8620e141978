"""`exec`, `install-shim`, `hook`, `check`, `verdict`, `doctor`: the runtime front doors.

The logic lives in `guard.runtime`; these are thin click wrappers. `hook claude|codex` is
answered by the console script before click is imported; the click commands below exist
for `--help` and for `hook install`.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from guard.runtime.settings_load import ConfigError, load_runtime_settings
from guard.settings import Settings

if TYPE_CHECKING:
    from guard.runtime.doctor import Check

CONTEXT = {"help_option_names": ["-h", "--help"]}


def _settings(config: str | None) -> Settings:
    try:
        return load_runtime_settings(Path(os.getcwd()), Path(config) if config else None)
    except ConfigError as exc:
        click.echo(f"codex-guard: config error: {exc}", err=True)
        sys.exit(2)  # a usage error: neither allowed (0) nor refused (1)


@click.command(
    "exec",
    context_settings={"ignore_unknown_options": True, "help_option_names": []},
    add_help_option=False,
)
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def exec_command(args: tuple[str, ...]) -> None:
    """Check a codex run against the real env, stdin and login, then exec the real codex.

    codex-guard exec [--lane L] [--scrub-env] [--close-stdin] [--set-tmpdir] [--dry-run]
    -- codex exec ...
    """
    from guard.runtime.execshim import exec_main

    raw = _raw_exec_args(list(args))
    sys.exit(exec_main(raw))


def _raw_exec_args(parsed: list[str]) -> list[str]:
    """The args after `exec` exactly as typed: click drops the first `--`, which matters here."""
    argv = sys.argv[1:]
    if "exec" in argv:
        tail = argv[argv.index("exec") + 1 :]
        if [a for a in tail if a != "--"] == [a for a in parsed if a != "--"] or not parsed:
            return tail
    return parsed


@click.command("install-shim", context_settings=CONTEXT)
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace an existing file that is not a shim.")
@click.option("--python", "python", default=None, help="Interpreter for the shim's #! line.")
def install_shim_command(folder: Path, force: bool, python: str | None) -> None:
    """Write an executable `codex` PATH shim into FOLDER (put FOLDER first on PATH)."""
    from guard.runtime.locate import find_codex
    from guard.runtime.pathshim import install_shim

    created = not folder.exists()
    try:
        target = install_shim(folder, python=python, force=force)
    except (OSError, FileExistsError) as exc:
        raise click.ClickException(str(exc)) from None
    if created:
        click.echo(f"created {folder} (it did not exist)")
    click.echo(f"wrote {target}")
    if not _on_path(folder):
        click.echo(f"note: {folder} is not on PATH yet: put it first on PATH", err=True)
    real = find_codex("codex", exclude=(str(target),))
    if real is None:
        click.echo("warning: no real codex found on PATH yet", err=True)
    else:
        click.echo(f"the shim will run {real}")


@click.group("hook", context_settings=CONTEXT)
def hook_group() -> None:
    """Agent pre-tool-use hooks: `hook claude`, `hook codex` (JSON on stdin), `hook install`."""


def _on_path(folder: Path) -> bool:
    wanted = os.path.realpath(folder)
    entries = os.environ.get("PATH", "").split(os.pathsep)
    return any(entry and os.path.realpath(entry) == wanted for entry in entries)


@hook_group.command("claude")
def hook_claude() -> None:
    """Claude Code PreToolUse hook: JSON on stdin; deny is JSON on stdout, exit 0."""
    from guard.runtime.hook import run_hook

    sys.exit(run_hook("claude", sys.stdin, sys.stdout, sys.stderr))


@hook_group.command("codex")
def hook_codex() -> None:
    """Codex PreToolUse hook: JSON on stdin; deny is JSON on stdout AND exit 2 with stderr."""
    from guard.runtime.hook import run_hook

    sys.exit(run_hook("codex", sys.stdin, sys.stdout, sys.stderr))


@hook_group.command("install", context_settings=CONTEXT)
@click.argument("agent", type=click.Choice(["claude", "codex"]))
@click.option("--project", is_flag=True, help="This repo (the default).")
@click.option("--user", is_flag=True, help="The user's settings.")
def hook_install(agent: str, project: bool, user: bool) -> None:
    """Merge the codex-guard hook into the agent's settings file (idempotent)."""
    from guard.runtime.hook_install import HookInstallError, install_hook, settings_path, user_scope

    try:
        user_only = user_scope(project, user)
    except HookInstallError as exc:
        raise click.UsageError(str(exc)) from None
    path = settings_path(agent, user_only, Path(os.getcwd()), os.environ)
    try:
        result = install_hook(agent, path, os.environ, Path(os.getcwd()))
    except HookInstallError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{'installed in' if result.changed else 'already installed in'} {result.path}")
    for note in result.notes:
        click.echo(f"codex hook trust: {note}")
    if result.trust_failed:
        sys.exit(1)  # installed, but codex would skip it: not a success


def _read_stdin() -> str:
    if sys.stdin is None:
        raise click.UsageError("no stdin to read the command line from")
    return sys.stdin.read()


@click.command("check", context_settings=CONTEXT)
@click.argument("command", required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--config", type=click.Path(dir_okay=False), default=None)
def check_command(command: str | None, fmt: str, config: str | None) -> None:
    """Answer one command line as the agent hook would: exit 0 allowed, 1 refused."""
    from guard.reject import may_run_unseen_text
    from guard.runtime.hook import check_command as hook_check
    from guard.runtime.hook import denied_findings, mentions_codex
    from guard.runtime.machine import program_words
    from guard.runtime.report import finding_line

    # No argument or `-`: the command line is read from stdin (as `lint -`-style tools do).
    text = command if command not in (None, "-") else _read_stdin()
    if not text.strip():
        raise click.UsageError("give a command line as an argument or on stdin")
    settings = _settings(config)
    findings = []
    # Program words that are codex on this machine under another name (`/tmp/cx exec ...`).
    # Program words that are codex on this machine under another name (`/tmp/cx exec ...`), and
    # scripts that name codex (`#!/bin/sh` + `exec codex "$@"`: unsettled under fail-closed).
    machine, scripts = program_words(text, None)
    scripts = scripts if settings.hook_fail_closed else ()
    unseen = (
        not mentions_codex(text)
        and not machine
        and settings.hook_fail_closed
        and (may_run_unseen_text(text) or bool(scripts))
    )
    if mentions_codex(text) or unseen or machine:
        try:
            findings = hook_check(
                text,
                settings,
                unseen_text=unseen,
                codex_programs=machine,
                codex_scripts=scripts,
            )
        except Exception as exc:
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            click.echo(f"codex-guard check: internal error while checking: {first}", err=True)
            sys.exit(2)  # neither allowed (0) nor refused (1): the check itself failed
    from guard.report.json import finding_dict

    refused = denied_findings(findings, settings)
    if fmt == "json":
        doc = {
            "version": 1,
            "allowed": not refused,
            "findings": [finding_dict(f) for f in findings],  # the lint JSON contract's shape
        }
        click.echo(json.dumps(doc, indent=2))
    else:
        for finding in findings:
            click.echo(finding_line(finding, prefix="codex-guard check"))
        click.echo("refused" if refused else "allowed")
    sys.exit(1 if refused else 0)


@click.command("verdict", context_settings=CONTEXT)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def verdict_command(files: tuple[Path, ...], fmt: str) -> None:
    """Check verdict files against the CG603 contract: exit 0 valid, 1 invalid."""
    from guard.runtime.verdict import check_verdict_file, exit_code, json_document, text_lines

    reports = [check_verdict_file(path) for path in files]
    if fmt == "json":
        click.echo(json.dumps(json_document(reports), indent=2))
    else:
        for report in reports:
            for line in text_lines(report):
                click.echo(line, err=report.error is not None)
    sys.exit(exit_code(reports))


@click.command("doctor", context_settings=CONTEXT)
@click.option("--codex", "codex", default=None, help="The codex binary to examine.")
@click.option("--config", type=click.Path(dir_okay=False), default=None)
def doctor_command(codex: str | None, config: str | None) -> None:
    """Check this machine's codex set-up: one OK/WARN/FAIL line each; exit 1 on any FAIL."""
    from guard.runtime.doctor import run_doctor

    settings = _settings(config)
    checks = run_doctor(settings, os.environ, Path(os.getcwd()), codex)
    if codex is not None and checks and checks[0].name == "codex" and checks[0].status == "FAIL":
        checks[0] = _missing_codex(codex)  # name the path given, not "no codex on PATH"
    for check in checks:
        click.echo(check.line())
    sys.exit(1 if any(c.status == "FAIL" for c in checks) else 0)


def _missing_codex(codex: str) -> Check:
    from guard.runtime.doctor import Check

    if not os.path.lexists(codex):
        why = "no such file"
    elif os.path.isdir(codex):
        why = "a folder, not a program"
    else:
        why = "not executable"
    return Check("FAIL", "codex", f"--codex {codex}: {why}")


COMMANDS: tuple[click.Command, ...] = (
    exec_command,
    install_shim_command,
    hook_group,
    check_command,
    verdict_command,
    doctor_command,
)
"""The runtime doors: exec shim, PATH shim, agent hooks, check, verdict, doctor."""
