"""Kind detection (name, extension, shebang) and decoding (UTF-8 only, errors not exceptions)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from guard.findings import FileError
from guard.sources.decode import decode, read_text
from guard.sources.detect import detect_kind, kind_by_name, kind_by_shebang, needs_head


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("run.sh", "shell"),
        ("a/b/dispatch.bash", "shell"),
        ("x.zsh", "shell"),
        ("x.ksh", "shell"),
        ("x.dash", "shell"),
        ("home/.bashrc", "shell"),
        ("team.bashrc", "shell"),
        (".github/workflows/ci.yml", "workflow"),
        ("repo/.github/workflows/nightly.yaml", "workflow"),
        ("actions/review/action.yml", "workflow"),
        ("config/ci.yml", None),
        ("README.md", "markdown"),
        ("skills/codex/SKILL.md", "markdown"),
        ("Makefile", "makefile"),
        ("GNUmakefile", "makefile"),
        ("build/rules.mk", "makefile"),
        ("Dockerfile", "dockerfile"),
        ("Dockerfile.worker", "dockerfile"),
        ("worker.dockerfile", "dockerfile"),
        ("justfile", "justfile"),
        ("orchestrate.py", "python"),
        ("scripts/login.exp", "expect"),
        ("main.rb", None),
        ("image.png", None),
    ],
)
def test_kind_by_name(path: str, kind: str | None) -> None:
    assert kind_by_name(path) == kind


@pytest.mark.parametrize(
    ("head", "kind"),
    [
        (b"#!/bin/sh\necho", "shell"),
        (b"#!/bin/bash -eu\n", "shell"),
        (b"#!/usr/bin/env bash\n", "shell"),
        (b"#!/usr/bin/env -S bash -e\n", "shell"),
        (b"#!/usr/bin/zsh\n", "shell"),
        (b"#!/bin/dash\n", "shell"),
        (b"#!/usr/bin/env python3\n", "python"),
        (b"#!/usr/bin/expect -f\n", "expect"),
        (b"#!/usr/bin/env expect\n", "expect"),
        (b"#!/usr/bin/env ruby\n", None),
        (b"echo no shebang\n", None),
        (b"#!\n", None),
        (b"\x7fELF\x00\x00", None),
    ],
)
def test_kind_by_shebang(head: bytes, kind: str | None) -> None:
    assert kind_by_shebang(head) == kind


def test_only_suffixless_files_need_a_shebang_look() -> None:
    assert needs_head("bin/dispatch")
    assert needs_head(".envrc")
    assert not needs_head("tool.py")
    assert detect_kind("bin/dispatch", b"#!/bin/bash\n") == "shell"
    assert detect_kind("run.sh", None) == "shell"


def test_decode_keeps_undecodable_bytes_one_char_each() -> None:
    """bash runs bytes: a stray byte is its Latin-1 char, so columns after it do not move."""
    text = decode(b"echo caf\xe9 \xe2\x82\xac\n\xff\xfe x\n", "bad.sh")
    assert text == "echo caf\u00e9 \u20ac\n\u00ff\u00fe x\n"


def test_decode_reports_nul_as_binary() -> None:
    error = decode(b"#!/bin/sh\n\x00\x01", "bin.sh")
    assert isinstance(error, FileError)
    assert error.message == "binary file (NUL byte on line 2, offset 10)"


def test_decode_drops_bom_and_crlf_keeping_lines() -> None:
    assert decode(b"\xef\xbb\xbfa\r\nb\r\n", "x.sh") == "a\nb\n"


def test_read_text_errors_never_raise(tmp_path: Path) -> None:
    missing = read_text(str(tmp_path / "gone.sh"))
    assert isinstance(missing, FileError)
    assert "vanished" in missing.message
    folder = tmp_path / "dir.sh"
    folder.mkdir()
    as_dir = read_text(str(folder))
    assert isinstance(as_dir, FileError) and "directory" in as_dir.message
    fifo = tmp_path / "pipe.sh"
    os.mkfifo(fifo)
    as_fifo = read_text(str(fifo))  # must not block on open()
    assert isinstance(as_fifo, FileError) and "not a regular file" in as_fifo.message
    link = tmp_path / "dangling.sh"
    link.symlink_to(tmp_path / "nowhere.sh")
    broken = read_text(str(link))
    assert isinstance(broken, FileError) and "broken symlink" in broken.message


def test_permission_denied_is_a_file_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests run as root, where chmod 000 still reads: simulate EACCES at open()."""
    target = tmp_path / "locked.sh"
    target.write_text("echo\n")

    def denied(*args: object, **kwargs: object) -> object:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("guard.sources.decode.open", denied, raising=False)
    error = read_text(str(target))
    assert isinstance(error, FileError)
    assert error.message == "cannot read: Permission denied"
