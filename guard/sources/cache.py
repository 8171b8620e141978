"""A content-hash cache of each file's lint outcome (findings after suppressions).

The key covers everything the outcome depends on: the file's bytes, its path (findings carry it),
its kind, the resolved settings, the rule text handed to the workers, and a fingerprint of the code
and rules (every `.py` under `guard/` and every rule YAML: path, size, mtime), plus the Python
version. Change any of them and the entry is simply not found. Entries are small JSON files under
`$XDG_CACHE_HOME/codex-guard/lint/`; a cache that cannot be read or written costs a re-lint, never
an error. `--no-cache` or `CODEX_GUARD_NO_CACHE=1` turns it off.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path

from guard.findings import Finding, finding_from_cache, finding_to_cache
from guard.settings import cache_dir

DISABLE_ENV = "CODEX_GUARD_NO_CACHE"


def cache_root() -> Path:
    return cache_dir("lint")


def enabled() -> bool:
    return os.environ.get(DISABLE_ENV, "") in ("", "0")


def code_fingerprint(rule_dirs: Iterable[str] = ()) -> str:
    """What the linter itself is: its source files and rule files, by path, size and mtime."""
    import guard
    from guard.engine.registry import builtin_rules_dir

    package = Path(guard.__file__).resolve().parent
    files = sorted(package.rglob("*.py"))
    for folder in (builtin_rules_dir(), *(Path(d) for d in rule_dirs)):
        if folder.is_dir():
            files.extend(sorted(folder.glob("*.y*ml")))
    digest = hashlib.sha256(sys.version.encode())
    for path in files:
        try:
            st = path.stat()
        except OSError:
            continue
        digest.update(f"{path}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def entry_key(data: bytes, *parts: object) -> str:
    digest = hashlib.sha256(data)
    for part in parts:
        digest.update(b"\0" + repr(part).encode())
    return digest.hexdigest()


def _entry_path(folder: str, key: str) -> Path:
    return Path(folder) / key[:2] / f"{key}.json"


def load(folder: str, key: str) -> list[Finding] | None:
    try:
        raw = json.loads(_entry_path(folder, key).read_text(encoding="utf-8"))
        return [finding_from_cache(item) for item in raw]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store(folder: str, key: str, findings: list[Finding]) -> None:
    path = _entry_path(folder, key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps([finding_to_cache(f) for f in findings]), encoding="utf-8")
        os.replace(tmp, path)  # atomic: a parallel worker never reads half an entry
    except (OSError, ValueError):  # ValueError: text that cannot be encoded costs a re-lint
        pass
