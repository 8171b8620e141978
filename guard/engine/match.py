"""Declarative matching: a rule YAML's `match:` mapping against one codex invocation.

Keys name fields of the invocation (`lane`, `sandbox`, `sandbox_source`), of its codex call
(`subcommand`, `ephemeral`, `json`, `prompt_source`, `has_flag`), of its shell command
(`stdin`, `context.background`, ...). A value is one allowed value or a list of them; `null`
matches an unset field. Every key must match. This is what a team's own rule YAML uses.
"""

from __future__ import annotations

from collections.abc import Mapping

from guard.engine.context import Invocation
from guard.fastenum import StrEnum

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from typing import Any

_MISSING = object()


def _plain(value: object) -> object:
    return value.value if isinstance(value, StrEnum) else value


def field_value(inv: Invocation, key: str) -> object:
    if key == "stdin":
        return inv.command.stdin.kind.value
    if key.startswith("context."):
        return getattr(inv.command.context, key.split(".", 1)[1], _MISSING)
    if key == "program":
        return inv.command.program
    for owner in (inv, inv.call):
        value = getattr(owner, key, _MISSING)
        if value is not _MISSING:
            return _plain(value)
    return _MISSING


def _accepts(expected: Any, actual: object) -> bool:
    options = expected if isinstance(expected, list) else [expected]
    return any(
        (option is None and actual is None) or (option is not None and option == actual)
        for option in options
    )


def matches(spec: Mapping[str, Any], inv: Invocation) -> bool:
    for key, expected in spec.items():
        if key == "has_flag":
            flags = expected if isinstance(expected, list) else [expected]
            if not any(inv.call.has_flag(str(f)) for f in flags):
                return False
            continue
        actual = field_value(inv, key)
        if actual is _MISSING or not _accepts(expected, actual):
            return False
    return True
