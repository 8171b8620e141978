"""guard/regexcodes.py: patterns kept as their sre code between runs must match exactly as the
patterns compiled from their text do, and anything doubtful must mean an ordinary compile."""

from __future__ import annotations

import json
import marshal
import os
import subprocess
import sys
from pathlib import Path

import pytest

from guard import regexcodes

REPO = Path(__file__).resolve().parents[1]

PATTERNS: list[tuple[str, int]] = [
    ("^(?P<lead>[ ]*(?:-[ ]+)*)(?P<q>[\"']?)run(?P=q)[ ]*:(?:[ ]+(?P<value>.*?))?[ ]*$", 0),
    ("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]", 0),  # PyYAML's
    (r"^openai/codex-action(@|/|$)", 2),  # re.IGNORECASE
    (r"\bcodex\b.*$", 8 | 16),  # MULTILINE | DOTALL
    (r"(?i)straße|ǅ", 0),  # case folding outside ASCII, flags set inside the pattern
    (r"(a)(?:b)(?P<c>c)?\1", 0),
    (r"[^\w@%+=:,./-]", 256),  # re.ASCII
    (r"(?<![\w-])[\"']?run[\"']?[ \t]*:", 64),  # re.VERBOSE
]
SAMPLES = [
    "run: codex exec", "- 'run' : x", "openai/CODEX-action@v1", "STRASSE ǆ straße", "abcab",
    "ab\u2028codex\x85", "\x00\x01", "é@x", "run:", "", "x run :y", "a" * 50 + "codex",
]  # fmt: skip


def _run_in_fresh_process(code: str, cache: Path) -> dict[str, object]:
    env = dict(os.environ, XDG_CACHE_HOME=str(cache), PYTHONPATH=str(REPO))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          timeout=60, cwd=REPO)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


_USE = """
import json, re
from re import _compiler
from guard import regexcodes
seeded = regexcodes.seed_from_store()
compiled = []
_orig = _compiler.compile
def _counting(p, flags=0):
    compiled.append(p if isinstance(p, str) else "?")
    return _orig(p, flags)
_compiler.compile = _counting
patterns = %s
samples = %s
answers = []
for p, f in patterns:
    rx = re.compile(p, f)
    answers.append([rx.flags, rx.groups, dict(rx.groupindex)]
                   + [[m.span(), m.groups()] if (m := rx.search(s)) else None for s in samples]
                   + [rx.sub("#", s) for s in samples])
saved = regexcodes.save_to_store()
print(json.dumps({"seeded": seeded, "compiled": compiled, "answers": answers, "saved": saved}))
"""


def _use(cache: Path) -> dict[str, object]:
    return _run_in_fresh_process(_USE % (repr(PATTERNS), repr(SAMPLES)), cache)


@pytest.mark.skipif(sys.version_info[:2] not in regexcodes._KNOWN_VERSIONS, reason="another re")
def test_stored_patterns_match_as_compiled_ones(tmp_path: Path) -> None:
    first = _use(tmp_path)
    assert first["saved"] is True
    assert len(first["compiled"]) >= len(PATTERNS)  # type: ignore[arg-type]
    second = _use(tmp_path)
    assert second["seeded"] >= len(PATTERNS)  # type: ignore[operator]
    assert not set(second["compiled"]) & {p for p, _f in PATTERNS}  # type: ignore[arg-type]
    assert second["answers"] == first["answers"]
    assert second["saved"] is False  # nothing new: the file is not written again


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # cut short
        lambda data: data.replace(b"codex-guard regex codes 1", b"codex-guard regex codes 0"),
        lambda data: b"\x00" * 64,
    ],
)
def test_a_damaged_file_means_ordinary_compiles(tmp_path: Path, damage: object) -> None:
    first = _use(tmp_path)
    path = Path(regexcodes.codes_path().replace(_default_cache(), str(tmp_path), 1))
    path.write_bytes(damage(path.read_bytes()))  # type: ignore[operator]
    again = _use(tmp_path)
    assert again["seeded"] == 0
    assert again["answers"] == first["answers"]
    assert {p for p, _f in PATTERNS} <= set(again["compiled"])  # type: ignore[arg-type]


def test_a_file_others_may_write_is_not_read(tmp_path: Path) -> None:
    first = _use(tmp_path)
    path = Path(regexcodes.codes_path().replace(_default_cache(), str(tmp_path), 1))
    path.chmod(0o644)
    again = _use(tmp_path)
    assert again["seeded"] == 0
    assert again["answers"] == first["answers"]


def test_code_sre_refuses_is_skipped_without_a_crash(tmp_path: Path) -> None:
    """An entry whose code `_sre` cannot run (damaged inside a well-formed file): that pattern is
    compiled as usual, the others are still seeded, and nothing crashes."""
    first = _use(tmp_path)
    whole = _use(tmp_path)["seeded"]  # the seeding with nothing damaged
    path = Path(regexcodes.codes_path().replace(_default_cache(), str(tmp_path), 1))
    header, entries = marshal.loads(path.read_bytes())
    target = PATTERNS[0][0]
    broken = [(*e[:3], [9999, 1, 2, 3], *e[4:]) if e[0] == target else e for e in entries]
    path.write_bytes(marshal.dumps((header, broken)))
    again = _use(tmp_path)
    assert again["answers"] == first["answers"]
    ours = {p for p, _f in PATTERNS}
    assert [p for p in again["compiled"] if p in ours] == [target]  # type: ignore[attr-defined]
    assert again["seeded"] in (whole, whole - 1)  # refused when made (3.11) or at the seeding
    assert again["saved"] is True  # the damaged entry is stored anew from the pattern's text
    assert _use(tmp_path)["seeded"] == whole


def _default_cache() -> str:
    return os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"))


def test_a_full_file_is_not_written_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import re

    monkeypatch.setattr(regexcodes, "MAX_PATTERNS", 2)
    path = str(tmp_path / "code" / "regex.marshal")
    first = regexcodes.RegexCodes(path)
    re.compile("first-pattern-[a-z]+")
    re.compile("second-pattern-[a-z]+")
    assert first.save() is True
    written = os.stat(path).st_mtime_ns
    later = regexcodes.RegexCodes(path)
    later.seed()
    re.compile("third-pattern-[a-z]+")  # new, but the file is full
    assert later.save() is False
    assert os.stat(path).st_mtime_ns == written


_LAZY = """
import json, re
from guard import regexcodes
seeded = regexcodes.seed_from_store()
before = [k[1] for k in list(re._cache) if isinstance(k, tuple) and k[0] is str]
rx = re.compile(%r, %d)
after = [k[1] for k in list(re._cache) if isinstance(k, tuple) and k[0] is str]
print(json.dumps({"seeded": seeded, "before": before, "after": after, "hit": bool(rx.search("abcab"))}))
"""


@pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="made when asked for on 3.11 only")
def test_a_stored_pattern_is_made_only_when_asked_for(tmp_path: Path) -> None:
    """Start-up makes no pattern object of its own: a lint asks for about 50 of the ~250 stored,
    and making all of them cost ~3 ms of every run. The one asked for is made from its code."""
    _use(tmp_path)  # stores PATTERNS
    pattern, flags = PATTERNS[5]
    got = _run_in_fresh_process(_LAZY % (pattern, flags), tmp_path)
    assert got["seeded"] >= len(PATTERNS)  # type: ignore[operator]
    assert not {p for p, _f in PATTERNS} & set(got["before"])  # type: ignore[arg-type]
    assert pattern in got["after"]  # type: ignore[operator]
    assert got["hit"] is True
