"""`codex-guard exec`: check the real env, stdin, login and argv, then become the real codex.

The rules are not re-implemented here. The real facts are turned into the engine's inputs: the argv
becomes a shell-quoted command line, the real stdin becomes a redirect on it (see
``guard.runtime.stdin.stdin_suffix``), the real env's forbidden keys, CODEX_HOME and TMPDIR become
the snippet's external env, and `--lane` becomes a lane directive line. Only the login check (which
reads a file or runs `codex login status`) is runtime-only; it reports a CG102-shaped finding with
the rule's own text.

This module is imported by the console script without click: its options are parsed by hand.
"""

from __future__ import annotations

import dataclasses
import os
import shlex
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from guard.findings import Finding, Location, Severity
from guard.runtime import locate
from guard.runtime.execopts import ExecOptions, UsageError, parse_exec_args
from guard.runtime.report import at_or_over, finding_line
from guard.runtime.settings_load import ConfigError, extra_setting, load_runtime_settings
from guard.runtime.sitepaths import ensure_site
from guard.runtime.stdin import (
    SUPPLIED_INPUT,
    StdinState,
    classify_stdin,
    give_devnull,
    stdin_suffix,
)
from guard.settings import Settings

EXEC_PATH = "<exec>"
USAGE = (
    "usage: codex-guard exec [--lane L] [--scrub-env] [--close-stdin] [--set-tmpdir] "
    "[--dry-run] [--config FILE] -- codex exec ..."
)
HELP = f"""{USAGE}

Check a codex run against the real environment, stdin and login, then replace this process
with the real codex (same pid, signals, exit status, untouched stdout and stderr).
A refusal exits 3 (config `hook.refuse-exit-code`) with one line per finding on stderr.

  --lane L        the run's lane: worker | validator | net-validator | interactive
  --scrub-env     remove forbidden keys (OPENAI_API_KEY, CODEX_API_KEY) instead of refusing
  --close-stdin   give codex /dev/null when stdin is an idle open pipe instead of refusing
  --set-tmpdir    set TMPDIR to <workspace>/.tmp (created) for runs that commit
  --dry-run       check and print what would run, run nothing
  --config FILE   the codex-guard config (default: found from the current folder)

The `codex` PATH shim (`codex-guard install-shim DIR`) runs these checks on `codex exec` and
`codex login --with-api-key`; it takes the options above from CODEX_GUARD_EXEC_OPTIONS.
"""


@dataclass(slots=True)
class Plan:
    """What the shim decided: the argv and env to exec, and every finding on the way."""

    argv: list[str]
    executable: str
    env: dict[str, str]
    findings: list[Finding] = field(default_factory=list)
    refusing: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # repairs made (--scrub-env, ...)
    errors: list[str] = field(default_factory=list)  # checks that could not run: refuse
    lint_text: str = ""
    stdin: StdinState = StdinState.OTHER
    stdin_seen: StdinState = StdinState.OTHER  # before any repair: what the warm path compares
    devnull: bool = False  # --close-stdin gave codex /dev/null


def login_finding(message: str, settings: Settings) -> Finding | None:
    """A CG102 finding carrying the rule's own name, severity and fix from its YAML.

    The config's select/ignore and severity overrides apply to it as to every engine finding;
    None when the config turns CG102 off.
    """
    from guard.directives import rule_enabled

    if not rule_enabled("CG102", settings.select, settings.ignore):
        return None
    name, severity, fix = (
        "api-key-login",
        Severity.ERROR,
        (
            "log in on the ChatGPT subscription (`codex login`, or `codex login --device-auth`) "
            "and check that `codex login status` prints `Logged in using ChatGPT`"
        ),
    )
    try:
        ensure_site()
        from guard.engine.registry import load_rules

        rule = load_rules(settings.rules_dirs).get("CG102")
        if rule is not None:
            name, severity, fix = rule.name, rule.severity, rule.fix
    except Exception:
        pass  # the rule's text is a nicety: the refusal stands without it
    override = dict(settings.severity).get("CG102")
    return Finding(
        rule="CG102",
        name=name,
        severity=Severity(override) if override else severity,
        message=message,
        location=Location(EXEC_PATH, 1, 1, 1, 1),
        fix=fix,
    )


def internal_error(what: str, exc: BaseException) -> str:
    """A check that could not run refuses the run (fail closed): unchecked is not allowed."""
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"internal error: {what} failed ({first}): refusing rather than run unchecked"


def workspace_root(argv: list[str], settings: Settings, cwd: str) -> Path:
    """Where the run works: its -C, else the config's workspace, else the current folder."""
    cd = locate.cd_value(argv[1:])
    if cd:
        return (Path(cwd) / cd).resolve()
    if settings.workspace:
        return Path(settings.workspace).resolve()
    return Path(cwd).resolve()


