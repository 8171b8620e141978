"""An array's value is bounded (scope.MAX_ITEMS words): `a+=("${a[@]}")` doubles it, so 30 such
lines (or 14 two-word loops of them) would be 2**30 / 2**28 words, gigabytes and minutes. Past the
bound the rest of the value is one `"${a[@]}"` splat, which the codex argv parser reads as an
unknown number of words: a codex command using it is still checked with what is still known
(its other flags, the words kept before the bound), never dropped."""

from __future__ import annotations

import pytest

from guard.engine.run import run_rules
from guard.settings import Settings
from guard.shell import parse_script
from guard.shell.scope import MAX_ITEMS
from guard.sources.snippet import RunContext, Snippet

LOOP = 'for f in 1 2; do a+=("${a[@]}"); done\n'
FLAT = 'a+=("${a[@]}")\n'


def rules(script: str) -> set[str]:
    found = run_rules(Snippet(script, "run.sh", context=RunContext.SCRIPT), Settings())
    return {f.rule for f in found}


def codex_argv_lengths(script: str) -> list[int]:
    return [len(c.argv) for c in parse_script(script).commands if c.program == "codex"]


@pytest.mark.parametrize("doubling", [LOOP * 14, FLAT * 30, LOOP * 10 + FLAT * 10])
def test_a_doubling_array_stays_bounded_and_its_codex_call_is_checked(doubling: str) -> None:
    script = "a=(x)\n" + doubling + 'codex exec -s danger-full-access "${a[@]}" - < t.md\n'
    lengths = codex_argv_lengths(script)
    assert lengths and all(n <= MAX_ITEMS + 8 for n in lengths)
    found = rules(script)
    assert "CG303" in found  # the sandbox flag is still read
    # `x x x ... p`: the count past the bound is unknown, so no "unexpected argument" is made up.
    assert "CG903" not in found
    assert "CG901" not in found


def test_the_words_kept_before_the_bound_are_still_read() -> None:
    # The array's known head (`exec -s danger-full-access`) survives the cut.
    script = "a=(exec -s danger-full-access)\n" + FLAT * 30 + 'codex "${a[@]}" -C . - < t.md\n'
    assert "CG303" in rules(script)


def test_past_the_bound_the_array_is_an_unknown_count_splat() -> None:
    script = "a=(x)\n" + FLAT * 13 + 'codex exec -C . -s read-only "${a[@]}"\n'  # 8192 words
    (call,) = [c for c in parse_script(script).commands if c.program == "codex"]
    tail = call.argv[-1]
    assert not tail.literal and "[@]" in tail.raw
    assert len(call.argv) <= MAX_ITEMS + 8


def test_an_array_under_the_bound_is_kept_whole() -> None:
    script = "a=(x)\n" + FLAT * 11 + 'codex exec -C . -s read-only "${a[@]}"\n'  # 2048 words
    (n,) = codex_argv_lengths(script)
    assert n == 6 + 2048
