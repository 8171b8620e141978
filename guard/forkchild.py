"""A forked helper process: started, left and reaped the one way every helper of a lint uses.

Why one module: a lint forks helpers in two places (guard/commands/forksplit.py, the full checks;
guard/sources/walk.py `walk_aside`, the rest of a cached walk), and each must get the same few
things right: a copy of this process made in a millisecond or two (nothing re-imported); a child
that leaves with `os._exit` (no atexit function, no flush of a buffer the parent also holds, no
finalizer of the parent's objects: its temp files and store connections stay the parent's), that
ignores SIGINT (the parent decides what an interrupt means, and kills what it started), and that
keeps only the pipe ends it was given; a parent that reaps every child however its run ends.
"""

from __future__ import annotations

import contextlib
import os
import sys

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the lint start-up does not import typing
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable


def fork(serve: Callable[[], object], close_in_child: Iterable[int] = ()) -> int | None:
    """Fork a child that closes `close_in_child` (the ends and pipes that are not its own),
    runs `serve` and leaves: exit 0 when `serve` returned, 1 when it raised (anything, even
    SystemExit). The child's pid here; None when no child can be forked (then nothing was)."""
    for stream in (sys.stdout, sys.stderr):  # nothing buffered twice, whatever the child does
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()
    try:
        pid = os.fork()
    except OSError:
        return None
    if pid == 0:  # the child: never returns
        code = 1
        try:
            # The C module: `signal` itself makes its enums at import (~0.5 ms of the child's
            # path to its first job, where it is the run's longer path).
            import _signal  # type: ignore[import-not-found]  # (no stub: CPython's C module)

            _signal.signal(_signal.SIGINT, _signal.SIG_IGN)
            for fd in close_in_child:
                with contextlib.suppress(OSError):
                    os.close(fd)
            serve()
            code = 0
        except BaseException:
            pass
        finally:
            os._exit(code)
    return pid


def reap(pid: int, *, kill: bool) -> None:
    """Wait for the child (killed first with `kill`: the run no longer wants what it sends)."""
    if pid <= 0:
        return
    if kill:
        import signal

        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, 0)
