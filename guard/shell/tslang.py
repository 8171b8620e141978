"""tree-sitter and its bash grammar, loaded without running their packages' `__init__`.

`tree_sitter_bash/__init__.py` imports `importlib.resources` for its highlight queries (which
pulls in `tempfile`, `shutil`, `random`, `bz2`, `lzma`, `weakref`), and `tree_sitter/__init__.py`
imports `typing` for one Protocol: about 8 ms of the agent hook's check, for nothing we use.
Both packages' code is the extension module `<package>._binding` (`tree_sitter/__init__.py`
re-exports its names: `Language`, `Parser`, `Query`...). This loads that module from the
installed package folder with the loader `import` would use, registers it under its own name
(a later `import tree_sitter` reuses it), and falls back to the plain import on anything
unexpected.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: typing is not needed at run time here
if TYPE_CHECKING:
    from typing import Any


def tree_sitter_module() -> Any:
    """The `tree_sitter` API (`Language`, `Parser`, `Query`, `QueryCursor`, ...)."""
    binding = _binding("tree_sitter")
    if binding is None:
        import tree_sitter

        return tree_sitter
    return binding


def bash_language() -> object:
    """`tree_sitter_bash.language()`: the grammar pointer for `tree_sitter.Language`."""
    binding = _binding("tree_sitter_bash")
    if binding is None:
        import tree_sitter_bash

        return tree_sitter_bash.language()
    language: object = binding.language()
    return language


def _binding(package: str) -> Any:
    name = f"{package}._binding"
    module = sys.modules.get(name)
    if module is None:
        try:
            module = _load_binding(package, name)
        except Exception:  # a different layout (a zipapp, a new release): the ordinary import
            module = None
    return module


def _load_binding(package: str, name: str) -> Any:
    # importlib.util's module_from_spec is this one; importlib.util itself imports contextlib.
    # The import system's own modules, loaded at start-up: `importlib` would add `warnings`.
    from _frozen_importlib import module_from_spec
    from _frozen_importlib_external import ExtensionFileLoader, PathFinder

    found = PathFinder.find_spec(package)
    if found is None or not found.submodule_search_locations:
        return None
    spec = PathFinder.find_spec(name, list(found.submodule_search_locations))
    if spec is None or not isinstance(spec.loader, ExtensionFileLoader):
        return None
    # The binding's init runs in module_from_spec (create_module) for this single-phase module.
    stand_ins = _stand_ins() if package == "tree_sitter" else {}
    try:
        module = module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        for stood_for, stand_in in stand_ins.items():
            if sys.modules.get(stood_for) is stand_in:
                del sys.modules[stood_for]
    sys.modules[name] = module  # `import <package>` later reuses it, as it would its own
    return module


def _stand_ins() -> dict[str, object]:
    """The stand-ins registered for the tree_sitter binding's start-up, for the modules not
    imported yet (a process that has them, a lint, gives the binding the real ones)."""
    made: dict[str, object] = {}
    if "re" not in sys.modules:
        made["re"] = _re_stand_in()
    if "enum" not in sys.modules:
        made["enum"] = _enum_stand_in()
    return made


def _enum_stand_in() -> object:
    """A stand-in `enum` module for the binding's start-up, which makes `LogType` with
    `enum.IntEnum("LogType", {"PARSE": 0, "LEX": 1})` and calls it only to pass a log line's type
    to a Parser's `logger` (py-tree-sitter 0.26 binding/module.c, parser.c); the hook sets no
    logger, and `enum` costs ~1 ms of its codex check. Its `IntEnum(name, members)` makes a plain
    int subclass with the members as attributes (`LogType(0) == LogType.PARSE == 0`); any other
    attribute is the real module's. Registered for the binding's `exec_module` only."""
    return _stand_in("enum", IntEnum=_int_enum)


def _int_enum(name: str, members: dict[str, int]) -> type:
    return type(name, (int,), {"__module__": "tree_sitter", **members})


def _re_stand_in() -> object:
    """A stand-in `re` module for the tree_sitter binding's start-up, which keeps `re.compile`
    for the `#match?` predicates of a Query (py-tree-sitter 0.26 binding/module.c); the hook's
    codex path builds none, and `re` with its compiler costs ~1.6 ms. Its `compile` imports the
    real `re` when first called; any other attribute is the real module's (module `__getattr__`),
    so a module that imported it meanwhile gets what `re` gives. Registered for the binding's
    `exec_module` only."""
    return _stand_in("re", compile=_compile)


def _stand_in(name: str, **attributes: object) -> object:
    """A module registered as `name` with these attributes; any other is the real module's."""
    stand_in = type(sys)(name)
    vars(stand_in).update(attributes)

    def real_attribute(attribute: str) -> Any:
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return getattr(_real_module(name), attribute)

    setattr(stand_in, "__getattr__", real_attribute)  # noqa: B010 - a module attribute
    stand_in._guard_stand_in = True  # type: ignore[attr-defined]
    sys.modules[name] = stand_in
    return stand_in


def _real_module(name: str) -> Any:
    """The real module `name`, the stand-in (if still registered) taken out of sys.modules
    first."""
    registered = sys.modules.get(name)
    if registered is not None and vars(registered).get("_guard_stand_in"):
        del sys.modules[name]
    return __import__(name)


def _compile(*args: Any, **kwargs: Any) -> Any:
    """`re.compile`, for the binding: imports `re` when a Query first needs it."""
    return _real_module("re").compile(*args, **kwargs)
