"""Where codex-guard keeps its caches. No imports beyond `os`: the hot paths use it."""

from __future__ import annotations

import os

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the warm exec path does not import typing
if TYPE_CHECKING:
    from collections.abc import Mapping


def cache_dir(part: str, env: Mapping[str, str] = os.environ) -> str:
    """`$XDG_CACHE_HOME/codex-guard/<part>` (default `~/.cache`): every cache of codex-guard."""
    home = env.get("HOME") or os.path.expanduser("~")
    base = env.get("XDG_CACHE_HOME") or os.path.join(home, ".cache")
    return os.path.join(base, "codex-guard", part)
