"""package.json `scripts`: each script a snippet, as npm, yarn, pnpm and bun run it.

`npm run NAME` (and `yarn NAME`, `pnpm run NAME`, `bun run NAME`) hands the script's string to
`sh -c` in the package's folder, stdin and the terminal inherited from whoever typed it or the CI
step that runs it: the same RunContext as a Makefile recipe or a justfile recipe (SCRIPT). The
env it adds is npm's own (`npm_package_*`, `npm_lifecycle_event`, `PATH` with
`node_modules/.bin`): no key, so the snippets carry no external env.

One snippet per script whose value is a string (anything else npm refuses to run: ignored),
placed on the string's own line and column; escapes in the JSON string (`\\"`, `\\u0063`) are
followed by jsonplaces.string_snippet, so a finding points at the word inside the string.
Duplicate keys: the last one counts, as JSON.parse keeps it.

`pre<name>` and `post<name>` run around `<name>` (npm; yarn 1): one after another on one machine,
so they are a session (Snippet.session, read by CG401): `npm run NAME` runs pre, NAME, post.
Besides, the scripts are one session plan that a person or a workflow runs script by script
(`npm run start`, later `npm run continue`), every one in the package's folder, as a Makefile's
targets are (makefile.py: read in file order): each script is a step of the file's own sequence
(FOLDER), in file order, so `--ephemeral` in one script and `codex exec resume` in a later one
is CG401, and a resume `--last` after a run with `-C .` in an earlier script is no CG403.

`npm run other` inside a script runs the other script in its own `sh -c`: each script is
linted on its own, so a codex run in `other` is reported where it is written, once. What the
caller adds is the env and stdin it gives `other`: each script snippet carries its name
(Snippet.script_name), and a key the caller's `npm run other` (`yarn other`, `pnpm other`...:
guard/shell/scriptruns.py) gets that reaches a codex run of `other` is CG101 at the caller;
env it loads from a file (`dotenv -e .env npm run other`) is CG103 there.

Directives: JSON has no comments, so a directive is a shell comment in a script, on its line
(`"fix": "codex exec --yolo ... # codex-guard: disable=CG303 -- throwaway VM"`): directive_view.
A `description` or any other string that spells one is data.

`lint-staged` (its config in package.json: glob -> a command or a list of commands) runs each
command on the staged files from a git hook: with no shell (string-argv splits it), the files as
arguments after its words, and stdin ignored (lint-staged 15.2.1 on: "so that they don't get
stuck waiting"). Each is a snippet of its words, its stdin /dev/null (Snippet.closed_stdin);
the files, words no rule reads, are left out (an added `"$@"` would be an expansion the file
reject cannot see).

Git hooks a package.json declares (`simple-git-hooks`, yorkie's `gitHooks`, husky 4's
`husky.hooks`: hook name -> a command line) run in `sh` when git runs the hook, with the stdin git
gives a hook: /dev/null, or the finite stream it feeds a few (detect.hook_stdin).

A file that is not JSON is CG901 at the syntax error (npm refuses it too); a top level that is
not an object, or `scripts` that is not one, holds no script.
"""

from __future__ import annotations

from collections.abc import Iterable

from guard.fastclass import replace
from guard.sources import jsonplaces
from guard.sources.detect import GIT_HOOK_NAMES, hook_stdin
from guard.sources.snippet import RunContext, Snippet


def _scripts(text: str) -> dict[str, tuple[int, int]]:
    """Each script's name -> (start, end) of its JSON string value (strings only, last wins)."""
    top = jsonplaces.top_level(text)
    if top is None:
        return {}
    scripts_at: int | None = None
    for key, start, _end in jsonplaces.members(text, top):
        if key == "scripts":
            scripts_at = start  # the last `scripts` key counts
    if scripts_at is None or not text.startswith("{", scripts_at):
        return {}
    found: dict[str, tuple[int, int]] = {}
    for name, start, end in jsonplaces.members(text, scripts_at):
        found.pop(name, None)  # a later duplicate replaces it (and keeps its own place)
        if text.startswith('"', start):
            found[name] = (start, end)
    return found


def _lint_staged(text: str) -> list[tuple[int, int]]:
    """(start, end) of each command string of the `lint-staged` member (the last one counts)."""
    top = jsonplaces.top_level(text)
    if top is None:
        return []
    config_at: int | None = None
    for key, start, _end in jsonplaces.members(text, top):
        if key == "lint-staged":
            config_at = start
    return _tasks(text, config_at)


def _tasks(text: str, config_at: int | None) -> list[tuple[int, int]]:
    """(start, end) of each command string of a lint-staged config at `text[config_at]`: an
    object whose values are a string or a list of strings (duplicate globs: the last)."""
    if config_at is None or not text.startswith("{", config_at):
        return []
    tasks: dict[str, list[tuple[int, int]]] = {}
    for glob, start, end in jsonplaces.members(text, config_at):
        tasks.pop(glob, None)
        if text.startswith('"', start):
            tasks[glob] = [(start, end)]
        elif text.startswith("[", start):
            found = jsonplaces.elements(text, start)
            tasks[glob] = [(a, b) for a, b in found if text.startswith('"', a)]
    return [place for places in tasks.values() for place in places]


# where a package.json declares git hooks: member, then the member inside it that holds them
_HOOK_CONFIGS = {"simple-git-hooks": (), "gitHooks": (), "husky": ("hooks",)}


