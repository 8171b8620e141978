"""A CI system's env values are what `$NAME` holds in the step's shell (Snippet.values).

GitHub Actions hands a workflow's, job's and step's `env:` to the `run:` shell, GitLab its global
and job `variables:`, and the other CI readers (guard/sources/ciyaml.py) their own env: a codex
command kept in such a value (`RUNNER: codex exec --yolo`, then `$RUNNER "fix"`) is a codex run,
as a Dockerfile `ENV` or a Makefile variable already is. Each file is linted by the real CLI and
every finding asserted (rule, line, column); a value that only mentions codex stays silent, a
value the system fills in itself (`${{ }}`, GitLab's `$OTHER`) is unknown, and what each shell
runs is checked against bash with a recording stand-in `codex` on PATH.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.sources.test_ci_yaml import lint, places, related, write
from tests.sources.test_source_gaps import hits

BASH = shutil.which("bash")


def run_in_bash(tmp_path: Path, script: str, env: dict[str, str]) -> list[str]:
    """The argv each codex run gets when bash runs `script` with `env` (as the CI runner hands
    it over), codex being a stand-in that logs its arguments."""
    assert BASH is not None
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    log = tmp_path / "codex.log"
    log.unlink(missing_ok=True)
    stub = bin_dir / "codex"
    stub.write_text(f'#!/bin/sh\nprintf "%s|" "$@" >> {log}\necho >> {log}\n')
    stub.chmod(0o755)
    path = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    subprocess.run(
        [BASH, "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        env={"PATH": path, **env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=30,
        check=False,
    )
    return log.read_text().splitlines() if log.exists() else []


# --- GitHub Actions ------------------------------------------------------------------------------

WORKFLOW = """\
on: push
env: {CODEX: codex, MSG: "run codex later", SANDBOX: read-only}
jobs:
  a:
    runs-on: ubuntu-latest
    env: {RUNNER: codex exec --yolo}
    steps:
      - run: $RUNNER "fix" </dev/null
      - run: $CODEX exec --yolo "fix it" </dev/null
      - run: echo "$MSG" && echo $RUNNER
      - run: $CODEX exec -C . -s "$SANDBOX" -o out.md "review" </dev/null
      - env: {RUNNER: echo}
        run: $RUNNER exec --yolo "only echoed"
      - env: {RUNNER: "${{ inputs.runner }}"}
        run: $RUNNER --yolo "unknown"
"""


def test_workflow_env_values_are_what_the_run_shell_expands(tmp_path: Path) -> None:
    doc = lint(write(tmp_path, ".github/workflows/ci.yml", WORKFLOW))
    # `$RUNNER` is `codex exec --yolo` (job env), `$CODEX` is codex (workflow env); the mention in
    # MSG is echoed, `-s "$SANDBOX"` is read-only, a step's own env overrides the job's, and a
    # `${{ }}` value is unknown (GitHub fills it in): a command of its that looks like codex is
    # CG902, never a guess either way
    assert hits(doc) == {
        ("CG303", 8),
        ("CG503", 8),
        ("CG303", 9),
        ("CG503", 9),
        ("CG902", 15),
    }
    assert places(doc, "CG303") == {(8, 14), (9, 26)}


@pytest.mark.skipif(BASH is None, reason="needs bash")
def test_workflow_env_values_run_so_in_bash(tmp_path: Path) -> None:
    env = {"CODEX": "codex", "RUNNER": "codex exec --yolo", "MSG": "run codex later"}
    assert run_in_bash(tmp_path, '$RUNNER "fix" </dev/null', env) == ["exec|--yolo|fix|"]
    assert run_in_bash(tmp_path, 'echo "$MSG" && echo $RUNNER', env) == []


def test_workflow_env_key_is_reported_once(tmp_path: Path) -> None:
    text = """\
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    env: {OPENAI_API_KEY: sk-test, RUNNER: codex exec}
    steps:
      - run: $RUNNER -C . -s read-only -o o.md "review" </dev/null
