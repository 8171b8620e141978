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

The command may start codex through wrappers whose effect is known (env K=V / -u K / -i, timeout,
nice, nohup, setsid, stdbuf, ionice, time, command): the env checked is the one codex receives,
and every program is run by the absolute path that was checked. Shell strings (sh -c, eval),
interpreters, sudo, containers, ssh, xargs and anything else are refused: put codex-guard inside.

The `codex` PATH shim (`codex-guard install-shim DIR`) runs these checks on every codex command
that can reach a model (exec, review, interactive codex, app-server, ...; only --help, --version,
login status, completion, logout, ... pass unchecked) and refuses `codex login --with-api-key`;
it takes the options above from CODEX_GUARD_EXEC_OPTIONS.
"""


@dataclass(slots=True)
class Plan:
    """What the shim decided: the argv and env to exec, and every finding on the way."""

    argv: list[str]  # as given
    executable: str  # the codex that was checked (absolute), or argv[0] when none was found
    env: dict[str, str]  # the env the chain is exec'd with (the real one, repaired as asked)
    exec_argv: list[str] = field(default_factory=list)  # every program word pinned
    codex_args: list[str] = field(default_factory=list)  # codex's own arguments
    codex_env: dict[str, str] = field(default_factory=dict)  # what codex itself receives
    wrapped: bool = False  # codex is started through wrappers (env, timeout, ...)
    not_found: str = ""  # a program word not on PATH: exit 127 with this line
    findings: list[Finding] = field(default_factory=list)
    refusing: list[Finding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # repairs made (--scrub-env, ...)
    errors: list[str] = field(default_factory=list)  # checks that could not run: refuse
    lint_text: str = ""
    stdin: StdinState = StdinState.OTHER
    stdin_seen: StdinState = StdinState.OTHER  # before any repair: what the warm path compares
    devnull: bool = False  # --close-stdin gave codex /dev/null


# The text of the rules the shim reports on its own (should the engine miss them), used when the
# rule files cannot be read: the refusal stands without their YAML.
_RULE_DEFAULTS = {
    "CG101": (
        "api-key-in-env",
        "remove the key from codex's environment (`unset OPENAI_API_KEY CODEX_API_KEY`, or "
        "`codex-guard exec --scrub-env`) and log in on the ChatGPT subscription",
    ),
    "CG102": (
        "api-key-login",
        "log in on the ChatGPT subscription (`codex login`, or `codex login --device-auth`) "
        "and check that `codex login status` prints `Logged in using ChatGPT`",
    ),
    "CG303": (
        "unsandboxed-host-full-access",
        "use `-s workspace-write` (or read-only), or declare the host externally sandboxed in "
        "the user config (`sandboxed-host: true`)",
    ),
}


def rule_finding(rule_id: str, message: str, settings: Settings) -> Finding | None:
    """A finding of `rule_id` carrying the rule's own name, severity and fix from its YAML.

    The config's select/ignore and severity overrides apply to it as to every engine finding;
    None when the config turns the rule off.
    """
    from guard.directives import rule_enabled

    if not rule_enabled(rule_id, settings.select, settings.ignore):
        return None
    name, fix = _RULE_DEFAULTS[rule_id]
    severity = Severity.ERROR
    try:
        ensure_site()
        from guard.engine.registry import load_rules

        rule = load_rules(settings.rules_dirs).get(rule_id)
        if rule is not None:
            name, severity, fix = rule.name, rule.severity, rule.fix or fix
    except Exception:
        pass  # the rule's text is a nicety: the refusal stands without it
    override = dict(settings.severity).get(rule_id)
    return Finding(
        rule=rule_id,
        name=name,
        severity=Severity(override) if override else severity,
        message=message,
        location=Location(EXEC_PATH, 1, 1, 1, 1),
        fix=fix,
    )


def login_finding(message: str, settings: Settings) -> Finding | None:
    """A CG102 finding (see ``rule_finding``)."""
    return rule_finding("CG102", message, settings)


def internal_error(what: str, exc: BaseException) -> str:
    """A check that could not run refuses the run (fail closed): unchecked is not allowed."""
    first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"internal error: {what} failed ({first}): refusing rather than run unchecked"


def workspace_root(codex_args: list[str], settings: Settings, cwd: str) -> Path:
    """Where the run works: its -C, else the config's workspace, else the current folder."""
    cd = locate.cd_value(codex_args)
    if cd:
        return (Path(cwd) / cd).resolve()
    if settings.workspace:
        return Path(settings.workspace).resolve()
    return Path(cwd).resolve()


