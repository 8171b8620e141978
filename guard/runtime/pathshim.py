"""The `codex` PATH shim: `codex-guard install-shim DIR` writes DIR/codex.

Put earlier on PATH than the real codex, it finds the real binary further along PATH (never itself
nor another shim, compared by real path and by the shim marker, so symlinks cannot make a loop)
and runs the exec checks (billing: the env and the login; full access: CG303; and the rest of the
rules) on every command that can reach a model: `exec`, `review`, interactive `codex [PROMPT]`,
`codex -- PROMPT`, `app-server`, `exec-server`, ... The grammar says which never do
(``guard.codex.grammar.reaches_model``: `--help`, `--version`, `login status`, `completion`,
`logout`, ...); only those, and a login that is not `--with-api-key`, go straight to the real codex.

A run already checked and allowed takes the warm path first (guard/runtime/fastexec.py), before the
grammar is imported: that is the common dispatch, and it must stay cheap.
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


def _pass_through(real: str, args: list[str]) -> int:
    try:
        os.execv(real, [real, *args])
    except OSError as exc:
        print(f"codex-guard shim: cannot run {real}: {exc.strerror}", file=sys.stderr)
    return 127


def never_reaches_model(real: str, args: list[str]) -> bool:
    """What the grammar of the installed codex says: this command starts no model session (and
    is not the API-key login, which the checks refuse)."""
    from guard.codex.grammar import reaches_model

    if locate.is_api_key_login(args):
        return False
    return not reaches_model(args, locate.installed_version(real))


def shim_main(self_path: str, args: list[str]) -> int:
    """The shim's body: the warm path, else pass through what reaches no model, else check."""
    real = locate.find_codex("codex", os.environ.get("PATH"), exclude=(self_path,))
    if real is None:
        print(f"codex-guard shim: no real codex found on PATH after {self_path}", file=sys.stderr)
        return 127
    try:
        from guard.runtime.execopts import UsageError, shim_options_from_env

        try:
            opts = shim_options_from_env(os.environ)
        except UsageError as exc:
            print(f"codex-guard shim: CODEX_GUARD_EXEC_OPTIONS: {exc}", file=sys.stderr)
            return 2
        from guard.runtime.fastexec import fast_exec

        try:
            warm = fast_exec(opts, [real, *args])
        except Exception:  # a surprise on the warm path is a miss: the full check decides
            warm = None
        if warm is not None:
            return warm
        if never_reaches_model(real, args):
            return _pass_through(real, args)
        from guard.runtime.execshim import run_exec

        return run_exec(opts, [real, *args], sys.stdout, sys.stderr)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        print(f"codex-guard shim: internal error: {first}: refusing", file=sys.stderr)
        return 2
