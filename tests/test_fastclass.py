"""guard/fastclass.py builds the classes the stdlib's `dataclasses` builds: each shape the code
uses is declared twice, once per decorator, and every observable behaviour is compared."""

from __future__ import annotations

import copy
import dataclasses
import pickle
import re
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guard import fastclass

Decorators = tuple[Callable[..., Any], Callable[..., Any]]
BOTH: list[Decorators] = [
    (dataclasses.dataclass, dataclasses.field),
    (fastclass.dataclass, fastclass.field),
]


def shapes(
    prefix: str, dataclass: Callable[..., Any], field: Callable[..., Any]
) -> dict[str, type]:
    """The class shapes used in guard/: frozen+slots, slots, plain, factories, init=False (made
    module globals, so that pickle finds them)."""

    @dataclass(frozen=True, slots=True)
    class Span:
        line: int
        column: int = 1
        tags: tuple[str, ...] = ()

    @dataclass(slots=True)
    class Bag:
        name: str
        items: list[int] = field(default_factory=list)
        seen: dict[str, int] = field(default_factory=dict, repr=False, compare=False)

    @dataclass(frozen=True, slots=True)
    class Indexed:
        flags: tuple[str, ...]
        _index: dict[str, int] = field(init=False, repr=False, compare=False)

        def __post_init__(self) -> None:
            object.__setattr__(self, "_index", {f: i for i, f in enumerate(self.flags)})

    @dataclass
    class Plain:
        a: int
        b: str = "x"
        c: list[int] = field(default_factory=list)

    @dataclass(frozen=True)
    class Hashed:
        a: int
        b: str = field(default="y", hash=False)

    @dataclass(frozen=True, slots=True)
    class Wide:  # fastclass fills it through its open twin (_OPEN_MIN_FIELDS fields or more)
        a: int
        type: str  # (a field that shadows the builtin in `__init__`)
        c: int = 3
        d: tuple[int, ...] = ()
        e: list[int] = field(default_factory=list, compare=False)
        f: str = field(default="f", repr=False)
        g: dict[str, int] = field(init=False, repr=False, compare=False)

        def __post_init__(self) -> None:
            object.__setattr__(self, "g", {self.type: self.a})

    class Sub(Wide):  # a subclass (its layout may differ): filled as before, slot by slot
        pass

    classes = {
        "Sub": Sub,
        "Span": Span,
        "Bag": Bag,
        "Indexed": Indexed,
        "Plain": Plain,
        "Hashed": Hashed,
        "Wide": Wide,
    }
    for name, cls in classes.items():
        cls.__qualname__ = prefix + name
        globals()[prefix + name] = cls
    return classes


STD, FAST = (shapes(prefix, *pair) for prefix, pair in zip(("Std", "Fast"), BOTH, strict=True))


def outcome(action: Callable[[], Any]) -> tuple[str, Any]:
    """What a call gives or raises, comparable across the two implementations."""
    try:
        return ("ok", action())
    except Exception as exc:
        return (type(exc).__name__, str(exc))


