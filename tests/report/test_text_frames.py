"""The code frame under each finding: tabs, wide characters, spans past the end or over lines,
and a file that is not UTF-8 (each bad byte one Latin-1 character)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from guard.report.frame import frame


def test_tab_and_wide_characters_keep_the_carets_under_the_span() -> None:
    line = '\tx="日本🙂"; codex exec "p"'
    start = line.index("codex") + 1
    rows = frame([line], 1, start, 1, start + len("codex"))
    shown, carets = rows[1], rows[2]
    # "1 | " + tab (4 cells) + `x="` (3) + 日本 (4) + 🙂 (2) + `"; ` (3) = 20 cells
    assert carets.index("^") == 20 and carets.count("^") == 5
    assert "\t" not in shown


def test_span_past_the_line_end_gets_one_caret_after_it() -> None:
    rows = frame(["abc"], 1, 9, 1, 12)
    assert rows[2] == "  | " + " " * 3 + "^"


def test_multi_line_span_underlines_each_line() -> None:
    lines = ["codex exec \\", "  -s read-only \\", '  "p"']
    rows = frame(lines, 1, 1, 3, 6)
    carets = [r for r in rows if set(r.split(" | ", 1)[-1].strip()) == {"^"}]
    assert len(carets) == 3
    assert rows[-1].endswith("  ^^^")  # the last line from its indent to the span's end


def test_long_span_is_elided() -> None:
    rows = frame([f"line {i}" for i in range(1, 11)], 1, 1, 10, 3)
    assert any(r.strip() == "..." for r in rows) and rows[-2].startswith("10 |")


def test_not_utf8_file_and_cjk_through_the_cli(tmp_path: Path) -> None:
    (tmp_path / "a.sh").write_bytes(b'echo "\xff\x9b"; codex exec -C "$R" -s read-only "p"\n')
    (tmp_path / "b.sh").write_text('echo "日本語"; codex exec -C "$R" -s read-only "p"\n')
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    # a.sh: ÿ is one cell and the C1 byte 0x9b shows as its 4-cell escape; b.sh: 日本語 is 6 cells
    for name, wide in (("a.sh", 0), ("b.sh", 3)):
        out = subprocess.run(
            ["codex-guard", "lint", "--no-cache", name],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        ).stdout.splitlines()
        source = next(r for r in out if r.startswith("1 | "))
        carets = out[out.index(source) + 1]
        assert carets.index("^") == source.index("codex") + wide
        assert carets.rstrip().endswith("^") and len(carets) == len(source) + wide
    concise = subprocess.run(
        ["codex-guard", "lint", "--no-cache", "--output-format", "concise", "a.sh"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    ).stdout
    assert concise.startswith("a.sh:1:")
    assert not any(line.startswith(("1 | ", "  | ")) for line in concise.splitlines())


def test_force_color_colours_a_pipe_and_no_color_wins(tmp_path: Path) -> None:
    (tmp_path / "x.sh").write_text('codex exec "hi"\n')
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}

    def out(extra: dict[str, str]) -> str:
        return subprocess.run(
            ["codex-guard", "lint", "x.sh"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env={**env, **extra},
            timeout=120,
        ).stdout

    assert "\033[" in out({"FORCE_COLOR": "1"})
    assert "\033[" not in out({"FORCE_COLOR": "1", "NO_COLOR": "1"})


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal_and_only_after_the_delay(monkeypatch: Any) -> None:
    from guard.report import progress

    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert list(progress.with_progress(iter(range(5)), 5, delay=3600)) == list(range(5))
    assert terminal.getvalue() == ""  # a quick run never shows a bar
    assert list(progress.with_progress(iter(range(5)), 5, delay=0)) == list(range(5))
    assert "linting" in terminal.getvalue()
    piped = io.StringIO()
    monkeypatch.setattr(sys, "stderr", piped)
    assert list(progress.with_progress(iter(range(5)), 5, delay=0)) == list(range(5))
    assert piped.getvalue() == ""
