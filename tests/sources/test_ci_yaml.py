"""CI systems and task runners with shell in YAML (guard/sources/ciyaml.py): CircleCI, Bitbucket,
Azure Pipelines, Buildkite, Taskfile, pre-commit, and GitLab's included files. Each test lints a
realistic file as a user does and asserts every finding (rule, line, column, related line); the
look-alikes in the same file (echo text, a `name:`, a comment, a service container's env) stay
clean."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from guard.reject import may_concern_file
from guard.sources.detect import detect_kind, kind_by_name
from tests.sources.test_source_gaps import hits
from tests.sources.test_source_gaps import lint as lint_with_status


def lint(path: Path, *extra: str) -> dict[str, Any]:
    return lint_with_status(path, *extra)[1]


def places(doc: dict[str, Any], rule: str) -> set[tuple[int, int]]:
    return {(f["line"], f["column"]) for f in doc["findings"] if f["rule"] == rule}


def related(doc: dict[str, Any], rule: str, line: int) -> set[int]:
    found = next(f for f in doc["findings"] if (f["rule"], f["line"]) == (rule, line))
    return {r["line"] for r in found["related"]}


def found_in(folder: Path, doc: dict[str, Any]) -> set[tuple[str, str, int, int]]:
    """(path under `folder`, rule, line, column) of every finding of a folder's lint."""
    return {
        (str(Path(f["path"]).relative_to(folder)), f["rule"], f["line"], f["column"])
        for f in doc["findings"]
    }


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


# --- CircleCI -----------------------------------------------------------------------------------

CIRCLECI = """\
version: 2.1
commands:
  review:
    parameters:
      sandbox: {type: string, default: read-only}
    steps:
      - run:
          name: codex exec --yolo review
          command: codex exec -C . -s << parameters.sandbox >> --yolo "Review" </dev/null
jobs:
  build:
    docker:
      - image: cimg/python:3.12
        environment:
          CODEX_API_KEY: secret
      - image: postgres:16
        environment:
          OPENAI_API_KEY: only-the-database-sees-this
    steps:
      - checkout
      - run: echo "codex exec --yolo is only text here"
      # codex exec --yolo in a comment
      - run:
          name: codex exec review
          command: |
            npm ci
            codex exec -C . -s read-only "Summarize the diff"
      - run:
          command: >
            codex exec -C . -s workspace-write
            --dangerously-bypass-approvals-and-sandbox
            "Fix it" </dev/null
      - review
  lint:
    docker:
      - image: cimg/node:22.0
    steps:
      - run:
          command: codex exec -C . -s read-only -o r.md "Lint" </dev/null
          environment:
            OPENAI_API_KEY: sk-x
      - run: codex exec -C . -s read-only -o r.md "Lint" </dev/null
workflows:
  main:
    jobs: [build, lint]
"""


def test_circleci_runs_jobs_commands_and_env(tmp_path: Path) -> None:
    doc = lint(write(tmp_path, ".circleci/config.yml", CIRCLECI))
    assert hits(doc) == {
        # the reusable command: `--yolo` after a masked `<< parameters.sandbox >>`; invoked by
        # `build`, whose primary container sets CODEX_API_KEY (the postgres one's env is not theirs)
        ("CG303", 9),
        ("CG101", 9),
        ("CG101", 27),  # a block scalar's line, with the job's env
        ("CG201", 27),  # a CI step: stdin is no TTY and never closed
        ("CG101", 30),
        ("CG303", 31),  # a folded block's second line
        ("CG101", 39),  # the step's own `environment:`; the next step does not get it
    }
    assert places(doc, "CG303") == {(9, 64), (31, 13)}
    assert places(doc, "CG201") == {(27, 13)}
    assert related(doc, "CG101", 27) == {15}  # set here: the primary container's key
    assert related(doc, "CG101", 39) == {41}


CIRCLECI_PARAMETERS = """\
version: 2.1
parameters:
  codex-bin: {type: string, default: codex}
commands:
  review:
    parameters:
      sandbox: {type: string, default: read-only}
    steps:
      - run: << pipeline.parameters.codex-bin >> exec -C . -s << parameters.sandbox >> - < p.md
jobs:
  fix:
    parameters:
      mode: {type: string, default: danger-full-access}
    docker: [{image: cimg/node:20.11}]
    steps:
      - review
      - review: {sandbox: << parameters.mode >>}
"""


