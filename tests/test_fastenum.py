"""guard/fastenum.py's StrEnum behaves as the stdlib's `enum.StrEnum` wherever the package uses
one: each assertion runs against both classes, built from the same class body."""

from __future__ import annotations

import copy
import enum
import json
import pickle
import subprocess
import sys

import pytest

from guard.fastenum import StrEnum as FastStrEnum
from guard.findings import Severity
from tests.runtime.conftest import REPO

BODY = """
class Level(Base):
    LOW = "low"
    HIGH = "high"
    ALSO_LOW = "low"  # an alias of LOW

    @property
    def rank(self) -> int:
        return {"low": 0, "high": 1}[self.value]
"""


def _built(base: type) -> type:
    namespace: dict[str, object] = {"Base": base, "__name__": __name__}
    exec(BODY, namespace)
    return namespace["Level"]  # type: ignore[return-value]


KINDS = {"stdlib": enum.StrEnum, "fast": FastStrEnum}


@pytest.fixture(params=sorted(KINDS))
def level(request: pytest.FixtureRequest) -> type:
    cls = _built(KINDS[request.param])
    globals()["Level"] = cls  # pickle finds the class by its module and name
    return cls


def test_members_are_strings_equal_to_their_values(level: type) -> None:
    low = level.LOW
    assert isinstance(low, level) and isinstance(low, str)
    assert low == "low" and hash(low) == hash("low") and low != "high"
    assert sorted([level.HIGH, level.LOW]) == ["high", "low"]
    assert type(low.value) is str and low.value == "low" and low.name == "LOW"
    assert str(low) == "low" and f"{low}" == "low" and f"{low:>5}" == "  low"
    assert repr(low) == "<Level.LOW: 'low'>"
    assert json.dumps({"k": low}) == '{"k": "low"}'


def test_lookup_iteration_and_aliases(level: type) -> None:
    assert level("low") is level.LOW and level(level.HIGH) is level.HIGH
    assert level["HIGH"] is level.HIGH
    assert level.ALSO_LOW is level.LOW
    assert list(level) == [level.LOW, level.HIGH] and len(level) == 2
    assert list(level.__members__) == ["LOW", "HIGH", "ALSO_LOW"]
    assert level.LOW in level
    with pytest.raises(ValueError, match="'medium' is not a valid"):
        level("medium")
    with pytest.raises(KeyError):
        level["MEDIUM"]


def test_methods_and_properties_are_not_members(level: type) -> None:
    assert level.HIGH.rank == 1 and "rank" not in level.__members__


def test_pickle_and_copy_give_the_same_member(level: type) -> None:
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        assert pickle.loads(pickle.dumps(level.HIGH, protocol)) is level.HIGH
    assert copy.copy(level.LOW) is level.LOW and copy.deepcopy([level.LOW])[0] is level.LOW


def test_members_cannot_be_reassigned(level: type) -> None:
    with pytest.raises(AttributeError):
        level.LOW = "x"
    with pytest.raises(AttributeError):
        del level.LOW
    assert level.LOW == "low"


def test_the_package_severity_is_a_fast_enum_member() -> None:
    assert isinstance(Severity.ERROR, FastStrEnum) and Severity("error") is Severity.ERROR
    assert Severity.ERROR.rank == 2 and [s.value for s in Severity] == ["info", "warning", "error"]


def test_the_hook_path_builds_no_stdlib_enum_class() -> None:
    """The point of the module: the package's enums on the hook's path cost no EnumType."""
    probe = (
        f"import sys; sys.path.insert(0, {str(REPO)!r})\n"
        "import enum\n"
        "made = []\n"
        "real = enum.EnumType.__new__\n"
        "def spy(*args, **kw):\n"
        "    made.append(args[1]); return real(*args, **kw)\n"
        "enum.EnumType.__new__ = spy\n"
        "import guard.findings, guard.shell.model, guard.codex.call, guard.sources.snippet\n"
        "import guard.engine.configlayers, guard.sources.codexconfig\n"
        "print(made)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
