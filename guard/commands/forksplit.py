"""The full checks of a run handed to a forked copy of this process, the rest done here.

Why: most files of a run never reach the engine (the keyword reject answers them from their text),
and a `ProcessPoolExecutor` costs more than it saves on a run of a thousand workflows: it pickles
every job out and every outcome back, and each worker imports the engine for the few files that
need it. Here this process walks and answers every file it can without the engine, and a child
made by `os.fork()` (a copy of this process: a millisecond or two, no re-import of what is
already imported) does the full checks: it imports the engine at its first one while this process
goes on with the walk, so this process never needs it while the child keeps up. The full checks
wait in a queue here and go to the child FEED at a time; once the walk is done, this process takes
some from the queue's end when many wait (HELP_AFTER). A child with nothing in hand takes the next
file whole (a run with few full checks shares the reject's work too).

Protocol: each child has a job pipe (frames of a pickled (number, job), then an empty frame: the
end) and an outcome pipe (frames of a pickled (number, path, outcome)), which this process drains
between files. This
process checks every frame against the job it names (the same number and path, an outcome of the
right type) and lints here every job no valid frame came back for: a child that dies, is killed,
cannot be forked or sends garbage costs time, never a file.

Outcomes are yielded in job order. A child is started, left and reaped as guard/forkchild.py does
for every helper (`os._exit`, SIGINT ignored, killed by the parent on the way out), and never
writes to the cache store: the parent's one writer stores what it found.
"""

from __future__ import annotations

import os
import select
import struct
from collections import deque
from collections.abc import Callable, Iterable, Iterator

try:  # pickle's own functions, without pickle.py's Python fallbacks (~1.4 ms of a lint's start)
    from _pickle import dumps, loads
except ImportError:  # an interpreter without the accelerator
    from pickle import dumps, loads

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the lint start-up does not import typing
if TYPE_CHECKING:
    from typing import Generic, TypeVar

    Job = TypeVar("Job")
    Outcome = TypeVar("Outcome")

    class _Generic(Generic[Job, Outcome]):
        pass

else:  # `ForkSplit[...]` is only ever written in annotations: no `typing` needed to run

    class _Generic:
        def __class_getitem__(cls, params):
            return cls

    Job = Outcome = None

# Full checks a child holds at a time (sent, not answered); the others wait in a queue here, so
# that this process can still take them. It does once the walk is done and HELP_AFTER of them
# wait (its first full check imports the engine, which costs about as much as that many checks
# of a workflow), or once it has done one: never while it has files of the walk to answer.
FEED = 2
HELP_AFTER = 24
MAX_PENDING = 4096  # outcomes held back for job order before this process waits for a child
_F_GETPIPE_SZ = 1032  # Linux fcntl: a pipe's capacity
_PIPE_BYTES_ASSUMED = 4096  # where it cannot be asked: POSIX's least PIPE_BUF
_FRAME = struct.Struct("<I")  # a frame's length, before its pickle
_PROTOCOL = -1  # pickle's highest (a negative protocol selects it)
_READ_BYTES = 1 << 16
_WAITING = object()  # a slot whose outcome a child owes