def lint_text_for(argv: list[str], lane: str | None, suffix: str) -> str:
    # argv[0] is whatever path the caller used; the engine knows the word `codex`.
    line = shlex.join(["codex", *argv[1:]]) + suffix
    if lane:
        line = f"# codex-guard: lane={lane}\n{line}"
    return line


def external_env(env: Mapping[str, str], settings: Settings) -> tuple[tuple[str, str, int], ...]:
    """The real env the engine sees: forbidden keys (values never copied), CODEX_HOME, TMPDIR."""
    found: list[tuple[str, str, int]] = [(k, "", 0) for k in settings.forbidden_env if k in env]
    for name in ("CODEX_HOME", "TMPDIR"):
        if name in env:
            found.append((name, env[name], 0))
    return tuple(found)


def reads_prompt_from_stdin(argv: list[str], settings: Settings) -> bool:
    """Does this `codex exec` take its prompt from stdin (`-`, or no prompt at all)?

    Read with the codex grammar (the same reader the engine uses), not guessed here.
    """
    ensure_site()
    from guard.codex.parse import parse_codex_argv
    from guard.shell.model import Span, Word

    words = []
    for index, text in enumerate(["codex", *argv[1:]]):
        span = Span(1, index + 1, 1, index + 1)
        words.append(Word(text=text, literal=True, span=span, raw=text))
    call = parse_codex_argv(words, version=settings.codex_version)
    return call.reads_prompt_from_stdin


def lint_runtime(
    text: str, env: Mapping[str, str], settings: Settings, cwd: str, cache_env: Mapping[str, str]
) -> list[Finding]:
    """The engine's findings for the command line, from the decision cache when it has them."""
    from guard.runtime.decisions import decision_key, read_decision, write_decision

    outside = external_env(env, settings)
    key = decision_key(text, outside, settings, cwd)
    cached = read_decision(key, cache_env)
    if cached is not None:
        return cached
    ensure_site()
    from guard.engine.api import lint_snippet
    from guard.sources.snippet import RunContext, Snippet

    snippet = Snippet(text=text, path=EXEC_PATH, context=RunContext.RUNTIME, external_env=outside)
    findings = lint_snippet(snippet, settings)
    write_decision(key, findings, cache_env)
    return findings


def _stdin_suffix(
    opts: ExecOptions, argv: list[str], settings: Settings, plan: Plan, stdin_fd: int
) -> str:
    """Classify the real stdin, repair it where asked, and say it to the engine as a redirect."""
    state = classify_stdin(stdin_fd)
    plan.stdin_seen = state
    if state is StdinState.CLOSED:
        # A closed fd 0 would be reused by the first file codex opens; /dev/null is what it meant.
        give_devnull(stdin_fd)
        state = StdinState.DEVNULL
    suffix = stdin_suffix(state)
    if state in (StdinState.PIPE_IDLE, StdinState.OTHER, StdinState.TTY):
        if reads_prompt_from_stdin(argv, settings):
            # `slow_producer | codex exec -`: the pipe is the prompt's source, not yet written;
            # codex reads it to EOF like any piped prompt (only a positional prompt hangs on it).
            # At a terminal, `codex exec -` reads what the person types, up to ^D.
            suffix = SUPPLIED_INPUT
        elif opts.close_stdin and state is not StdinState.TTY:
            give_devnull(stdin_fd)
            plan.devnull = True
            plan.notes.append(f"stdin was {state.value}: codex gets /dev/null")
            state = StdinState.DEVNULL
            suffix = stdin_suffix(state)
    plan.stdin = state
    return suffix


def _set_tmpdir(argv: list[str], settings: Settings, cwd: str, plan: Plan) -> None:
    tmp = workspace_root(argv, settings, cwd) / ".tmp"
    try:
        tmp.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        plan.notes.append(f"could not create {tmp}: {exc.strerror}")
        return
    plan.env["TMPDIR"] = str(tmp)
    plan.notes.append(f"TMPDIR={tmp}")


def _login_findings(
    executable: str | None, args: list[str], settings: Settings, plan: Plan
) -> None:
    """The runtime-only billing checks: an API-key login, and who codex is logged in as."""
    if locate.is_api_key_login(args) and not any(f.rule == "CG102" for f in plan.findings):
        # The engine reports this as CG102 from the command line; should a parser gap hide it,
        # the shim still never lets an API-key login through (the inviolable rule).
        message = "`codex login --with-api-key` switches codex to API-key billing"
        _add(plan, login_finding(message, settings))
    if not locate.is_exec_run(args) or executable is None:
        return
    from guard.runtime.auth import check_login, login_message

    try:
        answer = check_login(executable, plan.env)
    except Exception as exc:
        if extra_setting(settings, "exec.on-error", "refuse") != "allow":
            plan.errors.append(internal_error("the login check", exc))
        return
    if not answer.ok:
        _add(plan, login_finding(login_message(answer), settings))


def _add(plan: Plan, finding: Finding | None) -> None:
    if finding is not None:
        plan.findings.append(finding)


