"""Reading a file into text: never an exception, and never a byte that hides what follows it.

Decisions (documented in docs/usage.md):
- a file that holds a NUL byte is binary, except a shell script: bash only refuses a file with a
  NUL in its first line (of the first 80 bytes), and drops any later NUL as it runs it; so do we.
  A file found by the walk is only read when its name or
  shebang says it is a script, so a binary that gets that far (`tool.sh` that is really an ELF) is
  reported; a binary with no script name is never opened beyond its first bytes and is skipped.
- bash runs bytes, not UTF-8: text that is not valid UTF-8 is still linted. Valid UTF-8 sequences
  decode as UTF-8; each byte that is not part of one becomes the Latin-1 character of that byte
  (0xe9 -> "é"). One byte, one character: lines and columns stay where they are, and the text holds
  no surrogates, so every report format can still print it.
- a Python file is decoded as its PEP 263 coding cookie (or BOM) says; an unknown cookie falls back
  to the rule above.
- a UTF-8 byte-order mark is dropped; CRLF line ends become LF (line numbers are unchanged).
- a file over PARSE_LIMIT is not parsed: the lint driver streams it through the token scan
  (guard/engine/tokens.py), a line at a time, so memory stays flat whatever its size.
"""

from __future__ import annotations

import codecs
import io
import os
import stat
from collections.abc import Iterator

from guard.findings import FileError

# Larger than this, a file is not parsed, only token-scanned (README, "Files linted"): the shell
# model of a 2 MB script already takes seconds and ~100 MB.
PARSE_LIMIT = 2 * 1024 * 1024
HEAD_BYTES = 256
BASH_SAMPLE = 80  # bash reads this much to decide a script is a binary it will not run
_LATIN1_ERRORS = "codex-guard-latin1"


def _latin1_fallback(error: UnicodeError) -> tuple[str, int]:
    """Codec error handler: every byte the UTF-8 decoder rejects is that byte's Latin-1 char."""
    if not isinstance(error, UnicodeDecodeError):
        raise error
    return error.object[error.start : error.end].decode("latin-1"), error.end


codecs.register_error(_LATIN1_ERRORS, _latin1_fallback)


