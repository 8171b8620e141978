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
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules[name] = module  # `import <package>` later reuses it, as it would its own
    return module
