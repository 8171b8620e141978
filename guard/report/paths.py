"""Paths and text as every report can print them, whatever bytes a file name holds.

A POSIX file name is bytes: `run\\xff.sh` is a valid name that is not UTF-8. Python hands it to us
with the byte as a lone surrogate (PEP 383, `surrogateescape`), which no UTF-8 output can hold. So
before anything is printed:
- text, JSON and GitHub reports show each such byte as the visible escape `\\xff` (and a control
  character in a name, a newline say, as `\\x0a`, so a name cannot forge an output line);
- in JSON (and SARIF) any other string gets the same escape, written as JSON text (`\\\\xff`);
- SARIF URIs percent-encode the name's real bytes (`run%FF.sh`), which is lossless.
"""

from __future__ import annotations

import os
import re

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def printable(text: str) -> str:
    """`text` with every undecodable byte (a lone surrogate) as `\\xNN`: valid UTF-8 to print."""
    if not has_surrogates(text):
        return text
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def display_path(path: str) -> str:
    """A path to show: undecodable bytes and control characters as `\\xNN` escapes."""
    shown = printable(path)
    if _CONTROL.search(shown):
        shown = _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", shown)
    return shown


def uri_path(path: str) -> str:
    """A relative or absolute path as a URI path: its real bytes, percent-encoded."""
    # Here, not at the top: SARIF alone asks, and urllib.parse (with ipaddress) is about 1.5 ms
    # of a text or JSON report's start-up.
    from urllib.parse import quote

    posix = path.replace("\\", "/")
    return quote(os.fsencode(posix))


_SURROGATE = re.compile("[\ud800-\udfff]")


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    # Inside a JSON string: `\\xff` is read back as the four characters `\xff`.
    return f"\\\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\\\u{code:04x}"


def printable_json(text: str) -> str:
    """JSON text (from `json.dumps(..., ensure_ascii=False)`) with every lone surrogate written
    as the escaped text `\\xNN`: valid UTF-8 and valid JSON, without copying the document."""
    if not has_surrogates(text):
        return text
    return _SURROGATE.sub(_json_escape, text)
