"""How the statement being walked is run: stdin, async, pipeline, loop, function..."""

from __future__ import annotations

from guard.fastclass import dataclass, field
from guard.shell.model import (
    LoopInfo,
    Stdin,
    Wrapper,
)

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from typing import Any, Protocol

    from guard.shell.model import Span
    from guard.shell.scope import State

    class TextWalker(Protocol):
        """The walk of shell text that is not a node of the file's tree (a function or alias
        body re-read, a written script, eval'd text): what the stages that hand text on need."""

        def run_text(
            self,
            text: str,
            lo: int,
            co: int,
            st: State,
            ctx: _Ctx,
            override: Span | None = None,
            *,
            report_errors: bool = True,
        ) -> None: ...


@dataclass(slots=True)
class _Ctx:
    """How the statement being walked is run. Treated as immutable: never assigned to after
    ``derive`` returns it (not frozen only because frozen dataclasses are slow to copy)."""

    stdin: Stdin = field(default_factory=Stdin)
    pre_async: Stdin | None = None  # the stdin an async list had before POSIX gave it /dev/null
    background: bool = False
    background_pipeline: bool = False
    in_pipeline: bool = False
    pos: int = 0
    pipe: tuple[int, int] | None = None  # (pipeline id, member) for pipeline_next patching
    cmdsubst: bool = False
    loop: LoopInfo | None = None
    function: str | None = None
    subshell: bool = False
    subshells: tuple[int, ...] = ()  # Context.subshells
    status_ignored: bool = False
    status_checked: bool = False
    depth: int = 0
    detached: bool = False
    wrappers: tuple[Wrapper, ...] = ()
    env_cleared: bool = False
    stdout: str | None = None
    branch: str = ""  # the branches whose values this command's words take (Command.branch)
    # The text a wrapper's body reads on ``stdin`` (`ssh host 'bash -s' <<EOF`): (that Stdin,
    # the script as _Redirs.script holds it). Only a command whose stdin is that very Stdin
    # (not a pipe, not /dev/null) reads it.
    stdin_script: tuple[Stdin, tuple[str, int, int, bool]] | None = None

    def derive(self, **changes: Any) -> _Ctx:
        """A copy with ``changes`` (hand-written: ``dataclasses.replace`` is the hot spot)."""
        new = _Ctx.__new__(_Ctx)
        new.stdin = self.stdin
        new.pre_async = self.pre_async
        new.background = self.background
        new.background_pipeline = self.background_pipeline
        new.in_pipeline = self.in_pipeline
        new.pos = self.pos
        new.pipe = self.pipe
        new.cmdsubst = self.cmdsubst
        new.loop = self.loop
        new.function = self.function
        new.subshell = self.subshell
        new.subshells = self.subshells
        new.status_ignored = self.status_ignored
        new.status_checked = self.status_checked
        new.depth = self.depth
        new.detached = self.detached
        new.wrappers = self.wrappers
        new.env_cleared = self.env_cleared
        new.stdout = self.stdout
        new.branch = self.branch
        new.stdin_script = self.stdin_script
        for name, value in changes.items():
            setattr(new, name, value)
        return new
