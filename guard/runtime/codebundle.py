"""The compiled code of the hook's guard modules in one private file, served by a meta-path finder.

Why: a codex command sends the installed hook through ~90 guard modules. The normal import of each
looks it up in its folder, stats the source, opens and reads its `.pyc` and checks it: about half
of the cost of those imports that is not running them. Here one read gives all their code objects.

What it is: a cache of *code*, never of answers. Each entry is what `compile()` gives for one
source file, kept with that file's size and mtime; an entry whose file now differs (or is gone) is
not used, and the module is imported normally. The file lives in the user's private cache folder
(guard/runtime/private.py: a 0700 folder of this user, the file 0600 and ours, checked with
lstat/fstat on every read, as fastclass's compiled `__init__` cache) and is tied to this
interpreter (`sys.version`, the bytecode magic number, the optimize level) and to the package
folder it was built from. It is written by the hook itself after it has answered, when the check
imported guard modules the bundle did not hold; any doubt (a damaged, foreign or stale file, an
unexpected error) means normal imports.

The finder serves only `guard` and its submodules from the package folder this process imports
them from: the file a module is served from is derived from its name and that folder (not read from
the bundle), and a submodule only when its parent's `__path__` is that folder.
"""

from __future__ import annotations

import marshal
import os
import sys

# The import system's own modules, loaded at start-up (`importlib` would add `warnings`).
from _frozen_importlib import ModuleSpec
from _frozen_importlib_external import MAGIC_NUMBER, SourceFileLoader

from guard.cachedir import cache_dir
from guard.runtime.private import read_private, write_private

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the hook's path does not import typing
if TYPE_CHECKING:
    from collections.abc import Sequence
    from types import CodeType, ModuleType

PACKAGE = "guard"
FORMAT = b"codex-guard code bundle 2"
MAX_BUNDLE_BYTES = 32 << 20  # the hook's modules compile to about 1 MiB
# name -> (is a package, source size, source mtime_ns, marshalled code)
Entry = tuple[bool, int, int, bytes | memoryview]
# The file: header, the index's length (8 bytes, little-endian), the index (a marshalled dict
# name -> (is a package, size, mtime_ns, offset, length)), then the modules' code one after the
# other. Reading takes the index alone; each module's code is unmarshalled from its slice of the
# file when it is imported (unmarshalling one dict of all the code copied ~1 MB for nothing).
_INDEX_LENGTH_BYTES = 8


def bundle_path(root: str) -> str:
    """One bundle per package folder and interpreter build, in the private cache folder."""
    key = marshal.dumps((root, sys.version, sys.flags.optimize))
    tag = f"{_fnv1a(key):016x}"
    return os.path.join(cache_dir("code"), f"hook-{sys.implementation.cache_tag}-{tag}.marshal")


