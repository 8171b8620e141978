"""Module-level regular expressions compiled on first use.

The agent hook's codex path imports about 25 modules that compiled some 60 patterns at import:
~10 ms of CPU on this machine, while one command line uses a handful of them (a `${...}`
expansion, a `# codex-guard:` directive, a here-doc each need their own). `lazy_compile` stands
for `re.compile` in a module-level constant: the pattern is compiled the first time a method or
attribute is used, and from then on the compiled pattern's methods are plain attributes of the
stand-in (no `__getattr__` on later calls), so a hot loop pays what it paid before.

The hook's codex path need not import `re` at all (~2 ms with its compiler and parser): modules
import `lazy_re` in its place, which gives the flags as plain numbers and imports `re` at the first
use of anything else; a pattern may name the literals every match contains (`needs`), so that a
text holding none of them is answered without compiling it.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    import re
    import re as lazy_re
    from collections.abc import Iterator
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


class _LazyReModule:
    """The `re` module, imported at the first use of anything but a flag."""

    # re.RegexFlag's values: module constants pass them to `lazy_compile` at import time.
    A = ASCII = 256
    I = IGNORECASE = 2  # noqa: E741 - re's own name
    L = LOCALE = 4
    M = MULTILINE = 8
    S = DOTALL = 16
    U = UNICODE = 32
    X = VERBOSE = 64

    def __getattr__(self, name: str) -> object:
        if name.startswith("__"):
            raise AttributeError(name)
        import re

        value = getattr(re, name)
        setattr(self, name, value)  # later uses are plain attributes
        return value


if not TYPE_CHECKING:
    lazy_re = _LazyReModule()


class LazyPattern:
    """`re.compile(pattern, flags)`, compiled when first used."""

    def __init__(self, pattern: Any, flags: int) -> None:  # str or bytes, as re.compile
        self._source = (pattern, flags)

    def __getattr__(self, name: str) -> object:
        # Only reached for names not yet on the instance: the first use, or a name no pattern has.
        if name.startswith("__"):
            raise AttributeError(name)
        import re

        compiled = re.compile(*self._source)
        for attribute in PATTERN_ATTRIBUTES:
            if attribute not in type(self).__dict__:  # a _HintedPattern keeps its own methods
                setattr(self, attribute, getattr(compiled, attribute))
        self._compiled = compiled
        return compiled if name == "_compiled" else getattr(compiled, name)

    def __repr__(self) -> str:
        import re

        return repr(re.compile(*self._source))


class _HintedPattern(LazyPattern):
    """A lazy pattern every match of which contains one of `needs`: a str without any of them
    is answered without compiling (a case-insensitive pattern only so for ASCII text, where
    `str.lower` folds case as `re.IGNORECASE` does)."""

    def __init__(self, pattern: str, flags: int, needs: tuple[str, ...]) -> None:
        super().__init__(pattern, flags)
        self._fold = bool(flags & lazy_re.IGNORECASE)
        self.needs = tuple(n.lower() for n in needs) if self._fold else needs

    def absent(self, text: object) -> bool:
        """True when `text` holds none of the needed literals (so nothing can match)."""
        if not isinstance(text, str):
            return False
        if self._fold:
            if not text.isascii():
                return False
            text = text.lower()
        return not any(n in text for n in self.needs)

    def _real(self) -> re.Pattern[str]:
        compiled: re.Pattern[str] = self._compiled  # compiled by __getattr__ on first use
        return compiled

    def search(self, string: str, *args: int) -> re.Match[str] | None:
        return None if not args and self.absent(string) else self._real().search(string, *args)

    def match(self, string: str, *args: int) -> re.Match[str] | None:
        return None if not args and self.absent(string) else self._real().match(string, *args)

    def fullmatch(self, string: str, *args: int) -> re.Match[str] | None:
        if not args and self.absent(string):
            return None
        return self._real().fullmatch(string, *args)

    def finditer(self, string: str, *args: int) -> Iterator[re.Match[str]]:
        if not args and self.absent(string):
            return iter(())
        return self._real().finditer(string, *args)

    def findall(self, string: str, *args: int) -> list[Any]:
        return [] if not args and self.absent(string) else self._real().findall(string, *args)

    def sub(self, repl: Any, string: str, count: int = 0) -> str:
        return string if self.absent(string) else self._real().sub(repl, string, count)


if TYPE_CHECKING:

    @overload
    def lazy_compile(
        pattern: str, flags: int = 0, needs: tuple[str, ...] = ()
    ) -> re.Pattern[str]: ...
    @overload
    def lazy_compile(
        pattern: bytes, flags: int = 0, needs: tuple[str, ...] = ()
    ) -> re.Pattern[bytes]: ...
    def lazy_compile(pattern: Any, flags: int = 0, needs: tuple[str, ...] = ()) -> re.Pattern[Any]:
        return re.compile(pattern, flags)

else:

    def lazy_compile(pattern, flags=0, needs=()):
        """`re.compile(pattern, flags)` for a module-level constant, compiled on first use.
        `needs`: literals one of which every match contains (a str pattern's promise, which
        tests/test_lazyre.py checks for every such constant in guard)."""
        if needs:
            return _HintedPattern(pattern, flags, tuple(needs))
        return LazyPattern(pattern, flags)


__all__ = ["LazyPattern", "lazy_compile", "lazy_re"]