def test_circleci_parameters_are_their_defaults_or_what_the_step_passes(tmp_path: Path) -> None:
    """`<< parameters.x >>` is written in before the shell runs: the default where the command
    is read on its own or invoked bare, the value an invoking step passes (its own parameter's
    value included); `<< pipeline.parameters.x >>` is the pipeline's default."""
    doc = lint(write(tmp_path, ".circleci/config.yml", CIRCLECI_PARAMETERS))
    assert hits(doc) == {("CG303", 9)}
    (finding,) = doc["findings"]
    assert "danger-full-access" in finding["message"]


CIRCLECI_WORKFLOW_ARGUMENTS = """\
version: 2.1
jobs:
  review:
    parameters:
      sandbox: {type: string, default: read-only}
      extra: {type: steps, default: []}
    docker: [{image: cimg/node:20.11}]
    steps:
      - checkout
      - steps: << parameters.extra >>
      - run: codex exec -s << parameters.sandbox >> -C . - < p.md
workflows:
  main:
    jobs:
      - review
      - review:
          name: review-wide
          sandbox: danger-full-access
      - review:
          name: review-pre
          pre-steps:
            - run: codex exec --yolo -C . - < q.md
      - review:
          name: review-extra
          extra:
            - run: OPENAI_API_KEY=k codex exec -s read-only -C . - < r.md
      - review:
          matrix:
            parameters:
              sandbox: [read-only, workspace-write]
"""


def test_circleci_jobs_take_what_their_workflow_entries_pass(tmp_path: Path) -> None:
    """A workflow's job entry passes the job's parameters (`sandbox: danger-full-access`, a
    `matrix:` of values) and adds steps (`pre-steps:`, `post-steps:`, a `steps`-type
    parameter): the job runs with each. Before, only each parameter's default was read, and the
    added steps were not read at all (a `codex exec --yolo` there was never found)."""
    doc = lint(write(tmp_path, ".circleci/config.yml", CIRCLECI_WORKFLOW_ARGUMENTS))
    assert hits(doc) == {("CG303", 11), ("CG303", 22), ("CG101", 26)}


# --- Bitbucket Pipelines ------------------------------------------------------------------------

BITBUCKET = """\
image: node:22
definitions:
  steps:
    - step: &review
        name: codex exec --yolo review
        script:
          - export OPENAI_API_KEY="$OPENAI_TOKEN"
          - echo "codex exec --yolo is text"
          - codex exec -C . -s read-only -o review.md "Review the PR" </dev/null
pipelines:
  default:
    - step: *review
    - parallel:
        - step:
            name: fix
            script:
              - npm ci
              - >-
                codex exec -C . -s workspace-write
                --yolo "Fix lint" </dev/null
            after-script:
              - codex exec -C . -s read-only "Summarize"
  pull-requests:
    '**':
      - step:
          <<: *review
          name: pr review
  custom:
    other-step:
      - step:
          script:
            - codex exec -C . -s read-only -o r.md "Review" </dev/null
"""


def test_bitbucket_step_scripts_share_one_shell(tmp_path: Path) -> None:
    doc = lint(write(tmp_path, "bitbucket-pipelines.yml", BITBUCKET))
    # the export of an earlier script item reaches codex (one shell per step; a step used twice
    # is reported once); `after-script` is a shell of its own; another step never sees the key
    assert hits(doc) == {("CG101", 9), ("CG303", 20), ("CG201", 22)}
    assert places(doc, "CG303") == {(20, 17)}
    assert related(doc, "CG101", 9) == {7}


# --- Azure Pipelines ----------------------------------------------------------------------------