"""
    doc = lint(write(tmp_path, ".github/workflows/ci.yml", text))
    # the command is read through $RUNNER: the key in its env is CG101 at the run, the env line
    # its "set here", as for a literal `codex` (the value itself is no second finding)
    assert hits(doc) == {("CG101", 7)}
    assert related(doc, "CG101", 7) == {5}


def test_a_job_containers_env_reaches_its_steps(tmp_path: Path) -> None:
    """A container job's steps are `docker exec`s into a container created with its `env:`: they
    get that env under the workflow's, job's and step's (which override it)."""
    text = """\
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    container:
      image: node:20
      env:
        OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}
        RUNNER: codex exec --yolo
    steps:
      - run: codex exec -C . -s read-only -o o.md - < prompt.md
      - run: $RUNNER -C . "fix" </dev/null
      - env: {RUNNER: echo}
        run: $RUNNER exec --yolo "only echoed"
  b:
    runs-on: ubuntu-latest
    container: node:20
    steps:
      - run: codex exec -C . -s read-only -o o.md - < prompt.md
"""
    doc = lint(write(tmp_path, ".github/workflows/ci.yml", text))
    assert hits(doc) == {("CG101", 11), ("CG101", 12), ("CG303", 12)}
    assert related(doc, "CG101", 11) == {8}


def test_a_value_the_shell_reads_unasked_is_not_turned_away(tmp_path: Path) -> None:
    """The step's text alone spells no codex, so the keyword reject turns it away; but bash reads
    `$PS4` before each command under `set -x` (bash 5.2 as the runner's non-root user imports it
    from the env and runs its substitution: checked with a logging `codex`), so the snippet goes
    on when a value may spell codex (guard/engine/run.py, prepare), and the echo does not."""
    text = """\
on: push
env: {PS4: "`codex exec --yolo trace`", NOTE: codex is not run here}
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: set -x; echo hi
  b:
    runs-on: ubuntu-latest
    env: {PS4: "+ "}
    steps:
      - run: set -x; echo "$NOTE"
"""
    doc = lint(write(tmp_path, ".github/workflows/ci.yml", text))
    assert ("CG303", 7) in hits(doc)
    assert {line for _rule, line in hits(doc)} == {7}


# --- GitLab CI -----------------------------------------------------------------------------------

GITLAB = """\
variables:
  RUNNER: codex exec --yolo
  MSG: run codex later
  CMD: $RUNNER
.base:
  variables:
    TOOL: codex
job:
  script: ['$RUNNER "fix" </dev/null']
other:
  extends: .base
  variables:
    RUNNER: echo
  script:
    - echo "$MSG"
    - $RUNNER exec --yolo "only echoed"
    - $TOOL exec -C . --yolo "x" </dev/null
third:
  inherit: {variables: false}
  script:
    - $RUNNER "not set here"
    - $CMD "fix"
"""


def test_gitlab_variables_are_what_the_script_shell_expands(tmp_path: Path) -> None:
    doc = lint(write(tmp_path, ".gitlab-ci.yml", GITLAB))
    # global RUNNER reaches `job`; `other` overrides it and gets TOOL from its parent; `third`
    # keeps the global variables out; CMD is `$RUNNER`, which the runner expands first (unknown)
    assert hits(doc) == {("CG303", 9), ("CG503", 9), ("CG303", 17)}
    assert places(doc, "CG303") == {(9, 13), (17, 23)}


@pytest.mark.skipif(BASH is None, reason="needs bash")
def test_gitlab_variables_run_so_in_bash(tmp_path: Path) -> None:
    env = {"RUNNER": "codex exec --yolo", "MSG": "run codex later"}
    assert run_in_bash(tmp_path, '$RUNNER "fix" </dev/null', env) == ["exec|--yolo|fix|"]
    assert run_in_bash(tmp_path, 'echo "$MSG"', env) == []


def test_gitlab_variable_from_a_reference_not_here_is_unknown(tmp_path: Path) -> None:
    text = """\
include: [other.yml]
variables:
  RUNNER: !reference [.shared, variables, RUNNER]
job:
  script: [$RUNNER "fix" </dev/null]
"""
    from guard.sources.gitlab import extract

    (snippet,) = extract(text, ".gitlab-ci.yml")
    assert snippet.values == ()  # not "" (that would run `"fix"` as the command)
    assert ("RUNNER", "", 3) in snippet.external_env


