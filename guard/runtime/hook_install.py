"""`codex-guard hook install claude|codex [--project|--user]`: merge our entry, touch nothing else.

Claude Code reads `.claude/settings.json` (project) or `~/.claude/settings.json` (user); Codex reads
`.codex/hooks.json` (project) or `$CODEX_HOME/hooks.json` (user, default `~/.codex`). Both take
`{"hooks": {"PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": ...}]}]}}`.
Installing twice changes nothing; other hooks, other events and other keys are kept as they were.

Codex runs a hook only when its trust is recorded in the user's config.toml (see hook_trust.py),
and skips an untrusted one silently in `codex exec`: installing for codex also records that trust,
or says the one step that does it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class HookInstallError(Exception):
    """The settings file cannot be merged (not JSON, wrong shape): reported, never overwritten."""


@dataclass(frozen=True, slots=True)
class InstallResult:
    path: Path
    changed: bool
    notes: tuple[str, ...] = ()  # what the user must know or do (codex hook trust)
    trust_failed: bool = False  # codex would skip the hook: the trust record could not be written


# `-E`: no PYTHON* variable of the agent's environment steers the interpreter; `-P`: the entry's
# folder (guard/) is not put on sys.path; `-S`: no site-packages until the check needs them
# (guard/runtime/hook.py then adds a plain venv's site-packages itself, else runs `site.main()`,
# which adds the user's site folder where a `pip install --user` put codex-guard: `-I` would
# hide it).
HOOK_FLAGS = ("-E", "-P", "-S")


def hook_command(agent: str) -> str:
    """The command `hook install` writes: this interpreter and guard/hookmain.py, both absolute.

    The agent runs it with its own PATH, which need not hold this venv (a bare `codex-guard` then
    fails, and a failed hook lets the command run). `sys.executable` is kept as it is, not
    resolved: a venv's `bin/python` symlink is what makes it that venv's interpreter.
    """
    import shlex
    import sys

    entry = Path(__file__).resolve().parent.parent / "hookmain.py"
    return shlex.join([os.path.abspath(sys.executable), *HOOK_FLAGS, str(entry), agent])


def our_hook_suffixes(agent: str) -> tuple[str, ...]:
    """How a command installed by any codex-guard ends: this entry point, or the bare console
    script older versions wrote."""
    return (f"hookmain.py {agent}", f"hookmain.py' {agent}", f"codex-guard hook {agent}")


def is_our_command(command: str, agent: str) -> bool:
    return command.strip().endswith(our_hook_suffixes(agent))


def project_root(start: Path) -> Path:
    """The enclosing git work tree, else `start` itself."""
    here = start.resolve()
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            return folder
    return here


def user_scope(project: bool, user: bool) -> bool:
    """`--user` or `--project` (the default); both at once is refused, never a silent pick of
    the last one (which would write the user's settings when the repo's were meant)."""
    if project and user:
        raise HookInstallError("--project and --user exclude each other: give one")
    return user


def settings_path(agent: str, user: bool, cwd: Path, env: Mapping[str, str]) -> Path:
    home = Path(env.get("HOME") or os.path.expanduser("~"))
    if agent == "claude":
        base = home if user else project_root(cwd)
        return base / ".claude" / "settings.json"
    if user:
        codex_home = env.get("CODEX_HOME")
        return (Path(codex_home) if codex_home else home / ".codex") / "hooks.json"
    return project_root(cwd) / ".codex" / "hooks.json"


def _load(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise HookInstallError(f"{path}: cannot read: {exc}") from None
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise HookInstallError(f"{path}: not valid JSON ({exc}); left untouched") from None
    if not isinstance(data, dict):
        raise HookInstallError(f"{path}: the top level is not a JSON object; left untouched")
    return data


def _pre_tool_use(data: dict[str, Any], path: Path) -> list[Any]:
    hooks = data.setdefault("hooks", {})
    if not isinstance(hooks, dict):
        raise HookInstallError(f"{path}: `hooks` is not an object; left untouched")
    groups = hooks.setdefault("PreToolUse", [])
    if not isinstance(groups, list):
        raise HookInstallError(f"{path}: `hooks.PreToolUse` is not a list; left untouched")
    return groups


def our_hooks(groups: list[Any], agent: str) -> list[dict[str, Any]]:
    """The handlers in ``groups`` that run codex-guard's hook for ``agent``."""
    found: list[dict[str, Any]] = []
    for group in groups:
        if not isinstance(group, dict):
            continue
        for hook in group.get("hooks") or ():
            if isinstance(hook, dict) and is_our_command(str(hook.get("command", "")), agent):
                found.append(hook)
    return found