AZURE = """\
trigger: [main]
variables:
  openai.api_key: $(OPENAI_SECRET)
  sandbox: read-only
stages:
  - stage: review
    displayName: codex exec --yolo review
    jobs:
      - job: review
        steps:
          - checkout: self
          - script: echo "codex exec --yolo is text"
          - script: codex exec -C . -s read-only -o r.md "Review" </dev/null
            displayName: codex review
          - bash: |
              set -e
              codex exec -C $(Build.SourcesDirectory) --yolo "Fix it" </dev/null
          - ${{ if eq(variables.fast, 'yes') }}:
              - script: codex exec -C . -s read-only "Quick"
          - pwsh: codex exec -C . --yolo "a PowerShell step is no bash"
          - task: Bash@3
            inputs:
              targetType: inline
              script: codex exec -C . -s danger-full-access -o o.md "x" </dev/null
  - stage: clean
    jobs:
      - job: clean
        variables:
          - name: HINT
            value: codex exec --yolo
        steps:
          - bash: env -u OPENAI_API_KEY codex exec -C . -s read-only -o o.md "x" </dev/null
            env:
              CODEX_HOME_HINT: none
          - task: Bash@3
            inputs:
              filePath: ci/review.sh
              script: codex exec -C . --yolo "not run, the task runs its file"
"""


def test_azure_steps_and_variables_as_env(tmp_path: Path) -> None:
    doc = lint(write(tmp_path, "azure-pipelines.yml", AZURE))
    # `openai.api_key` reaches every step as OPENAI_API_KEY; `$(Build.SourcesDirectory)` is masked
    # in place; a `${{ if }}` block's steps and an inline Bash@3 task are steps too
    assert hits(doc) == {
        ("CG101", 13),
        ("CG101", 17),
        ("CG303", 17),
        ("CG101", 19),
        ("CG201", 19),
        ("CG101", 24),
        ("CG303", 24),
    }
    assert places(doc, "CG303") == {(17, 55), (24, 42)}
    assert related(doc, "CG101", 13) == {3}


def test_azure_templates_folder_is_read(tmp_path: Path) -> None:
    text = "steps:\n  - bash: codex exec -C . --yolo 'x' </dev/null\n"
    doc = lint(write(tmp_path, ".azure-pipelines/review.yml", text))
    assert hits(doc) == {("CG303", 2)}


def test_azure_dotted_variable_is_not_rejected_unread() -> None:
    text = "variables:\n  openai.api.key: x\nsteps:\n  - bash: echo hi\n"
    assert may_concern_file(text, "azure")
    assert not may_concern_file(text.replace("openai", "other"), "azure")


def test_files_that_never_mention_codex_are_rejected_from_their_text() -> None:
    # answered by the keyword reject, never composed; what a system fills in goes on
    plain = "jobs:\n  a:\n    steps:\n      - run: make test\n"
    for kind in ("circleci", "bitbucket", "azure", "buildkite", "taskfile", "pre-commit"):
        assert not may_concern_file(plain, kind), kind
        assert may_concern_file(plain.replace("make", "codex"), kind), kind
    assert may_concern_file(plain.replace("make", "co<< parameters.x >>dex"), "circleci")


# --- Buildkite ----------------------------------------------------------------------------------

BUILDKITE = """\
env:
  CODEX_API_KEY: "${CODEX_SECRET}"
steps:
  - label: ":robot: codex exec --yolo review"
    command: codex exec -C . -s read-only -o r.md "Review" </dev/null
  - wait
  - group: fixes
    steps:
      - label: fix
        commands:
          - export CODEX_API_KEY=
          - unset CODEX_API_KEY
          - codex exec -C . --yolo "Fix it" </dev/null
  - label: summary
    command: |
      echo "codex exec --yolo is mentioned"
      codex exec -C . -s read-only "Summarize"
  - label: from stdin
    command: codex exec -C . -s read-only -o r.md -
"""


def test_buildkite_commands_are_one_script(tmp_path: Path) -> None:
    doc = lint(write(tmp_path, ".buildkite/pipeline.yml", BUILDKITE))
    # `commands:` items run as one script: the unset reaches the codex line after it; the agent
    # runs a job in a PTY (else with /dev/null), so a positional prompt is no CG201 here
    # `-` reads that terminal or /dev/null: nothing piped in is still CG202
    assert hits(doc) == {
        ("CG101", 5),
        ("CG303", 13),
        ("CG101", 17),
        ("CG101", 19),
        ("CG202", 19),
    }
    assert places(doc, "CG303") == {(13, 29)}
    assert related(doc, "CG101", 17) == {2}