def _os_message(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        # Named on the command line but absent, gone since the walk, or a link to nothing.
        return "no such file (it vanished, or is a broken symlink)"
    reason = exc.strerror or type(exc).__name__
    return f"cannot read: {reason}"


def regular_file_size(path: str, info: os.stat_result | None = None) -> int | FileError:
    """The size of a regular file, or why it cannot be read (a FIFO is never opened). `info`:
    the file's stat, when the caller just took it."""
    if info is None:
        try:
            info = os.stat(path)
        except OSError as exc:
            return FileError(path, _os_message(exc))
    if stat.S_ISDIR(info.st_mode):
        return FileError(path, "cannot read: is a directory")
    if not stat.S_ISREG(info.st_mode):
        return FileError(path, "cannot read: not a regular file")
    return info.st_size


def read_bytes(path: str, limit: int | None = None) -> bytes | FileError:
    """The file's bytes (at most `limit`), or why they cannot be had.

    Only regular files are opened: a FIFO named `x.sh` would block `open()` forever.
    """
    size = regular_file_size(path)
    if isinstance(size, FileError):
        return size
    try:
        with open(path, "rb") as handle:
            return handle.read(limit) if limit is not None else handle.read()
    except OSError as exc:
        return FileError(path, _os_message(exc))


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode_bytes(data: bytes) -> str:
    """UTF-8 where it is UTF-8, Latin-1 for each byte where it is not (see the module doc)."""
    return data.decode("utf-8", _LATIN1_ERRORS)


def _normalise(text: str) -> str:
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text


def python_encoding(data: bytes) -> str | None:
    """The encoding a PEP 263 cookie or a BOM declares, or None (UTF-8, or an unknown cookie)."""
    import tokenize  # here: only Python files need it, and every lint reads files

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError:  # an unknown encoding, or a BOM that contradicts the cookie
        return None
    return None if encoding in ("utf-8", "utf-8-sig") else encoding


def bash_says_binary(data: bytes) -> bool:
    """bash's own test (check_binary_file): a NUL in the first line of the first 80 bytes."""
    head = data[:BASH_SAMPLE]
    nul = head.find(b"\0")
    return nul != -1 and b"\n" not in head[:nul]


def decode(data: bytes, path: str, python: bool = False, shell: bool = False) -> str | FileError:
    """The text of a file, or why it is binary.

    A shell script is binary only where bash says so; a NUL further on is dropped, as bash drops
    it when it runs the file, so it cannot hide the lines after it.
    """
    nul = data.find(b"\0")
    if nul != -1 and shell and not bash_says_binary(data):
        data, nul = data.replace(b"\0", b""), -1
    if nul != -1:
        line = _line_of(data, nul)
        return FileError(path, f"binary file (NUL byte on line {line}, offset {nul})")
    encoding = python_encoding(data) if python else None
    if encoding is not None:
        try:
            return _normalise(data.decode(encoding))
        except (UnicodeDecodeError, LookupError):
            pass  # the cookie lies: read it as everything else
    return _normalise(decode_bytes(data))


def read_text(path: str) -> str | FileError:
    data = read_bytes(path)
    if isinstance(data, FileError):
        return data
    return decode(data, path)


def read_head(path: str) -> bytes | None:
    """The first bytes of a file, for shebang detection; None when unreadable (then skipped)."""
    data = read_bytes(path, HEAD_BYTES)
    return None if isinstance(data, FileError) else data


MAX_LINE_PIECE = 1024 * 1024  # a longer line is scanned in pieces of this many bytes


class LineStream:
    """A file's lines, decoded one at a time, for a file too large to parse: (line number, text).

    A line longer than MAX_LINE_PIECE comes in pieces with the same number (cut between
    commands where it can be), so one giant line cannot take the memory a whole file would.
    A NUL byte bash would refuse (any NUL, for a file that is not shell) ends the stream:
    `nul_line` says where.
    """

    def __init__(self, handle: io.BufferedReader, encoding: str | None, shell: bool) -> None:
        self.handle = handle
        self.encoding = encoding
        self.shell = shell  # bash drops a NUL past its binary test: so does the scan
        self.nul_line: int | None = None

    def _decode(self, raw: bytes) -> str:
        if self.encoding is not None:
            try:
                return raw.decode(self.encoding)
            except (UnicodeDecodeError, LookupError):
                self.encoding = None  # the cookie lies: read it as everything else
        return decode_bytes(raw)

    def _pieces(self) -> Iterator[bytes]:
        """Lines, and pieces of the longer ones cut after a `;`, `&` or `|` (else a blank) where
        there is one, so a command is not split in two at a piece boundary."""
        carry = b""
        while raw := carry + self.handle.readline(MAX_LINE_PIECE):
            carry = b""
            if len(raw) >= MAX_LINE_PIECE and not raw.endswith(b"\n"):
                cut = max(raw.rfind(b";"), raw.rfind(b"&"), raw.rfind(b"|"))  # between commands
                if cut <= 0:
                    cut = max(raw.rfind(b" "), raw.rfind(b"\t"))  # else at least between words
                if cut > 0:
                    raw, carry = raw[: cut + 1], raw[cut + 1 :]
            yield raw

    def __iter__(self) -> Iterator[tuple[int, str]]:
        with self.handle:
            number, first = 1, True
            for raw in self._pieces():
                if b"\0" in raw:
                    if not self.shell or (number == 1 and bash_says_binary(raw)):
                        self.nul_line = number
                        return
                    raw = raw.replace(b"\0", b"")
                ended = raw.endswith(b"\n")
                text = self._decode(raw.rstrip(b"\n").removesuffix(b"\r"))
                if first:
                    text, first = text.removeprefix("\ufeff"), False
                if text or ended:  # a lone BOM at the end is no line (as in decode())
                    yield number, text
                number += 1 if ended else 0


def stream_lines(path: str, python: bool = False, shell: bool = False) -> LineStream | FileError:
    """The file's lines as a LineStream, or why it cannot be read (a FIFO is never opened)."""
    size = regular_file_size(path)
    if isinstance(size, FileError):
        return size
    try:
        handle = open(path, "rb")  # noqa: SIM115 - the stream closes it when it is read
    except OSError as exc:
        return FileError(path, _os_message(exc))
    encoding = None
    if python:
        encoding = python_encoding(handle.read(HEAD_BYTES))
        handle.seek(0)
    return LineStream(handle, encoding, shell)
