"""guard/lazyre.py: a module-level pattern compiled on first use answers as `re.compile` would."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guard.lazyre import LazyPattern, lazy_compile

PATTERNS: list[tuple[str, int]] = [
    (r"\$\{([A-Za-z_][A-Za-z0-9_]*|[0-9]+)(:?)([-=])(.*)\}\Z", 0),
    (r"codex-guard:\s*(?P<verb>disable|lane)\s*=\s*(?P<value>[\w-]*)", 0),
    (r"\.codex/|CODEX_HOME|codex", re.IGNORECASE),
    (r"^(\$\{?(PWD|HOME)\}?)(/|$)", re.MULTILINE),
]


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from(PATTERNS), st.text(alphabet="${}:-=_aZ0 codex/CODEX_HOMEguard\n", max_size=30)
)
def test_every_method_answers_as_the_compiled_pattern(case: tuple[str, int], text: str) -> None:
    source, flags = case
    lazy, real = lazy_compile(source, flags), re.compile(source, flags)

    def spans(found: re.Match[str] | None) -> object:
        return None if found is None else (found.span(), found.groups(), found.groupdict())

    assert spans(lazy.match(text)) == spans(real.match(text))
    assert spans(lazy.search(text)) == spans(real.search(text))
    assert spans(lazy.fullmatch(text)) == spans(real.fullmatch(text))
    assert lazy.findall(text) == real.findall(text)
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in real.finditer(text)]
    assert lazy.sub("<>", text) == real.sub("<>", text)
    assert lazy.split(text) == real.split(text)
    assert (lazy.pattern, lazy.flags, lazy.groups) == (real.pattern, real.flags, real.groups)
    assert dict(lazy.groupindex) == dict(real.groupindex)


def test_bytes_patterns_and_compile_on_first_use() -> None:
    lazy = lazy_compile(rb"<<-?[ \t]*(\w+)")
    assert isinstance(lazy, LazyPattern) and "match" not in vars(lazy)  # nothing compiled yet
    assert repr(lazy) == repr(re.compile(rb"<<-?[ \t]*(\w+)"))
    found = lazy.search(b"cat <<EOF")
    assert found is not None and found.group(1) == b"EOF"
    assert "match" in vars(lazy)  # from now on a plain attribute: no __getattr__ per call


def test_an_invalid_pattern_fails_at_its_first_use_with_re_error() -> None:
    lazy = lazy_compile(r"(unclosed")
    with pytest.raises(re.error):
        lazy.match("x")
    with pytest.raises(AttributeError):
        lazy_compile("x").no_such_method  # noqa: B018


def test_every_lazy_pattern_in_guard_compiles() -> None:
    """A typo in a pattern no test reaches would otherwise wait for its first use."""
    import importlib
    import pkgutil

    import guard

    checked = 0
    for info in pkgutil.walk_packages(guard.__path__, "guard."):
        if info.name.endswith(("__main__", "hookmain")):
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if isinstance(value, LazyPattern):
                assert value.pattern is not None  # compiles it
                checked += 1
    assert checked >= 50


def _hinted_patterns() -> list[tuple[str, object]]:
    import importlib
    import pkgutil

    import guard
    from guard.lazyre import _HintedPattern

    found = []
    for info in pkgutil.walk_packages(guard.__path__, "guard."):
        if info.name.endswith(("__main__", "hookmain")):
            continue
        module = importlib.import_module(info.name)
        for name, value in vars(module).items():
            if isinstance(value, _HintedPattern):
                found.append((f"{info.name}.{name}", value))
    return found


HINTED = _hinted_patterns()
# Pieces the texts are built of: each hinted pattern's needed literals in other cases, what its
# matches look like, and characters `re.IGNORECASE` folds onto ASCII letters (Kelvin sign, long s,
# dotless i), which `str.lower` does not.
PIECES = [
    *(n for _, p in HINTED for n in p.needs),  # type: ignore[attr-defined]
    "VERDICT",
    "Validator",
    "JUDGE",
    "python3.11",
    "python",
    "$PWD/",
    "${GITHUB_WORKSPACE}/x",
    "`pwd`/",
    "$(pwd)/",
    "github.event.issue.body",
    "github.head_ref",
    "inputs.x",
    "# codex login status | grep 'Logged in using ChatGPT'",
    "\u212a",
    "\u017f",
    "\u0131",
    "valıdate",
    " ",
    "\n",
    "#",
]


def test_the_hinted_patterns_are_found() -> None:
    names = {name.rsplit(".", 1)[1] for name, _ in HINTED}
    assert {"VERDICT_PROMPT", "PYTHONS", "UNTRUSTED", "COMMENTED_GATE", "_ROOT_PREFIX"} <= names


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from(HINTED),
    st.lists(st.sampled_from(PIECES) | st.text(alphabet="aeiltvdrujg$P{}WD/.`", max_size=3)).map(
        "".join
    ),
)
def test_a_hinted_pattern_answers_as_the_compiled_pattern(
    case: tuple[str, object], text: str
) -> None:
    """`needs` is a promise that every match holds one of the literals: a text without them is
    answered without compiling, and must get the compiled pattern's own answer."""
    _, lazy = case
    real = re.compile(lazy.pattern, lazy.flags)  # type: ignore[attr-defined]
    if lazy.absent(text):  # type: ignore[attr-defined]
        assert real.search(text) is None
    assert repr(lazy.search(text)) == repr(real.search(text))  # type: ignore[attr-defined]
    assert repr(lazy.match(text)) == repr(real.match(text))  # type: ignore[attr-defined]
    assert repr(lazy.fullmatch(text)) == repr(real.fullmatch(text))  # type: ignore[attr-defined]
    assert lazy.findall(text) == real.findall(text)  # type: ignore[attr-defined]
    assert [m.span() for m in lazy.finditer(text)] == [  # type: ignore[attr-defined]
        m.span() for m in real.finditer(text)
    ]
    assert lazy.sub("<>", text) == real.sub("<>", text)  # type: ignore[attr-defined]


def test_a_text_with_a_folded_non_ascii_letter_is_not_taken_as_absent() -> None:
    lazy = lazy_compile(r"\bvalidat(e|or)\b", re.IGNORECASE, needs=("validat",))
    assert lazy.search("please val\u0131date this") is not None  # re folds dotless i onto i


def test_lazy_re_is_re_with_its_flags_before_the_import() -> None:
    from guard.lazyre import lazy_re

    for name in ("A", "ASCII", "I", "IGNORECASE", "L", "LOCALE", "M", "MULTILINE"):
        assert getattr(lazy_re, name) == getattr(re, name)
    for name in ("S", "DOTALL", "U", "UNICODE", "X", "VERBOSE"):
        assert getattr(lazy_re, name) == getattr(re, name)
    assert lazy_re.compile is re.compile and lazy_re.escape("a.b") == r"a\.b"
    assert lazy_re.fullmatch(r"-[neE]+", "-ne", lazy_re.IGNORECASE) is not None