def plan_exec(
    opts: ExecOptions,
    argv: list[str],
    settings: Settings,
    env: Mapping[str, str],
    cwd: str,
    stdin_fd: int = 0,
) -> Plan:
    """Every check, and the repairs asked for; touches fd 0 only for a repair."""
    executable = locate.resolve_command(argv[0], env.get("PATH"))
    plan = Plan(argv=list(argv), executable=executable or argv[0], env=dict(env))
    if settings.codex_version is None and executable is not None:
        # At run time the installed version is known: check flags against its own table.
        installed = locate.installed_version(executable)
        if installed is not None:
            settings = dataclasses.replace(settings, codex_version=installed)
    if opts.scrub_env:
        for key in settings.forbidden_env:
            if plan.env.pop(key, None) is not None:
                plan.notes.append(f"removed {key} from the environment")
    suffix = _stdin_suffix(opts, argv, settings, plan, stdin_fd)
    if opts.set_tmpdir:
        _set_tmpdir(argv, settings, cwd, plan)
    plan.lint_text = lint_text_for(argv, opts.lane, suffix)
    try:
        plan.findings = lint_runtime(plan.lint_text, plan.env, settings, cwd, env)
    except Exception as exc:
        if extra_setting(settings, "exec.on-error", "refuse") != "allow":
            plan.errors.append(internal_error("the rule check", exc))
    _login_findings(executable, argv[1:], settings, plan)
    plan.findings.sort(key=lambda f: (-f.severity.rank, f.rule))
    plan.refusing = at_or_over(plan.findings, extra_setting(settings, "exec.refuse-on", "error"))
    return plan


def _report_lines(plan: Plan) -> list[str]:
    return [
        *(f"codex-guard: {note}" for note in plan.notes),
        *(finding_line(finding) for finding in plan.findings),
        *(f"codex-guard: {error}" for error in plan.errors),
    ]


def _remember(
    opts: ExecOptions, plan: Plan, environ: dict[str, str], settings: Settings, lines: list[str]
) -> None:
    """Let the next identical run take the warm path (guard/runtime/fastexec.py)."""
    from guard.runtime.fastexec import remember

    decision: dict[str, object] = {
        "forbidden": list(settings.forbidden_env),
        "rules_dirs": list(settings.rules_dirs),
        "executable": plan.executable,
        "env_remove": [k for k in environ if k not in plan.env],
        "env_set": {k: v for k, v in plan.env.items() if environ.get(k) != v},
        "devnull": plan.devnull,
        "lines": lines,
    }
    remember(opts, plan.argv, environ, os.getcwd(), plan.stdin_seen.value, decision)


def run_exec(
    opts: ExecOptions,
    argv: list[str],
    stdout: TextIO,
    stderr: TextIO,
    env: Mapping[str, str] | None = None,
) -> int:
    """Check, then `execve` the real codex; returns only on refusal, dry run or error."""
    environ = dict(os.environ if env is None else env)
    if not argv:
        print(f"codex-guard: exec: no command given\n{USAGE}", file=stderr)
        return 2
    try:
        config = Path(opts.config) if opts.config else None
        settings = load_runtime_settings(Path(os.getcwd()), config)
    except ConfigError as exc:
        print(f"codex-guard: config error: {exc}", file=stderr)
        return 2
    plan = plan_exec(opts, argv, settings, environ, os.getcwd())
    lines = _report_lines(plan)
    for line in lines:
        print(line, file=stderr)
    if plan.refusing or plan.errors:
        if opts.dry_run:
            print(f"codex-guard: would refuse: {shlex.join(plan.argv)}", file=stdout)
        return settings.refuse_exit_code
    if opts.dry_run:
        print(
            f"codex-guard: would run: {shlex.join([plan.executable, *plan.argv[1:]])}", file=stdout
        )
        print(f"codex-guard: checked as: {plan.lint_text}", file=stdout)
        print(f"codex-guard: stdin: {plan.stdin.value}", file=stdout)
        return 0
    if plan.executable == plan.argv[0] and os.sep not in plan.argv[0]:
        print(f"codex-guard: {plan.argv[0]}: command not found on PATH", file=stderr)
        return 127
    if env is None and plan.stdin_seen is not StdinState.CLOSED:
        _remember(opts, plan, environ, settings, lines)
    stdout.flush()
    stderr.flush()
    try:
        os.execve(plan.executable, [plan.argv[0], *plan.argv[1:]], plan.env)
    except OSError as exc:
        print(f"codex-guard: cannot run {plan.executable}: {exc.strerror}", file=stderr)
        return 127
    return 127  # not reached: execve replaced this process


def exec_main(args: list[str]) -> int:
    """`codex-guard exec ...` from the console script, without click."""
    try:
        opts, argv = parse_exec_args(args)
    except UsageError as exc:
        print(f"codex-guard: exec: {exc}\n{USAGE}", file=sys.stderr)
        return 2
    if opts.help:
        print(HELP, end="")
        return 0
    return run_exec(opts, argv, sys.stdout, sys.stderr)
