"""The `codex-guard` console script.

The agent hook and the exec shim are routed before click (or anything heavy) is imported: the hook
runs in front of every shell command an agent starts (most never mention codex), the shim in front
of every codex run.
"""

from __future__ import annotations

import sys


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
    try:
        from guard.commands import app

        result = app.main(args=args, prog_name="codex-guard", standalone_mode=False)
        return int(result or 0)
    except KeyboardInterrupt:
        print("codex-guard: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the contract: no traceback ever reaches the user
        return _report_crash(exc)


def _report_crash(exc: BaseException) -> int:
    import click

    if isinstance(exc, click.exceptions.Exit):
        return int(exc.exit_code)
    if isinstance(exc, click.exceptions.Abort):
        print("codex-guard: aborted", file=sys.stderr)
        return 2
    if isinstance(exc, click.ClickException):
        exc.show()
        return int(exc.exit_code)
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    print(f"codex-guard: internal error: {message}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
