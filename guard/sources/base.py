"""The source plug-in contract: a module per kind of file, registered once in `registry.py`."""

from __future__ import annotations

from guard.sources.snippet import Snippet

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from typing import Protocol
else:
    Protocol = object  # `Source` is a structural type for mypy: nothing checks it at run time


class SourceError(Exception):
    """The file is readable text but not valid for its kind (a workflow that is not YAML).

    The lint driver reports it as a CG901 parse-error finding at `line`, not as a file error.
    """

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class Source(Protocol):
    """Turns one decoded file into the shell snippets it holds (possibly none)."""

    def __call__(self, text: str, path: str) -> list[Snippet]: ...


def shebang_dialect(first_line: str) -> str:
    """`sh` for a POSIX-shell shebang (sh, dash), else `bash` (bash, zsh, ksh and no shebang)."""
    if not first_line.startswith("#!"):
        return "bash"
    words = first_line[2:].replace("/", " ").split()
    interpreters = [w for w in words if w not in ("usr", "bin", "local", "env", "-S")]
    name = interpreters[0] if interpreters else ""
    return "sh" if name in ("sh", "dash", "posh") else "bash"