def _git_hooks(text: str) -> list[tuple[str, int, int]]:
    """(hook name, start, end) of each hook command a package.json declares (the last of each
    member counts, as JSON.parse keeps it)."""
    top = jsonplaces.top_level(text)
    if top is None:
        return []
    configs: dict[str, int] = {}
    for key, start, _end in jsonplaces.members(text, top):
        if key in _HOOK_CONFIGS:
            configs[key] = start
    found: dict[tuple[str, str], tuple[int, int]] = {}
    for key, at in configs.items():
        for inner in _HOOK_CONFIGS[key]:
            if not text.startswith("{", at):
                break
            at = next((s for k, s, _e in jsonplaces.members(text, at) if k == inner), -1)
        if at < 0 or not text.startswith("{", at):
            continue
        for hook, start, end in jsonplaces.members(text, at):
            found.pop((key, hook), None)
            if hook in GIT_HOOK_NAMES and text.startswith('"', start):
                found[(key, hook)] = (start, end)
    return [(hook, start, end) for (_key, hook), (start, end) in found.items()]


# The file's own sequence: every script, in file order (the module's docstring).
FOLDER = "npm: the package's scripts"


def _folder_step(start: int, size: int) -> int:
    """A script's step in the file's own sequence (FOLDER): file order, below every step of an
    `npm run NAME` run (_sessions counts from 1). Where a resume `--last` has runs before it in
    both (guard/engine/sessionplan.py, runs_before, orders them by step), the newest is the one
    `pre<name>` ran just before it, not one merely written above it."""
    return start - size


def _sessions(names: list[str]) -> dict[str, tuple[tuple[str, int], ...]]:
    """`npm run NAME` runs `preNAME`, NAME, then `postNAME`: each a step of that run."""
    known = set(names)
    steps: dict[str, list[tuple[str, int]]] = {}
    for name in names:
        run = [(step, part) for step, part in ((1, "pre" + name), (2, name), (3, "post" + name))]
        present = [(step, part) for step, part in run if part in known]
        if len(present) < 2:
            continue
        for step, part in present:
            steps.setdefault(part, []).append((f"npm run {name}", step))
    return {name: tuple(pairs) for name, pairs in steps.items()}


def extract(text: str, path: str) -> list[Snippet]:
    jsonplaces.load(text, "JSON")  # a SourceError (CG901) at the syntax error
    scripts = _scripts(text)
    tasks = _lint_staged(text)
    hooks = _git_hooks(text)
    if not scripts and not tasks and not hooks:
        return []
    places = jsonplaces.Places(text)
    sessions = _sessions(list(scripts))
    found = [
        replace(
            jsonplaces.string_snippet(
                places,
                start,
                end,
                path,
                RunContext.SCRIPT,
                "sh",
                (*sessions.get(name, ()), (FOLDER, _folder_step(start, len(text)))),
            ),
            script_name=name,
        )
        for name, (start, end) in sorted(scripts.items(), key=lambda item: item[1])
    ]
    for start, end in tasks:
        snippet = jsonplaces.string_snippet(places, start, end, path, RunContext.SCRIPT, "sh")
        found.append(replace(snippet, closed_stdin=True))
    for hook, start, end in hooks:
        snippet = jsonplaces.string_snippet(places, start, end, path, RunContext.SCRIPT, "sh")
        closed, stream = hook_stdin(hook)
        found.append(replace(snippet, closed_stdin=closed, stdin_stream=stream))
    return found


def extract_lint_staged(text: str, path: str) -> list[Snippet]:
    """`.lintstagedrc` (JSON or YAML), `.lintstagedrc.json`, `.lintstagedrc.y[a]ml`: the config
    at the top level, each command run as a package.json's `lint-staged` ones are."""
    if is_json(text):
        jsonplaces.load(text, "JSON")
        places = jsonplaces.Places(text)
        return [
            replace(
                jsonplaces.string_snippet(places, start, end, path, RunContext.SCRIPT, "sh"),
                closed_stdin=True,
            )
            for start, end in _tasks(text, jsonplaces.top_level(text))
        ]
    import yaml

    from guard.sources.gitlab import _piece, _shell
    from guard.sources.yamlnodes import compose

    root = compose(text)
    if not isinstance(root, yaml.MappingNode):
        return []
    lines = text.split("\n")
    found: list[Snippet] = []
    for _glob, value in root.value:
        items = value.value if isinstance(value, yaml.SequenceNode) else [value]
        for item in items:
            if isinstance(item, yaml.ScalarNode) and str(item.value).strip():
                piece = _piece(item, lines)
                snippet = _shell([piece], path, {}, len(lines), (), RunContext.SCRIPT, "sh")
                found.append(replace(snippet, closed_stdin=True))
    return found


def is_json(text: str) -> bool:
    """A lint-staged rc file that is JSON (an object), not YAML."""
    return jsonplaces.top_level(text) is not None


def directive_view(text: str, snippets: Iterable[Snippet]) -> str:
    """The file as its directives see it: each script's decoded text on its own file line, at its
    column (the lines of a script with `\\n` escapes joined by ` ; `), every other line blank."""
    lines = [""] * (text.count("\n") + 1)
    for snippet in snippets:
        if 0 <= snippet.line_offset < len(lines):
            column = snippet.column_offset or (snippet.line_map[0][2] if snippet.line_map else 0)
            script = " ; ".join(snippet.text.split("\n"))
            line = lines[snippet.line_offset]  # scripts of a one-line file share it
            lines[snippet.line_offset] = (line + " ; " if line else "").ljust(column) + script
    return "\n".join(lines)
