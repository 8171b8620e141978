"""Decoding that loses nothing, and the line stream a file too large to parse is read through."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guard.engine.tokens import token_scripts
from guard.findings import FileError
from guard.sources import decode as decoding
from guard.sources.decode import LineStream, bash_says_binary, decode, stream_lines


def lines_of(path: Path, **kinds: bool) -> tuple[list[tuple[int, str]], LineStream]:
    stream = stream_lines(str(path), **kinds)
    assert isinstance(stream, LineStream)
    return list(stream), stream


def test_python_cookie_and_bom() -> None:
    assert decode(b"# coding: latin-1\nx = '\xe9'\n", "a.py", python=True) == (
        "# coding: latin-1\nx = '\u00e9'\n"
    )
    # UTF-8 with a BOM, and a cookie that names no codec: both still read
    assert decode(b"\xef\xbb\xbfx = 1\r\n", "b.py", python=True) == "x = 1\n"
    assert decode(b"# coding: nope\nx = '\xe9'\n", "c.py", python=True) == (
        "# coding: nope\nx = '\u00e9'\n"
    )


def test_bash_binary_test_is_the_first_line_of_80_bytes() -> None:
    assert bash_says_binary(b"\x7fELF\x02\x00")
    assert not bash_says_binary(b"echo\n\x00")
    assert not bash_says_binary(b"x" * 80 + b"\x00")
    assert isinstance(decode(b"echo\n\x00x\n", "a.yml"), FileError)  # not shell: binary
    assert decode(b"echo\n\x00x\n", "a.sh", shell=True) == "echo\nx\n"


def test_stream_numbers_lines_and_cuts_long_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(decoding, "MAX_LINE_PIECE", 8)
    path = tmp_path / "x.sh"
    path.write_bytes(b"\xef\xbb\xbfab\r\n0123456789abcdef\ncaf\xe9\nlast")
    lines, stream = lines_of(path, shell=True)
    pieces = [(2, "01234567"), (2, "89abcdef"), (2, "")]  # one long line, its number kept
    assert lines == [(1, "ab"), *pieces, (3, "caf\u00e9"), (4, "last")]
    assert stream.nul_line is None


def test_long_lines_are_cut_between_commands(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(decoding, "MAX_LINE_PIECE", 32)
    path = tmp_path / "x.sh"
    line = (
        "echo aaaa; codex exec --yolo 'p'; echo bbbb bbbb bbbb bbbb bbbb bbbbbbbbbbbbbbbbbbbbbbbbbb"
    )
    path.write_text(line + "\nnext\n")
    lines, _stream = lines_of(path, shell=True)
    assert "".join(text for number, text in lines if number == 1) == line
    assert len(lines) > 3 and all(len(text) <= 2 * 32 for _n, text in lines)
    assert lines[-1] == (2, "next")
    scanned = [c for s in token_scripts(lines) for c in s.commands]
    assert [(c.span.line, [w.text for w in c.argv]) for c in scanned] == [
        (1, ["codex", "exec", "--yolo", "p"])
    ]


def test_stream_nul(tmp_path: Path) -> None:
    path = tmp_path / "x.sh"
    path.write_bytes(b"one\ntw\x00o\nthree\n")
    shell, _ = lines_of(path, shell=True)
    assert shell == [(1, "one"), (2, "two"), (3, "three")]  # as bash runs it
    other, stream = lines_of(path)
    assert other == [(1, "one")] and stream.nul_line == 2
    (tmp_path / "elf.sh").write_bytes(b"\x7fELF\x00\ncodex\n")
    elf, stream = lines_of(tmp_path / "elf.sh", shell=True)
    assert elf == [] and stream.nul_line == 1


def test_stream_of_what_is_not_a_file(tmp_path: Path) -> None:
    assert isinstance(stream_lines(str(tmp_path)), FileError)
    assert isinstance(stream_lines(str(tmp_path / "gone.sh")), FileError)


def test_token_scripts_come_in_bounded_chunks() -> None:
    lines = [(n, f"OPENAI_API_KEY=x codex exec 'p{n}'") for n in range(1, 8)]
    lines.insert(3, (100, "echo no codex here"))
    scripts = list(token_scripts(lines, chunk=3))
    assert [len(s.commands) for s in scripts] == [3, 3, 1]
    assert [c.span.line for s in scripts for c in s.commands] == list(range(1, 8))
    assert all(c.program == "codex" for s in scripts for c in s.commands)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300).map(lambda b: b.replace(b"\0", b"").replace(b"\r", b"")))
def test_any_bytes_keep_their_lines_and_both_readers_agree(data: bytes) -> None:
    """Whatever the bytes: no error, the same lines, and the streamed reading (a file too large
    to parse) sees exactly what the whole-file reading sees."""
    text = decode(data, "x.sh", shell=True)
    assert isinstance(text, str)
    text.encode("utf-8")  # printable anywhere: no surrogates
    assert text.count("\n") == data.count(b"\n")
    lines = text.split("\n")
    if text.endswith("\n") or not text:
        lines = lines[:-1]  # the stream yields no empty line after the last line end
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "x.sh"
        path.write_bytes(data)
        stream = stream_lines(str(path), shell=True)
        assert isinstance(stream, LineStream)
        assert list(stream) == list(enumerate(lines, start=1))
