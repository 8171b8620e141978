"""`codex-guard doctor`: one OK/WARN/FAIL line per fact about this machine's codex set-up.

codex found, its version, its `--help` flag surface against the grammar table, hidden flags tried
one by one (FACTS.md: `--help` does not list them), login status and auth mode, forbidden keys in
the env, config.toml findings, the shim before the real codex on PATH, hooks installed.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from guard.findings import Finding
from guard.runtime import locate
from guard.runtime.auth import auth_file, codex_home, read_auth_mode, run_login_status
from guard.runtime.hook_install import is_installed, settings_path
from guard.settings import Settings

HELP_TIMEOUT = 20.0
VERSION_RE = re.compile(r"(\d+\.\d+\.\d+)")
# Hidden flags FACTS.md tried by hand; doctor re-tries them on the installed binary.
HIDDEN_FLAGS = ("--yolo", "--full-auto")


@dataclass(frozen=True, slots=True)
class Check:
    status: str  # OK | WARN | FAIL
    name: str
    detail: str

    def line(self) -> str:
        return f"{self.status:<4} {self.name}: {self.detail}"


def _run(argv: list[str], env: Mapping[str, str]) -> tuple[int, str, str]:
    try:
        proc = subprocess.run(
            argv,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env=dict(env),
            timeout=HELP_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return -1, "", f"{type(exc).__name__}: {exc}"
    return (
        proc.returncode,
        proc.stdout.decode("utf-8", "replace"),
        proc.stderr.decode("utf-8", "replace"),
    )


def help_flags(text: str) -> set[str]:
    """Every flag a clap `--help` text lists (the grammar module's reader)."""
    from guard.codex.grammar import help_flags as read

    return {f for f in read(text) if f not in ("--help", "-h")}


def table_flags(version: str, command: str) -> set[str] | None:
    """The grammar table's `--help`-visible flags for `exec` or `exec resume` at `version`."""
    from guard.codex.grammar import grammar_for

    spec = grammar_for(version).command(command)
    if spec is None:
        return None
    return {f for f in spec.visible_flag_names() if f not in ("--help", "-h")}


def table_hidden(version: str) -> dict[str, bool]:
    """{hidden flag: does the grammar table say `codex exec` accepts it}."""
    from guard.codex.grammar import grammar_for

    spec = grammar_for(version).command("exec")
    if spec is None:
        return {}
    return {flag: spec.flag(flag) is not None for flag in HIDDEN_FLAGS}


def find_real_codex(explicit: str | None, env: Mapping[str, str]) -> str | None:
    if explicit:
        return explicit if os.access(explicit, os.X_OK) else None
    return locate.find_codex("codex", env.get("PATH"))


def check_codex(codex: str | None) -> Check:
    if codex is None:
        return Check("FAIL", "codex", "no codex on PATH (other than a codex-guard shim)")
    return Check("OK", "codex", f"{codex} -> {os.path.realpath(codex)}")


def check_version(codex: str, env: Mapping[str, str]) -> tuple[Check, str | None]:
    code, out, err = _run([codex, "--version"], env)
    found = VERSION_RE.search(out + err)
    if code != 0 or not found:
        return Check(
            "FAIL", "version", f"`codex --version` failed: {(err or out).strip()[:120]}"
        ), None
    version = found.group(1)
    known = _known_versions()
    if version not in known:
        newest = known[-1] if known else "none"
        return (
            Check(
                "WARN",
                "version",
                f"{version}: no grammar table (tables: {', '.join(known)}; "
                f"linting against {newest})",
            ),
            version,
        )
    return Check("OK", "version", f"codex-cli {version}"), version


def _known_versions() -> list[str]:
    from guard.codex.grammar import supported_versions

    return list(supported_versions())


def check_flags(codex: str, version: str | None, command: str, env: Mapping[str, str]) -> Check:
    argv = [codex, *command.split(), "--help"]
    code, out, _err = _run(argv, env)
    name = f"flags ({command})"
    if code != 0:
        return Check("FAIL", name, f"`{' '.join(argv[1:])}` exited {code}")
    seen = help_flags(out)
    known = _known_versions()
    if version and version not in known and known:
        return _against_newest(name, version, known[-1], seen, table_flags(known[-1], command))
    expected = table_flags(version, command) if version else None
    if expected is None:
        return Check("WARN", name, f"{len(seen)} flags in --help; no grammar table to compare with")
    added = sorted(seen - expected)
    removed = sorted(expected - seen - set(HIDDEN_FLAGS))
    if not added and not removed:
        return Check("OK", name, f"{len(seen)} flags match the grammar table for {version}")
    parts = []
    if added:
        parts.append(f"added {', '.join(added)}")
    if removed:
        parts.append(f"removed {', '.join(removed)}")
    return Check(
        "WARN", name, f"--help differs from the grammar table for {version}: {'; '.join(parts)}"
    )


def _against_newest(
    name: str, version: str, newest: str, seen: set[str], expected: set[str] | None
) -> Check:
    """An installed codex with no table of its own: name what it adds and drops vs the newest."""
    refresh = "refresh with `python -m guard.codex.capture $(command -v codex)`"
    if expected is None:
        return Check("WARN", name, f"codex-cli {version}: no grammar table; {refresh}")
    added = sorted(seen - expected)
    removed = sorted(expected - seen - set(HIDDEN_FLAGS))
    if not added and not removed:
        return Check(
            "OK", name, f"codex-cli {version} has no table; --help matches the newest ({newest})"
        )
    parts = [f"added {', '.join(added)}"] if added else []
    parts += [f"removed {', '.join(removed)}"] if removed else []
    said = "; ".join(parts)
    return Check(
        "WARN",
        name,
        f"codex-cli {version} has no table; vs the newest ({newest}): {said}; {refresh}",
    )


def check_hidden(codex: str, version: str | None, env: Mapping[str, str]) -> Check:
    accepted = {}
    for flag in HIDDEN_FLAGS:
        code, _out, _err = _run([codex, "exec", flag, "--help"], env)
        accepted[flag] = code == 0
    said = ", ".join(f"{f} {'accepted' if ok else 'rejected'}" for f, ok in accepted.items())
    expected = table_hidden(version) if version else {}
    if not expected:
        return Check("OK", "hidden flags", said)
    wrong = [f for f in HIDDEN_FLAGS if expected.get(f) is not None and expected[f] != accepted[f]]
    if wrong:
        return Check(
            "WARN", "hidden flags", f"{said}; the grammar table disagrees on {', '.join(wrong)}"
        )
    return Check("OK", "hidden flags", f"{said} (as the grammar table says)")


def check_login(codex: str, env: Mapping[str, str]) -> list[Check]:
    path = auth_file(env)
    mode = read_auth_mode(path)
    checks: list[Check] = []
    if mode == "chatgpt":
        checks.append(Check("OK", "auth mode", f"auth_mode: chatgpt in {path}"))
    elif mode == "apikey":
        checks.append(
            Check("FAIL", "auth mode", f"auth_mode: apikey in {path}: API billing (CG102)")
        )
    elif mode is None:
        checks.append(Check("WARN", "auth mode", f"{path}: missing or unreadable"))
    else:
        checks.append(Check("WARN", "auth mode", f"auth_mode: {mode} in {path}"))
    status, line = run_login_status(codex, env)
    if status == "chatgpt":
        checks.append(Check("OK", "login status", line))
    elif status == "apikey":
        checks.append(Check("FAIL", "login status", f"{line} (API billing, CG102)"))
    else:
        checks.append(Check("FAIL", "login status", line))
    return checks


def check_env(env: Mapping[str, str], settings: Settings) -> Check:
    present = [k for k in settings.forbidden_env if k in env]
    if present:
        return Check("FAIL", "env", f"{', '.join(present)} set: codex would bill the API (CG101)")
    hand_home = " (CODEX_HOME set by hand: CG502)" if "CODEX_HOME" in env else ""
    status = "WARN" if hand_home else "OK"
    return Check(
        status, "env", f"no forbidden key ({', '.join(settings.forbidden_env)}){hand_home}"
    )


def check_config(env: Mapping[str, str], settings: Settings) -> Check:
    path = codex_home(env) / "config.toml"
    if not path.is_file():
        return Check("OK", "config.toml", f"{path}: not present")
    try:
        findings = _lint_file(path, settings)
    except Exception as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return Check("WARN", "config.toml", f"{path}: could not be linted ({first})")
    if findings is None:
        return Check("WARN", "config.toml", f"{path}: the config.toml linter is not available")
    if not findings:
        return Check("OK", "config.toml", f"{path}: no findings")
    worst = max(f.severity.rank for f in findings)
    listed = ", ".join(f"{f.rule} (line {f.location.line})" for f in findings)
    return Check("FAIL" if worst >= 2 else "WARN", "config.toml", f"{path}: {listed}")


def _lint_file(path: Path, settings: Settings) -> list[Finding] | None:
    """The lint front door's own reading of the file; None when it does not lint that kind."""
    from guard.commands.lint import FileJob, lint_file

    outcome = lint_file(FileJob(str(path), explicit=True, settings=settings))
    if not outcome.checked:
        return None
    if outcome.errors:
        raise RuntimeError(outcome.errors[0].message)
    return outcome.findings


def check_shim(env: Mapping[str, str]) -> Check:
    first = locate.resolve_first("codex", env.get("PATH"))
    real = locate.find_codex("codex", env.get("PATH"))
    if first is None:
        return Check("WARN", "shim", "no codex on PATH")
    if locate.is_shim(first):
        where = real or "nothing"
        return Check("OK", "shim", f"{first} comes before the real codex ({where})")
    return Check(
        "WARN",
        "shim",
        f"no codex-guard shim before {first} (run `codex-guard install-shim DIR` "
        "and put DIR first on PATH)",
    )


def check_hooks(env: Mapping[str, str], cwd: Path) -> list[Check]:
    checks = []
    for agent in ("claude", "codex"):
        places = [settings_path(agent, user, cwd, env) for user in (False, True)]
        found = [str(p) for p in places if is_installed(p, agent)]
        if found:
            checks.append(Check("OK", f"{agent} hook", f"installed in {', '.join(found)}"))
        else:
            checks.append(
                Check("WARN", f"{agent} hook", f"not installed (codex-guard hook install {agent})")
            )
    return checks


def _codex_hook_files(env: Mapping[str, str], cwd: Path) -> list[Path]:
    places = [settings_path("codex", user, cwd, env) for user in (False, True)]
    return [p for p in places if is_installed(p, "codex")]


def check_hook_trust(codex: str | None, env: Mapping[str, str], cwd: Path) -> list[Check]:
    """Is codex-guard's codex hook trusted (else codex skips it, silently in `exec`)? Computed
    from config.toml the way codex does, then asked of the installed codex when there is one."""
    from guard.runtime.hook_install import codex_config_path, our_hook_suffixes, project_root
    from guard.runtime.hook_trust import (
        HookTrustError,
        codex_hook_list,
        command_hooks,
        hook_source_path,
        project_trusted,
        read_config,
        trust_status,
    )

    files = _codex_hook_files(env, cwd)
    if not files:
        return []
    config_path = codex_config_path(env)
    try:
        config = read_config(config_path)
    except HookTrustError as exc:
        return [Check("WARN", "codex hook trust", f"unknown: {exc}")]
    ours = our_hook_suffixes("codex")
    entries = [e for f in files for e in command_hooks(hook_source_path(f), ours)]
    computed = {e.key: trust_status(e, config) for e in entries}
    root = project_root(cwd)
    project_file = str(root / ".codex" / "hooks.json")
    if any(k.startswith(project_file + ":") for k in computed) and not project_trusted(
        config, root
    ):
        for key in computed:
            if key.startswith(project_file + ":"):
                computed[key] = "project not trusted"
    said_by_codex = codex_hook_list(codex, cwd, env) if codex else None
    if said_by_codex is not None:
        seen = {h.get("key"): str(h.get("trustStatus")) for h in said_by_codex}
        statuses = {k: seen.get(k, "not loaded by codex") for k in computed}
        how = "codex app-server hooks/list"
    else:
        statuses, how = computed, f"computed from {config_path}; codex not asked"
    bad = {k: v for k, v in statuses.items() if v != "trusted"}
    if not bad:
        return [Check("OK", "codex hook trust", f"trusted ({how})")]
    listed = "; ".join(f"{k}: {v}" for k, v in bad.items())
    fix = "run `codex-guard hook install codex` again"
    if any(v in ("not loaded by codex", "project not trusted") for v in bad.values()):
        fix = (
            f'trust the project ([projects."{root}"] trust_level = "trusted" in {config_path}) '
            "or `codex-guard hook install codex --user`"
        )
    return [
        Check(
            "FAIL", "codex hook trust", f"{listed} ({how}): codex skips it, silently in exec; {fix}"
        )
    ]


def check_rules() -> Check:
    """The built-in rules load (an install without them refuses every codex command)."""
    from guard.engine.registry import RuleFileError, builtin_rules_dir, load_rules

    try:
        count = len(load_rules())
    except RuleFileError as exc:
        return Check("FAIL", "rules", str(exc))
    return Check("OK", "rules", f"{count} built-in rules in {builtin_rules_dir()}")


def run_doctor(
    settings: Settings, env: Mapping[str, str], cwd: Path, explicit_codex: str | None = None
) -> list[Check]:
    codex = find_real_codex(explicit_codex, env)
    checks = [check_codex(codex)]
    if codex is not None:
        version_check, version = check_version(codex, env)
        checks.append(version_check)
        checks.append(check_flags(codex, version, "exec", env))
        checks.append(check_flags(codex, version, "exec resume", env))
        checks.append(check_hidden(codex, version, env))
        checks.extend(check_login(codex, env))
    checks.append(check_env(env, settings))
    checks.append(check_config(env, settings))
    checks.append(check_shim(env))
    checks.extend(check_hooks(env, cwd))
    checks.extend(check_hook_trust(codex, env, cwd))
    checks.append(check_rules())
    return checks