def test_buildkite_generic_name_yields_to_a_packet() -> None:
    assert kind_by_name("ci/.buildkite/deploy.yml") == "buildkite"
    assert detect_kind("pipeline.yml", b"steps:\n  - command: make\n") == "buildkite"
    assert detect_kind("pipeline.yml", b"kind: codex-packet\n") == "packet"


BUILDKITE_DOCKER = """\
steps:
  - label: review
    command: codex exec -C . -s read-only -o r.md - < review.md
    plugins:
      - docker#v5.10.0:
          image: node:20
          environment:
            - CODEX_API_KEY
            - CI=true
  - label: build
    command: codex exec -C . -s read-only -o r.md - < build.md
    plugins:
      - docker-compose#v4.16.0:
          run: app
          env: [TERM=dumb]
      - other-org/docker-login#v2.1.0:
          environment: [OPENAI_API_KEY]
"""


def test_buildkite_docker_plugins_hand_their_environment_to_the_command(tmp_path: Path) -> None:
    """The docker plugin runs the step's command in a container with its `environment:`: a bare
    name passes the agent's value through (`docker run -e NAME`); another plugin's list is its
    own business."""
    doc = lint(write(tmp_path, ".buildkite/pipeline.yml", BUILDKITE_DOCKER))
    assert hits(doc) == {("CG101", 3)}
    assert related(doc, "CG101", 3) == {8}


def test_buildkite_plugins_as_one_mapping_are_read_too(tmp_path: Path) -> None:
    """The pipeline schema takes `plugins:` as a list or as one mapping of plugin -> config: the
    docker plugin's `environment:` in the mapping form reached codex unseen."""
    text = BUILDKITE_DOCKER.replace("      - docker#v5.10.0:\n", "      docker#v5.10.0:\n")
    text = text.replace(
        "\n          image: node:20\n          environment:\n",
        "\n        image: node:20\n        environment:\n",
    )
    text = text.replace(
        "            - CODEX_API_KEY\n            - CI=true",
        "          - CODEX_API_KEY\n          - CI=true",
    )
    assert "      docker#v5.10.0:\n        image" in text
    doc = lint(write(tmp_path, ".buildkite/pipeline.yml", text))
    assert hits(doc) == {("CG101", 3)}


def test_nested_ci_folders_hold_their_systems_yaml(tmp_path: Path) -> None:
    """A template an Azure `template:` names, a pipeline `buildkite-agent pipeline upload` reads
    and a CircleCI setup workflow's continuation config sit beside or below the main file."""
    assert kind_by_name(".azure-pipelines/templates/codex-steps.yml") == "azure"
    assert kind_by_name("azure-pipelines/templates/steps.yml") == "azure"
    assert kind_by_name(".buildkite/pipelines/deploy.yml") == "buildkite"
    assert kind_by_name(".circleci/continue_config.yml") == "circleci"
    assert kind_by_name("src/azure-pipelines/jobs/deep/x.yml") is None  # plain name: not below
    # a second pipeline, a Taskfile another one `includes:`
    assert kind_by_name("azure-pipelines-release.yml") == "azure"
    assert kind_by_name("ci/azure-pipelines.pr.yaml") == "azure"
    assert kind_by_name("Taskfile.docker.yml") == kind_by_name("Taskfile_linux.yml") == "taskfile"
    assert kind_by_name("taskfiles.yml") is None
    assert kind_by_name("buildkite/plugins/docker/x.yml") is None
    step = "steps:\n  - script: codex exec -s danger-full-access -C . - < p.md\n"
    write(tmp_path, ".azure-pipelines/templates/codex-steps.yml", step)
    write(tmp_path, ".buildkite/pipelines/codex.yml", "steps:\n  - command: codex exec --yolo\n")
    doc = lint(tmp_path)
    assert {found for found in found_in(tmp_path, doc) if found[1] == "CG303"} == {
        (".azure-pipelines/templates/codex-steps.yml", "CG303", 2, 27),
        (".buildkite/pipelines/codex.yml", "CG303", 2, 25),
    }


