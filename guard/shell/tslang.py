"""The tree-sitter-bash grammar, loaded without running its package's `__init__`.

`tree_sitter_bash/__init__.py` imports `importlib.resources` for its highlight queries, which
pulls in `tempfile`, `shutil`, `random`, `bz2`, `lzma` and `weakref`: about 6 ms of the agent
hook's check, for a file we never read. The grammar itself is the extension module
`tree_sitter_bash._binding`; this loads that module from the installed package folder with the
same loader `import` would use, and falls back to the plain import on anything unexpected.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: typing is not needed at run time here
if TYPE_CHECKING:
    from typing import Any

BINDING = "tree_sitter_bash._binding"


def bash_language() -> object:
    """`tree_sitter_bash.language()`: the grammar pointer for `tree_sitter.Language`."""
    binding: Any = sys.modules.get(BINDING)
    if binding is None:
        try:
            binding = _load_binding()
        except Exception:  # a different layout (a zipapp, a new release): the ordinary import
            binding = None
    if binding is None:
        import tree_sitter_bash

        return tree_sitter_bash.language()
    language: object = binding.language()
    return language


def _load_binding() -> Any:
    from importlib.machinery import ExtensionFileLoader, PathFinder
    from importlib.util import module_from_spec

    package = PathFinder.find_spec("tree_sitter_bash")
    if package is None or not package.submodule_search_locations:
        return None
    spec = PathFinder.find_spec(BINDING, list(package.submodule_search_locations))
    if spec is None or not isinstance(spec.loader, ExtensionFileLoader):
        return None
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules[BINDING] = module  # `import tree_sitter_bash` later reuses it, as it would
    return module
