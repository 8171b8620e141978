"""parser.repair_last_fallthrough: the `;&` / `;;&` that ends a `case`'s last item (which
tree-sitter-bash 0.25.1 cannot parse) becomes `;;`, in place; the other items keep theirs, for
the walk to follow (flow._case). The doors' view: tests/runtime/test_doors_case_fallthrough.py."""

from __future__ import annotations

import time

import pytest

from guard.shell import parse_script
from guard.shell.parser import repair_last_fallthrough


@pytest.mark.parametrize(
    ("text", "repaired"),
    [
        (b"case x in a) y ;& esac", b"case x in a) y ;; esac"),
        (b"case x in a) y ;;& b) z ;;& esac", b"case x in a) y ;;& b) z ;;  esac"),
        (b"case x in\n a) y ;&\n # end\nesac\n", b"case x in\n a) y ;;\n # end\nesac\n"),
        (b"case x in a) y ;& b) z ;; esac", None),  # bash and tree-sitter agree there
        (b"echo ';&' esacs", None),
    ],
)
def test_only_the_last_items_terminator_changes(text: bytes, repaired: bytes | None) -> None:
    assert repair_last_fallthrough(text) == repaired


def test_pathological_input_stays_linear() -> None:
    start = time.perf_counter()
    repair_last_fallthrough(b";& " + b"#" * 200_000)
    repair_last_fallthrough((b";&" + b" \t" * 50 + b"\n") * 20_000)
    assert time.perf_counter() - start < 2.0


def test_every_item_is_walked() -> None:
    script = parse_script(
        'case "$1" in a) codex exec -s read-only x ;& b) codex exec -s read-only y ;;&'
        " c) codex exec -s read-only z ;& esac"
    )
    assert not script.parse_errors
    assert [c.argv[-1].text for c in script.commands if c.program == "codex"] == ["x", "y", "z"]
