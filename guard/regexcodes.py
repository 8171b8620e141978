"""Compiled regular expressions kept between runs as their `sre` code, as `.pyc` files keep code.

Why: a lint of a thousand workflows compiles about 60 patterns (PyYAML's alone cost 8 ms at its
import: its reader's printable-character class), about a tenth of the run, in the parent and again
in its forked child. Compiling is parsing a pattern and generating its code; the code is a list of
integers that `_sre.compile` turns into a pattern object in microseconds. So the first run stores
the code of each pattern it compiled, and later runs let `re`'s own cache find pattern objects made
from that code: `re.compile(p, flags)` then gets one without compiling (on CPython 3.11 each is made
when first asked for, `_SeededCache`; elsewhere all are made at start).

What it is: a cache of code, never of answers, with the code bundle's trust model
(guard/runtime/codebundle.py): one file in the user's private cache folder (0700 folder, 0600 file,
checked on every read, guard/runtime/private.py), tied to this interpreter build (`sys.version`)
and to `re`'s code format (`re._constants.MAGIC`). Whoever can write that file decides what the
patterns match, as with the code bundle and `.pyc` files: that is why it must be ours and private.
Any doubt (another interpreter, a damaged file or entry, code `_sre` refuses, an `re` without
this cache layout) means the patterns are compiled as usual.
"""

from __future__ import annotations

import marshal
import os
import sys

from guard.cachedir import cache_dir

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: start-up pays for what this imports
if TYPE_CHECKING:
    from collections.abc import Iterable
    from typing import Any

FORMAT = "codex-guard regex codes 1"
MAX_PATTERNS = 256  # the linter's and its libraries' patterns are about 100
MAX_FILE_BYTES = 4 << 20
# (pattern, flags as asked, flags of the pattern object, code, groups, groupindex, indexgroup)
Entry = tuple[str, int, int, list[int], int, dict[str, int], tuple[str | None, ...]]
# The `re` layouts this is written against: `re._cache` is a dict keyed (type, pattern, flags) and
# `_sre.compile(pattern, flags, code, groups, groupindex, indexgroup)` (CPython 3.11 to 3.13).
_KNOWN_VERSIONS = ((3, 11), (3, 12), (3, 13))


def codes_path() -> str:
    return os.path.join(cache_dir("code"), f"regex-{sys.implementation.cache_tag}.marshal")