def observed(classes: dict[str, type], values: tuple[int, str, list[int]]) -> list[Any]:
    number, text, numbers = values
    Span, Bag, Indexed = classes["Span"], classes["Bag"], classes["Indexed"]
    Plain, Hashed, Wide = classes["Plain"], classes["Hashed"], classes["Wide"]
    span = Span(number, column=number + 1, tags=(text,))
    bag = Bag(text, list(numbers))
    indexed = Indexed((text, text + "!"))
    plain = Plain(number, text)
    hashed = Hashed(number, text)
    # The first two objects of a class are built before its open twin exists, the next ones
    # through it.
    wides = [Wide(number, text), Wide(number, text + "!", 4, (1,), list(numbers))]
    wides.append(Wide(a=number, type=text, f=text))
    wides.append(Wide(number, text, c=number, d=(number,), e=[number], f=text + "?"))
    sub = classes["Sub"]
    subs = [sub(number, text), sub(number + 1, text, e=list(numbers))]
    out: list[Any] = []
    for obj in (span, bag, indexed, plain, hashed, *wides):
        twin = copy.copy(obj)
        name = type(obj).__qualname__[len(type(obj).__qualname__) - len(type(obj).__name__) :]
        out.append(repr(obj).replace(type(obj).__qualname__, name))
        out.append(name)
        out.append(obj == twin)
        out.append(obj == object())
        out.append(outcome(lambda o=obj: hash(o) == hash(copy.copy(o))))
        first = dataclasses.fields(obj)[0].name
        out.append(outcome(lambda o=obj, f=first: setattr(copy.copy(o), f, 3)))
        out.append(outcome(lambda o=obj, f=first: delattr(copy.copy(o), f)))
        # Another name: the stdlib's frozen+slots classes raise a TypeError (its __setattr__
        # names the class before slots=True rebuilt it), these a FrozenInstanceError: refused.
        out.append(outcome(lambda o=obj: setattr(copy.copy(o), "nope", 3))[0] != "ok")
        out.append(pickle.loads(pickle.dumps(obj)) == obj)
        out.append(copy.deepcopy(obj) == obj)
        out.append([f.name for f in dataclasses.fields(obj)])
        out.append(dataclasses.is_dataclass(obj))
        out.append(outcome(lambda o=obj: dataclasses.asdict(o)))
        out.append(getattr(type(obj), "__match_args__", None))
        out.append(hasattr(obj, "__dict__"))
        out.append(getattr(type(obj), "__slots__", None))
        out.append(dataclasses.fields(obj)[0].type)
    out.append(span == Span(number, number + 1, (text,)))
    out.append(span == Span(number, number + 2, (text,)))
    out.append(outcome(lambda: Span()))
    out.append(outcome(lambda: Span(1, 2, (), 4)))
    out.append(outcome(lambda: Span(1, nope=2)))
    out.append(Bag("a") == Bag("a", [], {"k": 1}))  # compare=False
    out.append(Bag("a").items is not Bag("a").items)  # one list per object
    out.append(Hashed(1, "a") == Hashed(1, "b"))
    out.append(hash(Hashed(1, "a")) == hash(Hashed(1, "b")))  # hash=False
    out.append(indexed._index)
    out.extend((w.g, w.e, w.f, type(w).__name__) for w in (*wides, *subs))
    # (a subclass's own attributes are left out: the stdlib's frozen+slots `__setattr__` fails
    # there with a TypeError, naming the class that slots=True replaced)
    out.extend((repr(w), w == copy.copy(w), hash(w) == hash(copy.copy(w))) for w in subs)
    out.extend(pickle.loads(pickle.dumps(w)) == w for w in subs)
    out.extend(outcome(lambda w=w: setattr(w, "a", 1)) for w in subs)
    out.append(outcome(lambda: Wide(1)))
    out.append(outcome(lambda: Wide(1, "t", nope=2)))
    out.append(outcome(lambda: Wide(1, "t", g={})))
    for w in wides:
        out.append(outcome(lambda w=w: setattr(w, "a", 1)))
    out.append(outcome(lambda: Indexed(("a",), {"a": 0})))
    out.append(Plain.b)  # a plain class keeps its defaults as class attributes
    out.append(outcome(lambda: Plain.c))
    out.append(Bag.__hash__ is None)
    for replace in (dataclasses.replace, fastclass.replace):
        out.append(replace(span, line=number + 5))
        out.append(outcome(lambda r=replace: r(indexed, _index={})))
        out.append(outcome(lambda r=replace: r(span, nope=1)))
        out.append(replace(indexed, flags=("z",))._index)
    return [re.sub(r"\b(Std|Fast)(?=[A-Z])", "", repr(o)) for o in out]


@settings(max_examples=60, deadline=None)
@given(st.integers(-5, 5), st.text(max_size=4), st.lists(st.integers(0, 3), max_size=3))
def test_same_behaviour_as_the_stdlib(number: int, text: str, numbers: list[int]) -> None:
    values = (number, text, numbers)
    assert observed(FAST, values) == observed(STD, values)


