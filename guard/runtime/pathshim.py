"""The `codex` PATH shim: `codex-guard install-shim DIR` writes DIR/codex.

Put earlier on PATH than the real codex, it finds the real binary further along PATH (never itself
nor another shim, compared by real path and by the shim marker, so symlinks cannot make a loop),
runs the exec checks on `codex exec|e ...` and `codex login --with-api-key`, and hands every other
sub-command straight to the real codex.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from guard.runtime import locate

SHIM_TEMPLATE = """#!{python} -S
# codex-guard-shim: the `codex` PATH shim written by `codex-guard install-shim`.
# It runs the real codex found further along PATH, after codex-guard's exec checks.
# -S: no site start-up (see guard/runtime/sitepaths.py); the package folder is put on sys.path here.
import sys

sys.path.insert(0, {package_parent!r})
try:
    from guard.runtime.pathshim import shim_main
except ImportError:
    sys.stderr.write("codex-guard shim: the codex-guard package is not importable by {python}\\n")
    sys.exit(127)
sys.exit(shim_main(__file__, sys.argv[1:]))
"""


def shim_text(python: str | None = None) -> str:
    package_parent = str(Path(__file__).resolve().parent.parent.parent)
    return SHIM_TEMPLATE.format(python=python or sys.executable, package_parent=package_parent)


def install_shim(folder: Path, python: str | None = None, force: bool = False) -> Path:
    """Write an executable `codex` shim into `folder`; never overwrite a real codex."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / "codex"
    if target.exists() and not force and not locate.is_shim(str(target)):
        raise FileExistsError(f"{target} exists and is not a codex-guard shim (use --force)")
    tmp = folder / f".codex.{os.getpid()}.tmp"
    tmp.write_text(shim_text(python), encoding="utf-8")
    tmp.chmod(tmp.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    os.replace(tmp, target)
    return target


def shim_main(self_path: str, args: list[str]) -> int:
    """The shim's body: pass through, or check and exec."""
    real = locate.find_codex("codex", os.environ.get("PATH"), exclude=(self_path,))
    if real is None:
        print(f"codex-guard shim: no real codex found on PATH after {self_path}", file=sys.stderr)
        return 127
    if not (locate.is_exec_run(args) or locate.is_api_key_login(args)):
        try:
            os.execv(real, [real, *args])
        except OSError as exc:
            print(f"codex-guard shim: cannot run {real}: {exc.strerror}", file=sys.stderr)
            return 127
    try:
        from guard.runtime.execopts import UsageError, shim_options_from_env

        try:
            opts = shim_options_from_env(os.environ)
        except UsageError as exc:
            print(f"codex-guard shim: CODEX_GUARD_EXEC_OPTIONS: {exc}", file=sys.stderr)
            return 2
        from guard.runtime.fastexec import fast_exec

        warm = fast_exec(opts, [real, *args])
        if warm is not None:
            return warm
        from guard.runtime.execshim import run_exec

        return run_exec(opts, [real, *args], sys.stdout, sys.stderr)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"codex-guard shim: internal error: {first}", file=sys.stderr)
        return 2
