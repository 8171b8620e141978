"""Which package script a package manager's command runs (guard/shell/scriptruns.py)."""

from __future__ import annotations

import pytest

from guard.shell import parse_script
from guard.shell.scriptruns import package_script, package_scripts

RUNS = [
    ("npm run review", ("review", True)),
    ("npm run-script review -- --yolo", ("review", True)),
    ("npm -s run review --silent", ("review", True)),
    ("npm rum review", ("review", True)),
    ("npm test", ("test", True)),
    ("npm t", ("test", True)),
    ("cross-env FOO=1 npm run review", ("review", True)),
    ("env K=V /usr/bin/npm run review", ("review", True)),
    ("yarn review", ("review", False)),
    ("yarn run review", ("review", False)),
    ("pnpm review --no-color", ("review", False)),
    ("pnpm run review", ("review", False)),
    ("pnpm --silent review", ("review", False)),
    # bun runs preNAME and postNAME around a script, and `bun NAME` runs it when NAME is no
    # command of bun's own (bun.sh/docs/cli/run: "Bun respects lifecycle hooks", "bun <script>")
    ("bun run review", ("review", True)),
    ("bun review", ("review", True)),
    ("bun --silent review", ("review", True)),
    # a package runner or corepack running the package manager itself
    ("npx npm run review", ("review", True)),
    ("npx -y npm@10 run review", ("review", True)),
    ("npm exec -- npm run review", ("review", True)),
    ("pnpm dlx pnpm run review", ("review", False)),
    ("corepack pnpm run review", ("review", False)),
    ("corepack yarn@1.22.22 review", ("review", False)),
    ("corepack npm test", ("test", True)),
]
NOT_RUNS = [
    "npm install",
    "npm ci",
    "npm run",
    "npm run review -w app",  # npm reads its options up to `--`: another workspace's script
    "npm --prefix app run review",
    "npm exec review",
    "yarn install",
    "yarn --cwd app review",
    "yarn workspace app review",
    "pnpm install",
    "pnpm -r review",
    "pnpm --filter app review",
    "bun install",
    "bun x review",
    "bun test",
    "corepack enable",
    "npx npm install",
    "bun run --cwd app review",
    "npx review",
    'npm run "$X"',
    "echo npm run review",
]


@pytest.mark.parametrize(("line", "expected"), RUNS)
def test_the_script_a_command_runs(line: str, expected: tuple[str, bool]) -> None:
    command = parse_script(line, dialect="sh").commands[-1]
    assert package_script(command.argv) == expected


@pytest.mark.parametrize("line", NOT_RUNS)
def test_no_script_of_this_package(line: str) -> None:
    for command in parse_script(line, dialect="sh").commands:
        assert package_script(command.argv) is None, line


# npm-run-all, run-s, run-p: `npm run TASK` for each task, a name or a glob-like pattern
# (github.com/mysticatea/npm-run-all docs/npm-run-all.md: "'npm-run-all -p foo bar' is similar
# to 'npm run foo & npm run bar'"); `--` ends the tasks
RUN_ALL = [
    ("run-s lint review", (("lint", True), ("review", True))),
    ("run-p -l --max-parallel 2 review", (("review", True),)),
    (
        "npm-run-all -s lint -p 'review -- --fast' build:*",
        (("lint", True), ("review", True), ("build:*", True)),
    ),
    ("npm-run-all --npm-path npm review -- x", (("review", True),)),
    ("npx run-s review", (("review", True),)),
    ("npm run review", (("review", True),)),
    ("npm install", ()),
    ('run-s "$T"', ()),
]


@pytest.mark.parametrize(("line", "expected"), RUN_ALL)
def test_the_scripts_a_runner_of_scripts_runs(
    line: str, expected: tuple[tuple[str, bool], ...]
) -> None:
    command = parse_script(line, dialect="sh").commands[-1]
    assert package_scripts(command.argv) == expected