# --- Taskfile -----------------------------------------------------------------------------------

TASKFILE = """\
version: '3'
env:
  OPENAI_API_KEY: '{{.KEY}}'
tasks:
  review:
    desc: codex exec --yolo review
    cmds:
      - echo "codex exec --yolo"
      - codex exec -C . -s {{.SANDBOX}} -o r.md "Review" </dev/null
      - cmd: codex exec -C . --yolo "Fix" </dev/null
      - task: other
  ask: codex exec -C . -s read-only -o r.md "Summarize"
"""


def test_taskfile_cmds_and_env(tmp_path: Path) -> None:
    doc = lint(write(tmp_path, "Taskfile.yml", TASKFILE))
    assert hits(doc) == {("CG101", 9), ("CG101", 10), ("CG303", 10), ("CG101", 12), ("CG201", 12)}
    assert places(doc, "CG303") == {(10, 30)}
    # run where `task` is started: a script's warning, not a CI error
    cg201 = next(f for f in doc["findings"] if f["rule"] == "CG201")
    assert cg201["severity"] == "warning"
    assert related(doc, "CG101", 12) == {3}


TASKFILE_DOTENV = """\
version: '3'
dotenv: ['.env', '{{.HOME}}/.codex.env']
tasks:
  review:
    cmds:
      - codex exec -C . -s read-only -o r.md - < review.md
  fix:
    dotenv:
      - ci/keys.env
    cmds:
      - echo "no codex here"
"""


def test_taskfile_dotenv_files_are_env_files_the_tasks_load(tmp_path: Path) -> None:
    """`dotenv:` (the file's, a task's) sets env from files before every command: CG103, an
    error when the file is in the repo and sets a key; "loaded here" at the file's name."""
    doc = lint(write(tmp_path, "Taskfile.yml", TASKFILE_DOTENV))
    assert hits(doc) == {("CG103", 6)}
    assert related(doc, "CG103", 6) == {2}
    (finding,) = doc["findings"]
    assert (finding["related"][0]["line"], finding["related"][0]["column"]) == (2, 11)
    assert finding["severity"] == "warning"
    write(tmp_path, ".env", "OPENAI_API_KEY=sk-x\n")
    (finding,) = lint(tmp_path / "Taskfile.yml", "--no-cache")["findings"]
    assert (finding["rule"], finding["severity"]) == ("CG103", "error")


TASKFILE_VARS = """\
version: '3'
vars:
  CODEX: npx -y @openai/codex
  FLAGS: --yolo
  DYN: {sh: which codex}
env:
  OPENAI_API_KEY: x
tasks:
  a:
    cmds:
      - '{{ .CODEX }} exec {{.FLAGS}} -C . - < p.md'
      - '{{.DYN}} exec -C . - < p.md'
  b:
    vars: {CODEX: echo}
    cmds:
      - '{{.CODEX}} exec --yolo -C . - < p.md'
"""


def test_taskfile_vars_are_the_values_of_their_templates(tmp_path: Path) -> None:
    """A plain `vars:` value (the file's, then the task's) is what `{{.NAME}}` becomes before
    the shell runs: the command is codex, its flags are read; a `sh:` variable stays unknown."""
    doc = lint(write(tmp_path, "Taskfile.yml", TASKFILE_VARS))
    assert hits(doc) == {("CG101", 11), ("CG303", 11), ("CG902", 12)}
    assert places(doc, "CG303") == {(11, 28)}  # the template that holds the flag


# --- pre-commit ---------------------------------------------------------------------------------

PRE_COMMIT = """\
repos:
  - repo: local
    hooks:
      - id: codex-review
        name: codex exec --yolo review
        entry: codex exec -C . -s read-only -o r.md "Review the staged files"
        language: system
        pass_filenames: false
      - id: codex-fix
        entry: codex exec -C . -o r.md
        args: [--yolo, "Fix the staged files"]
        language: system
      - id: python-hook
        entry: codex exec --yolo
        language: python
  - repo: https://github.com/example/hooks
    rev: v1.0.0
    hooks:
      - id: codex-guard
"""


