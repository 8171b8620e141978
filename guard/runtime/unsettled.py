"""What the hook and `check` cannot settle in one command line, refused under `hook.fail-closed`.

`lint` reads a script that a person reviews; the runtime doors answer for a command that is about
to run, and under `hook.fail-closed: true` anything whose effect on codex they cannot know is a
refusal. Two kinds go beyond the rules `lint` shares with the doors:

- codex seen through a command codex-guard does not know (`agent-run --timeout 900 -- codex exec
  ...`, `Command.seen_through`): the unknown command may add a key to codex's env or feed its
  stdin, so its env and stdin cannot be settled, whatever its argv says;
- shell text that cannot be seen before it runs and is handed to a shell (`eval "$CMD"`,
  `bash -c "$CMD"`, `sh -c "$(cat f)"`, `source "$F"`, `. "$F"`): it may start codex with any
  env, as `... | bash` may (which the engine reports itself, `Command.unseen_script`).

Both are CG902 findings (what the check could not see), made here from the command model so that
`lint`, which reports CG902 only where codex is in play, does not change.
"""

from __future__ import annotations

from guard.engine.context import Hit
from guard.findings import Finding
from guard.settings import Settings
from guard.shell.model import Command, Script
from guard.shell.sinks import PROMPT
from guard.shell.unwrap import ENV_RUNNERS
from guard.shell.wrappers import INTERPRETERS, OPTION_RUNNERS, OTHER_SHELLS, SHELLS, basename

UNSETTLED_RULE = "CG902"
# Programs that run the text or the file they are given in a shell: its words become commands.
# (`trap TEXT SIG` runs it later in this shell; `mapfile -C TEXT`, `compgen -C TEXT` and
# `compgen -F NAME` run it as a callback: wrappers._builtin_callback; sed's `e` runs its pattern
# space: wrappers._sed_commands)
_TEXT_RUNNERS = (
    SHELLS | OTHER_SHELLS | {"eval", "trap", "mapfile", "readarray", "compgen", "sed", "gsed"}
)
_FILE_RUNNERS = frozenset({"source", "."})
# Wrappers that build a command's words from their input or from the files they find.
_INPUT_FEEDERS = frozenset({"xargs", "parallel", "find"})


def unsettled_findings(
    script: Script, settings: Settings, path: str, scripts: frozenset[str] = frozenset()
) -> list[Finding]:
    """CG902 for every codex seen through an unknown command, every unseen shell text, and every
    run of a program in `scripts` (a script on this machine that names codex)."""
    from guard.engine.registry import load_rules
    from guard.engine.run import rule_enabled, to_finding
    from guard.sources.snippet import RunContext

    rule = load_rules(settings.rules_dirs).get(UNSETTLED_RULE)
    if rule is None or not rule_enabled(rule, settings, RunContext.AGENT):
        return []
    hits = [
        *_seen_through_hits(script, settings),
        *_unseen_text_hits(script),
        *_script_hits(script, scripts),
        *_startup_file_hits(script),
    ]
    return [to_finding(rule, hit, path, settings) for hit in hits]


def _seen_through_hits(script: Script, settings: Settings) -> list[Hit]:
    hits: list[Hit] = []
    for command in script.commands:
        carrier = command.seen_through
        if command.program != "codex" or carrier is None or not _carried_line(command, settings):
            continue
        hits.append(
            Hit(
                span=command.span,
                message=f"codex is started through `{carrier}`, a command codex-guard does not "
                f"know: what `{carrier}` does to codex's environment and stdin cannot be settled "
                "(it may add an API key), so the command is refused under hook.fail-closed",
                fix=f"run codex by name, or start it through the exec shim inside `{carrier}`: "
                f"{carrier} ... -- codex-guard exec -- codex exec ...",
                params={"command": carrier},
            )
        )
    return hits


def _carried_line(command: Command, settings: Settings) -> bool:
    """The engine's reading (guard/engine/run.py): a codex command line, not `--service codex
    --region us` (an interactive codex given flags codex does not have)."""
    from guard.codex.call import Subcommand
    from guard.codex.parse import parse_codex_argv

    call = parse_codex_argv(command.argv, version=settings.codex_version, span=command.span)
    return call.subcommand is not Subcommand.INTERACTIVE or not call.unknown


def _startup_file_hits(script: Script) -> list[Hit]:
    """A write to a shell start-up file (`echo 'export PATH=/tmp/x:$PATH' >> ~/.bashrc`): every
    later shell the agent starts runs it first, so a later `git ...` may run codex."""
    from guard.engine.writes import script_writes
    from guard.reject import SHELL_STARTUP_FILES

    hits: list[Hit] = []
    for write in script_writes(script, ["."]):
        target = write.target.strip("'\"")
        if not any(target.endswith(name) for name in SHELL_STARTUP_FILES):
            continue
        first = write.command.text.splitlines()[0] if write.command.text else target
        hits.append(
            Hit(
                span=write.command.span,
                message=f"`{first[:60]}` writes {target}, which every later shell runs before "
                "its command: it can change what a later command line runs (PATH, aliases, "
                "functions) where no check of that line can see it, so the command is refused "
                "under hook.fail-closed",
                fix="make the change in the one command that needs it (`PATH=... cmd`), or ask "
                "the person to edit their shell start-up file",
                params={"command": first[:60]},
            )
        )
    return hits


