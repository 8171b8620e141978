"""What the real stdin is, at the moment the exec shim runs: the fact static analysis guesses.

How each state is told to the engine (which reads shell, not file descriptors) is in
``stdin_suffix``; the mapping is documented there.
"""

from __future__ import annotations

import os
import select
import stat

from guard.fastenum import StrEnum

# An idle pipe and a pipe whose writer has not written *yet* look the same at time zero
# (`printf p | codex-guard exec ... -`: printf may still be starting). Before calling a pipe idle
# we wait this long for it to become readable; only refusals and repairs pay it, never an
# allowed run with a TTY, /dev/null, a file or a fed pipe.
IDLE_GRACE_SECONDS = 0.15


class StdinState(StrEnum):
    TTY = "tty"
    CLOSED = "closed"  # fd 0 not open at all
    DEVNULL = "devnull"
    FILE_EOF = "file-eof"  # a regular file with nothing left to read
    FILE_DATA = "file-data"
    PIPE_EOF = "pipe-eof"  # pipe/socket/FIFO whose writer is gone and nothing is buffered
    PIPE_DATA = "pipe-data"  # bytes waiting: codex reads them (a `-` prompt, or a <stdin> block)
    PIPE_IDLE = "pipe-idle"  # open, empty, writer alive: a positional prompt hangs (CG201)
    OTHER = "other"  # a character device other than a TTY or /dev/null, or unknown


def _bytes_waiting(fd: int) -> int:
    """FIONREAD: bytes buffered in a pipe or socket (0 at EOF); -1 when the ioctl is refused."""
    import fcntl
    import struct
    import termios

    try:
        raw = fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0")
    except OSError:
        return -1
    return int(struct.unpack("i", raw)[0])


def _readable(fd: int, timeout: float) -> bool:
    try:
        poller = select.poll()
        poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
        return bool(poller.poll(int(timeout * 1000)))
    except (OSError, ValueError):
        return False


def _pipe_state(fd: int, grace: float) -> StdinState:
    # An idle open pipe is not readable; a pipe at EOF is readable with 0 bytes buffered;
    # a pipe with data is readable with >0 bytes buffered.
    if not _readable(fd, 0) and not _readable(fd, grace):
        return StdinState.PIPE_IDLE
    waiting = _bytes_waiting(fd)
    if waiting == 0:
        return StdinState.PIPE_EOF
    return StdinState.PIPE_DATA


def classify_stdin(fd: int = 0, grace: float = IDLE_GRACE_SECONDS) -> StdinState:
    """Never reads a byte: codex must get the stream exactly as it was."""
    try:
        st = os.fstat(fd)
    except OSError:
        return StdinState.CLOSED
    mode = st.st_mode
    if os.isatty(fd):
        return StdinState.TTY
    if stat.S_ISCHR(mode):
        try:
            null = os.stat(os.devnull)
        except OSError:
            return StdinState.OTHER
        return StdinState.DEVNULL if st.st_rdev == null.st_rdev else StdinState.OTHER
    if stat.S_ISREG(mode):
        try:
            offset = os.lseek(fd, 0, os.SEEK_CUR)
        except OSError:
            offset = 0
        return StdinState.FILE_DATA if st.st_size > offset else StdinState.FILE_EOF
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode):
        return _pipe_state(fd, grace)
    return StdinState.OTHER


# How the shim tells the engine "codex's stdin delivers input and ends": a here-string.
SUPPLIED_INPUT = ' <<<"$STDIN"'


def stdin_suffix(state: StdinState) -> str:
    """The redirect that tells the engine, in shell, what codex's stdin really is.

    The engine lints the real argv as a command line in the RUNTIME context, where a bare command
    (no redirect) means "stdin inherited from a non-TTY that may never reach EOF":
    - TTY: codex does not read a terminal for a positional prompt, so it is as good as
      ``</dev/null`` (the one edge, ``codex exec -`` typed at a terminal, reads the TTY).
    - /dev/null, closed (the shim gives codex /dev/null), a file or pipe already at EOF:
      ``</dev/null`` -- it cannot hang.
    - a file or pipe with bytes waiting: a here-string (SUPPLIED_INPUT) -- input is supplied; a
      positional prompt gets it appended as a ``<stdin>`` block (CG203, a warning), a ``-`` prompt
      reads it. (Not ``</dev/stdin``: to a shell that is the inherited stdin itself.)
    - an idle open pipe or socket (or anything we cannot tell): bare, so CG201 fires.
    """
    if state in (
        StdinState.TTY,
        StdinState.DEVNULL,
        StdinState.CLOSED,
        StdinState.FILE_EOF,
        StdinState.PIPE_EOF,
    ):
        return " </dev/null"
    if state in (StdinState.FILE_DATA, StdinState.PIPE_DATA):
        return SUPPLIED_INPUT
    return ""


def give_devnull(fd: int = 0) -> None:
    """Replace fd 0 with /dev/null (the `--close-stdin` repair, and the fix for a closed fd 0)."""
    null = os.open(os.devnull, os.O_RDONLY)
    if null != fd:
        os.dup2(null, fd)
        os.close(null)
