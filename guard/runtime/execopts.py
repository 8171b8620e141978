"""The options of `codex-guard exec` (and of the PATH shim, from CODEX_GUARD_EXEC_OPTIONS).

Kept apart from the checks so the warm path (``guard/runtime/fastexec.py``) can read them without
importing the engine, the models or `dataclasses`.
"""

from __future__ import annotations

import shlex

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the warm path does not import typing
if TYPE_CHECKING:
    from collections.abc import Mapping

# guard.settings.LANES, restated so this module imports nothing of the package (a test keeps the
# two equal).
LANES = ("worker", "validator", "net-validator", "interactive")


class UsageError(Exception):
    """Bad `exec` options: exit 2 with one line."""


class ExecOptions:
    __slots__ = ("close_stdin", "config", "dry_run", "help", "lane", "scrub_env", "set_tmpdir")

    def __init__(self) -> None:
        self.lane: str | None = None
        self.scrub_env = False
        self.close_stdin = False
        self.set_tmpdir = False
        self.dry_run = False
        self.config: str | None = None
        self.help = False

    def key(self) -> str:
        """What of the options can change a decision (dry runs are never remembered)."""
        parts = (self.lane or "", self.scrub_env, self.close_stdin, self.set_tmpdir, self.config)
        return repr(parts)


def parse_exec_args(args: list[str]) -> tuple[ExecOptions, list[str]]:
    """`[options] -- codex ...`; the `--` may be left out when the command starts with no dash."""
    opts = ExecOptions()
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            return opts, args[i + 1 :]
        if not arg.startswith("-"):
            return opts, args[i:]
        name, eq, inline = arg.partition("=")
        if name in ("--lane", "--config"):
            if eq:
                value = inline
            elif i + 1 < len(args):
                i += 1
                value = args[i]
            else:
                raise UsageError(f"{name} needs a value")
            if name == "--lane":
                if value not in LANES:
                    raise UsageError(f"--lane must be one of {', '.join(LANES)}, not {value!r}")
                opts.lane = value
            else:
                opts.config = value
        elif arg == "--scrub-env":
            opts.scrub_env = True
        elif arg == "--close-stdin":
            opts.close_stdin = True
        elif arg == "--set-tmpdir":
            opts.set_tmpdir = True
        elif arg == "--dry-run":
            opts.dry_run = True
        elif arg in ("-h", "--help"):
            opts.help = True
        else:
            raise UsageError(f"unknown option {arg}")
        i += 1
    return opts, []


def shim_options_from_env(env: Mapping[str, str]) -> ExecOptions:
    """The PATH shim takes exec options from CODEX_GUARD_EXEC_OPTIONS (it has no argv for them)."""
    raw = env.get("CODEX_GUARD_EXEC_OPTIONS", "")
    if not raw.strip():
        return ExecOptions()
    try:
        words = shlex.split(raw)
    except ValueError as exc:  # `--lane 'worker`: an unclosed quote
        raise UsageError(f"cannot split {raw!r}: {exc}") from None
    opts, rest = parse_exec_args([*words, "--"])
    if rest:
        raise UsageError(f"unexpected {rest[0]!r}: it takes exec options only")
    return opts