def lint_text_for(
    lint_argv: list[str], lane: str | None, suffix: str, tmpdir: str | None = None
) -> str:
    """The command line the engine reads: the real one (wrappers and all; the codex word is
    `codex`), the real stdin as a redirect, the real TMPDIR as a prefix (what the rules that
    look at a command's TMPDIR read), the lane as a directive."""
    prefix = f"TMPDIR={shlex.quote(tmpdir)} " if tmpdir is not None else ""
    line = prefix + shlex.join(lint_argv) + suffix
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


def reads_prompt_from_stdin(codex_args: list[str], settings: Settings) -> bool:
    """Does this `codex exec` take its prompt from stdin (`-`, or no prompt at all)?

    Read with the codex grammar (the same reader the engine uses), not guessed here.
    """
    ensure_site()
    from guard.codex.parse import parse_codex_argv
    from guard.shell.model import Span, Word

    words = []
    for index, text in enumerate(["codex", *codex_args]):
        span = Span(1, index + 1, 1, index + 1)
        words.append(Word(text=text, literal=True, span=span, raw=text))
    call = parse_codex_argv(words, version=settings.codex_version)
    return call.reads_prompt_from_stdin


def lint_runtime(
    text: str,
    env: Mapping[str, str],
    settings: Settings,
    cwd: str,
    cache_env: Mapping[str, str],
    store: bool = True,
) -> list[Finding]:
    """The engine's findings for the command line, from the decision cache when it has them."""
    from guard.runtime.decisions import decision_key, read_decision, write_decision

    outside = external_env(env, settings)
    key = decision_key(text, outside, settings, cwd, env)
    cached = read_decision(key, cache_env)
    if cached is not None:
        return cached
    ensure_site()
    from guard.engine.api import lint_snippet
    from guard.sources.snippet import RunContext, Snippet

    snippet = Snippet(text=text, path=EXEC_PATH, context=RunContext.RUNTIME, external_env=outside)
    findings = lint_snippet(snippet, settings)
    if store:  # a dry run changes nothing on disk
        write_decision(key, findings, cache_env)
    return findings


