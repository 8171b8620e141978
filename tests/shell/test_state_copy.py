"""``State.copy`` fills a bare instance slot by slot (not through ``__init__``): every field must
be set, to the original's value, with containers of its own where the copy may change them."""

from __future__ import annotations

from dataclasses import fields

from guard.shell.model import EnvFileLoad, Span, Stdin, StdinKind, UnresolvedEnv, Word
from guard.shell.scope import State, Var

SPAN = Span(1, 1, 1, 2)


def busy_state() -> State:
    """A State whose every field differs from its default."""
    return State(
        vars={"K": Var(Word("v", True, SPAN), exported=True)},
        aliases={"c": "codex"},
        functions={"f": object()},
        env_files=(EnvFileLoad(".env", True, "source", SPAN),),
        allexport=True,
        job_control=True,
        errexit_off=True,
        xtrace=True,
        positional=(Word("a", True, SPAN),),
        arg0=Word("sh", True, SPAN),
        shell_stdin=Stdin(StdinKind.NULL),
        shell_fds={"3": Stdin(StdinKind.FILE, source="list")},
        local_names={"x"},
        removed={"OPENAI_API_KEY"},
        namerefs={"r": "K"},
        integers={"n"},
        unresolved=(UnresolvedEnv("$k", SPAN),),
        conditional=True,
        stopped="exit",
        posix="export",
    )


def test_every_field_differs_from_its_default_in_the_busy_state() -> None:
    st, default = busy_state(), State()
    for f in fields(State):
        assert getattr(st, f.name) != getattr(default, f.name), f.name


def test_a_copy_sets_every_field() -> None:
    st = busy_state()
    other = st.copy()
    for f in fields(State):
        # (local_names too: a subshell of a function call is still that call, whose unset of
        # one of its locals leaves the caller's value in the env: bash 5.2)
        assert getattr(other, f.name) == getattr(st, f.name), f.name


def test_a_copy_owns_the_containers_it_may_change() -> None:
    st = busy_state()
    other = st.copy()
    for name in ("vars", "aliases", "functions", "removed", "namerefs", "integers", "local_names"):
        assert getattr(other, name) is not getattr(st, name), name
    other.vars["NEW"] = Var(None)
    other.removed.add("X")
    assert "NEW" not in st.vars and "X" not in st.removed
