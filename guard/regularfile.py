"""Read a file only when it is a regular file: a FIFO (or a device) named like a config, an
include or an env file must not hang lint or a door, and a huge one is not read whole."""

from __future__ import annotations

import os


def read_regular(path: str | os.PathLike[str], limit: int = 1 << 20) -> bytes | None:
    """The bytes of a regular file of at most ``limit`` bytes; None for anything else (absent,
    unreadable, a folder, a FIFO, a device, larger than ``limit``). Opened non-blocking, so a
    FIFO is seen by fstat, never waited on."""
    import stat

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except (OSError, ValueError):
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > limit:
            return None
        chunks: list[bytes] = []
        left = limit + 1
        while left > 0:  # a file that grows while it is read is cut at limit + 1 bytes
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        return data if len(data) <= limit else None
    except OSError:
        return None
    finally:
        os.close(fd)
