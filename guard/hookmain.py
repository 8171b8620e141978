"""The agent hook's entry point, run as a script: `hook install` writes
`'<venv>/bin/python' -E -P -S '<package>/guard/hookmain.py' claude|codex` (absolute paths).

Why a script and these flags: the agent runs the hook with its own PATH, which need not hold the
venv, so the command names the interpreter and this file absolutely. pip's console-script wrapper
imports `re` before anything else (a third of a bare start-up); `-m` imports runpy. `-E` keeps
PYTHON* variables of the agent's environment out, `-P` keeps this file's folder off sys.path, and
`-S` skips site-packages and their .pth files: the keyword reject needs neither, and
guard/runtime/hook.py adds them before it needs a dependency (guard/runtime/sitepaths.py: a plain
venv's folders directly, anything else by `site.main()`).
"""

import sys


def _package_root() -> str:
    """The folder that holds `guard/` (this file is `<root>/guard/hookmain.py`)."""
    import os  # already loaded by the interpreter's start-up: free

    return os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main() -> int:
    # One command a process: the cyclic collector would only re-walk the ~130 modules' objects
    # while they load (~3 ms of CPU on a codex check); reference counting still frees all else,
    # so memory stays bound by the one command's size.
    import gc

    gc.disable()
    root = _package_root()
    if root not in sys.path:
        sys.path.insert(0, root)
    try:
        from guard.runtime.hook import main as hook_main
    except BaseException as exc:  # no traceback for the agent to show: deny, in both contracts
        return _deny_broken(exc)
    return hook_main(bundle_root=root)


def _deny_broken(exc: BaseException) -> int:
    """The package cannot be imported (moved, half-installed): refuse the command in both agents'
    contracts (JSON deny on stdout, exit 2 with the reason on stderr)."""
    reason = f"codex-guard hook: cannot start ({type(exc).__name__}: {exc}); reinstall the hook"
    reason = "".join(c if c.isprintable() and c not in '"\\' else " " for c in reason)
    for stream, text in (
        (
            sys.stdout,
            '{"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "deny", '
            f'"permissionDecisionReason": "{reason}"}}}}\n',
        ),
        (sys.stderr, reason + "\n"),
    ):
        try:
            stream.write(text)
            stream.flush()
        except BaseException:  # a closed or broken stream: exit 2 still denies
            pass
    return 2


def leave(code: int, *, reader_gone: int = 120) -> None:
    """Leave without the interpreter's finalization: after a codex check that tears down ~130
    modules and collects their objects, ~5 ms of CPU for nothing (the agent waits for the exit).
    The answer is flushed and the atexit functions (fastclass's cache of compiled `__init__`s)
    run first; every cache file is written and closed by then (guard/runtime/private.py).
    Here, in the one module that imports nothing else of the package: the hook leaves this way
    even when the package cannot be imported. guard/cli.py's console script leaves this way too
    (`reader_gone`: the exit code when stdout's reader is gone, as its lint says it)."""
    import atexit
    import os

    try:
        atexit._run_exitfuncs()
    finally:
        for stream in (sys.stdout, sys.stderr):
            try:
                if stream is not None:
                    stream.flush()
            except BrokenPipeError:
                code = code or reader_gone
            except BaseException:  # as Python's own exit: the answer may be lost, say so by 120,
                code = code or 120  # but a deny's exit 2 (the reason went to stderr) stays a deny
        os._exit(code)


if __name__ == "__main__":
    leave(main())
