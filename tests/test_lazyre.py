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
