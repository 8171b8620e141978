"""WRAPPER_PROGRAMS is the command model's list of wrappers: exactly the programs `peel` strips
(and `peel` skips its chain of name tests for any other program but codex)."""

from __future__ import annotations

import ast
import inspect

from guard.shell import wrappers
from guard.shell.wrappers import WRAPPER_PROGRAMS, peel


def _names_peel_tests() -> set[str]:
    """Every `prog == "x"` / `prog in (...)` / `prog in NAME` in peel's source."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(inspect.getsource(peel))):
        if not (isinstance(node, ast.Compare) and isinstance(node.left, ast.Name)):
            continue
        if node.left.id != "prog":
            continue
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.Eq) and isinstance(right, ast.Constant):
                names.add(str(right.value))
            elif isinstance(op, ast.In) and isinstance(right, ast.Tuple | ast.Set | ast.List):
                names.update(str(e.value) for e in right.elts if isinstance(e, ast.Constant))
            elif isinstance(op, ast.In) and isinstance(right, ast.Name):
                names.update(getattr(wrappers, right.id))
    return names - {"codex"}  # `prog == "codex"`: codex under a path, not a wrapper


def test_the_list_is_what_peel_strips() -> None:
    assert _names_peel_tests() == set(WRAPPER_PROGRAMS)
