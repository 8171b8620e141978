"""The shell layer: source text in, command model (``Script``) out.

``parse_script`` is the only entry point (walk.py's ``parse``, then copies.py). As bash does, the
layer keeps its stages apart, one concern a module; a stage sees the walker only through a
Protocol of what it uses (named below, defined in its module), and no module imports back up:

    parser.py     tree-sitter adapter: text -> nodes, node -> Span (the only reader of trees)
    walk.py       abstract execution: statements, lists, pipelines, simple commands -> Command
    flow.py       if / case / loops / `&`: paths that meet after them      (FlowWalker)
    expand.py     words -> values: quotes, $VAR, ${K:=v}, braces, $(...)   (ExpandWalker)
    assign.py     assignments, export/declare/local/readonly, unset, set   (StateWalker)
    builtins.py   what read, printf -v, getopts, let, `for` assign (no nodes)
    redirs.py     redirects, here-docs, here-strings: a command's stdin    (RedirWalker)
    endless.py    the producers that never end (`tail -f`, `yes`, /dev/zero): one table
    functions.py  functions and aliases, bodies expanded at their calls    (FunctionWalker)
    unwrap.py     $VAR / alias heads; bash -c, eval, trap, ssh bodies      (UnwrapWalker)
    written.py    here-docs, echo/printf written to a file, walked where run (ScriptWalker)
    wrappers.py   the wrapper table: timeout, env, sudo, docker... peeled to the real argv
    gitoptions.py git's options whose value git runs (clone -u, rebase -x...): one table
    tclscript.py  expect's Tcl programs: the shell lines spawn/exec/system/send run
    scope.py      the value domain: State, Var, bounded value sets joined where paths meet
    words.py      quote removal and lookups on plain text
    runctx.py     how a statement is run (_Ctx: stdin, async, pipeline, loop, branch...)
    copies.py     codex under another name (`ln -s "$(command -v codex)" /tmp/cx`)
    model.py      the command model the rules read (Command, Word, Stdin, Context...)
    tslang.py, tsbound.py   tree-sitter loaded lazily, and a parse with a time bound

Where to look:
    what does `export -n` do?                 assign.py ``_declaration`` -> ``_unexport``
    where does a loop's stdin come from?      walk.py ``_redirected`` (`done < F`) and
                                              ``_pipeline`` (`cmd | while`), redirs.py
                                              ``base_stdin`` (`exec < F`); flow.py ``_while``
                                              marks it shared with a `read` in the condition
    what does `cat | codex` or `<&3` read?    redirs.py ``copied_stdin`` (from walk.py
                                              ``_pipeline``, and `< <(cat)`); `exec 3<&0`:
                                              redirs.py ``_descriptor_redirect``, State.shell_fds
    which stdin never reaches EOF?            endless.py (`tail -f log |`, `< /dev/zero`), marked
                                              by redirs.py ``fed_stdin`` as Stdin.endless
    which values has `$cmd` after an `if`?    scope.py ``meet`` / ``forks``; walk.py
                                              ``_command`` walks a command once per value
    what does `timeout 60 nohup codex` run?   wrappers.py ``peel``
    what runs in `bash -c '...'` or `eval`?   unwrap.py ``_nested_shell`` / ``_run_body``
"""

from __future__ import annotations

from guard.shell.model import Command, Script, Span, StdinKind, Word

__all__ = ["Command", "Script", "Span", "StdinKind", "Word", "parse_script"]

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from collections.abc import Callable

# walk.py's `parse` and copies.py's `resolve_codex_copies`, imported at the first parse and kept:
# not at the top (the stages import this package's model), and not at each parse (a `from` import
# in a function costs ~8,000 instructions on CPython 3.11).
_WALKERS: list[tuple[Callable[..., Script], Callable[[Script], Script]]] = []


def _walkers() -> tuple[Callable[..., Script], Callable[[Script], Script]]:
    from guard.shell.copies import resolve_codex_copies
    from guard.shell.walk import parse

    _WALKERS.append((parse, resolve_codex_copies))
    return _WALKERS[0]


def parse_script(
    text: str,
    *,
    dialect: str = "bash",
    line_offset: int = 0,
    column_offset: int = 0,
    values: tuple[tuple[str, str, int, str], ...] = (),
    closed_stdin: bool = False,
    xtrace: bool = False,
    stdin_stream: str | None = None,
    values_exported: bool = False,
    posix: bool = False,
) -> Script:
    """Parse shell text into the command model.

    Spans are 1-based and already shifted: a snippet that starts on line 12 of its file, column 5,
    passes ``line_offset=11, column_offset=4`` (the column offset applies to its first line only).
    Never raises on bad input: unparsable regions become ``Script.parse_errors``. ``values``:
    (name, value, file line) of variables the source knows before the text runs (a Makefile's
    `CODEX ?= codex`); a name given more than once may hold each value; ``values_exported``:
    they are the shell's environment too (Snippet.values_exported). ``closed_stdin``: the
    shell's own stdin is /dev/null (Snippet.closed_stdin); ``xtrace``: it starts under `set -x`
    (Snippet.xtrace); ``stdin_stream``: its stdin is a finite stream (Snippet.stdin_stream);
    ``posix``: it starts in bash's posix mode (Snippet.posix).
    """
    parse, resolve_codex_copies = _WALKERS[0] if _WALKERS else _walkers()
    script = parse(
        text,
        dialect=dialect,
        line_offset=line_offset,
        column_offset=column_offset,
        values=values,
        values_exported=values_exported,
        closed_stdin=closed_stdin,
        xtrace=xtrace,
        stdin_stream=stdin_stream,
        posix=posix,
    )
    return resolve_codex_copies(script)