def _fnv1a(data: bytes) -> int:
    """A stable 64-bit name for the bundle file (hashlib costs ~1 ms to import; not a secret)."""
    value = 0xCBF29CE484222325
    for byte in data:
        value = ((value ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return value


def _header(root: str) -> bytes:
    return marshal.dumps((FORMAT, root, sys.version, MAGIC_NUMBER, sys.flags.optimize))


def source_of(root: str, name: str, is_package: bool) -> str:
    """The source file a guard module `name` has in the package folder under `root`."""
    parts = name.split(".")
    if is_package:
        return os.path.join(root, *parts, "__init__.py")
    return os.path.join(root, *parts) + ".py"


_CODE_TYPE = type(source_of.__code__)  # types.CodeType, without importing types


class _BundleLoader(SourceFileLoader):
    """A source loader whose code comes from the bundle (source, `__file__`, `__cached__` and
    tracebacks are the source file's, as with the normal loader)."""

    def __init__(self, fullname: str, path: str, code: bytes | memoryview) -> None:
        super().__init__(fullname, path)
        self._code = code

    def get_code(self, fullname: str) -> CodeType:
        if fullname == self.name and self._code is not None:
            data, self._code = self._code, None  # type: ignore[assignment]  # a reload: source
            try:
                code = marshal.loads(data)
            except Exception:  # a damaged entry: the normal loader's code
                code = None
            if isinstance(code, _CODE_TYPE):
                return code
        return super().get_code(fullname)  # type: ignore[return-value]


class BundleFinder:
    """Serves the guard modules of one package folder from a bundle's entries."""

    def __init__(self, root: str, entries: dict[str, Entry]) -> None:
        self.root = root
        self.entries = entries
        self.served: set[str] = set()
        # Imported before the finder was installed (the hook's quick path): never served.
        self.before = set(sys.modules)

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> ModuleSpec | None:
        try:
            entry = self.entries.get(fullname)
            if entry is None or not self._found_here(fullname, path):
                return None
            is_package, size, mtime_ns, code = entry
            origin = source_of(self.root, fullname, is_package)
            st = os.stat(origin)
            if st.st_size != size or st.st_mtime_ns != mtime_ns:
                return None  # edited since: the normal import compiles it
            spec = ModuleSpec(
                fullname,
                _BundleLoader(fullname, origin, code),
                origin=origin,
                is_package=is_package,
            )
            spec.has_location = True
            if is_package:
                spec.submodule_search_locations = [os.path.dirname(origin)]
            self.served.add(fullname)
            return spec
        except Exception:  # any doubt: the normal import
            return None

    def _found_here(self, fullname: str, path: Sequence[str] | None) -> bool:
        """The normal import would look for `fullname` in this package folder first."""
        parent, _, _ = fullname.rpartition(".")
        if not parent:
            return path is None and bool(sys.path) and sys.path[0] == self.root
        expected = os.path.join(self.root, *parent.split("."))
        return path is not None and list(path) == [expected]


def read_entries(root: str) -> dict[str, Entry]:
    """The bundle's entries for `root`, or {} (none yet, damaged, foreign, another build)."""
    data = read_private(bundle_path(root), MAX_BUNDLE_BYTES)
    return decode(root, data) if data else {}


def encode(root: str, entries: dict[str, Entry]) -> bytes:
    """The file's bytes for `entries` of the package folder `root`."""
    index = {}
    offset = 0
    for name, (is_package, size, mtime_ns, code) in entries.items():
        index[name] = (is_package, size, mtime_ns, offset, len(code))
        offset += len(code)
    table = marshal.dumps(index)
    length = len(table).to_bytes(_INDEX_LENGTH_BYTES, "little")
    return b"".join([_header(root), length, table, *(entry[3] for entry in entries.values())])


def decode(root: str, data: bytes) -> dict[str, Entry]:
    """The entries of a file's bytes, each code a slice of `data` (no copy); {} when the file is
    not a bundle of `root` for this interpreter, or is damaged."""
    header = _header(root)
    if not data.startswith(header):
        return {}
    view = memoryview(data)
    start = len(header) + _INDEX_LENGTH_BYTES
    length = int.from_bytes(view[len(header) : start], "little")
    try:
        index = marshal.loads(view[start : start + length])
    except (EOFError, ValueError, TypeError):
        return {}
    base = start + length
    if not isinstance(index, dict) or base > len(data):
        return {}
    entries: dict[str, Entry] = {}
    for name, item in index.items():
        if not _is_index_item(name, item) or base + item[3] + item[4] > len(data):
            return {}
        code_start = base + item[3]
        entries[name] = (item[0], item[1], item[2], view[code_start : code_start + item[4]])
    return entries


def _is_index_item(name: object, item: object) -> bool:
    return (
        isinstance(name, str)
        and (name == PACKAGE or name.startswith(PACKAGE + "."))
        and isinstance(item, tuple)
        and len(item) == 5
        and isinstance(item[0], bool)
        and all(type(n) is int and n >= 0 for n in item[1:])
    )


_finder: BundleFinder | None = None


def install(root: str) -> BundleFinder | None:
    """Put a finder for the bundle of `root` in front of `sys.meta_path` (once a process)."""
    global _finder
    if _finder is None:
        try:
            _finder = BundleFinder(root, read_entries(root))
        except Exception:  # any doubt: the normal imports
            return None
        sys.meta_path.insert(0, _finder)
    return _finder


def save_loaded_modules() -> bool:
    """After the answer: write the bundle again when this run imported guard modules of the
    installed finder's folder that the bundle did not serve. True when a bundle was written."""
    finder = _finder
    if finder is None:
        return False
    fresh = _loaded_here(finder.root, finder.served | finder.before)
    if not fresh:
        return False
    entries = {
        k: v
        for k, v in finder.entries.items()
        if k not in finder.before and _still_current(finder.root, k, v)
    }
    for name in fresh:
        entry = compiled_entry(finder.root, name)
        if entry is not None:
            entries[name] = entry
    return write_private(bundle_path(finder.root), encode(finder.root, entries))


def _loaded_here(root: str, known: set[str]) -> list[str]:
    """The guard modules in sys.modules, but `known`, imported from this package folder."""
    names = []
    for name, module in list(sys.modules.items()):
        if name in known or (name != PACKAGE and not name.startswith(PACKAGE + ".")):
            continue
        spec = getattr(module, "__spec__", None)
        origin = getattr(spec, "origin", None)
        is_package = getattr(spec, "submodule_search_locations", None) is not None
        if origin == source_of(root, name, is_package):
            names.append(name)
    return names


def _still_current(root: str, name: str, entry: Entry) -> bool:
    try:
        st = os.stat(source_of(root, name, entry[0]))
    except OSError:
        return False
    return (st.st_size, st.st_mtime_ns) == (entry[1], entry[2])


def compiled_entry(root: str, name: str) -> Entry | None:
    """The entry for one module, compiled from its source as the normal import compiles it."""
    for is_package in (True, False):
        path = source_of(root, name, is_package)
        try:
            with open(path, "rb") as source:
                st = os.fstat(source.fileno())
                text = source.read()
        except OSError:
            continue
        try:
            code = compile(text, path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            return None
        return (is_package, st.st_size, st.st_mtime_ns, marshal.dumps(code))
    return None


def build(root: str, names: Sequence[str]) -> bool:
    """Write the bundle of `root` for `names` (`hook install`): True when it was written."""
    entries = {}
    for name in names:
        entry = compiled_entry(root, name)
        if entry is not None:
            entries[name] = entry
    return write_private(bundle_path(root), encode(root, entries))