def test_pre_commit_local_hooks(tmp_path: Path) -> None:
    doc = lint(write(tmp_path, ".pre-commit-config.yaml", PRE_COMMIT))
    # pre-commit gives a hook stdin at EOF: a positional prompt is no CG201; `args:` are words
    # of the command, each on its own column; a python hook's entry is a console script, not shell
    assert hits(doc) == {("CG303", 11)}
    assert places(doc, "CG303") == {(11, 16)}


def test_pre_commit_renamed_languages_and_a_node_hook_of_the_codex_cli(tmp_path: Path) -> None:
    """pre-commit 4.4 renamed `system` to `unsupported` (and `script` to `unsupported_script`);
    a node hook whose env installs @openai/codex runs that CLI."""
    text = """\
repos:
  - repo: local
    hooks:
      - {id: a, entry: codex exec --yolo, language: unsupported}
      - {id: b, entry: scripts/x.sh --yolo, language: unsupported_script}
      - id: c
        entry: codex exec --yolo
        language: node
        additional_dependencies: ["@openai/codex@0.169.0"]
      - id: d
        entry: codex exec --yolo
        language: node
        additional_dependencies: [codex]
      - {id: e, entry: codex exec --yolo, language: fail}
"""
    doc = lint(write(tmp_path, ".pre-commit-config.yaml", text))
    assert places(doc, "CG303") == {(4, 35), (7, 27)}


# --- GitLab: files included from .gitlab-ci.yml ---------------------------------------------------

GITLAB_INCLUDED = """\
review:
  script:
    - echo "codex exec --yolo"
    - codex exec -C . --yolo -o r.md "Review" </dev/null
"""


def test_gitlab_included_files_are_gitlab(tmp_path: Path) -> None:
    write(tmp_path, "ci/review.gitlab-ci.yml", GITLAB_INCLUDED)
    write(tmp_path, ".gitlab/ci/jobs/review.yml", GITLAB_INCLUDED)
    assert found_in(tmp_path, lint(tmp_path)) == {
        ("ci/review.gitlab-ci.yml", "CG303", 4, 23),
        (".gitlab/ci/jobs/review.yml", "CG303", 4, 23),
    }
    assert kind_by_name(".gitlab/ci/x.yaml") == "gitlab"
    assert kind_by_name(".github/workflows/x.gitlab-ci.yml") == "workflow"


# --- what no reader should do ---------------------------------------------------------------------


def test_invalid_yaml_is_one_error_and_others_are_still_linted(tmp_path: Path) -> None:
    write(tmp_path, "bitbucket-pipelines.yml", "pipelines:\n  default: [\n  codex exec\n")
    write(tmp_path, "Taskfile.yml", "tasks:\n  a: codex exec -C . --yolo x </dev/null\n")
    doc = lint(tmp_path)
    found = {(path, rule) for path, rule, _line, _column in found_in(tmp_path, doc)}
    assert found == {("bitbucket-pipelines.yml", "CG901"), ("Taskfile.yml", "CG303")}
    error = next(f for f in doc["findings"] if f["rule"] == "CG901")
    assert "not valid YAML" in error["message"]
    assert "\n" not in error["message"]


SHAPES = {
    ".circleci/config.yml": "jobs:\n  a: [codex exec --yolo]\n  b:\n    steps: codex exec --yolo\n"
    "  c:\n    steps:\n      - run: {command: [codex exec --yolo]}\n      - run: [1]\n"
    "commands: codex exec --yolo\n",
    "bitbucket-pipelines.yml": "pipelines:\n  default:\n    - step: codex exec --yolo\n"
    "    - step: {script: {a: codex exec --yolo}}\n",
    "azure-pipelines.yml": "steps: codex exec --yolo\njobs:\n  - steps: {script: codex exec --yolo}\n"
    "variables: [1, {name: [x]}]\n",
    ".buildkite/pipeline.yml": "- codex exec --yolo\n- {command: {a: codex exec --yolo}}\n",
    "Taskfile.yml": "tasks: [codex exec --yolo]\nenv: codex\n",
    ".pre-commit-config.yaml": "repos:\n  - hooks: codex exec --yolo\n  - hooks:\n"
    "      - {entry: [codex exec --yolo], language: system}\n",
}


