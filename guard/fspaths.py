"""pathlib's file-system answers (`resolve`, `absolute`, `is_dir`, `exists`) on plain strings.

Why: a lint looks for its config and its `.gitignore` files from the paths it is given, and
importing pathlib for that costs about 2.5 ms (urllib.parse, ipaddress, fnmatch, ntpath) of a run
of 85 ms over 1,000 workflows. Each function gives exactly what `Path(path).<method>()` gives
(`str()` of it for a path), errors included: `is_dir` and `exists` raise for an error pathlib
does not ignore (a folder that may not be searched), `resolve` raises RuntimeError for a symlink
loop before Python 3.13. tests/test_fspaths.py compares them with pathlib.
"""

from __future__ import annotations

import errno
import os
import sys
from stat import S_ISDIR

from guard.purepaths import join, pure

# pathlib's `_ignore_error`: what `is_dir` and `exists` answer False for instead of raising.
_IGNORED_ERRNOS = (errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP)
_IGNORED_WINERRORS = (21, 123, 1921)  # not ready, invalid name, cannot resolve the name
# Python 3.13's `resolve` is realpath alone: no stat after it, no RuntimeError for a loop.
_LOOP_CHECKED = sys.version_info < (3, 13)


def _ignored(error: OSError) -> bool:
    return error.errno in _IGNORED_ERRNOS or getattr(error, "winerror", None) in _IGNORED_WINERRORS


def _stat_mode(path: str) -> int | None:
    """`Path(path).stat().st_mode`; None where pathlib's `is_dir` and `exists` say False."""
    try:
        return os.stat(pure(path)).st_mode
    except OSError as error:
        if not _ignored(error):
            raise
        return None
    except ValueError:  # a NUL in the path
        return None


def is_dir(path: str) -> bool:
    """`Path(path).is_dir()`."""
    mode = _stat_mode(path)
    return mode is not None and S_ISDIR(mode)


def exists(path: str) -> bool:
    """`Path(path).exists()`."""
    return _stat_mode(path) is not None


def resolve(path: str) -> str:
    """`str(Path(path).resolve())`: realpath (not strict), then, before Python 3.13, a stat that
    turns a symlink loop into RuntimeError."""
    real = os.path.realpath(pure(path))
    if _LOOP_CHECKED:
        try:
            os.stat(real)
        except OSError as error:
            if error.errno == errno.ELOOP or getattr(error, "winerror", 0) == 1921:
                raise RuntimeError(f"Symlink loop from {error.filename!r}") from None
    return real


def absolute(path: str) -> str:
    """`str(Path(path).absolute())`: the working folder joined in front, nothing resolved."""
    text = pure(path)
    return text if text.startswith("/") else join(os.getcwd(), text)
