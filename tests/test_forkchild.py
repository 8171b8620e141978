"""guard/forkchild.py: how every forked helper of a lint starts, leaves and is reaped."""

from __future__ import annotations

import os
import signal
import sys
import time

import pytest

from guard.forkchild import fork, reap

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def _status(pid: int) -> int:
    _pid, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


def test_a_child_that_returns_exits_0_and_one_that_raises_exits_1() -> None:
    def fails() -> None:
        raise ValueError("no")

    def leaves() -> None:
        sys.exit(7)  # not the parent's exit code: the child's outcome is 0 or 1

    ok, bad, out = fork(lambda: None), fork(fails), fork(leaves)
    assert ok and bad and out
    assert (_status(ok), _status(bad), _status(out)) == (0, 1, 1)


def test_the_child_ignores_an_interrupt_and_keeps_only_its_pipe_ends() -> None:
    go_read, go_write = os.pipe()
    done_read, done_write = os.pipe()

    def serve() -> None:
        os.read(go_read, 1)  # waits for the parent
        os.write(done_write, b"k")

    pid = fork(serve, close_in_child=[go_write, done_read])
    assert pid
    os.close(go_read)
    os.close(done_write)
    os.kill(pid, signal.SIGINT)  # as a Ctrl-C reaches the whole process group
    time.sleep(0.1)
    os.write(go_write, b"g")
    assert os.read(done_read, 1) == b"k"  # it lived through the interrupt
    assert os.read(done_read, 1) == b""  # and the parent's end was the only writer left
    assert _status(pid) == 0
    os.close(go_write)
    os.close(done_read)


def test_reap_with_kill_ends_a_child_that_would_wait_forever() -> None:
    never_read, never_write = os.pipe()
    pid = fork(lambda: os.read(never_read, 1), close_in_child=[never_write])
    assert pid
    started = time.monotonic()
    reap(pid, kill=True)
    assert time.monotonic() - started < 10
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, 0)  # reaped: no zombie left
    os.close(never_read)
    os.close(never_write)
