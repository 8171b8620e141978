"""Module-level regular expressions compiled on first use.

The agent hook's codex path imports about 25 modules that compiled some 60 patterns at import:
~10 ms of CPU on this machine, while one command line uses a handful of them (a `${...}`
expansion, a `# codex-guard:` directive, a here-doc each need their own). `lazy_compile` stands
for `re.compile` in a module-level constant: the pattern is compiled the first time a method or
attribute is used, and from then on the compiled pattern's methods are plain attributes of the
stand-in (no `__getattr__` on later calls), so a hot loop pays what it paid before.
"""

from __future__ import annotations

import re

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from typing import Any, overload

# Everything a `re.Pattern` offers, copied onto the stand-in at the first use.
PATTERN_ATTRIBUTES = (
    "match",
    "search",
    "fullmatch",
    "finditer",
    "findall",
    "sub",
    "subn",
    "split",
    "scanner",
    "pattern",
    "flags",
    "groups",
    "groupindex",
)


class LazyPattern:
    """`re.compile(pattern, flags)`, compiled when first used."""

    def __init__(self, pattern: Any, flags: int) -> None:  # str or bytes, as re.compile
        self._source = (pattern, flags)

    def __getattr__(self, name: str) -> object:
        # Only reached for names not yet on the instance: the first use, or a name no pattern has.
        if name.startswith("__"):
            raise AttributeError(name)
        compiled = re.compile(*self._source)
        for attribute in PATTERN_ATTRIBUTES:
            setattr(self, attribute, getattr(compiled, attribute))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return repr(re.compile(*self._source))


if TYPE_CHECKING:

    @overload
    def lazy_compile(pattern: str, flags: int = 0) -> re.Pattern[str]: ...
    @overload
    def lazy_compile(pattern: bytes, flags: int = 0) -> re.Pattern[bytes]: ...
    def lazy_compile(pattern: Any, flags: int = 0) -> re.Pattern[Any]:
        return re.compile(pattern, flags)

else:

    def lazy_compile(pattern, flags=0):
        """`re.compile(pattern, flags)` for a module-level constant, compiled on first use."""
        return LazyPattern(pattern, flags)
