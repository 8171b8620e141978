"""A package manager running a script of the package: `npm run NAME`, `yarn NAME`, `pnpm NAME`.

The command runs the `scripts.NAME` string of the package.json in its folder with `sh -c`, with
the env the command itself gets (and npm's own `npm_*` variables): a key the caller puts there
(`cross-env OPENAI_API_KEY=$K npm run review`) reaches a codex that script runs. This module only
says which script a command runs; the script's text is the package.json source's
(guard/sources/packagejson.py, Snippet.script_name) and the check that follows the env into it
is CG101's (guard/engine/checks/billing.py).

Forms read (each checked against its manual; npm 10 here with a recording `codex`: the caller's
env reaches `preNAME`, NAME and `postNAME`):
- npm: `run`, `run-script` and their aliases `rum`, `urn` (`npm help run-script`); `test`/`t`/
  `tst`, `start`, `stop`, `restart` run the script of that name; npm runs `preNAME` and
  `postNAME` around it;
- yarn (1 and berry): `yarn run NAME`, and `yarn NAME` for a NAME that is not one of yarn's own
  commands (classic.yarnpkg.com/en/docs/cli/run: "you can also omit run");
- pnpm: `pnpm run NAME` (`run-script`), and `pnpm NAME` "ONLY for scripts that do not share the
  same name as already existing pnpm commands" (pnpm.io/cli/run);
- bun: `bun run NAME`, and `bun NAME` for a NAME that is not one of bun's own commands; bun runs
  `preNAME` and `postNAME` around it (bun.sh/docs/cli/run: "Use bun <script> to execute these
  scripts", "Bun respects lifecycle hooks");
- any of these run by a package runner or corepack (`npx npm run NAME`, `npm exec -- npm run
  NAME`, `corepack pnpm run NAME`): guard/shell/wrappers.py peels the runner.
- npm-run-all, `run-s`, `run-p`: `npm run TASK` for each task named, with the command's env; a
  task is a script's name or a glob-like pattern of names whose `:` parts `*` does not cross
  (github.com/mysticatea/npm-run-all docs: "'npm-run-all -p foo bar' is similar to 'npm run foo
  & npm run bar'"; `build:* -- --watch`: the task's own args after its name); package_scripts.
A command that runs another package's script (`npm --prefix DIR`, `-w`/`--workspace`, `yarn --cwd`,
`pnpm -C`/`--dir`/`--filter`/`-r`, `bun --cwd`/`--filter`) or names the script with an expansion
is no script of this package: None.
"""

from __future__ import annotations

from guard.shell.model import Word

# Options that make the command run another package's scripts (or several packages')
_OTHER_PACKAGE = {
    "npm": frozenset({"--prefix", "-w", "--workspace", "--workspaces", "-ws", "-C"}),
    "yarn": frozenset({"--cwd"}),
    "pnpm": frozenset(
        {"-C", "--dir", "--filter", "-F", "-r", "--recursive", "-w", "--workspace-root"}
    ),
    "bun": frozenset({"--cwd", "--filter", "-F"}),
}
# Options of theirs that take the next word as their value
_VALUE_OPTIONS = {
    "npm": frozenset({"--loglevel", "--userconfig", "--cache", "--registry", "--script-shell"}),
    "yarn": frozenset({"--modules-folder", "--cache-folder", "--mutex", "--network-timeout"}),
    "pnpm": frozenset({"--reporter", "--loglevel", "--workspace-concurrency"}),
    "bun": frozenset({"--shell", "--bun-version"}),
}
_NPM_RUN = frozenset({"run", "run-script", "rum", "urn"})
_NPM_SHORTCUTS = {"test": "test", "t": "test", "tst": "test", "start": "start"}
_NPM_SHORTCUTS.update({"stop": "stop", "restart": "restart"})
# Their own commands, which a script of that name does not shadow (`yarn install` installs)
_YARN_COMMANDS = frozenset(
    {"add", "audit", "autoclean", "bin", "cache", "check", "config", "create", "dedupe", "dlx"}
    | {"exec", "generate-lock-entry", "global", "help", "import", "info", "init", "install"}
    | {"licenses", "link", "list", "login", "logout", "node", "npm", "outdated", "owner"}
    | {"pack", "patch", "plugin", "policies", "publish", "rebuild", "remove", "run", "search"}
    | {"set", "tag", "team", "unlink", "unplug", "up", "upgrade", "upgrade-interactive"}
    | {"version", "versions", "why", "workspace", "workspaces"}
)
_PNPM_COMMANDS = frozenset(
    {"add", "audit", "bin", "config", "create", "dedupe", "deploy", "dlx", "doctor", "env"}
    | {"exec", "fetch", "i", "import", "init", "install", "install-test", "it", "licenses"}
    | {"link", "list", "ln", "ls", "outdated", "pack", "patch", "patch-commit", "patch-remove"}
    | {"pm", "prune", "publish", "rb", "rebuild", "remove", "rm", "root", "run", "run-script"}
    | {"self-update", "server", "setup", "store", "un", "uninstall", "unlink", "up", "update"}
    | {"upgrade", "why"}
)
_BUN_COMMANDS = frozenset(
    {"run", "test", "x", "repl", "exec", "install", "i", "add", "a", "remove", "rm", "update"}
    | {"audit", "outdated", "link", "unlink", "publish", "patch", "patch-commit", "pm", "info"}
    | {"why", "build", "init", "create", "c", "upgrade", "feedback", "completions", "help"}
)


