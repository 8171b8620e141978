"""The `codex-guard` console script.

The agent hook and the exec shim are routed before click (or anything heavy) is imported: the hook
runs in front of every shell command an agent starts (most never mention codex), the shim in front
of every codex run.
"""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # the hook and exec paths below import no typing
if TYPE_CHECKING:
    from typing import Any


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if (
        len(args) >= 2
        and args[0] == "hook"
        and args[1] in ("claude", "codex")
        and "--help" not in args
        and "-h" not in args  # help is click's (a hook call has no arguments at all)
    ):
        from guard.runtime.hook import run_hook

        return run_hook(args[1], sys.stdin, sys.stdout, sys.stderr)
    if args[:1] == ["exec"]:
        # In front of every codex a factory starts: no click, no lint front door on this path,
        # and a run already checked with nothing changed execs without the rules (fastexec).
        from guard.runtime.fastexec import exec_fast_main

        warm = exec_fast_main(args[1:])
        if warm is not None:
            return warm
        from guard.runtime.execshim import exec_main

        return exec_main(args[1:])
    if args[:1] == ["lint"]:
        from guard.regexcodes import seed_from_store

        seed_from_store()  # before anything compiles a pattern (guard/regexcodes.py)
        from guard.commands.lintargs import fast_lint_options

        options = fast_lint_options(args[1:])
        if options is not None:  # a plain command line: no click (see guard/commands/lintargs.py)
            return _lint_without_click(options)
    try:
        from guard.commands import app

        result = app.main(args=args, prog_name="codex-guard", standalone_mode=False)
        return int(result or 0)
    except KeyboardInterrupt:
        print("codex-guard: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the contract: no traceback ever reaches the user
        return _report_crash(exc)


def _lint_without_click(options: dict[str, Any]) -> int:
    """`run_lint` as click's `main(standalone_mode=False)` runs it, with the same answers to an
    interrupt (a blank line, then "aborted"), a closed stdout (exit 1, quietly) and a crash."""
    try:
        from guard.commands.lint import run_lint

        try:
            return int(run_lint(**options) or 0)
        except (EOFError, KeyboardInterrupt):
            print(file=sys.stderr, flush=True)
            print("codex-guard: aborted", file=sys.stderr)
            return 2
        except OSError as exc:
            import errno

            if exc.errno != errno.EPIPE:
                raise
            from click.utils import _PacifyFlushWrapper

            sys.stdout = _PacifyFlushWrapper(sys.stdout)  # type: ignore[assignment]
            sys.stderr = _PacifyFlushWrapper(sys.stderr)  # type: ignore[assignment]
            sys.exit(1)
    except Exception as exc:  # the contract: no traceback ever reaches the user
        return _report_crash(exc)


def _report_crash(exc: BaseException) -> int:
    answer = _click_answer(exc)
    if answer is not None:
        return answer
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if isinstance(exc, ImportError):  # a dependency missing from the install
        print(f"codex-guard: cannot run: {message} (reinstall codex-guard)", file=sys.stderr)
    else:
        print(f"codex-guard: internal error: {message}", file=sys.stderr)
    return 2


def _click_answer(exc: BaseException) -> int | None:
    """click's own answer to its exceptions; None for any other (and where click itself is
    missing: the crash is then reported without it)."""
    try:
        import click
    except ImportError:
        return None
    if isinstance(exc, click.exceptions.Exit):
        return int(exc.exit_code)
    if isinstance(exc, click.exceptions.Abort):
        print("codex-guard: aborted", file=sys.stderr)
        return 2
    if isinstance(exc, click.ClickException):
        exc.show()
        return int(exc.exit_code)
    return None


def console_main() -> None:
    """The `codex-guard` console script: `main`, then out without the interpreter's teardown.

    Why: after a lint the interpreter's finalization tears down ~130 modules and the run's objects
    (about 8 ms of a thousand-workflow run, where codex-guard is measured against actionlint);
    nothing in it is owed to the user. Everything that is owed runs first: the atexit functions
    (fastclass's cache of compiled `__init__`s), then stdout and stderr are flushed. The lint run
    has closed its store, its output file and its pool by then (`run_lint` returns after them).
    The cyclic collector is off while the process starts (it would re-walk the modules' objects
    as they load); `run_lint` turns it back on before the walk
    (guard/commands/lint.py `_collect_from_here`)."""
    import gc

    gc.disable()
    try:
        code = main()
    except SystemExit as exc:  # `sys.exit` below `main` (a closed stdout, click's own exits)
        code = _exit_status(exc.code)
    from guard.hookmain import leave

    leave(code, reader_gone=1)  # a closed stdout: as `_lint_without_click`, quietly 1


def _exit_status(code: object) -> int:
    """What the interpreter would exit with for `SystemExit(code)` (a text is printed, then 1)."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


if __name__ == "__main__":
    console_main()