def test_unexpected_shapes_give_nothing(tmp_path: Path) -> None:
    for name, text in SHAPES.items():
        write(tmp_path, name, text)
    write(tmp_path, "ci/.circleci/config.yml", "jobs:\n  a:\n    steps:\n      - run: codex -s x\n")
    doc = lint(tmp_path)
    assert doc["errors"] == []
    # only the well-formed file: codex with an unknown sandbox, nothing from the odd shapes
    assert {path for path, *_ in found_in(tmp_path, doc)} == {"ci/.circleci/config.yml"}


def test_azure_macros_are_the_variables_steps_get() -> None:
    from guard.sources.ciyaml import read

    text = """\
variables:
  sandbox: read-only
steps:
  - bash: echo $(date) $(sandbox) $(Build.SourcesDirectory) ${{ parameters.x }} $[ variables.y ]
"""
    (snippet,) = read("azure", text, "azure-pipelines.yml")
    # a defined or predefined (dotted) variable is its env name, the same length; `$(date)` names
    # no variable, so Azure leaves it and bash runs `date`
    assert snippet.text == (
        "echo $(date) ${SANDBOX} ${BUILD_SOURCESDIRECTORY} ${__parameters_x__} ${_variables_y_}"
    )
    assert ("SANDBOX", "read-only", 2) in snippet.external_env


AZURE_MACROS = """\
variables:
  codexBin: codex
  flags: --yolo
jobs:
  - job: a
    variables:
      - {name: prompt, value: fix the build}
    steps:
      - script: $(codexBin) exec $(flags) -C . - < p.md
      - script: $(codexBin) exec -s read-only -C . "$(prompt)"
      - script: echo "$(codexBin) exec"
"""


def test_azure_macros_are_written_into_the_script_before_it_runs(tmp_path: Path) -> None:
    """`$(codexBin)` is the variable's value by the time bash reads the line: the command is
    codex, its flags and its prompt are read."""
    doc = lint(write(tmp_path, "azure-pipelines.yml", AZURE_MACROS))
    assert hits(doc) == {("CG303", 9), ("CG201", 10)}
    assert places(doc, "CG303") == {(9, 34)}


CIRCLECI_PARAMETER_ENV = """\
version: 2.1

parameters:
  agent-sandbox:
    type: string
    default: danger-full-access

jobs:
  agent:
    parameters:
      lane-sandbox:
        type: string
        default: read-only
    docker:
      - image: cimg/node:22.11
    environment:
      AGENT_SANDBOX: << pipeline.parameters.agent-sandbox >>
      LANE_SANDBOX: << parameters.lane-sandbox >>
    steps:
      - checkout
      - run: codex exec -C . -s "$AGENT_SANDBOX" -o out.md - < prompts/agent.md
      - run: codex exec -C . -s "$LANE_SANDBOX" -o lane.md - < prompts/lane.md
workflows:
  w:
    jobs:
      - agent
      - agent:
          lane-sandbox: danger-full-access
"""


def test_circleci_parameters_in_an_environment_value_are_filled_in(tmp_path: Path) -> None:
    # CircleCI writes pipeline and job parameters into the config, env values too, before the
    # job runs: each value the parameter may have is the variable's (the default, a value passed)
    (tmp_path / ".circleci").mkdir()
    doc = lint(write(tmp_path / ".circleci", "config.yml", CIRCLECI_PARAMETER_ENV))
    assert {(f["rule"], f["line"]) for f in doc["findings"]} == {("CG303", 21), ("CG303", 22)}


def test_an_azure_cmdline_task_runs_its_script_input(tmp_path: Path) -> None:
    # `- script:` is short for the CmdLine@2 task: written out, its `script:` input is the text
    pipeline = (
        "trigger: none\npool:\n  vmImage: ubuntu-latest\nsteps:\n"
        "  - task: CmdLine@2\n"
        "    displayName: codex\n"
        "    inputs:\n"
        "      script: |\n"
        "        echo starting\n"
        "        codex exec -C . --yolo -o out.md - < prompts/task.md\n"
    )
    doc = lint(write(tmp_path, "azure-pipelines.yml", pipeline))
    assert places(doc, "CG303") == {(10, 25)}