@pytest.mark.skipif(BASH is None, reason="needs bash")
def test_a_gitlab_variable_the_runner_does_not_expand_holds_its_text(tmp_path: Path) -> None:
    """`expand: false`: the runner hands the value over as written (GitLab, variables:expand),
    and bash does not expand a `$` that word splitting of `$RUNNER` yields: codex gets the
    text. A value the runner expands (the default) stays unknown."""
    env = {"RUNNER": "codex exec --yolo -C $CI_PROJECT_DIR p"}
    assert run_in_bash(tmp_path, "$RUNNER </dev/null", env) == ["exec|--yolo|-C|$CI_PROJECT_DIR|p|"]
    text = """\
variables:
  RUNNER:
    value: 'codex exec --yolo -C $CI_PROJECT_DIR p'
    expand: false
  OTHER:
    value: 'codex exec --yolo -C $CI_PROJECT_DIR p'
job:
  script: [$RUNNER </dev/null]
other:
  script: [$OTHER </dev/null]
"""
    doc = lint(write(tmp_path, ".gitlab-ci.yml", text))
    assert hits(doc) == {("CG303", 8)}


GITLAB_RULES = """\
variables:
  SANDBOX: read-only
workflow:
  rules:
    - if: $CI_COMMIT_TAG
      variables: {SANDBOX: danger-full-access}
    - when: always
review:
  script: [codex exec -C . -s "$SANDBOX" -o o.md "review" </dev/null]
fix:
  variables: {SANDBOX: workspace-write, RUNNER: codex exec}
  rules:
    - if: $CI_COMMIT_BRANCH == "main"
      variables: {RUNNER: codex exec --yolo}
    - if: $CI_PIPELINE_SOURCE == "web"
      variables: {RUNNER: $CODEX_CMD}
    - if: $CI_COMMIT_TAG
      when: never
      variables: {SANDBOX: danger-full-access}
  script:
    - codex exec -C . -s "$SANDBOX" -o o.md "fix" </dev/null
    - $RUNNER -C . -s read-only -o o.md "x" </dev/null
"""


def test_gitlab_rule_variables_are_values_the_job_may_get(tmp_path: Path) -> None:
    doc = lint(write(tmp_path, ".gitlab-ci.yml", GITLAB_RULES))
    # the workflow rule may set SANDBOX over the global value (review), not over the job's own
    # (fix); a rule's RUNNER that the runner expands ($CODEX_CMD) leaves RUNNER unknown; a
    # `when: never` rule's variables never reach a run
    assert hits(doc) == {("CG303", 9), ("CG902", 22)}
    found = next(f for f in doc["findings"] if f["rule"] == "CG303")
    assert "`SANDBOX` to `danger-full-access` (line 6)" in found["message"]


# --- the other CI systems and task runners (guard/sources/ciyaml.py) -----------------------------

CIRCLECI = """\
version: 2.1
jobs:
  build:
    docker:
      - image: cimg/base:current
        environment:
          RUNNER: codex exec --yolo
    environment:
      MSG: run codex later
      SANDBOX: << parameters.sandbox >>
    steps:
      - run: $RUNNER "fix" </dev/null
      - run:
          command: echo "$MSG"; $TOOL -C . --yolo "x" </dev/null
          environment:
            TOOL: codex exec
      - run: codex exec -C . -s $SANDBOX -o o.md "x" </dev/null
"""

BITBUCKET = """\
pipelines:
  default:
    - step:
        script:
          - $RUNNER "fix" </dev/null
  custom:
    fix:
      - variables:
          - name: RUNNER
            default: codex exec --yolo
          - name: PROMPT
      - step:
          script:
            - $RUNNER "fix" </dev/null
            - codex exec -C . -s read-only -o o.md "$PROMPT" </dev/null
"""

AZURE = """\
variables:
  runner: codex exec --yolo
  msg: run codex later
steps:
  - bash: $RUNNER "fix" </dev/null
  - bash: echo "$MSG $(msg)"
"""

BUILDKITE = """\
env:
  RUNNER: codex exec --yolo
  LATER: $RUNNER
steps:
  - command: $RUNNER "fix" </dev/null
  - commands: [$LATER -C . -s read-only -o o.md "x"]
  - command: $TOOL --yolo "y"
    plugins:
      - docker#v5: {image: x, environment: [TOOL]}
  - command: $STEP_RUNNER "z"
    env: {STEP_RUNNER: codex exec --yolo, RUNNER: echo}
"""

