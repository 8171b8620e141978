"""Finding the real codex: on PATH, never a codex-guard shim (no loops, even through symlinks)."""

from __future__ import annotations

import os
from collections.abc import Iterable

# Written into every shim by `install-shim`; a file that carries it is never taken for codex.
SHIM_MARKER = b"codex-guard-shim"

# Top-level `codex` options that take a value (codex --help, 0.139.0 and 0.169.0): needed to find
# the sub-command in `codex -m M -s MODE exec ...` without mistaking a value for it.
TOP_LEVEL_VALUE_OPTIONS = frozenset(
    {
        "-c",
        "--config",
        "--enable",
        "--disable",
        "--remote",
        "--remote-auth-token-env",
        "-i",
        "--image",
        "-m",
        "--model",
        "--local-provider",
        "-p",
        "--profile",
        "-s",
        "--sandbox",
        "-C",
        "--cd",
        "--add-dir",
        "-a",
        "--ask-for-approval",
    }
)


def is_shim(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return SHIM_MARKER in handle.read(512)
    except OSError:
        return False


def _executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def find_codex(
    name: str = "codex", path_env: str | None = None, exclude: Iterable[str] = ()
) -> str | None:
    """The first `name` on PATH that is neither one of `exclude` (by real path) nor a shim."""
    excluded = {os.path.realpath(p) for p in exclude}
    search = os.environ.get("PATH", os.defpath) if path_env is None else path_env
    seen: set[str] = set()
    for folder in search.split(os.pathsep):
        candidate = os.path.join(folder or ".", name)
        if not _executable(candidate):
            continue
        real = os.path.realpath(candidate)
        if real in excluded or real in seen:
            continue
        seen.add(real)
        if is_shim(real):
            continue
        return candidate
    return None


def resolve_command(word: str, path_env: str | None = None) -> str | None:
    """What `execvp(word)` would run, skipping shims for a bare name (the shim never re-enters)."""
    if os.sep in word:
        return word if _executable(word) else None
    return find_codex(word, path_env)


def subcommand_index(args: list[str]) -> int | None:
    """Index in `args` (codex's argv without argv[0]) of the sub-command, None for bare `codex`."""
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            return None  # the rest is a prompt for interactive codex
        if arg.startswith("-"):
            if arg in TOP_LEVEL_VALUE_OPTIONS:
                i += 2
                continue
            i += 1
            continue
        return i
    return None


def subcommand(args: list[str]) -> str | None:
    index = subcommand_index(args)
    return None if index is None else args[index]


def is_exec_run(args: list[str]) -> bool:
    return subcommand(args) in ("exec", "e")


def is_api_key_login(args: list[str]) -> bool:
    index = subcommand_index(args)
    return index is not None and args[index] == "login" and "--with-api-key" in args[index + 1 :]


def cd_value(args: list[str]) -> str | None:
    """The last `-C/--cd DIR` given (exec's own wins over a top-level one)."""
    found: str | None = None
    for i, arg in enumerate(args):
        if arg in ("-C", "--cd") and i + 1 < len(args):
            found = args[i + 1]
        elif arg.startswith("--cd="):
            found = arg[len("--cd=") :]
        elif arg.startswith("-C") and len(arg) > 2:
            found = arg[2:]
    return found


def resolve_first(name: str, path_env: str | None = None) -> str | None:
    """The first `name` on PATH, shim or not: what a plain `codex` runs."""
    search = os.environ.get("PATH", os.defpath) if path_env is None else path_env
    for folder in search.split(os.pathsep):
        candidate = os.path.join(folder or ".", name)
        if _executable(candidate):
            return candidate
    return None


def read_regular_file(path: str, limit: int = 1 << 20) -> bytes | None:
    """A small regular file's bytes, or None: a FIFO in its place must not hang a runtime door."""
    from guard.regularfile import read_regular

    return read_regular(path, limit)


def manifests(executable: str) -> list[str]:
    """The package.json files that may say an npm install's version, nearest first."""
    found: list[str] = []
    folder = os.path.dirname(os.path.realpath(executable))
    for _ in range(4):
        found.append(os.path.join(folder, "package.json"))
        parent = os.path.dirname(folder)
        if parent == folder:
            break
        folder = parent
    return found


def installed_version(executable: str) -> str | None:
    """The codex-cli version of an npm install (`@openai/codex`'s package.json), read without
    starting codex; None for other installs (the config's `codex-version` or the newest table)."""
    for manifest in manifests(executable):
        import json  # not at the top: the exec warm path imports this module

        raw = read_regular_file(manifest)
        try:
            data = json.loads(raw.decode("utf-8")) if raw is not None else None
        except ValueError:
            data = None
        if isinstance(data, dict) and data.get("name") == "@openai/codex":
            version = data.get("version")
            return str(version) if isinstance(version, str) and version else None
    return None
