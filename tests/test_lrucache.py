"""guard/lrucache.py is `functools.lru_cache` (the same C cache), and guard/filereads.py's Probe is
the namedtuple it replaced: both without importing `functools` or `collections` (the agent hook's
codex path, tests/runtime/test_hook_imports.py)."""

from __future__ import annotations

import functools
import pickle

from guard.filereads import Probe
from guard.lrucache import lru_cache


def _square_counting(calls: list[int]) -> object:
    def square(n: int) -> int:
        """Square."""
        calls.append(n)
        return n * n

    return square


def test_it_caches_and_evicts_as_functools_does() -> None:
    ours_calls: list[int] = []
    theirs_calls: list[int] = []
    ours = lru_cache(maxsize=2)(_square_counting(ours_calls))  # type: ignore[arg-type]
    theirs = functools.lru_cache(maxsize=2)(_square_counting(theirs_calls))  # type: ignore[arg-type]
    for n in (1, 2, 1, 3, 2, 1, 1, 4, 3):
        assert ours(n) == theirs(n) == n * n
    assert ours_calls == theirs_calls  # the same hits and the same least-recently-used evictions
    assert ours.cache_info()[:2] == tuple(theirs.cache_info())[:2]
    ours.cache_clear()
    ours(1)
    assert ours_calls[-1] == 1
    assert ours.__name__ == "square" and ours.__doc__ == "Square."
    assert ours.__wrapped__(5) == 25


def test_an_unhashable_argument_is_refused_as_functools_does() -> None:
    ours = lru_cache(maxsize=4)(len)
    try:
        ours([1, 2])
    except TypeError:
        pass
    else:
        raise AssertionError("a list argument was cached")


def test_probe_reads_and_pickles_like_the_namedtuple() -> None:
    probe = Probe("file", "/x/.codex/config.toml", "absent")
    assert (probe.kind, probe.path, probe.answer) == ("file", "/x/.codex/config.toml", "absent")
    assert probe == ("file", "/x/.codex/config.toml", "absent") and hash(probe) == hash(
        tuple(probe)
    )
    copy = pickle.loads(pickle.dumps(probe))
    assert type(copy) is Probe and copy == probe and copy.answer == "absent"
    assert repr(probe) == "Probe(kind='file', path='/x/.codex/config.toml', answer='absent')"
