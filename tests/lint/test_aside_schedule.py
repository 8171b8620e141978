"""Who looks at a batch of a walk handed aside (guard/sources/walk.py `to_parent`): the parent
when it is about to run out of work, by a counter it shares with the walking child."""

from __future__ import annotations

import os

import guard.sources.walk as walk


def test_the_parent_is_handed_a_batch_only_when_it_is_about_to_run_out() -> None:
    """`walk.to_parent`: with the shared counter, a batch goes to the parent while it has
    taken all but `PARENT_BACKLOG` of the messages sent (so it is never without work for
    long, and never holds a backlog the walk's end waits on); without one, every other."""
    progress = walk.Progress.shared()
    assert progress is not None
    assert progress.taken() == 0
    assert walk.to_parent(1, 0, progress)  # nothing sent yet: the parent waits
    assert walk.to_parent(2, 1, progress)  # one in hand: the next one waits for it
    assert not walk.to_parent(3, 2, progress)  # two: the child looks at this one itself
    progress.took(2)
    assert walk.to_parent(4, 3, progress)  # the parent caught up
    assert [walk.to_parent(n, n - 1, None) for n in range(1, 5)] == [False, True, False, True]


def test_the_counter_is_shared_with_a_forked_child() -> None:
    """What the parent writes after the fork is what the child reads (one shared mapping, not
    a copy): the child's schedule follows the parent's progress."""
    progress = walk.Progress.shared()
    assert progress is not None
    ready_read, ready_write = os.pipe()
    answer_read, answer_write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: wait for the parent's write, then say what it reads
        try:
            os.read(ready_read, 1)
            os.write(answer_write, str(progress.taken()).encode())
        finally:
            os._exit(0)
    try:
        progress.took(41)
        os.write(ready_write, b"x")
        assert os.read(answer_read, 16) == b"41"
    finally:
        os.waitpid(pid, 0)
        for fd in (ready_read, ready_write, answer_read, answer_write):
            os.close(fd)


def test_no_walk_is_handed_aside_while_another_thread_runs() -> None:
    """A fork copies only the forking thread: with another one running (a lock it holds would
    stay held in the child) the walk is not handed aside. Asked of `_thread` (threading is not
    imported for it), the same answer as `threading.active_count() > 1`."""
    import threading

    candidates = iter([walk.Candidate("a.sh", explicit=False, real="/a.sh")])

    class _Look:
        def __call__(self, batch: list[walk.Candidate]) -> tuple[list[object], object]:
            return [None] * len(batch), None

        def left(self, batch: list[walk.Candidate]) -> object:
            return None

    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:
        assert threading.active_count() > 1
        assert walk.walk_aside(candidates, _Look()) is None
    finally:
        release.set()
        other.join()
    assert threading.active_count() == 1
    rest = walk.walk_aside(candidates, _Look())
    assert rest is not None  # no other thread: handed aside
    assert [c.path for c, _answer in rest] == ["a.sh"]
