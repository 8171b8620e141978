"""Reading a file into text: UTF-8 only; anything else is a FileError, never an exception.

Decisions (documented in docs/usage.md):
- a file that holds a NUL byte is binary. A file found by the walk is only read when its name or
  shebang says it is a script, so a binary that gets that far (`tool.sh` that is really an ELF) is
  reported; a binary with no script name is never opened beyond its first bytes and is skipped.
- text that is not UTF-8 is reported with the first bad byte and its offset.
- a UTF-8 byte-order mark is dropped; CRLF line ends become LF (line numbers are unchanged).
"""

from __future__ import annotations

import os
import stat

from guard.findings import FileError

MAX_BYTES = 32 * 1024 * 1024  # a "script" larger than this is data: reported, not parsed
HEAD_BYTES = 256


def _os_message(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        # Named on the command line but absent, gone since the walk, or a link to nothing.
        return "no such file (it vanished, or is a broken symlink)"
    reason = exc.strerror or type(exc).__name__
    return f"cannot read: {reason}"


def read_bytes(path: str, limit: int | None = None) -> bytes | FileError:
    """The file's bytes (at most `limit`), or why they cannot be had.

    Only regular files are opened: a FIFO named `x.sh` would block `open()` forever.
    """
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            return FileError(path, "cannot read: is a directory")
        if not stat.S_ISREG(info.st_mode):
            return FileError(path, "cannot read: not a regular file")
        if limit is None and info.st_size > MAX_BYTES:
            return FileError(path, f"file too large ({info.st_size} bytes; limit {MAX_BYTES})")
        with open(path, "rb") as handle:
            return handle.read(limit) if limit is not None else handle.read()
    except OSError as exc:
        return FileError(path, _os_message(exc))


def decode(data: bytes, path: str) -> str | FileError:
    nul = data.find(b"\0")
    if nul != -1:
        return FileError(path, f"binary file (NUL byte at offset {nul})")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = data[exc.start]
        return FileError(path, f"not UTF-8 text (byte 0x{bad:02x} at offset {exc.start})")
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text


def read_text(path: str) -> str | FileError:
    data = read_bytes(path)
    if isinstance(data, FileError):
        return data
    return decode(data, path)


def read_head(path: str) -> bytes | None:
    """The first bytes of a file, for shebang detection; None when unreadable (then skipped)."""
    data = read_bytes(path, HEAD_BYTES)
    return None if isinstance(data, FileError) else data
