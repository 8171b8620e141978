"""`functools.lru_cache`, without importing `functools`.

`functools` imports `collections` (for `cache_info`'s namedtuple), and `collections` imports
`keyword`, `operator` and `reprlib`: about 1.5 ms of the agent hook's codex check, which needs
none of them. `functools.lru_cache` is a thin wrapper around the C cache
`_functools._lru_cache_wrapper`; this takes that cache from its own module (as guard/filereads.py
takes `ContextVar` from `_contextvars`), and is `functools.lru_cache` itself on an interpreter
without it. The modules on the hook's codex path use this one; the others may use either.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from collections.abc import Callable
    from functools import _lru_cache_wrapper
    from typing import TypeVar

    R = TypeVar("R")

# What functools.update_wrapper copies onto a cache (its `__dict__` is empty here).
_WRAPPER_NAMES = ("__module__", "__name__", "__qualname__", "__doc__")


def lru_cache(maxsize: int) -> Callable[[Callable[..., R]], _lru_cache_wrapper[R]]:
    """`functools.lru_cache(maxsize=maxsize)` (not typed: `typed=False`)."""

    def wrap(function: Callable[..., R]) -> _lru_cache_wrapper[R]:
        try:
            from _functools import _lru_cache_wrapper as make  # type: ignore[import-not-found]
        except ImportError:  # no C accelerator: the pure-Python one, with its imports
            import functools

            return functools.lru_cache(maxsize=maxsize)(function)
        cached: _lru_cache_wrapper[R] = make(function, maxsize, False, _cache_info)
        for name in _WRAPPER_NAMES:
            setattr(cached, name, getattr(function, name))
        cached.__wrapped__ = function
        return cached

    return wrap


def _cache_info(hits: int, misses: int, maxsize: int, currsize: int) -> tuple[int, int, int, int]:
    """What `cache_info()` returns: functools's `_CacheInfo` fields, as a plain tuple."""
    return hits, misses, maxsize, currsize
