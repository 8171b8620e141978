"""Refresh the grammar from an installed codex, in one command (a developer tool):

    python -m guard.codex.capture PATH_TO_CODEX [--out guard/codex/help]

It runs ``--help`` of every modelled command (``codex``, ``exec``, ``exec resume``, ``exec
review``, ``exec fork``, ``login``) and tries the hidden and removed flags one by one (``codex
[SUB...] FLAG [VALUE] --help``: clap parses the whole argv before printing help, so a rejected flag
exits 2), then writes for review, under ``OUT/<version>/``:

* ``help-*.txt``: the help texts (what the tables are checked against, shipped in the wheel);
* ``hidden.txt``: each probed flag, per command, accepted or rejected;
* ``grammar-<version>.txt``: a proposed table (``FlagSpec`` lines read from the help, hidden flags
  from the probes) and the flags added and removed against the newest table in grammar.py.

Nothing is imported into the tables automatically: a person reads the diff, moves the table into
grammar.py and runs ``tests/codex`` (the help-agreement and real-binary tests) against it.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from guard.codex.grammar import (
    HELP_FILES,
    HELP_ROOT,
    NEWEST,
    FlagSpec,
    grammar_for,
    help_flags,
)

TIMEOUT = 30.0
VERSION_RE = re.compile(r"(\d+\.\d+\.\d+)")
# Flags FACTS.md found hidden or removed, tried on every command (with a value when they take one).
PROBES: Mapping[str, str | None] = {
    "--yolo": None,
    "--full-auto": None,
    "--ask-for-approval": "never",
    "--search": None,
    "--include-plan-tool": None,
    "--config-profile": "x",
    "--cd": "/tmp",
    "--sandbox": "read-only",
}
# The help line of an option: `  -s, --sandbox <SANDBOX_MODE>` or `      --json`.
_OPTION = re.compile(
    r"^ {2}(?:(?P<short>-[A-Za-z0-9]), )?(?P<long>--[A-Za-z0-9][A-Za-z0-9_-]*)"
    r"(?: <(?P<value>[^>]+)>(?P<multi>\.\.\.)?)?\s*$"
    r"|^ {6}(?P<long2>--[A-Za-z0-9][A-Za-z0-9_-]*)(?: <(?P<value2>[^>]+)>(?P<multi2>\.\.\.)?)?\s*$"
)
_CHOICES = re.compile(r"\[possible values: ([^\]]+)\]")


class CaptureError(Exception):
    """The codex given cannot be run or does not answer like the Codex CLI."""


def _run(codex: str, argv: Sequence[str], home: str) -> tuple[int, str]:
    # COLUMNS would re-wrap clap's help (the shipped texts are its default 100-column wrap).
    dropped = ("OPENAI_API_KEY", "CODEX_API_KEY", "COLUMNS", "LINES")
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env["CODEX_HOME"] = home
    try:
        proc = subprocess.run(
            [codex, *argv], stdin=subprocess.DEVNULL, capture_output=True, text=True,
            env=env, timeout=TIMEOUT, check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CaptureError(f"{codex} {' '.join(argv)}: {exc}") from None
    return proc.returncode, proc.stdout


def command_argv(path: str) -> list[str]:
    """The argv that reaches ``path`` (``exec fork`` needs its SESSION_ID)."""
    return [*path.split(), *(["SID"] if path == "exec fork" else [])]


def help_flag_specs(text: str) -> list[FlagSpec]:
    """The options of a clap ``--help`` text as FlagSpecs: names, value name, ``...``, choices."""
    specs: list[FlagSpec] = []
    lines = text.splitlines()
    for n, line in enumerate(lines):
        match = _OPTION.match(line)
        if match is None:
            continue
        long = match.group("long") or match.group("long2")
        value = match.group("value") or match.group("value2")
        multi = bool(match.group("multi") or match.group("multi2"))
        choices: tuple[str, ...] = ()
        for follow in lines[n + 1 :]:
            if _OPTION.match(follow) or (follow and not follow.startswith(" ")):
                break
            found = _CHOICES.search(follow)
            if found:
                choices = tuple(c.strip() for c in found.group(1).split(","))
        specs.append(FlagSpec(long, match.group("short"), value, choices=choices, multi=multi))
    return specs


@dataclass(frozen=True, slots=True)
class Capture:
    version: str
    helps: dict[str, str]  # help file name -> text
    probes: dict[str, dict[str, bool]]  # command path -> {flag: accepted}


def capture(codex: str) -> Capture:
    with tempfile.TemporaryDirectory() as home:
        code, out = _run(codex, ["--version"], home)
        found = VERSION_RE.search(out)
        if code != 0 or found is None:
            raise CaptureError(f"{codex} --version did not print a codex-cli version: {out!r}")
        helps: dict[str, str] = {}
        probes: dict[str, dict[str, bool]] = {}
        for name, path in HELP_FILES.items():
            code, text = _run(codex, [*command_argv(path), "--help"], home)
            if code != 0:
                raise CaptureError(f"codex {path} --help exited {code}")
            helps[name] = text
            probes[path] = {}
            for flag, value in PROBES.items():
                argv = [*command_argv(path), flag, *([value] if value else []), "--help"]
                probes[path][flag] = _run(codex, argv, home)[0] == 0
    return Capture(found.group(1), helps, probes)


def _spec_source(spec: FlagSpec) -> str:
    args = [repr(spec.long), repr(spec.short)]
    if spec.value is not None:
        args.append(repr(spec.value))
    if spec.choices:
        args.append(f"choices={spec.choices!r}")
    if spec.multi:
        args.append("multi=True")
    if spec.hidden:
        args.append("hidden=True")
    return f"    FlagSpec({', '.join(args)}),"


def proposed_table(result: Capture) -> str:
    """The review file: a FlagSpec list per command and the diff against the newest table."""
    newest = grammar_for(NEWEST)
    out = [
        f"# Proposed grammar for codex-cli {result.version}, captured by guard.codex.capture.",
        "# Review against FACTS.md and the real binary before it goes into grammar.py.",
        "",
    ]
    for name, path in HELP_FILES.items():
        specs = help_flag_specs(result.helps[name])
        seen = {n for s in specs for n in (s.long, s.short) if n}
        hidden = sorted(f for f, ok in result.probes[path].items() if ok and f not in seen)
        out.append(
            f"# codex {path or '(top level)'}: hidden but accepted: {', '.join(hidden) or '-'}"
        )
        out.append(f"{(path or 'top').replace(' ', '_').upper()} = (")
        out.extend(_spec_source(s) for s in specs)
        out.extend(_spec_source(FlagSpec(f, hidden=True)) for f in hidden)
        out.append(")")
        old = newest.command(path)
        before = old.visible_flag_names() if old is not None else frozenset()
        added = sorted(seen - before)
        removed = sorted(before - seen)
        out.append(
            f"# vs {NEWEST}: added {', '.join(added) or '-'}; removed {', '.join(removed) or '-'}"
        )
        out.append("")
    return "\n".join(out)


def write(result: Capture, out_root: Path) -> Path:
    folder = out_root / result.version
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in result.helps.items():
        (folder / name).write_text(text, encoding="utf-8")
    lines = [
        f"{path or '(top level)'}\t{flag}\t{'accepted' if ok else 'rejected'}"
        for path, flags in result.probes.items()
        for flag, ok in flags.items()
    ]
    (folder / "hidden.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / f"grammar-{result.version}.txt").write_text(proposed_table(result), encoding="utf-8")
    return folder


def visible_diff(result: Capture, version: str = NEWEST) -> dict[str, tuple[list[str], list[str]]]:
    """{command path: (added, removed)} of visible flags against the table of ``version``."""
    grammar = grammar_for(version)
    diff: dict[str, tuple[list[str], list[str]]] = {}
    for name, path in HELP_FILES.items():
        seen = help_flags(result.helps[name])
        spec = grammar.command(path)
        before = spec.visible_flag_names() if spec is not None else frozenset()
        diff[path] = (sorted(seen - before), sorted(before - seen))
    return diff


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m guard.codex.capture", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("codex", help="path to an installed codex binary")
    parser.add_argument("--out", type=Path, default=HELP_ROOT, help="default: guard/codex/help")
    args = parser.parse_args(argv)
    try:
        result = capture(args.codex)
        folder = write(result, args.out)
    except (CaptureError, OSError) as exc:
        print(f"capture: {exc}", file=sys.stderr)
        return 2
    print(f"codex-cli {result.version}: wrote {folder}")
    for path, (added, removed) in visible_diff(result).items():
        if added or removed:
            print(f"  {path or '(top level)'}: added {', '.join(added) or '-'}; "
                  f"removed {', '.join(removed) or '-'} (vs {NEWEST})")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