TASKFILE = """\
version: '3'
env:
  RUNNER: codex exec --yolo
  DYN: {sh: echo codex}
  MSG: run codex later
tasks:
  fix:
    cmds:
      - $RUNNER "fix" </dev/null
      - $DYN exec --yolo "x"
      - echo "$MSG"
"""


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        # the container's and the step's env; a `<< parameters.x >>` value is unknown (no CG302
        # guess of an invalid sandbox)
        (".circleci/config.yml", CIRCLECI, {("CG303", 12), ("CG503", 12), ("CG303", 14)}),
        # a custom pipeline's variable default reaches its steps, not the default pipeline's;
        # one with no default is unknown
        ("bitbucket-pipelines.yml", BITBUCKET, {("CG303", 14), ("CG503", 14)}),
        # a variable is env under its upper-cased name as well as a `$(macro)`
        ("azure-pipelines.yml", AZURE, {("CG303", 5), ("CG503", 5)}),
        # `pipeline upload` writes in `$RUNNER` from the top-level env (a step's own RUNNER
        # does not change that), `$STEP_RUNNER` of a step's own env is blank then; a value with
        # `$` is interpolated itself (unknown); a passed-through name is unknown
        (
            ".buildkite/pipeline.yml",
            BUILDKITE,
            {("CG303", 5), ("CG503", 5), ("CG902", 6), ("CG902", 7)},
        ),
        # an `sh:` value is unknown: CG902, never a guess
        ("Taskfile.yml", TASKFILE, {("CG303", 9), ("CG503", 9), ("CG902", 10)}),
    ],
)
def test_ci_env_values_are_what_the_shell_expands(
    tmp_path: Path, name: str, text: str, expected: set[tuple[str, int]]
) -> None:
    doc = lint(write(tmp_path, name, text))
    assert hits(doc) == expected


def test_a_workflow_value_the_reject_has_not_read_cannot_spell_codex() -> None:
    """A workflow's file reject reads its `run:` values, not its env: a value that may stand
    for other text (`cod*`) and names no codex is unknown to the shell, so the full read finds
    no more than the reject let through; with the keyword it is kept (the reject reads that)."""
    from guard.reject import may_concern_file
    from guard.sources.workflow import extract

    text = """\
on: push
env: {PS4: "`cod* exec --yolo`", PLAIN: read-only, HOME_BIN: $HOME/bin, RUNNER: ~/codex exec}
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: set -x; echo hi
"""
    assert not may_concern_file(text.replace("codex", "tool"), "workflow")
    (snippet,) = extract(text, ".github/workflows/ci.yml")
    assert {name for name, *_ in snippet.values} == {"PLAIN", "RUNNER"}


@pytest.mark.parametrize("spelled", ["c\\\\odex", "co''dex", 'c\\"\\"odex'])
def test_a_workflow_value_spelled_with_quoting_is_read(tmp_path: Path, spelled: str) -> None:
    """A value whose substitution spells codex through quoting or an escape (`` `c\\odex ...` ``:
    bash 5.2 as a non-root user runs codex from such a PS4 under `set -x`, checked with a
    logging `codex`) is kept, as GitLab's and CircleCI's are: the file reject finds the keyword
    in the same view of the file (its quoting dropped), so the full read may report it."""
    from guard.reject import may_concern_file

    text = f"""\
on: push
env:
  PS4: "`{spelled} exec --yolo -C . p`"
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: set -x; true
"""
    assert may_concern_file(text, "workflow")
    doc = lint(write(tmp_path, ".github/workflows/ci.yml", text))
    assert ("CG303", 8) in hits(doc)


@pytest.mark.skipif(BASH is None, reason="needs bash")
def test_ifs_in_the_env_is_not_the_shell_s(tmp_path: Path) -> None:
    """bash (and dash) set IFS to its default whatever the env holds: a CI env's IFS does not
    split `$ARGS`, so codex gets the one word bash gives it."""
    env = {"IFS": ",", "ARGS": "exec,--yolo"}
    assert run_in_bash(tmp_path, "codex $ARGS </dev/null", env) == ["exec,--yolo|"]
    text = """\
on: push
env: {IFS: ",", ARGS: "exec,--yolo"}
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: codex $ARGS </dev/null
"""
    doc = lint(write(tmp_path, ".github/workflows/ci.yml", text))
    assert "CG303" not in {rule for rule, _line in hits(doc)}


CHILD_SHELLS = """\
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    env: {RUNNER: codex exec --yolo, GIT_EDITOR: codex exec --yolo, MSG: run codex later}
    steps:
      - run: bash -c '$RUNNER "fix" </dev/null'
      - run: git commit --allow-empty
      - run: bash -c 'echo "$MSG"'
      - run: env -u RUNNER bash -c '$RUNNER "fix"'
"""