_RUN_ALL = frozenset({"npm-run-all", "npm-run-all2", "run-s", "run-p"})
_RUN_ALL_VALUES = frozenset({"--max-parallel", "--npm-path"})


def package_scripts(argv: tuple[Word, ...]) -> tuple[tuple[str, bool], ...]:
    """Each (NAME or pattern, whether `preNAME`/`postNAME` run around it) of the package scripts
    `argv` runs: package_script's one, or npm-run-all's tasks (see the module's doc)."""
    if argv and argv[0].text.rsplit("/", 1)[-1] in _RUN_ALL:
        return _run_all_tasks(argv)
    one = package_script(argv)
    return () if one is None else (one,)


def _run_all_tasks(argv: tuple[Word, ...]) -> tuple[tuple[str, bool], ...]:
    """npm-run-all's tasks: its words up to `--` that are no option, each `npm run`'s name (a
    task's own args follow its name in the word: `'review -- --fast'`). None of them when one
    is an expansion: which scripts it names is not known here."""
    tasks: list[tuple[str, bool]] = []
    skip = False
    for word in argv[1:]:
        if skip:
            skip = False
            continue
        text = word.text
        if text == "--":
            break
        if text.startswith("-"):
            skip = "=" not in text and text in _RUN_ALL_VALUES
            continue
        if not word.literal:
            return ()
        name = text.split(None, 1)[0] if text.strip() else ""
        if name:
            tasks.append((name, True))
    return tuple(tasks)


def is_pattern(name: str) -> bool:
    """An npm-run-all task that is a glob-like pattern of script names (`build:*`)."""
    return any(c in name for c in "*?[")


def pattern_matches(pattern: str, name: str) -> bool:
    """npm-run-all's match of a task pattern to a script name: `:` separates parts as `/` does
    in a glob (`*` and `?` stay in one part, `**` crosses them)."""
    import fnmatch
    import re

    parts = re.split(r"(\*\*|\*|\?)", pattern)
    out = []
    for part in parts:
        if part == "**":
            out.append(".*")
        elif part == "*":
            out.append("[^:]*")
        elif part == "?":
            out.append("[^:]")
        else:
            out.append(fnmatch.translate(part)[4:-3] if part else "")
    return re.fullmatch("".join(out), name) is not None


def package_script(argv: tuple[Word, ...]) -> tuple[str, bool] | None:
    """(NAME, whether `preNAME`/`postNAME` run around it) of the package script `argv` runs,
    or None for any other command (see the module's doc)."""
    if not argv or not all(w.literal for w in argv):
        return None
    program = argv[0].text.rsplit("/", 1)[-1]
    if program not in _OTHER_PACKAGE:
        return None
    words = _operands(program, [w.text for w in argv[1:]])
    if words is None or not words:
        return None
    first, rest = words[0], words[1:]
    if program == "npm":
        if first in _NPM_RUN:
            return (rest[0], True) if rest else None
        shortcut = _NPM_SHORTCUTS.get(first)
        return (shortcut, True) if shortcut else None
    if first == "run" or (program == "pnpm" and first == "run-script"):
        return (rest[0], program == "bun") if rest else None
    if program == "bun" and first not in _BUN_COMMANDS:
        return first, True
    if program == "yarn" and first not in _YARN_COMMANDS:
        return first, False
    if program == "pnpm" and first not in _PNPM_COMMANDS:
        return first, False
    return None


def _operands(program: str, words: list[str]) -> list[str] | None:
    """The command word and the script's name, skipping the package manager's options; None
    when an option makes it another package's. npm reads its options anywhere up to `--`
    (`npm run review -w app` runs app's); the others end theirs at the script's name."""
    found: list[str] = []
    skip = False
    for text in words:
        if skip:
            skip = False
            continue
        if text == "--":
            break
        if text.startswith("-") and (program == "npm" or len(found) < 2):
            name = text.split("=", 1)[0]
            if name in _OTHER_PACKAGE[program]:
                return None
            skip = "=" not in text and name in _VALUE_OPTIONS[program]
            continue
        if len(found) < 2:
            found.append(text)
        elif program != "npm":
            break
    return found