class RegexCodes:
    """The patterns seeded into `re`'s cache at start, and what to store at the end."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.stored: dict[tuple[str, int], Entry] = {}

    def seed(self) -> int:
        """Make every stored entry's pattern object findable in `re`'s cache; how many.

        On CPython 3.11 (`re._compile` looks `_cache[key]` up first) each one is made when a
        pattern asks for it (`_SeededCache`): a lint uses about 50 of the ~250 stored, and
        making all of them cost ~3 ms of every start. Elsewhere all are made now."""
        if sys.version_info[:2] not in _KNOWN_VERSIONS:
            return 0
        from guard.runtime.private import read_private

        data = read_private(self.path, MAX_FILE_BYTES)
        entries = _decode_shallow(data) if data else None
        if not entries:
            return 0
        import re

        cache = getattr(re, "_cache", None)
        if not isinstance(cache, dict):
            return 0
        if sys.version_info[:2] == (3, 11) and type(cache) is dict:
            pending = {(e[0], e[1]): e for e in entries}
            for key in cache:  # compiled before the seeding: kept as they are
                if isinstance(key, tuple) and len(key) == 3 and key[0] is str:
                    found = pending.pop((key[1], key[2]), None)
                    if found is not None and _is_entry(found):
                        self.stored[(key[1], key[2])] = found
            re._cache = _SeededCache(cache, self, pending)  # type: ignore[attr-defined]
            return len(pending)
        seeded = 0
        for entry in entries:
            key = (str, entry[0], entry[1])
            if key in cache:
                if _is_entry(entry):
                    self.stored[(entry[0], entry[1])] = entry
                continue
            compiled = _compiled(entry)
            if compiled is None:
                continue
            cache[key] = compiled
            self.stored[(entry[0], entry[1])] = entry
            seeded += 1
        return seeded

    def save(self) -> bool:
        """Store the code of the patterns this process compiled that the file lacks (with the
        file's own, which another process may have added since): True when it wrote."""
        if sys.version_info[:2] not in _KNOWN_VERSIONS:
            return False
        import re

        cache = getattr(re, "_cache", None)
        if not isinstance(cache, dict):
            return False
        fresh = [
            (key[1], key[2])
            for key in list(cache)
            if isinstance(key, tuple)
            and len(key) == 3
            and key[0] is str
            and isinstance(key[2], int)
            and (key[1], key[2]) not in self.stored
        ]
        if not fresh:
            return False
        from guard.runtime.private import read_private, write_private

        data = read_private(self.path, MAX_FILE_BYTES)
        on_file = (_decode(data) if data else None) or []
        merged = {(e[0], e[1]): e for e in on_file}
        merged.update(self.stored)
        added = 0
        for key in fresh:  # compiled here from its text: new, or an entry that did not seed
            if key not in merged and len(merged) >= MAX_PATTERNS:
                continue  # full: the patterns a linter meets first are its own and its libraries'
            entry = _entry(*key)
            if entry is not None and merged.get(key) != entry:
                merged[key] = entry
                added += 1
        self.stored = merged
        if not added:
            return False  # nothing the file lacks (or it is full): not written again
        return write_private(self.path, _encode(merged.values()))


class _SeededCache(dict):  # type: ignore[type-arg]
    """`re._cache` (CPython 3.11), which makes a stored pattern's object from its code when `re`
    first asks for it: a miss on a key with an entry on file. An entry `_sre` refuses (or that
    is not well-formed) is a plain miss: `re` compiles the pattern from its text, as usual."""

    __slots__ = ("codes", "pending")

    def __init__(
        self, items: dict[object, object], codes: RegexCodes, pending: dict[tuple[str, int], Any]
    ) -> None:
        super().__init__(items)
        self.codes = codes
        self.pending = pending

    def __missing__(self, key: object) -> object:
        if type(key) is tuple and len(key) == 3 and key[0] is str:
            entry = self.pending.pop((key[1], key[2]), None)
            if entry is not None:
                compiled = _compiled(entry)
                if compiled is not None:
                    self[key] = compiled
                    self.codes.stored[(key[1], key[2])] = entry
                    return compiled
        raise KeyError(key)


def _compiled(entry: Any) -> Any:
    """The pattern object of a stored entry, or None where it is not one `_sre` takes as it was
    stored (not well-formed, refused, or another pattern than it says)."""
    if not _is_entry(entry):
        return None
    import _sre  # type: ignore[import-not-found]

    pattern, _flags, final, code, groups, groupindex, indexgroup = entry
    try:
        compiled = _sre.compile(pattern, final, code, groups, groupindex, indexgroup)
    except Exception:  # code this `_sre` does not take: compiled as usual (and stored anew at
        return None  # the end, in place of this entry)
    if (compiled.pattern, compiled.flags, compiled.groups) != (pattern, final, groups):
        return None
    return compiled


def _entry(pattern: str, flags: int) -> Entry | None:
    """The code `re.compile(pattern, flags)` runs, as `re._compiler.compile` makes it."""
    try:
        from re import _compiler, _parser  # type: ignore[attr-defined]

        parsed = _parser.parse(pattern, flags)
        code = _compiler._code(parsed, flags)
        groupindex = dict(parsed.state.groupdict)
        indexgroup: list[str | None] = [None] * parsed.state.groups
        for name, index in groupindex.items():
            indexgroup[index] = name
        final = int(flags | parsed.state.flags)
        words = [int(n) for n in code]  # the opcodes are int subclasses, which marshal refuses
        groups = parsed.state.groups - 1
        return (pattern, flags, final, words, groups, groupindex, tuple(indexgroup))
    except Exception:  # DEBUG output, a pattern `re` itself refuses: not stored
        return None


def _header() -> tuple[str, str, int]:
    from re import _constants  # type: ignore[attr-defined]

    return (FORMAT, sys.version, _constants.MAGIC)


def _encode(entries: Iterable[Entry]) -> bytes:
    return marshal.dumps((_header(), [tuple(e) for e in entries]))


def _decode(data: bytes) -> list[Entry] | None:
    """The entries of a file written by this interpreter build, each checked whole, or None."""
    entries = _decode_shallow(data)
    if entries is None or not all(_is_entry(e) for e in entries):
        return None
    return entries


def _decode_shallow(data: bytes) -> list[Any] | None:
    """The entries of a file written by this interpreter build, each a 7-tuple keyed by a
    pattern text and its flags; the rest of an entry is checked when it is used (`_compiled`)."""
    try:
        header, entries = marshal.loads(data)
    except Exception:
        return None
    if header != _header() or not isinstance(entries, list):
        return None
    for e in entries:
        if not (type(e) is tuple and len(e) == 7 and type(e[0]) is str and type(e[1]) is int):
            return None
    return entries


def _is_entry(entry: object) -> bool:
    return (
        isinstance(entry, tuple)
        and len(entry) == 7
        and isinstance(entry[0], str)
        and type(entry[1]) is int
        and type(entry[2]) is int
        and isinstance(entry[3], list)
        and all(type(n) is int for n in entry[3])
        and type(entry[4]) is int
        and isinstance(entry[5], dict)
        and isinstance(entry[6], tuple)
    )


# This process's codes: `re`'s cache, which they fill, is one per process too.
_codes: RegexCodes | None = None


def seed_from_store() -> int:
    """At start: the stored patterns into `re`'s cache (once a process); how many."""
    global _codes
    if _codes is not None:
        return 0
    _codes = RegexCodes(codes_path())
    try:
        return _codes.seed()
    except Exception:  # any doubt: the patterns are compiled as usual
        return 0


def save_to_store() -> bool:
    """At the end (of a run, or of a forked child): store what this process compiled anew."""
    if _codes is None:
        return False
    try:
        return _codes.save()
    except Exception:  # a file not written costs the next run its compiles, nothing else
        return False