def usable_cpus() -> int:
    """The CPUs this process may run on (its affinity mask where the system has one)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def children_for(workers: int) -> int:
    """Children for `-j workers` (0 = one process per CPU): with this process, at most `workers`
    processes, and no more than there are CPUs to run them."""
    cpus = usable_cpus()
    processes = min(workers, cpus) if workers > 0 else cpus
    return max(0, processes - 1) if hasattr(os, "fork") else 0


class _Child:
    __slots__ = ("buffer", "capacity", "jobs", "outcomes", "owed", "pid")

    def __init__(self, pid: int, jobs: int, outcomes: int) -> None:
        self.pid = pid
        self.jobs = jobs  # write end of its job pipe; -1 once closed
        # Bytes of the jobs it owes never exceed what its job pipe holds: a write to it never
        # waits (a wait there while the child waits on its outcome pipe would be a deadlock).
        self.capacity = _pipe_capacity(jobs)
        self.outcomes = outcomes  # read end of its outcome pipe; -1 at its end
        self.buffer = bytearray()
        self.owed: dict[int, int] = {}  # job numbers sent and not yet answered: frame bytes


class ForkSplit(_Generic[Job, Outcome]):
    """`lint(job)` of every job, in job order: `front(job)` here first, and the jobs it leaves
    (None) to up to `children` forked children, or here when they are busy or gone."""

    def __init__(
        self,
        front: Callable[[Job], Outcome | None],
        lint: Callable[[Job], Outcome],
        path_of: Callable[[Job], str],
        outcome_type: type,
        children: int,
        child_done: Callable[[], object] | None = None,
        child_start: Callable[[], object] | None = None,
    ) -> None:
        self.front = front
        self.child_done = child_done  # run by a child after its last job, before it exits
        self.child_start = child_start  # run by a child before its first job
        self.lint = lint
        self.path_of = path_of
        self.outcome_type = outcome_type
        self.max_children = children
        self.children: list[_Child] = []
        self.forks_failed = False
        self.checked_here = False  # this process has done a full check (its engine is imported)
        # [number, job, outcome or _WAITING] in job order, from the oldest not yet yielded
        self.pending: deque[list[object]] = deque()
        self.owner: dict[int, _Child] = {}  # job number -> the child that owes its outcome
        self.queue: deque[tuple[int, Job]] = deque()  # full checks not yet sent to a child
        self.handed: list[int] = []  # job numbers `hand_over` gave away, in order
        self.number = 0
        self.full_checks = 0  # jobs the front left for a full check (not those sent whole)

    # --- this process ---------------------------------------------------------------------

    def run(self, jobs: Iterable[Job]) -> Iterator[Outcome]:
        """Every job's outcome in job order; children are killed however the run ends."""
        try:
            for job in jobs:
                yield from self.submit(job)
            yield from self.finish()
        finally:
            self.stop()

    def start(self) -> None:
        """Fork the first child now, before any job (it runs `child_start` while this process
        gets ready for the walk); without it, the first job forks it."""
        if not self.children and self.max_children > 0 and not self.forks_failed:
            self._fork()

    def submit(self, job: Job) -> Iterator[Outcome]:
        """Take one job; the outcomes now ready, in job order."""
        number = self.number
        self.number += 1
        outcome: object = None
        idle = None if self.queue else self._idle_child()
        if idle is None or not self._send(idle, number, job):  # else the child does it all
            outcome = self.front(job)
        if outcome is None and number not in self.owner:
            self.full_checks += 1
            self.queue.append((number, job))
        self.pending.append([number, job, _WAITING if outcome is None else outcome])
        self._drain(block=False)
        self._feed()
        while len(self.pending) > MAX_PENDING and self.pending[0][2] is _WAITING:
            self._wait_for(int(self.pending[0][0]))  # type: ignore[call-overload]
        return self._ready()

    def finish(self) -> Iterator[Outcome]:
        """The rest, in job order, once the children have answered (or are gone). While full
        checks wait, this process takes them from the end of the queue (the children take from
        its head) once there are HELP_AFTER of them or it has done one already."""
        while self.queue:
            # What the children sent since: `_feed` sends a child more only once its answers
            # are in (without this, a child that finished its FEED while this process took the
            # queue's end got nothing more, and this process did the whole queue alone).
            self._drain(block=False)
            self._feed()
            if not self.queue:
                break
            live = [c for c in self.children if c.outcomes >= 0 and c.owed]
            if not live or self.checked_here:
                self._here(*self.queue.pop())
            elif len(self.queue) >= HELP_AFTER:
                # This process's first full check loads the engine, as long as HELP_AFTER
                # checks take: the children get that many more first, to go on with meanwhile
                # (with FEED alone they would wait for it), and this process takes what is left.
                self._feed(extra=HELP_AFTER)
                if self.queue:
                    self._here(*self.queue.pop())
            else:
                self._wait_any(live)
        for child in self.children:
            self._end(child)  # the child ends after its last job
        while any(child.outcomes >= 0 for child in self.children):
            self._drain(block=True)
        self._reap(kill=False)
        for slot in self.pending:  # a child gone without an answer: lint it here
            if slot[2] is _WAITING:
                slot[2] = self.lint(slot[1])  # type: ignore[arg-type]
        yield from self._ready()

    def hand_over(self) -> list[Job]:
        """Stop feeding the children: the queued full checks, in job order, for the caller to
        lint elsewhere (`fill` their outcomes). The children's job pipes are closed here, before
        the caller starts other processes that would inherit them and keep a child waiting."""
        queued = [job for _number, job in self.queue]
        self.handed = [number for number, _job in self.queue]
        self.queue.clear()
        for child in self.children:
            self._end(child)
        return queued

    def _end(self, child: _Child) -> None:
        """Tell the child there are no more jobs, and close its job pipe. Told, not only closed:
        a process forked since (the walk's helper) may hold a copy of the pipe, and the child
        would then wait for an end of file that never comes while this process waits for it."""
        if child.jobs < 0:
            return
        try:
            _write_all(child.jobs, _FRAME.pack(0))  # an empty frame: no job can be one
        except OSError:  # the child is gone: what it owes is linted here
            self._lost(child)
            return
        os.close(child.jobs)
        child.jobs = -1

    def fill(self, outcome: Outcome) -> Iterator[Outcome]:
        """The outcome of the next handed-over job; the outcomes now ready, in job order."""
        slot = self._slot(self.handed.pop(0))
        if slot is not None and slot[2] is _WAITING:
            slot[2] = outcome
        self._drain(block=False)
        return self._ready()

    def stop(self) -> None:
        """However the run ends: no child left running, no pipe left open."""
        for child in self.children:
            for fd in (child.jobs, child.outcomes):
                if fd >= 0:
                    os.close(fd)
            child.jobs = child.outcomes = -1
        self._reap(kill=True)

    def _ready(self) -> Iterator[Outcome]:
        outcomes: list[Outcome] = []
        while self.pending and self.pending[0][2] is not _WAITING:
            outcomes.append(self.pending.popleft()[2])  # type: ignore[arg-type]
        return iter(outcomes)

    def _idle_child(self) -> _Child | None:
        """A child with nothing in hand (forked now if there is none yet): it takes the next job
        whole, as it comes from the walk, so a run with few full checks shares the rest too."""
        for child in self.children:
            if child.jobs >= 0 and not child.owed:
                return child
        if len(self.children) < self.max_children and not self.forks_failed:
            return self._fork()
        return None

    def _feed(self, extra: int = 0) -> None:
        """Send queued full checks to the children, FEED (and `extra`) at a time each; with no
        child that can take them (none could be forked, or all are gone), they are linted
        here."""
        if not self.queue:
            return
        for child in self.children:
            while self.queue and child.jobs >= 0 and len(child.owed) < FEED + extra:
                # The extra only while its pipe is at most half full: a job `_send` has no
                # room for is linted here, and here is where the queue's other end is.
                if len(child.owed) >= FEED and 2 * sum(child.owed.values()) > child.capacity:
                    break
                number, job = self.queue.popleft()
                if not self._send(child, number, job):
                    self._here(number, job)
        if self.queue and not any(c.jobs >= 0 for c in self.children):
            if len(self.children) < self.max_children and not self.forks_failed:
                self._fork()
                self._feed()
                return
            while self.queue:
                self._here(*self.queue.popleft())

    def _here(self, number: int, job: Job) -> None:
        """A full check in this process."""
        slot = self._slot(number)
        if slot is not None and slot[2] is _WAITING:
            slot[2] = self.lint(job)
            self.checked_here = True

    def _wait_any(self, children: list[_Child]) -> None:
        """Wait until one of the children sends something (or ends), and take it."""
        ready, _, _ = select.select([c.outcomes for c in children], [], [])
        for child in children:
            if child.outcomes in ready:
                self._drain_child(child, block=False)

    def _send(self, child: _Child, number: int, job: Job) -> bool:
        try:
            body = dumps((number, job), protocol=_PROTOCOL)
        except Exception:
            return False
        frame = _FRAME.pack(len(body)) + body
        # (room kept for the end frame: `_end` never waits either)
        if sum(child.owed.values()) + len(frame) + _FRAME.size > child.capacity:
            return False  # the pipe could fill: linted here
        try:
            _write_all(child.jobs, frame)
        except OSError:  # the child is gone: what it owes is linted here
            self._lost(child)
            return False
        child.owed[number] = len(frame)
        self.owner[number] = child
        return True

    def _wait_for(self, number: int) -> None:
        """Wait for the child that owes job `number` (lint it here if none can answer)."""
        for index, (queued, job) in enumerate(self.queue):
            if queued == number:  # not sent yet: done here
                del self.queue[index]
                self._here(number, job)
                return
        child = self.owner.get(number)
        if child is not None and child.outcomes >= 0:
            self._drain_child(child, block=True)
            return
        slot = self._slot(number)
        if slot is not None and slot[2] is _WAITING:
            slot[2] = self.lint(slot[1])  # type: ignore[arg-type]
        self.owner.pop(number, None)

    def _drain(self, *, block: bool) -> None:
        """Take what the children sent; a child that owes nothing is not asked (no system call
        per file while the keyword reject answers a long run of files here)."""
        for child in self.children:
            if child.outcomes >= 0 and (child.owed or block):
                self._drain_child(child, block=block)

    def _drain_child(self, child: _Child, *, block: bool) -> None:
        """Read what the child sent (with `block`, wait until it sends something or ends)."""
        if block:
            select.select([child.outcomes], [], [])
        ended = False
        while True:
            try:
                data = os.read(child.outcomes, _READ_BYTES)
            except BlockingIOError:
                break
            except OSError:
                data = b""
            if not data:
                ended = True
                break
            child.buffer += data
        if not self._frames(child):  # (frames first: `_lost` lints here what is still owed)
            self._give_up(child)
        elif ended:
            self._lost(child)

    def _frames(self, child: _Child) -> bool:
        """Take every whole frame off the child's buffer; False at one that does not check out
        (the caller then gives the child up, and lints here what it owes). Not only dropped:
        the child has answered that job and waits for more, so a wait for its answer (`finish`
        while few checks are queued, `_wait_for`) would never end."""
        buffer = child.buffer
        at = 0
        while len(buffer) - at >= _FRAME.size:
            (length,) = _FRAME.unpack_from(buffer, at)
            if len(buffer) - at - _FRAME.size < length:
                break
            body = bytes(buffer[at + _FRAME.size : at + _FRAME.size + length])
            at += _FRAME.size + length
            if not self._accept(child, body):
                del buffer[:]
                return False
        del buffer[:at]
        return True

    def _accept(self, child: _Child, body: bytes) -> bool:
        """Take the frame's outcome; False when it does not name a job the child owes, with
        that job's path and an outcome of the right type."""
        try:
            number, path, outcome = loads(body)
        except Exception:
            return False
        if not isinstance(number, int) or number not in child.owed:
            return False
        slot = self._slot(number)
        if slot is None or path != self.path_of(slot[1]):  # type: ignore[arg-type]
            return False
        if not isinstance(outcome, self.outcome_type):
            return False
        slot[2] = outcome
        child.owed.pop(number, None)
        self.owner.pop(number, None)
        return True

    def _slot(self, number: int) -> list[object] | None:
        if not self.pending:
            return None
        index = number - int(self.pending[0][0])  # type: ignore[call-overload]
        if 0 <= index < len(self.pending):
            return self.pending[index]
        return None

    def _lost(self, child: _Child) -> None:
        """The child's outcome pipe ended (or its job pipe broke): it answers nothing more."""
        for fd in (child.jobs, child.outcomes):
            if fd >= 0:
                os.close(fd)
        child.jobs = child.outcomes = -1
        self._settle_lost()

    def _give_up(self, child: _Child) -> None:
        """A child that sent a frame that does not check out is used no more: killed (it may be
        waiting for jobs on a pipe a later fork also holds, so closing it is no sure end), and
        what it owes is linted here."""
        import contextlib
        import signal

        if child.pid > 0:  # (-1 once reaped: os.kill(-1) would signal every process of ours)
            with contextlib.suppress(OSError):
                os.kill(child.pid, signal.SIGKILL)
        self._lost(child)

    def _settle_lost(self) -> None:
        """Lint here every job owed by a child that can no longer answer."""
        for child in self.children:
            if child.outcomes >= 0:
                continue
            for number in sorted(child.owed):
                slot = self._slot(number)
                if slot is not None and slot[2] is _WAITING:
                    slot[2] = self.lint(slot[1])  # type: ignore[arg-type]
                self.owner.pop(number, None)
            child.owed.clear()

    def _reap(self, *, kill: bool) -> None:
        from guard.forkchild import reap

        for child in self.children:
            reap(child.pid, kill=kill)
            child.pid = -1

    def _fork(self) -> _Child | None:
        from guard.forkchild import fork

        job_reader, job_writer = os.pipe()
        outcome_reader, outcome_writer = os.pipe()
        # The child keeps its own two ends; the earlier children's pipes are not its own.
        others = [fd for c in self.children for fd in (c.jobs, c.outcomes) if fd >= 0]

        def serve() -> None:
            if self.child_start is not None:
                self.child_start()
            _serve(self.lint, self.path_of, job_reader, outcome_writer)
            os.close(outcome_writer)  # its answers are all out: the parent goes on
            if self.child_done is not None:
                self.child_done()

        pid = fork(serve, close_in_child=[job_writer, outcome_reader, *others])
        if pid is None:
            for fd in (job_reader, job_writer, outcome_reader, outcome_writer):
                os.close(fd)
            self.forks_failed = True
            return None
        os.close(job_reader)
        os.close(outcome_writer)
        os.set_blocking(outcome_reader, False)  # `_drain_child` waits with select
        child = _Child(pid, job_writer, outcome_reader)
        self.children.append(child)
        return child


# --- the child -----------------------------------------------------------------------------


def _serve(
    lint: Callable[[Job], Outcome], path_of: Callable[[Job], str], jobs: int, outcomes: int
) -> None:
    """Lint each job that comes in and send its outcome, until the end frame (or the job
    pipe's end)."""
    reader = os.fdopen(jobs, "rb")
    while True:
        head = reader.read(_FRAME.size)
        if len(head) < _FRAME.size:
            return
        (length,) = _FRAME.unpack(head)
        if length == 0:
            return  # the parent's end frame (`ForkSplit._end`)
        body = reader.read(length)
        if len(body) < length:
            return
        number, job = loads(body)
        outcome = lint(job)
        reply = dumps((number, path_of(job), outcome), protocol=_PROTOCOL)
        _write_all(outcomes, _FRAME.pack(len(reply)) + reply)


def _pipe_capacity(fd: int) -> int:
    try:
        import fcntl

        return int(fcntl.fcntl(fd, _F_GETPIPE_SZ))
    except (ImportError, OSError):
        return _PIPE_BYTES_ASSUMED


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
