"""The Codex home a run reads, as the runtime doors read it from this machine.

The hooks, `check` and the exec shim answer for a command about to run here, so they read the
Codex home it names (never `lint`, whose scripts run elsewhere): a literal `CODEX_HOME=DIR` (prefix,
export, `env`, or the exec shim's real environment), else, with CODEX_HOME unset, a literal
`HOME=DIR`, whose `DIR/.codex` codex reads then. Observed on 0.171.0
(tests/codex/test_door_homes_realcli.py): `HOME=DIR codex login status` reads `DIR/.codex/auth.json`
and the run banner shows its config.toml's sandbox; `cd ..; CODEX_HOME=ch3 codex login status`
reads `../ch3`: a relative home is the folder the command runs in, after the `cd`s before it.
When that folder cannot be known (`cd "$X"`, a folder that is not there yet, `cd -`), the home is
unsettled (CG902) rather than read from the wrong folder.
"""

from __future__ import annotations

import os

from guard.fastclass import dataclass
from guard.shell.model import Command, Script, Word
from guard.sources.snippet import Snippet

# The paths the doors lint a command line under: guard.runtime.hook.HOOK_PATH (the hooks and
# `check`) and guard.runtime.execshim.EXEC_PATH (the exec and PATH shims). Spelled here, not
# imported: the exec shim's module is not on the hook's import path.
HOOK_PATH = "<hook>"  # guard.runtime.hook.HOOK_PATH, for a check that asks without the hook
DOOR_PATHS = frozenset({HOOK_PATH, "<exec>"})
_MOVERS = ("cd", "pushd", "popd")


@dataclass(frozen=True, slots=True)
class DoorHome:
    """The Codex home one run reads on this machine."""

    said: str  # `CODEX_HOME=ch3` or `HOME=/x`, as the command line gives it
    folder: str | None  # the home, absolute; None: where the command runs cannot be known


def at_door(snippet: Snippet) -> bool:
    """Is this snippet a command line about to run on this machine (hook, `check`, exec shim)?"""
    return snippet.path in DOOR_PATHS


def _literal(word: Word | None) -> str | None:
    """A value the shell gives as written: no expansion left in it."""
    if word is None or not word.literal or not word.text:
        return None
    return None if "$" in word.text or "`" in word.text else word.text


def _external(snippet: Snippet, name: str) -> str | None:
    for key, value, _line in snippet.external_env:
        if key == name:
            return value
    return None


def _home_text(snippet: Snippet, command: Command) -> tuple[str, str] | None:
    """(variable, value) that names the run's Codex home, when a literal one does."""
    binding = command.env_var("CODEX_HOME")
    if binding is not None:
        text = _literal(binding.value)
        return ("CODEX_HOME", text) if text is not None else None
    if command.inherits("CODEX_HOME"):
        outside = _external(snippet, "CODEX_HOME")
        if outside:
            return "CODEX_HOME", outside
        if os.environ.get("CODEX_HOME"):
            return None  # the agent's own CODEX_HOME wins over any HOME the line sets
    binding = command.env_var("HOME")
    if binding is None:
        return None
    text = _literal(binding.value)
    return ("HOME", text) if text is not None else None


def door_home(snippet: Snippet, script: Script, command: Command) -> DoorHome | None:
    """The Codex home a run at the doors reads, when the command line (or the shim's real env)
    names one literally; None elsewhere (lint, or no such variable)."""
    if not at_door(snippet):
        return None
    said = _home_text(snippet, command)
    if said is None:
        return None
    name, text = said
    path = os.path.expanduser(text)
    if not path.startswith("/"):
        base = run_folder(script, command)
        if base is None:
            return DoorHome(f"{name}={text}", None)
        path = os.path.join(base, path)
    folder = os.path.normpath(path)
    if name == "HOME":
        folder = os.path.join(folder, ".codex")  # codex's default home under that HOME
    return DoorHome(f"{name}={text}", folder)


# --- the folder a command runs in ---------------------------------------------------------------


def moves_shell_of(mover: Command, command: Command) -> bool:
    """Does a `cd` (`pushd`, `popd`) before `command` move the shell `command` runs in?

    One in `$(...)`, in the background or in a subshell that `command` is not part of
    (`SCRIPT_DIR="$(cd "$(dirname "$0")" && pwd)"`, `(cd a && make); (cd b && codex ...)`)
    leaves the script where it was.
    """
    where = mover.context
    if where.command_substitution or where.background:
        return False
    inside = command.context.subshells[: len(where.subshells)] == where.subshells
    return not where.subshell or (command.context.subshell and inside)


def _target(mover: Command) -> str | None:
    """The folder a `cd`/`pushd` goes to as written, None when it is not known here."""
    words = list(mover.argv[1:])
    while words and words[0].text.startswith("-") and words[0].text != "-":
        ended = words.pop(0).text == "--"  # `cd -P dir`, `cd -- dir`
        if ended:
            break
    if not words:
        return "~" if mover.program == "cd" else None  # bare pushd swaps the stack's top two
    if len(words) > 1:
        return None  # bash refuses `cd a b`
    text = _literal(words[0])
    if text is None or text == "-" or (mover.program == "pushd" and text.startswith("+")):
        return None  # `cd -` is $OLDPWD; `pushd +N` rotates the stack
    relative = not text.startswith(("/", "~", "./", "../")) and text not in (".", "..")
    if relative and os.environ.get("CDPATH"):
        return None  # bash may find it in a CDPATH folder instead
    return text


def run_folder(script: Script, command: Command) -> str | None:
    """The folder `command` runs in: this process's cwd moved by the literal `cd`, `pushd` and
    `popd` before it in its shell. None when any of them goes where the doors cannot know now
    (a dynamic word, `cd -`, a folder that does not exist yet: `mkdir x; cd x`)."""
    try:
        folder = os.getcwd()
    except OSError:
        return None
    stack: list[str] = []
    movers = [c for c in script.commands if c.program in _MOVERS and c.index < command.index]
    for mover in sorted(movers, key=lambda c: c.index):  # source order, as the shell runs them
        if not moves_shell_of(mover, command):
            continue
        if mover.program == "popd":
            if not stack or len(mover.argv) > 1:
                return None  # popped a folder pushed where it cannot be seen, or `popd +N`
            folder = stack.pop()
            continue
        target = _target(mover)
        if target is None:
            return None
        moved = os.path.normpath(os.path.join(folder, os.path.expanduser(target)))
        if not os.path.isdir(moved):
            return None
        if mover.program == "pushd":
            stack.append(folder)
        folder = moved
    return folder
