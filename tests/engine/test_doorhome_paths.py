"""guard/engine/doorhome.py spells the doors' paths itself (the engine reads them without
importing the hook or the exec shim): they must stay the doors' own."""

from __future__ import annotations

from guard.engine import doorhome
from guard.runtime import execshim, hook


def test_the_door_paths_are_the_doors_own() -> None:
    assert doorhome.HOOK_PATH == hook.HOOK_PATH
    assert frozenset({hook.HOOK_PATH, execshim.EXEC_PATH}) == doorhome.DOOR_PATHS