def has_hook(groups: list[Any], agent: str) -> bool:
    return bool(our_hooks(groups, agent))


def is_installed(path: Path, agent: str) -> bool:
    try:
        data = _load(path)
        hooks = data.get("hooks")
        groups = hooks.get("PreToolUse") if isinstance(hooks, dict) else None
        return isinstance(groups, list) and has_hook(groups, agent)
    except HookInstallError:
        return False


def codex_config_path(env: Mapping[str, str]) -> Path:
    """The user's config.toml, where codex reads hook trust (`$CODEX_HOME`, default ~/.codex)."""
    home = Path(env.get("HOME") or os.path.expanduser("~"))
    codex_home = env.get("CODEX_HOME")
    return (Path(codex_home) if codex_home else home / ".codex") / "config.toml"


def trust_codex_hook(path: Path, env: Mapping[str, str], cwd: Path) -> tuple[tuple[str, ...], bool]:
    """Record trust of codex-guard's hook in ``path`` the way codex does: (lines for the user,
    whether recording failed)."""
    from guard.runtime.hook_trust import (
        HookTrustError,
        command_hooks,
        hook_source_path,
        project_trusted,
        read_config,
        record_trust,
        trust_snippet,
    )

    config = codex_config_path(env)
    entries = command_hooks(hook_source_path(path), our_hook_suffixes("codex"))
    notes: list[str] = []
    try:
        changed = record_trust(config, entries)
        notes.append(
            f"trusted in {config} (hooks.state trusted_hash)"
            if changed
            else f"already trusted in {config}"
        )
        project_config = read_config(config)
    except HookTrustError as exc:
        notes.append(f"NOT trusted: codex skips an untrusted hook silently ({exc}); add to "
                     f"{config}:{trust_snippet(entries)}")  # fmt: skip
        return tuple(notes), True
    root = project_root(cwd)
    if path == root / ".codex" / "hooks.json" and not project_trusted(project_config, root):
        notes.append(
            f"codex loads {root / '.codex'} only for a trusted project: add "
            f'[projects."{root}"] trust_level = "trusted" to {config} (or trust the project '
            "when codex asks), or install with --user"
        )
    return tuple(notes), False


def install_hook(
    agent: str, path: Path, env: Mapping[str, str] | None = None, cwd: Path | None = None
) -> InstallResult:
    """Merge our entry into ``path``; for codex (when ``env`` is given) also record its trust."""
    result = _merge_hook(agent, path)
    if agent != "codex" or env is None:
        return result
    notes, failed = trust_codex_hook(path, env, cwd if cwd is not None else Path.cwd())
    return InstallResult(result.path, result.changed, notes, trust_failed=failed)


def _merge_hook(agent: str, path: Path) -> InstallResult:
    data = _load(path)
    groups = _pre_tool_use(data, path)
    command = hook_command(agent)
    ours = our_hooks(groups, agent)
    if ours and all(hook["command"] == command for hook in ours):
        return InstallResult(path, changed=False)
    if ours:  # an older install (a bare `codex-guard`, another path): point it here
        for hook in ours:
            hook["command"] = command
    else:
        groups.append({"matcher": "Bash", "hooks": [{"type": "command", "command": command}]})
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        raise HookInstallError(f"{path}: cannot write: {exc.strerror}") from None
    return InstallResult(path, changed=True)
