"""The snippets of one file that run one after another on one machine (Snippet.session).

A file is often several snippets that one machine runs in turn with one Codex home: the steps of
a GitHub job, a GitLab job's `script` then its `after_script`, a program's spawns, a justfile
recipe and the recipes it depends on (and a justfile's or a package.json's recipes in file order,
all run in the file's folder, as a Makefile's are), the fences of an agent's instructions. A
session one of them starts is on disk for the later ones, so a check can follow it there (CG401:
a run with `--ephemeral` that a later step resumes).

The lint front door makes one plan per file (`for_file`) and hands it to every snippet's run.
A snippet is read (parsed, its invocations built) once: when a check asks for the runs of a later
snippet before its own turn, the plan reads it then and keeps the result for that turn
(`prepared`). A file none of whose text can ask (no `ephemeral` anywhere: api.session_plan), or
whose snippets share no machine, has no plan: it costs nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence

from guard.engine.context import Invocation
from guard.engine.run import Prepared, prepare
from guard.findings import Location
from guard.settings import Settings
from guard.shell.model import Command, Script, Span
from guard.sources.snippet import Snippet

# Where a span of a snippet sits in the file: the lint front door's geometry (a dedented block's
# columns, joined pieces' lines, a program's one-line rendering clamped to its line).
Placer = Callable[[Snippet, Span], Location]
_MAX_SCRIPT_DEPTH = 8  # package scripts running package scripts, as deep as this
# A package manager's word (guard/shell/scriptruns.py: the commands that run a package script)
_RUNS_SCRIPTS = re.compile(r"\b(npm|yarn|pnpm|bun|run-s|run-p)\b")


class SessionPlan:
    """Which snippets of the file run after which (Snippet.session), and their runs."""

    def __init__(
        self,
        snippets: Sequence[Snippet],
        settings: Settings,
        place: Placer,
        sequences: dict[str, list[tuple[int, int]]],
    ) -> None:
        self._snippets = snippets
        self._settings = settings
        self._place = place
        self._sequences = sequences  # sequence -> [(step, snippet index)], by step
        self._index = {id(s): i for i, s in enumerate(snippets)}
        self._ahead: dict[int, Prepared | None] = {}  # read before their turn, kept for it
        self._runs: dict[int, tuple[Invocation, ...]] = {}  # the agent runs of each read snippet
        # package scripts (Snippet.script_name) by name, and the model of each one asked for
        self._scripts: dict[str, list[int]] = {}
        for index, snippet in enumerate(snippets):
            if snippet.script_name:
                self._scripts.setdefault(snippet.script_name, []).append(index)
        self._models: dict[int, Prepared | None] = {}
        self._read_scripts: dict[int, Script] = {}  # the model of each snippet read, by index

    @classmethod
    def for_file(
        cls, snippets: Sequence[Snippet], settings: Settings, place: Placer
    ) -> SessionPlan | None:
        """A plan when two steps of the file share a machine (the caller asked whether a check
        may want one: guard/engine/api.py, session_plan)."""
        sequences: dict[str, list[tuple[int, int]]] = {}
        for index, snippet in enumerate(snippets):
            for sequence, step in snippet.session:
                sequences.setdefault(sequence, []).append((step, index))
        shared = {
            name: sorted(steps)
            for name, steps in sequences.items()
            if len({step for step, _ in steps}) > 1
        }
        scripts = sum(1 for snippet in snippets if snippet.script_name)
        return cls(snippets, settings, place, shared) if shared or scripts > 1 else None

    def prepared(self, snippet: Snippet) -> Prepared | None:
        """The snippet's command model for its own turn: read now, or kept from a read ahead.
        A package script that runs another (`dotenv -e .env npm run review`) is read whatever
        words it holds: what it gives the script it runs is checked there (CG101, CG103)."""
        index = self._index.get(id(snippet))
        if index is None:
            return prepare(snippet, self._settings)
        if index in self._ahead:
            return self._ahead.pop(index)
        found = self._read(index)
        if found is None and snippet.script_name and _RUNS_SCRIPTS.search(snippet.text):
            found = self._model(index)
        return found

    def _read(self, index: int) -> Prepared | None:
        found = prepare(self._snippets[index], self._settings)
        if found is not None:
            self._read_scripts[index] = found[0]
        runs = found[1] if found is not None else ()
        self._runs[index] = tuple(
            inv for inv in runs if inv.command.seen_through is None and inv.is_run
        )
        return found

    def _runs_of(self, index: int) -> tuple[Invocation, ...]:
        if index not in self._runs:
            try:
                self._ahead[index] = self._read(index)
            except Exception:  # its own turn reads it again and reports the failure at its line
                self._runs[index] = ()
        return self._runs[index]

    def runs_after(self, snippet: Snippet) -> Iterator[tuple[Snippet, Invocation]]:
        """The agent runs of the snippets that run after `snippet` on its machine, in file
        order (a snippet read at most once)."""
        index = self._index.get(id(snippet))
        if index is None:
            return
        later: set[int] = set()
        for sequence, step in snippet.session:
            later.update(i for s, i in self._sequences.get(sequence, ()) if s > step)
        later.discard(index)
        for other in sorted(later):
            for inv in self._runs_of(other):
                yield self._snippets[other], inv

    def runs_before(self, snippet: Snippet) -> Iterator[tuple[Snippet, Invocation, Script]]:
        """The agent runs of the snippets that run before `snippet` on its machine, each with
        its snippet and that snippet's model (for the `cd`s before it), in the order they run."""
        index = self._index.get(id(snippet))
        if index is None:
            return
        earlier: set[tuple[int, int]] = set()
        for sequence, step in snippet.session:
            earlier.update((s, i) for s, i in self._sequences.get(sequence, ()) if s < step)
        for _step, other in sorted(earlier):
            if other == index:
                continue
            runs = self._runs_of(other)
            script = self._read_scripts.get(other)
            if script is None:
                continue
            for inv in runs:
                yield self._snippets[other], inv, script

    def script_runs(
        self, name: str, around: bool, depth: int = 0, seen: frozenset[str] = frozenset()
    ) -> Iterator[tuple[Snippet, Invocation, tuple[Command, ...]]]:
        """The codex invocations the package script `name` runs (and `pre<name>`/`post<name>`
        when `around`: npm), each with its snippet and the `npm run` commands of scripts it
        runs through on the way (a script that runs another: `ci` -> `check` -> `review`)."""
        from guard.shell.scriptruns import is_pattern, package_scripts, pattern_matches

        if is_pattern(name):  # an npm-run-all task `build:*`: each script it matches
            for matched in [n for n in self._scripts if pattern_matches(name, n)]:
                yield from self.script_runs(matched, around, depth, seen)
            return
        names = (f"pre{name}", name, f"post{name}") if around else (name,)
        for script_name in names:
            if script_name in seen or depth > _MAX_SCRIPT_DEPTH:
                continue
            for index in self._scripts.get(script_name, ()):
                model = self._model(index)
                if model is None:
                    continue
                script, invocations = model
                snippet = self._snippets[index]
                for inv in invocations:
                    if inv.command.seen_through is None:
                        yield snippet, inv, ()
                for command in script.commands:
                    for called in package_scripts(command.argv):
                        inner = self.script_runs(*called, depth + 1, seen | {script_name})
                        for found, inv, via in inner:
                            yield found, inv, (command, *via)

    def _model(self, index: int) -> Prepared | None:
        """A package script's command model, read whatever words it holds (`"check": "npm run
        review"` names no codex); None when it cannot be read (its own turn reports why)."""
        if index not in self._models:
            try:
                found = prepare(self._snippets[index], self._settings, always=True)
            except Exception:
                found = None
            self._models[index] = found
        return self._models[index]

    def place(self, snippet: Snippet, span: Span) -> Location:
        return self._place(snippet, span)