def _stdin_suffix(
    opts: ExecOptions, codex_args: list[str], settings: Settings, plan: Plan, stdin_fd: int
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
        if reads_prompt_from_stdin(codex_args, settings):
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


def _set_tmpdir(opts: ExecOptions, settings: Settings, cwd: str, plan: Plan) -> None:
    tmp = workspace_root(plan.codex_args, settings, cwd) / ".tmp"
    if opts.dry_run:  # a dry run changes nothing on disk
        created = "" if tmp.is_dir() else " (would be created)"
        plan.notes.append(f"TMPDIR={tmp}{created}")
        plan.env["TMPDIR"] = str(tmp)
        return
    try:
        tmp.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        plan.notes.append(f"could not create {tmp}: {exc.strerror}")
        return
    plan.env["TMPDIR"] = str(tmp)
    plan.notes.append(f"TMPDIR={tmp}")


def full_access_flag(codex_args: list[str], version: str | None) -> str | None:
    """The word that runs codex without a sandbox, if any, before `--`: the bypass flag (and its
    hidden alias), `-s danger-full-access`, or a `-c` override to it (FACTS.md; 0.171.0 adds
    `default_permissions=":danger-full-access"`). Flag names come from the grammar table."""
    from guard.codex.grammar import grammar_for

    top = grammar_for(version).command("")
    bypass = top.flag("--dangerously-bypass-approvals-and-sandbox") if top else None
    sandbox = top.flag("--sandbox") if top else None
    config = top.flag("--config") if top else None
    bypass_names = bypass.names() if bypass else ("--dangerously-bypass-approvals-and-sandbox",)
    sandbox_names = sandbox.names() if sandbox else ("--sandbox", "-s")
    config_names = config.names() if config else ("--config", "-c")
    words = codex_args[: codex_args.index("--")] if "--" in codex_args else codex_args
    for i, word in enumerate(words):
        following = words[i + 1] if i + 1 < len(words) else ""
        if word in bypass_names:
            return word
        for names, value_of in ((sandbox_names, _sandbox_value), (config_names, _override_value)):
            value = _option_value(word, following, names)
            if value is not None and value_of(value):
                return f"{word} {following}" if value == following else word
    return None


def _option_value(word: str, following: str, names: tuple[str, ...]) -> str | None:
    for name in names:
        if word == name:
            return following
        if name.startswith("--") and word.startswith(name + "="):
            return word[len(name) + 1 :]
        if not name.startswith("--") and word.startswith(name) and len(word) > len(name):
            return word[len(name) :]
    return None


def _unquote(value: str) -> str:
    return value.strip().strip("'\"").strip()


def _sandbox_value(value: str) -> bool:
    return _unquote(value) == "danger-full-access"


def _override_value(value: str) -> bool:
    key, eq, setting = value.partition("=")
    if not eq:
        return False
    key = key.strip()
    return (key == "sandbox_mode" and _unquote(setting) == "danger-full-access") or (
        key == "default_permissions" and _unquote(setting) == ":danger-full-access"
    )


def _floor_findings(plan: Plan, settings: Settings, reaches: bool) -> None:
    """The billing and full-access floor, checked by the shim itself on what really runs, should
    the engine miss it for this command form: a forbidden key in the env codex receives (CG101),
    and a run without a sandbox on a host not declared sandboxed (CG303)."""
    if not reaches:
        return
    reported = {f.rule for f in plan.findings}
    keys = [k for k in settings.forbidden_env if k in plan.codex_env]
    if keys and "CG101" not in reported:
        message = (
            f"{', '.join(keys)} is in the environment codex would receive: codex bills every "
            "token to the API account"
        )
        _add(plan, rule_finding("CG101", message, settings))
    flag = full_access_flag(plan.codex_args, settings.codex_version)
    if settings.sandboxed_host:
        flag = None
    if flag is not None and "CG303" not in reported:
        message = (
            f"`{flag}` removes the sandbox on a host that is not declared externally sandboxed: "
            "model-generated commands run with your full rights"
        )
        _add(plan, rule_finding("CG303", message, settings))


def _login_findings(
    executable: str | None,
    args: list[str],
    settings: Settings,
    plan: Plan,
    reaches: bool,
    store: bool = True,
) -> None:
    """The runtime-only billing checks: an API-key login, and who codex is logged in as."""
    if locate.is_api_key_login(args) and not any(f.rule == "CG102" for f in plan.findings):
        # The engine reports this as CG102 from the command line; should a parser gap hide it,
        # the shim still never lets an API-key login through (the inviolable rule).
        message = "`codex login --with-api-key` switches codex to API-key billing"
        _add(plan, login_finding(message, settings))
    if not reaches or executable is None:
        return
    from guard.runtime.auth import check_login, login_message

    try:
        answer = check_login(executable, plan.codex_env, store=store)
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
    from guard.runtime.resolve import NotCodex, ProgramNotFound, resolve

    plan = Plan(argv=list(argv), executable=argv[0], env=dict(env))
    if opts.scrub_env:
        for key in settings.forbidden_env:
            if plan.env.pop(key, None) is not None:
                plan.notes.append(f"removed {key} from the environment")
    try:
        resolved = resolve(argv, plan.env)
    except NotCodex as exc:
        plan.errors.append(f"refusing: {exc}")
        return plan
    except ProgramNotFound as exc:
        plan.not_found = str(exc)
        return plan
    plan.executable = resolved.codex
    plan.exec_argv = resolved.exec_argv
    plan.codex_args = resolved.codex_args
    plan.wrapped = resolved.wrapped
    if settings.codex_version is None:
        # At run time the installed version is known: check flags against its own table.
        installed = locate.installed_version(resolved.codex)
        if installed is not None:
            settings = dataclasses.replace(settings, codex_version=installed)
    set_inside = [k for k in resolved.set_in_argv() if k in settings.forbidden_env]
    if opts.scrub_env and set_inside:
        plan.errors.append(
            f"refusing: --scrub-env cannot remove {', '.join(set_inside)}: the command itself "
            "sets it (`env K=V`); drop it from the command"
        )
    suffix = _stdin_suffix(opts, plan.codex_args, settings, plan, stdin_fd)
    if opts.set_tmpdir:
        _set_tmpdir(opts, settings, cwd, plan)
    plan.codex_env = resolved.codex_env(plan.env)
    plan.lint_text = lint_text_for(resolved.lint_argv(), opts.lane, suffix, plan.env.get("TMPDIR"))
    try:
        plan.findings = lint_runtime(
            plan.lint_text, plan.env, settings, cwd, env, store=not opts.dry_run
        )
    except Exception as exc:
        if extra_setting(settings, "exec.on-error", "refuse") != "allow":
            plan.errors.append(internal_error("the rule check", exc))
    from guard.codex.grammar import reaches_model

    reaches = reaches_model(plan.codex_args, settings.codex_version)
    _floor_findings(plan, settings, reaches)
    _login_findings(resolved.codex, plan.codex_args, settings, plan, reaches, not opts.dry_run)
    plan.findings.sort(key=lambda f: (-f.severity.rank, f.rule))
    plan.refusing = at_or_over(plan.findings, extra_setting(settings, "exec.refuse-on", "error"))
    return plan


def _report_lines(plan: Plan) -> list[str]:
    return [
        *(f"codex-guard: {note}" for note in plan.notes),
        *(finding_line(finding) for finding in plan.findings),
        *(f"codex-guard: {error}" for error in plan.errors),
    ]


def forced_login_argv(plan: Plan, settings: Settings) -> list[str]:
    """The argv to exec: with `-c forced_login_method="chatgpt"` on a codex run unless the
    user config turned `exec.force-chatgpt-login` off, so codex itself refuses a stored or
    CODEX_API_KEY key that these checks could not see (guard/runtime/forcelogin.py)."""
    from guard.runtime.forcelogin import with_forced_chatgpt_login

    enabled = extra_setting(settings, "exec.force-chatgpt-login", "on") != "off"
    at = len(plan.exec_argv) - len(plan.codex_args) - 1  # the codex word
    if not enabled or at < 0:
        return list(plan.exec_argv)
    return [*plan.exec_argv[:at], *with_forced_chatgpt_login(plan.exec_argv[at:])]


def _remember(
    opts: ExecOptions,
    plan: Plan,
    environ: dict[str, str],
    settings: Settings,
    lines: list[str],
    cwd: str,
    exec_argv: list[str],
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
        # what was exec'd after the program word: the argv, or it with the forced-login override
        "args": [*plan.argv[:1], *exec_argv[1:]],
    }
    remember(opts, plan.argv, environ, cwd, plan.stdin_seen.value, decision)


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
        cwd = os.getcwd()
    except OSError as exc:
        print(
            f"codex-guard: exec: the current folder cannot be read ({exc.strerror}; deleted?): "
            "refusing to run codex from it",
            file=stderr,
        )
        return Settings().refuse_exit_code
    try:
        config = Path(opts.config) if opts.config else None
        settings = load_runtime_settings(Path(cwd), config)
    except ConfigError as exc:
        print(f"codex-guard: config error: {exc}", file=stderr)
        return 2
    plan = plan_exec(opts, argv, settings, environ, cwd)
    if plan.not_found:
        print(f"codex-guard: {plan.not_found}", file=stderr)
        return 127
    lines = _report_lines(plan)
    for line in lines:
        print(line, file=stderr)
    if plan.refusing or plan.errors:
        if opts.dry_run:
            print(f"codex-guard: would refuse: {shlex.join(plan.argv)}", file=stdout)
        return settings.refuse_exit_code
    if opts.dry_run:
        print(
            f"codex-guard: would run: {shlex.join(forced_login_argv(plan, settings))}", file=stdout
        )
        print(f"codex-guard: checked as: {plan.lint_text}", file=stdout)
        print(f"codex-guard: stdin: {plan.stdin.value}", file=stdout)
        return 0
    exec_argv = forced_login_argv(plan, settings)
    if env is None and plan.stdin_seen is not StdinState.CLOSED and not plan.wrapped:
        _remember(opts, plan, environ, settings, lines, cwd, exec_argv)
    stdout.flush()
    stderr.flush()
    program = exec_argv[0]
    try:
        # argv[0] as the caller wrote it (codex reads its own name from it); the file is the
        # pinned one that was checked.
        os.execve(program, [plan.argv[0], *exec_argv[1:]], plan.env)
    except OSError as exc:
        print(f"codex-guard: cannot run {program}: {exc.strerror}", file=stderr)
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
    try:
        return run_exec(opts, argv, sys.stdout, sys.stderr)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a crash at a door must not start codex, nor print a traceback
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"codex-guard: exec: internal error: {first}: refusing", file=sys.stderr)
        return 2