def test_frozen_assignment_raises_the_stdlib_error() -> None:
    span = FAST["Span"](1)
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'line'"):
        span.line = 2  # type: ignore[misc]


def test_recursive_repr_is_cut_as_the_stdlib_cuts_it() -> None:
    for classes in (STD, FAST):
        bag = classes["Bag"]("loop")
        bag.items.append(bag)
        assert repr(bag).endswith("items=[...])")


def test_unsupported_shapes_go_to_the_stdlib_decorator() -> None:
    @fastclass.dataclass(frozen=True, order=True)
    class Ordered:
        a: int

    assert Ordered(1) < Ordered(2)

    @fastclass.dataclass(slots=True)
    class Base:
        a: int

    @fastclass.dataclass(slots=True)
    class Child(Base):
        b: int = 0

    assert Child(1, 2) == Child(a=1, b=2)
    assert [f.name for f in dataclasses.fields(Child)] == ["a", "b"]
    with pytest.raises(TypeError):

        @fastclass.dataclass
        class Misordered:
            a: int = 0
            b: str  # type: ignore[misc]


COUNT_COMPILES = """
import builtins, sys
compiled = []
real = builtins.compile
def counting(source, filename, *args, **kwargs):
    if filename == "<fastclass>":
        compiled.append(source)
    return real(source, filename, *args, **kwargs)
builtins.compile = counting
import guard.shell.model
model = guard.shell.model
assert model.Span(1, 2, 1, 3) == model.Span(1, 2, 1, 3)
print(len(compiled))
"""


def _compiles(env: dict[str, str]) -> int:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", COUNT_COMPILES], env=env, capture_output=True, text=True, check=True
    )
    return int(done.stdout)


def test_init_code_is_compiled_once_then_read_from_a_private_cache(tmp_path: Any) -> None:
    import os

    env = {**os.environ, "HOME": str(tmp_path), "XDG_CACHE_HOME": str(tmp_path / "cache")}
    assert _compiles(env) > 0
    folder = tmp_path / "cache" / "codex-guard" / "fastclass"
    (cache,) = folder.iterdir()
    assert folder.stat().st_mode & 0o777 == 0o700
    assert cache.stat().st_mode & 0o777 == 0o600
    assert _compiles(env) == 0  # every __init__ came from the cache
    cache.chmod(0o644)  # a file others could have written is not trusted: compiled again
    assert _compiles(env) > 0
    cache.write_bytes(b"garbage\0garbage")
    cache.chmod(0o600)
    assert _compiles(env) > 0  # a damaged file is a miss, never a crash


def test_a_maker_builds_what_the_class_builds() -> None:
    span_class = FAST["Span"]
    make = fastclass.maker(span_class)
    assert make is not span_class
    for values in ((1, 2, ()), (0, -1, ("a", "b"))):
        made, built = make(*values), span_class(*values)
        assert type(made) is span_class
        assert made == built and hash(made) == hash(built) and repr(made) == repr(built)
        assert pickle.loads(pickle.dumps(made)) == built
        assert outcome(lambda m=made: setattr(m, "line", 5))[0] == "FrozenInstanceError"
        assert made.__class__ is span_class and not hasattr(made, "__dict__")


def test_a_class_a_maker_cannot_build_is_its_own_maker() -> None:
    # mutable, init=False with __post_init__, plain, a subclass, a stdlib dataclass
    for name in ("Bag", "Indexed", "Plain", "Hashed", "Wide", "Sub"):
        assert fastclass.maker(FAST[name]) is FAST[name]
    assert fastclass.maker(STD["Span"]) is STD["Span"]


def test_the_model_makers() -> None:
    from guard.shell.model import Span, Word

    span = fastclass.maker(Span)(1, 2, 3, 4)
    assert span == Span(1, 2, 3, 4) and type(span) is Span
    word = fastclass.maker(Word)("x", False, span, "$x")
    assert word == Word("x", False, span, "$x") and type(word) is Word
