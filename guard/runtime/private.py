"""Cache files only this user can write: the runtime doors replay what they find in them.

A remembered "allowed" (the warm exec path), a cached engine answer and a cached login answer are
trusted on the next run, so whoever can write them can start codex unchecked. They live in a folder
owned by this user with mode 0700, each file 0600; on every read the folder and the file are
checked with lstat/fstat (owner, mode, no symlink followed) and anything else is a miss: the caller
then runs the full check. Only `os` and `stat` are imported: the warm path pays for this module.
"""

from __future__ import annotations

import os
import stat

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
MAX_ENTRY_BYTES = 1 << 20  # an entry is a few KiB; anything larger is not ours


def _owned_private(st: os.stat_result) -> bool:
    """Owned by this user, and nobody else may read or write it."""
    return st.st_uid == os.getuid() and not st.st_mode & 0o077


def private_dir_ok(folder: str) -> bool:
    """`folder` is a real folder (not a symlink), ours, mode 0700 or narrower."""
    try:
        st = os.lstat(folder)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and _owned_private(st)


def ensure_private_dir(folder: str) -> bool:
    """Create `folder` 0700 (parents as the umask says); False when it is not ours and private.

    A folder of ours that is too open (written by an older codex-guard with the umask's mode) is
    narrowed to 0700: nothing in it is trusted before that, as only files we own, 0600, are read.
    """
    try:
        os.makedirs(folder, mode=PRIVATE_DIR_MODE, exist_ok=True)
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        try:
            st = os.fstat(fd)
            if st.st_uid == os.getuid() and st.st_mode & 0o077:
                os.fchmod(fd, PRIVATE_DIR_MODE)
        finally:
            os.close(fd)
    except OSError:
        return False
    return private_dir_ok(folder)


def read_private(path: str, max_bytes: int = MAX_ENTRY_BYTES) -> bytes | None:
    """The bytes of a private cache file, or None (missing, a symlink, not ours, not 0600, over
    `max_bytes`...)."""
    if not private_dir_ok(os.path.dirname(path)):
        return None
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or not _owned_private(st):
            return None
        if st.st_size > max_bytes:
            return None
        return os.read(fd, st.st_size + 1)
    except OSError:
        return None
    finally:
        os.close(fd)


def write_private(path: str, data: bytes) -> bool:
    """Write `path` atomically as a 0600 file inside a private folder; False when it could not."""
    folder = os.path.dirname(path)
    if not ensure_private_dir(folder):
        return False
    tmp = f"{path}.{os.getpid()}.tmp"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
    try:
        fd = os.open(tmp, flags, PRIVATE_FILE_MODE)
    except OSError:
        return False
    try:
        try:
            os.fchmod(fd, PRIVATE_FILE_MODE)  # O_CREAT's mode is masked by the umask only downwards
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError:
        try:  # noqa: SIM105 - contextlib is one more import on the warm path
            os.unlink(tmp)
        except OSError:
            pass
        return False
    return True