def test_ci_env_values_reach_what_the_shell_starts(tmp_path: Path) -> None:
    """The env is the step shell's environment, not only its variables: a child shell and git
    (GIT_EDITOR) see it too; `env -u` takes it away, an echo stays silent."""
    doc = lint(write(tmp_path, ".github/workflows/ci.yml", CHILD_SHELLS))
    assert {(rule, line) for rule, line in hits(doc) if rule == "CG303"} == {
        ("CG303", 7),
        ("CG303", 8),
    }
    assert {line for _rule, line in hits(doc)} <= {7, 8}


@pytest.mark.skipif(BASH is None or shutil.which("git") is None, reason="needs bash and git")
def test_ci_env_values_reach_what_the_shell_starts_in_bash(tmp_path: Path) -> None:
    env = {"RUNNER": "codex exec --yolo", "HOME": str(tmp_path)}
    assert run_in_bash(tmp_path, "bash -c '$RUNNER \"fix\" </dev/null'", env) == [
        "exec|--yolo|fix|"
    ]
    assert run_in_bash(tmp_path, "env -u RUNNER bash -c '$RUNNER \"fix\"' || true", env) == []
    repo = tmp_path / "repo"
    repo.mkdir()
    script = (
        f"cd {repo} && git init -q && git -c user.name=a -c user.email=a@b commit "
        "--allow-empty -q || true"
    )
    editor = {**env, "GIT_EDITOR": "codex exec --yolo"}
    (argv,) = run_in_bash(tmp_path, script, editor)
    assert argv.startswith("exec|--yolo|") and argv.endswith("COMMIT_EDITMSG|")


BUILDKITE_ESCAPES = """\
env:
  RUNNER: codex exec --yolo
steps:
  - command: $$STEP_RUNNER "fix" </dev/null
    env: {STEP_RUNNER: codex exec --yolo}
  - command: $STEP_RUNNER "z"
    env: {STEP_RUNNER: codex exec --yolo}
  - command: echo $$$$ && \\$STEP_RUNNER -C . "q" </dev/null
    env: {STEP_RUNNER: codex exec --yolo}
  - command: >
      echo "$$(date)";
      $$STEP_RUNNER
      --yolo "x"
    env: {STEP_RUNNER: codex exec -C .}
  - command: $$RUNNER "top" </dev/null
    env: {RUNNER: echo}
"""


def test_buildkite_escapes_are_the_shell_s_dollar(tmp_path: Path) -> None:
    """`pipeline upload` writes `$$` and `\\$` as one `$` (Buildkite: "If you want an
    environment variable to be evaluated at run-time (for example, using the step's environment
    variables) make sure to escape the `$` character using `$$` or `\\$`"): `$$STEP_RUNNER` is the
    step's env, at the column of the `$` the shell gets, on a folded line too; an unescaped
    `$STEP_RUNNER` is blank at upload; `$$RUNNER` is the step's own RUNNER."""
    doc = lint(write(tmp_path, ".buildkite/pipeline.yml", BUILDKITE_ESCAPES))
    assert hits(doc) == {("CG303", 4), ("CG503", 4), ("CG303", 8), ("CG303", 13)}
    assert places(doc, "CG303") == {(4, 15), (8, 28), (13, 7)}


def test_a_value_that_only_mentions_codex_reports_nothing_in_the_steps_it_reaches(
    tmp_path: Path,
) -> None:
    """A value that only mentions codex sends its snippets to the full check (it might run), but
    shell text a step is handed at run time (`curl ... | bash`) is CG902 only where codex is in
    play: a codex run read through another value, the step's own text, or --strict."""
    text = """\
on: push
env: {NOTE: "run codex later"}
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: curl -fsSL https://example.com/install.sh | bash
  b:
    runs-on: ubuntu-latest
    env: {RUNNER: codex exec -C . -s read-only}
    steps:
      - run: |
          curl -fsSL https://example.com/install.sh | bash
          $RUNNER -o out.md - < prompt.md
"""
    path = write(tmp_path, ".github/workflows/ci.yml", text)
    assert hits(lint(path)) == {("CG902", 13)}
    docker = write(
        tmp_path, "Dockerfile", 'FROM node\nENV NOTE="run codex later"\nRUN curl x | bash\n'
    )
    assert hits(lint(docker)) == set()
