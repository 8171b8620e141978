"""A cache of the engine's findings for one exec command line, so a repeated dispatch skips the
parser and the engine (their imports alone cost several times Python's own start-up).

The key holds everything the findings depend on: the command line as linted (argv, the stdin
redirect, the lane directive), the external env given to the engine, the cwd, the settings, the
codex-guard version, and the size and mtime of every source file of the package and every rule
file. Change any of them and the entry is simply not found. Only clean engine answers are stored:
an engine error is never cached. The login check is not cached here (see ``auth``).
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Mapping
from pathlib import Path

from guard import __version__
from guard.findings import Finding, finding_from_cache, finding_to_cache
from guard.runtime.fasthash import sha256_hex
from guard.runtime.private import read_private, write_private
from guard.settings import Settings
from guard.settings import cache_dir as user_cache_dir

MAX_ENTRIES = 4000  # past this, the older half is dropped on the next write


def cache_dir(env: Mapping[str, str]) -> Path:
    return user_cache_dir("exec", env)


def code_and_rules_stamp(settings: Settings) -> str:
    """codex-guard's code and every rule file (the same stamp the warm exec path compares)."""
    from guard.runtime.fastexec import code_stamp

    lines = [__version__, *code_stamp(list(settings.rules_dirs))]
    return sha256_hex("\n".join(lines).encode())


def path_facts(text: str, cwd: str) -> list[str]:
    """Where each word of the command line that names a path really points (CG504 follows
    symlinks: a link re-pointed outside the workspace must not be answered from the cache)."""
    import shlex

    from guard.runtime.fastexec import path_facts as argv_path_facts

    try:
        words = shlex.split(text, comments=True)
    except ValueError:
        return []
    return argv_path_facts(words, cwd)


def decision_key(
    text: str,
    external_env: tuple[tuple[str, str, int], ...],
    settings: Settings,
    cwd: str,
    env: Mapping[str, str] | None = None,
) -> str:
    """Everything the findings depend on, the Codex config layers the run reads included (by
    content): a config.toml that gained a bearer-token provider since is a new key."""
    import shlex

    from guard.runtime.fastexec import codex_config_facts

    try:
        words = shlex.split(text, comments=True)
    except ValueError:
        words = []
    payload = json.dumps(
        [
            text,
            list(external_env),
            repr(settings),
            cwd,
            path_facts(text, cwd),
            code_and_rules_stamp(settings),
            codex_config_facts(env or {}, cwd, words),
        ]
    )
    return sha256_hex(payload.encode())[:40]


def read_decision(key: str, env: Mapping[str, str]) -> list[Finding] | None:
    """The cached findings, only from a private cache file (guard.runtime.private): an entry
    someone else could have edited to drop a finding is a miss."""
    data = read_private(str(cache_dir(env) / f"{key}.json"))
    if data is None:
        return None
    try:
        raw = json.loads(data.decode("utf-8"))
        return [finding_from_cache(item) for item in raw]
    except (ValueError, KeyError, TypeError, AssertionError):
        return None


def write_decision(key: str, findings: list[Finding], env: Mapping[str, str]) -> None:
    folder = cache_dir(env)
    data = json.dumps([finding_to_cache(f) for f in findings]).encode("utf-8")
    if write_private(str(folder / f"{key}.json"), data):
        with contextlib.suppress(OSError):
            _prune(folder)
    # else: a read-only or foreign cache only costs the next run a full check


def _prune(folder: Path) -> None:
    entries = list(os.scandir(folder))
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort(key=lambda e: e.stat().st_mtime)
    for entry in entries[: len(entries) // 2]:
        with contextlib.suppress(OSError):
            os.unlink(entry.path)
