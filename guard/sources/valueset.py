"""The bounded value sets every program source shares (Python, JavaScript/TypeScript, Go).

A name in a program has a bounded set of possible values, as a shell variable does in the shell
layer: the alternatives are kept distinct, in the order they were met, and cut at a bound so a
file with many optional flags never explodes (the first ones are kept, in statement order).

- `bounded`: the distinct alternatives of one value, at most `limit`;
- `product`: every combination of a sequence's parts (an argv of words with alternatives);
- `join_states`: the states two or more arms of a branch leave, merged (the join);
- `BranchFlow`: the statements of a function walked up to one target, every `if`/`switch`/loop
  arm kept apart and joined after it. Conditions are never evaluated: each arm is reachable.
  JavaScript (jsvalues.ArrayFlow) and Go (golang._Flow) differ only in their statement kinds.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import Any, Generic, TypeVar

T = TypeVar("T", bound=Hashable)
V = TypeVar("V")

State = dict[str, V]


def bounded(values: Iterable[T], limit: int) -> list[T]:
    """The distinct values, in order, at most `limit` (the first ones are kept)."""
    seen: dict[T, None] = {}
    for value in values:
        seen.setdefault(value, None)
        if len(seen) >= limit:
            break
    return list(seen)


def product(
    parts: Sequence[Sequence[T]], limit: int, empty: T, combine: Callable[[T, T], T]
) -> list[T]:
    """Every combination of the parts' alternatives, in order, bounded after each part."""
    result: list[T] = [empty]
    for alternatives in parts:
        result = bounded((combine(head, tail) for head in result for tail in alternatives), limit)
    return result


def join_states(
    states: Iterable[dict[str, V]], limit: int, identity: bool = False
) -> list[dict[str, V]]:
    """The distinct states, at most `limit`. With `identity`, values are compared by `id` (the
    Python model shares immutable values between arms, so that is cheaper than hashing every
    argv and finds the same repeats); otherwise by value."""
    given = list(states)
    if len(given) < 2:  # nothing to join: a state's key (all its names, sorted) is not made
        return given[:limit]
    seen: dict[tuple[tuple[str, object], ...], dict[str, V]] = {}
    for state in given:
        items = sorted(state.items(), key=lambda kv: kv[0])
        key = tuple((k, id(v)) for k, v in items) if identity else tuple(items)
        seen.setdefault(key, state)
        if len(seen) >= limit:
            break
    return list(seen.values())


class BranchFlow(ABC, Generic[V]):
    """The reachable states of a function's names right before `target`, statement by
    statement. A compound statement's arms (`arms`) each run on a copy of the states, and what
    they leave is joined; the arm that holds the target is entered, and the walk stops there."""

    limit: int

    def __init__(self, target: Any) -> None:
        self.target = target

    @abstractmethod
    def arms(self, node: Any) -> list[list[Any]] | None:
        """The alternative statement lists of a compound statement; None for a simple one."""

    @abstractmethod
    def step(self, statement: Any, states: list[State[V]]) -> list[State[V]]:
        """A simple statement's effect on every state."""

    @staticmethod
    def contains(outer: Any, inner: Any) -> bool:
        return bool(outer.start_byte <= inner.start_byte and inner.end_byte <= outer.end_byte)

    def join(self, states: Iterable[State[V]]) -> list[State[V]]:
        return join_states(states, self.limit)

    def run(self, statements: list[Any], states: list[State[V]]) -> tuple[list[State[V]], bool]:
        """(the states after `statements`, or at the target; whether the target was reached)."""
        for statement in statements:
            options = self.arms(statement)
            if self.contains(statement, self.target):
                if options is None:
                    return states, True
                for arm in options:
                    if any(self.contains(s, self.target) for s in arm):
                        return self.run(arm, states)
                return states, True
            if options is None:
                states = self.step(statement, states)
                continue
            merged: list[State[V]] = []
            for arm in options:
                merged.extend(self.run(arm, [dict(s) for s in states])[0])
            states = self.join(merged)
        return states, False

    def collect(
        self,
        statements: list[Any],
        states: list[State[V]],
        targets: Targets,
        found: dict[int, list[State[V]]],
    ) -> list[State[V]]:
        """`run` for every target of `targets` at once: each target's states (those `run` gives
        it) into `found`, by node id; returns the states after `statements`. One walk of the
        function however many targets it holds, where a `run` per target walks the statements
        before each one again (quadratic in a function of many spawns)."""
        for statement in statements:
            options = self.arms(statement)
            inside = targets.within(statement)
            if options is None:
                for target in inside:
                    found.setdefault(target.id, states)
                states = self.step(statement, states)
                continue
            merged: list[State[V]] = []
            for arm in options:
                merged.extend(self.collect(arm, [dict(s) for s in states], targets, found))
            for target in inside:  # in the statement but in none of its arms (an `if`'s test)
                found.setdefault(target.id, states)
            states = self.join(merged)
        return states


class Targets:
    """Nodes sorted by where they start, asked which of them lie in a node (BranchFlow.collect)."""

    def __init__(self, nodes: Iterable[Any]) -> None:
        self.nodes = sorted(nodes, key=lambda node: node.start_byte)
        self.starts = [node.start_byte for node in self.nodes]

    def within(self, outer: Any) -> list[Any]:
        if not self.nodes:
            return []
        first = bisect_left(self.starts, outer.start_byte)
        last = bisect_right(self.starts, outer.end_byte)
        return [n for n in self.nodes[first:last] if n.end_byte <= outer.end_byte]
