"""Producers that never end: what a pipe or a redirect from them hands on never reaches EOF.

One small table, read by the stdin stage (redirs.py, walk.py ``_piped_stdin``): the command model
marks such a stdin (``Stdin.endless``) and the rules decide what that means for codex, which
reads its stdin to EOF before it starts (codex-cli/FACTS.md, "the stdin hang"). Checked against
real bash and GNU coreutils: `tail -f log | cat`, `yes | cat`, `sleep infinity | cat`,
`cat < /dev/zero | cat` never end; `tail -n 5 log`, `tail log`, `echo x | tail -f` (POSIX: -f is
ignored on a pipe), `yes | head -3`, `timeout 5 tail -f x` and `tail -f log > out |` do.
Anything the table does not know is not endless: a false hang would refuse a run that works.
"""

from __future__ import annotations

from guard.lazyre import lazy_compile
from guard.shell.model import Command

# Devices whose reads never return EOF (`/dev/full` reads as zeros, like `/dev/zero`).
ENDLESS_DEVICES = frozenset({"/dev/zero", "/dev/urandom", "/dev/random", "/dev/full"})

# Wrappers that run the producer to its own end: none of them stops it (`timeout`, or a wrapper
# codex-guard does not know, may).
_UNBOUNDING_WRAPPERS = frozenset(
    {"path", "env", "nice", "ionice", "nohup", "stdbuf", "command", "exec", "sudo", "setsid"}
    | {"time"}
)

# tail's options (GNU): those taking a value, short and long, and the flags; `--pid` ends the
# follow when that process dies, so it is not here.
_TAIL_VALUE_LETTERS = frozenset("ncs")
_TAIL_FLAG_LETTERS = frozenset("fFqvz")
_TAIL_VALUE_LONG = frozenset({"--lines", "--bytes", "--sleep-interval", "--max-unchanged-stats"})
_TAIL_FLAG_LONG = frozenset({"--quiet", "--silent", "--verbose", "--zero-terminated", "--retry"})
_OBSOLETE_RE = lazy_compile(r"[-+][0-9]+[bcl]?f?")
_SLEEP_FOREVER = frozenset({"inf", "infinity"})  # GNU sleep, any case


def endless_output(cmd: Command) -> str | None:
    """What ``cmd`` is, briefly (``tail -f``, ``yes``), when its stdout never ends: it keeps the
    pipe it writes to open forever. None when it ends, or may, or is not known."""
    if cmd.stdout_redirect is not None or not cmd.argv or not cmd.argv[0].literal:
        return None
    if any(w.name not in _UNBOUNDING_WRAPPERS for w in cmd.wrappers):
        return None
    # A word the linter cannot read stands for a file name (`tail -f "$LOG"`), never for the
    # option that would make it end: the table reads only literal options.
    args = [w.text if w.literal else "" for w in cmd.argv[1:]]
    program = cmd.program
    if program == "yes":
        return "yes" if not {"--help", "--version"} & set(args) else None
    if program == "sleep":
        return "sleep infinity" if any(a.lower() in _SLEEP_FOREVER for a in args) else None
    if program == "tail":
        return "tail -f" if _tail_follows_forever(args) else None
    if program == "cat":
        device = next((a for a in args if a in ENDLESS_DEVICES), None)
        if device is not None:
            return f"cat {device}"
    return None


def endless_device(path: str) -> str | None:
    """``path`` itself, when reading it never reaches EOF (`< /dev/zero`)."""
    return path if path in ENDLESS_DEVICES else None


def _tail_follows_forever(args: list[str]) -> bool:
    """`tail -f FILE`, `-F`, `--follow[=name]`, `-fn 5`, the obsolete `-5f`: it follows a file
    (at least one operand that is not `-`: on a pipe POSIX has -f ignored) and nothing ends it."""
    follow = False
    operands: list[str] = []
    i = 0
    options_end = False
    while i < len(args):
        a = args[i]
        i += 1
        if options_end or a in ("", "-", "+") or not a.startswith(("-", "+")):
            operands.append(a)
        elif a == "--":
            options_end = True
        elif a.startswith("--"):
            name = a.split("=", 1)[0]
            if name == "--follow":
                follow = True
            elif name in _TAIL_VALUE_LONG:
                i += 0 if "=" in a else 1
            elif name not in _TAIL_FLAG_LONG:
                return False  # --pid, --help, an unknown option: it may end
        elif i == 1 and _OBSOLETE_RE.fullmatch(a):
            follow = a.endswith("f")  # the obsolete form, first word only: `-5f`, `+10lf`
        elif a[0] == "+":
            operands.append(a)  # past the first word, `+5` names a file
        elif a[1].isdigit():
            return False  # `-5` past the first word: an option tail rejects
        else:
            k = 1
            while k < len(a):
                letter = a[k]
                k += 1
                if letter in _TAIL_VALUE_LETTERS:
                    i += 0 if k < len(a) else 1  # `-n5` or `-n 5`
                    break
                if letter not in _TAIL_FLAG_LETTERS:
                    return False
                follow = follow or letter in "fF"
    return follow and any(op != "-" for op in operands)