def _script_hits(script: Script, scripts: frozenset[str]) -> list[Hit]:
    hits: list[Hit] = []
    for command in script.commands:
        if not command.argv or command.argv[0].text not in scripts:
            continue
        program = command.argv[0].text
        hits.append(
            Hit(
                span=command.span,
                message=f"`{program}` is a script on this machine that names codex: what it "
                "starts, and with which environment, cannot be settled from this command line, "
                "so the command is refused under hook.fail-closed",
                fix="run codex by name (or through `codex-guard exec --`) so the hook can read it",
                params={"command": program},
            )
        )
    return hits


def _unseen_text_hits(script: Script) -> list[Hit]:
    hits: list[Hit] = []
    dynamic = {c.index for c in script.dynamic_commands}
    for command in script.commands:
        how = _unseen_text(command, dynamic)
        if how is None:
            continue
        first = command.text.splitlines()[0] if command.text else how
        hits.append(
            Hit(
                span=command.span,
                message=f"`{first[:60]}` {how}: it may start codex with any environment, so "
                "the command is refused under hook.fail-closed",
                fix="run the command the text holds directly, so the hook can read it",
                params={"command": first[:60]},
            )
        )
    return hits


def _unseen_text(command: Command, dynamic: set[int]) -> str | None:
    """What `eval`, a shell or `source` runs when its text or file is not literal: None when
    it is (the walker read it) or the engine reports it already (`... | bash`)."""
    if not command.argv or command.unseen_script is not None:
        return None
    program = basename(command.argv[0].text)
    if command.index in dynamic and any(w.name == PROMPT for w in command.wrappers):
        # `PS4=$(cat f); set -x`, `${y@P}`: a prompt's `$(...)` runs (guard/shell/sinks.py)
        return "expands text as a prompt that cannot be seen before it runs (its `$(...)` run)"
    if command.index in dynamic and not command.argv[0].literal:
        return "names its program only when it runs"  # `$(cat cmd.txt) --yolo`
    if (program in _TEXT_RUNNERS or program in OPTION_RUNNERS) and command.index in dynamic:
        return "runs shell text that cannot be seen before it runs"
    if program in ENV_RUNNERS and command.index in dynamic:
        # `LESSOPEN="$x" less f`, `man -P "$x" ls` (shell/unwrap.py _env_runs)
        return "runs a command its environment or options hold that cannot be seen before it runs"
    if program in INTERPRETERS and command.index in dynamic:
        # `python3 -c "__import__('os').system('codex ...')"`: wrappers.may_spawn_codex
        return "runs code that names codex and starts a process in a way that cannot be read"
    if program == "git" and command.index in dynamic:
        # `git config alias.x "!$X"`, `git -c core.pager="$P"` (guard/shell/gitruns.py)
        return "runs a command its settings or environment hold that cannot be seen before it runs"
    if program in _FILE_RUNNERS and len(command.argv) > 1 and not command.argv[1].literal:
        return "runs a shell file named only when it runs, whose text cannot be seen"
    if program in SHELLS:
        feeder = _text_from_input(command)
        if feeder is not None:
            return f"runs shell text that `{feeder}` reads from its input"
        operand = next((w for w in command.argv[1:] if not w.text.startswith("-")), None)
        if operand is not None and not operand.literal and "-c" not in _words(command):
            return "runs a shell file named only when it runs, whose text cannot be seen"
    if program == "parallel" and all(w.text.startswith("-") for w in command.argv[1:]):
        return "runs every line of its input as a command"
    return None


def _words(command: Command) -> list[str]:
    return [w.text for w in command.argv]


def _text_from_input(command: Command) -> str | None:
    """The `xargs`/`parallel`/`find` that builds a shell's `-c` text from its input or the
    files it finds (`xargs -I{} sh -c '{}'`, `xargs sh -c`), or None."""
    words = [w.text for w in command.argv]
    if "-c" not in words:
        return None
    body = words[words.index("-c") + 1] if words.index("-c") + 1 < len(words) else None
    for wrapper in command.wrappers:
        if wrapper.name not in _INPUT_FEEDERS:
            continue
        if body is None or any(r in body for r in _replace_strings(wrapper.args)):
            return wrapper.name
    return None


def _replace_strings(args: tuple[str, ...]) -> set[str]:
    """`{}` (find, parallel, `xargs -i`), and what `xargs -I R` / `--replace=R` names."""
    found = {"{}"}
    for i, arg in enumerate(args):
        if arg == "-I" and i + 1 < len(args):
            found.add(args[i + 1])
        elif arg.startswith("-I") and len(arg) > 2:
            found.add(arg[2:])
        elif arg.startswith(("--replace=", "-i")) and "=" in arg:
            found.add(arg.split("=", 1)[1])
    return {r for r in found if r}
