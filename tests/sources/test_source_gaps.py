"""The gaps issue 9 found in the Makefile, justfile, GitLab, Dockerfile and Markdown sources.

Each case is a realistic file a user writes, linted through the real console script (walk, kind
detection, source, engine, report), checked against the real tool where one is here (GNU make's
`make -n` prints what a recipe really runs; `just --dry-run` when `just` is installed).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from guard.sources import dockerfile, gitlab, justfile, makefile, markdown

REPO = Path(__file__).resolve().parents[2]


def lint(path: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    done = subprocess.run(
        ["codex-guard", "lint", "--no-cache", "--format", "json", *extra, str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=path.parent,
    )
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    return done.returncode, json.loads(done.stdout)


def hits(doc: dict[str, Any]) -> set[tuple[str, int]]:
    return {(f["rule"], f["line"]) for f in doc["findings"]}


def rules(doc: dict[str, Any]) -> set[str]:
    return {f["rule"] for f in doc["findings"]}


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


# --- Makefile ----------------------------------------------------------------------------------

MAKEFILE_BAD = """\
REPO := .

review:
\t@codex exec \\
\t-C $(REPO) \\
\t-s danger-full-access "Review the diff" </dev/null
"""

MAKEFILE_GOOD = """\
REPO := .

review:
\t@codex exec \\
\t-C $(REPO) \\
\t-s read-only --ephemeral "Review the diff" </dev/null

notes:
\t@echo "never run codex exec --yolo here" \\
\t  "or -s danger-full-access"
"""


def _recipe_commands(snippet_text: str) -> list[str]:
    """The recipe lines, without the `(` and `)` that make each recipe a subshell of its own."""
    return [line.strip() for line in snippet_text.split("\n") if line.strip() not in ("", "(", ")")]


@pytest.mark.skipif(shutil.which("make") is None, reason="GNU make is not installed")
def test_makefile_continuation_lines_are_what_make_runs(tmp_path: Path) -> None:
    text = (
        "all:\n\t@codex exec \\\n\t-C repo \\\n\t@odd-but-literal \\\n\t-s read-only x </dev/null\n"
        "\t-echo one \\\n\t  +two\n"
    )
    write(tmp_path, "Makefile", text)
    ran = subprocess.run(
        ["make", "-n", "-s"], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout
    (snippet,) = makefile.extract(text, "Makefile")
    assert _recipe_commands(snippet.text) == [line.strip() for line in ran.splitlines()]


def test_makefile_flags_on_continuation_lines(tmp_path: Path) -> None:
    code, doc = lint(write(tmp_path, "Makefile", MAKEFILE_BAD))
    assert ("CG303", 6) in hits(doc)  # `-s` on a continuation line is read
    assert "CG903" not in rules(doc)  # `-C` is not turned into a stray `C` argument
    assert code == 1


def test_makefile_good_and_mentions_are_silent(tmp_path: Path) -> None:
    code, doc = lint(write(tmp_path, "Makefile", MAKEFILE_GOOD))
    assert doc["findings"] == [] and code == 0


# --- justfile ----------------------------------------------------------------------------------

JUSTFILE_EXPORT = """\
export OPENAI_API_KEY := "sk-dev-123"
repo := "."

review:
    codex exec -C {{repo}} -s read-only --ephemeral "Review" </dev/null
"""

JUSTFILE_SET_EXPORT = """\
set export
OPENAI_API_KEY := env_var_or_default("OPENAI_API_KEY", "")

review:
    codex exec -C . -s read-only --ephemeral "Review" </dev/null
"""

JUSTFILE_DEFAULTS = """\
mode := "danger-full-access"

# a recipe whose parameters have defaults is still a recipe
work task="fix the failing test" $SANDBOX=mode:
    codex exec -C . -s "$SANDBOX" --ephemeral "{{task}}" </dev/null
    codex exec -C . --yolo --ephemeral "{{task}}" </dev/null
"""

JUSTFILE_GOOD = """\
OPENAI_API_KEY := "not exported: just keeps it to itself"
unexport CODEX_API_KEY

work task="fix the failing test" url="http://localhost:8080":
    codex exec -C . -s workspace-write --ephemeral "{{task}}" </dev/null
    echo "do not run codex exec --yolo"
"""


def test_justfile_export_assignment_reaches_recipes(tmp_path: Path) -> None:
    _, doc = lint(write(tmp_path, "justfile", JUSTFILE_EXPORT))
    assert ("CG101", 5) in hits(doc)


def test_justfile_set_export_exports_every_variable(tmp_path: Path) -> None:
    _, doc = lint(write(tmp_path, "justfile", JUSTFILE_SET_EXPORT))
    assert ("CG101", 5) in hits(doc)


def test_justfile_recipe_with_parameter_defaults_is_read(tmp_path: Path) -> None:
    _, doc = lint(write(tmp_path, "justfile", JUSTFILE_DEFAULTS))
    assert ("CG303", 6) in hits(doc)
    (snippet,) = justfile.extract(JUSTFILE_DEFAULTS, "justfile")
    env = {name: (value, line) for name, value, line in snippet.external_env}
    assert env["SANDBOX"] == ("danger-full-access", 4)  # `$` parameter, default from a variable
    assert "task" not in env  # not exported without `$` or `set export`


def test_justfile_good_is_silent(tmp_path: Path) -> None:
    code, doc = lint(write(tmp_path, "justfile", JUSTFILE_GOOD))
    assert doc["findings"] == [] and code == 0


JUSTFILE_SHEBANGS = """\
review:
    #!/usr/bin/env python3
    import subprocess
    subprocess.run(["codex", "exec", "-C", "/srv/r", "-s", "read-only", "-"], input=b"Review")

work:
    #!/usr/bin/env bash
    set -euo pipefail
    codex exec -C /srv/r --yolo - < task.md
"""


def test_justfile_shebang_recipes_are_linted_only_when_they_are_shell(tmp_path: Path) -> None:
    """just runs a shebang recipe with the program its `#!` names: the Python one is not shell
    (no CG901 on its `subprocess.run([...])`), the bash one is, and its mistake is still found."""
    _, doc = lint(write(tmp_path, "justfile", JUSTFILE_SHEBANGS))
    assert hits(doc) == {("CG303", 9)}


def test_justfile_unexport_and_set_export_false() -> None:
    text = 'set export := false\nKEY := "x"\nexport B := "y"\nunexport B\nr:\n    echo\n'
    (snippet,) = justfile.extract(text, "justfile")
    assert snippet.external_env == ()


def test_justfile_assignments_and_aliases_are_not_recipes() -> None:
    text = 'alias w := work\nx := "a:b"\nexport Y := "c"\nset shell := ["bash", "-c"]\n'
    assert justfile.extract(text, "justfile") == []


JUST_ENV_CASES = [
    'set export\nexport A := "1"\nB := "2"\nunexport C\nm := "dfa"\n'
    'work task="fix: it" $SANDBOX=m url="http://x:y":\n    @env\n',
    'export A := "1"\nB := \'2\'\nwork task="x" $S="y":\n    @env\n',
    'set export := false\nA := "1"\nwork $B="2" c="3":\n    @env\n',
]


@pytest.mark.skipif(shutil.which("just") is None, reason="just is not installed")
@pytest.mark.parametrize("text", JUST_ENV_CASES)
def test_justfile_env_is_what_just_exports(tmp_path: Path, text: str) -> None:
    write(tmp_path, "justfile", text)
    ran = subprocess.run(
        [str(shutil.which("just")), "work"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", "C": "outside"},
    ).stdout
    real = dict(line.split("=", 1) for line in ran.splitlines() if "=" in line)
    (snippet,) = justfile.extract(text, "justfile")
    ours = {name: value for name, value, _ in snippet.external_env}
    declared = {"A", "B", "m", "task", "SANDBOX", "url", "S", "c"}
    declared |= {"C"} if "unexport C" in text else set()  # else C is just the caller's env
    assert ours == {k: v for k, v in real.items() if k in declared}


# --- GitLab ------------------------------------------------------------------------------------

GITLAB_BAD = """\
variables:
  REPO: .

.codex_secrets: &codex_secrets
  OPENAI_API_KEY: $CI_OPENAI_KEY

.codex:
  image: node:20
  variables:
    <<: *codex_secrets
    MODE: review

.unsafe: &unsafe
  script:
    - codex exec -C "$REPO" --yolo --ephemeral "Fix it" </dev/null

review:
  extends: .codex
  variables:
    EXTRA: "1"
  script:
    - codex exec -C "$REPO" -s read-only --ephemeral "Review" </dev/null

fix:
  <<: *unsafe
  stage: test
"""

GITLAB_GOOD = """\
.codex:
  image: node:20
  variables:
    MODE: review
  script:
    - echo "never codex exec --yolo"

review:
  extends: .codex
  script:
    - codex exec -C . -s read-only --ephemeral "Review" </dev/null
"""


def test_gitlab_extends_and_anchors_reach_the_job(tmp_path: Path) -> None:
    _, doc = lint(write(tmp_path, ".gitlab-ci.yml", GITLAB_BAD))
    found = hits(doc)
    assert ("CG101", 22) in found  # the key comes through extends -> merge key -> anchor
    assert ("CG303", 15) in found  # the job's script comes through `<<: *unsafe`
    cg101 = next(f for f in doc["findings"] if f["rule"] == "CG101")
    assert {r["line"] for r in cg101["related"]} == {5}  # where the key is set


def test_gitlab_good_is_silent(tmp_path: Path) -> None:
    code, doc = lint(write(tmp_path, ".gitlab-ci.yml", GITLAB_GOOD))
    assert doc["findings"] == [] and code == 0


def _job_scripts(text: str) -> dict[str, Any]:
    import yaml

    root = yaml.compose(text, Loader=yaml.SafeLoader)
    jobs = gitlab.Jobs({str(k.value): v for k, v in gitlab.flat_mapping(root)})
    return {name: jobs.resolve(name) for name in jobs.jobs}


def test_gitlab_extends_merge_semantics() -> None:
    text = """\
.a:
  variables: {COLOR: red, SIZE: large}
  script: [echo a]
  before_script: [echo before]
.b:
  variables: {COLOR: green}
  script: [echo b]
job:
  extends: [.a, .b]
  after_script: [echo after]
"""
    view = _job_scripts(text)["job"]
    # hashes merge key by key, a later parent wins; arrays are replaced whole
    assert {k: v for k, (v, _) in view.variables.items()} == {"COLOR": "green", "SIZE": "large"}
    assert [n.value for n in view.scripts["script"].value] == ["echo b"]
    assert set(view.scripts) == {"before_script", "script", "after_script"}


def test_gitlab_merge_key_own_keys_win_and_first_merged_wins() -> None:
    text = """\
x: &x {variables: {A: "1"}, script: [echo x]}
y: &y {script: [echo y], stage: t}
job:
  <<: [*x, *y]
  variables: {B: "2"}
"""
    view = _job_scripts(text)["job"]
    assert set(view.variables) == {"B"}  # YAML merge is shallow: the job's own mapping wins
    assert [n.value for n in view.scripts["script"].value] == ["echo x"]


def test_gitlab_extends_cycle_and_unknown_parent_end_cleanly() -> None:
    text = "a:\n  extends: b\n  script: [echo a]\nb:\n  extends: [a, .from_include]\n"
    views = _job_scripts(text)
    assert [n.value for n in views["b"].scripts["script"].value] == ["echo a"]


def test_gitlab_default_and_inherit() -> None:
    text = """\
default:
  before_script:
    - codex login status
variables:
  OPENAI_API_KEY: $KEY
plain:
  script: [echo plain]
opted_out:
  inherit:
    default: false
    variables: false
  script: [echo out]
"""
    snippets = gitlab.extract(text, ".gitlab-ci.yml")
    by_text = [(s.text, {n for n, _, _ in s.external_env}) for s in snippets]
    # `plain` runs the default before_script and its script in one shell
    assert ("codex login status\n" + "\n" * 3 + "echo plain", {"OPENAI_API_KEY"}) in by_text
    assert ("echo out", set()) in by_text
    assert sum(1 for t, _ in by_text if "codex login status" in t) == 1


# --- Dockerfile --------------------------------------------------------------------------------

DOCKERFILE_BAD = """\
ARG OPENAI_API_KEY
FROM node:20 AS base
ARG OPENAI_API_KEY
RUN ["npm", "install", "-g", "@openai/codex@0.169.0"]
RUN ["codex", "exec", "-C", "/src", "-s", "danger-full-access", "--ephemeral", "build"]

FROM base AS reviewer
ENTRYPOINT ["codex", "exec"]
CMD ["--yolo", "-C", "/src", "review"]
"""

DOCKERFILE_GOOD = """\
ARG OPENAI_API_KEY
FROM node:20
RUN ["npm", "install", "-g", "@openai/codex@0.169.0"]
RUN codex exec -C /src -s read-only --ephemeral "build" </dev/null
CMD ["echo", "codex exec --yolo is not run here"]
"""


def test_dockerfile_exec_forms_and_arg(tmp_path: Path) -> None:
    _, doc = lint(write(tmp_path, "Dockerfile", DOCKERFILE_BAD))
    found = hits(doc)
    assert ("CG303", 5) in found  # exec-form RUN
    assert ("CG101", 5) in found  # ARG is in the RUN environment
    assert ("CG303", 9) in found  # ENTRYPOINT + CMD run as one argv
    assert ("CG101", 9) not in found  # ARG is build-time only, not in the container


def test_dockerfile_good_is_silent_on_these_rules(tmp_path: Path) -> None:
    # The global ARG is never redeclared in the stage: it is not in the RUN environment.
    _, doc = lint(write(tmp_path, "Dockerfile", DOCKERFILE_GOOD))
    assert not rules(doc) & {"CG101", "CG303", "CG903"}, doc["findings"]


ARGV = ["codex", "exec", "$PROMPT", "</dev/null", "a\\b", "`id`", "it's", 'say "hi"', "é x"]


@pytest.mark.parametrize("spread", [False, True])
def test_dockerfile_exec_form_is_the_argv_bash_sees(spread: bool) -> None:
    array = json.dumps(ARGV, ensure_ascii=False)
    if spread:  # an array continued over lines
        array = array.replace(", ", ", \\\n    ")
    text = f"FROM x\nRUN {array}\n"
    (run,) = dockerfile.extract(text, "Dockerfile")
    words = subprocess.run(
        ["bash", "-c", f"set -- {run.text.strip()}; printf '%s\\0' \"$@\""],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert words.split("\0")[:-1] == ARGV  # no expansion, no redirect: Docker's exact argv
    if not spread:  # a plain JSON string stays in its column
        assert run.text.index('"codex"') == text.split("\n")[1].index('"codex"') - 4


def test_dockerfile_array_that_is_not_json_is_shell_form() -> None:
    (run,) = dockerfile.extract("FROM x\nRUN ['not', json]\n", "Dockerfile")
    assert run.text.startswith("['not', json]")  # Docker runs it with the shell


def test_dockerfile_stage_scope() -> None:
    text = (
        "FROM a AS one\nENV K=1\nARG B=2\nFROM b AS two\nRUN x\nFROM one\nRUN y\n"
        'SHELL ["/bin/bash", "-c"]\nRUN z\n'
    )
    two, child, bash = dockerfile.extract(text, "Dockerfile")
    assert two.external_env == ()
    assert {n for n, _, _ in child.external_env} == {"K", "B"}
    assert (child.dialect, bash.dialect) == ("sh", "bash")


# --- Markdown ----------------------------------------------------------------------------------

MARKDOWN_BAD = """\
# Running a worker

```shell
$ codex exec -C . --yolo --ephemeral "Fix the tests" </dev/null
```

```bash
$ codex --version
codex-cli 0.169.0 (output: -s danger-full-access is not a command here)
$ codex exec -C . \\
>   -s danger-full-access --ephemeral "go" </dev/null
```
"""

MARKDOWN_GOOD = """\
```sh
$ codex exec -C . -s read-only --ephemeral "Review" </dev/null
Reading prompt... --yolo in output is not a command
$ echo "never codex exec --yolo"
```

```bash
# plain scripts stay scripts
codex exec -C . -s read-only --ephemeral "Review" </dev/null
```
"""


def test_markdown_prompts_in_shell_fences(tmp_path: Path) -> None:
    _, doc = lint(write(tmp_path, "guide.md", MARKDOWN_BAD))
    assert hits(doc) >= {("CG303", 4), ("CG303", 11)}
    assert not any(f["line"] == 9 for f in doc["findings"])  # output is not a command


def test_markdown_good_is_silent(tmp_path: Path) -> None:
    code, doc = lint(write(tmp_path, "guide.md", MARKDOWN_GOOD))
    assert doc["findings"] == [] and code == 0


def test_markdown_token_scan_reads_a_transcript_as_extract_does() -> None:
    lines = MARKDOWN_BAD.split("\n")
    streamed = dict(markdown.fenced_shell_lines(enumerate(lines, start=1)))
    for snippet in markdown.extract(MARKDOWN_BAD, "guide.md"):
        for offset, line in enumerate(snippet.text.split("\n")[:-1]):
            assert streamed[snippet.line_offset + offset + 1] == line


# --- named files of no known kind --------------------------------------------------------------

SKIPPED = "skipped: codex-guard has no reader for this file; `--kind` forces one"


def test_named_file_of_no_kind_is_reported_not_all_clear(tmp_path: Path) -> None:
    path = write(tmp_path, "dispatch.txt", "codex exec --yolo 'x'\n")
    done = subprocess.run(
        ["codex-guard", "lint", "--no-cache", "dispatch.txt"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert f"dispatch.txt: {SKIPPED}" in done.stdout
    assert "All clear" not in done.stdout
    assert done.returncode == 0  # like eslint's "File ignored": a line, not a failure
    code, doc = lint(path)
    assert list(doc)[:4] == ["version", "findings", "files", "errors"]
    assert doc["errors"] == [] and doc["files"] == 0
    assert doc["skipped"] == [{"path": str(path), "message": SKIPPED}]
    assert code == 0


def test_kind_forces_a_reader(tmp_path: Path) -> None:
    path = write(tmp_path, "dispatch.txt", "codex exec -C . --yolo --ephemeral 'x' </dev/null\n")
    code, doc = lint(path, "--kind", "shell")
    assert ("CG303", 1) in hits(doc) and "skipped" not in doc and code == 1
    ci = write(tmp_path, "ci.yml", "job:\n  script:\n    - codex exec -C . --yolo x </dev/null\n")
    _, doc = lint(ci)
    assert doc.get("skipped") and doc["findings"] == []
    _, doc = lint(ci, "--kind", "gitlab")
    assert ("CG303", 3) in hits(doc)


def test_walked_folders_do_not_list_skips_and_kind_leaves_them_alone(tmp_path: Path) -> None:
    write(tmp_path, "notes.txt", "codex exec --yolo x\n")
    write(tmp_path, "run.sh", "echo hi\n")
    for extra in ((), ("--kind", "markdown")):
        done = subprocess.run(
            ["codex-guard", "lint", "--no-cache", "--format", "json", *extra, "."],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
        doc = json.loads(done.stdout)
        assert "skipped" not in doc and doc["files"] == 1 and doc["findings"] == []


def test_missing_named_file_is_still_an_error(tmp_path: Path) -> None:
    code, doc = lint(tmp_path / "gone.txt")
    assert code == 2 and doc["errors"] and "skipped" not in doc


def test_bad_kind_is_a_usage_error(tmp_path: Path) -> None:
    done = subprocess.run(
        ["codex-guard", "lint", "--kind", "cobol", "x"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "--kind" in done.stderr


def _billion_merges() -> str:
    lines = ["a0: &a0 {script: [codex exec -C . --yolo --ephemeral x </dev/null]}"]
    for i in range(1, 30):  # each level merges the one below ten times: 10**29 paths
        lines.append(f"a{i}: &a{i}\n  <<: [{', '.join([f'*a{i - 1}'] * 10)}]")
    return "\n".join(lines) + "\n"


def _tangled_extends() -> str:
    names = [f"k{i}" for i in range(20)]  # every job extends every job: cycles, 20**11 chains
    return "".join(f"{n}:\n  extends: [{', '.join(names)}]\n  script: [echo]\n" for n in names)


def test_gitlab_pathological_merges_and_extends_end(tmp_path: Path) -> None:
    """Each would walk an exponential number of paths without the memo and the step bound; the
    CLI's timeout makes a regression a failure, not a hung suite."""
    code, doc = lint(write(tmp_path, ".gitlab-ci.yml", _billion_merges()))
    assert ("CG303", 1) in hits(doc) and code == 1
    tangled = tmp_path / "t"
    tangled.mkdir()
    code, doc = lint(write(tangled, ".gitlab-ci.yml", _tangled_extends()))
    assert [f["rule"] for f in doc["findings"]] == ["CG901"]  # said, not silently passed
    assert "extends" in doc["findings"][0]["message"]


def test_an_entrypoint_alone_takes_the_arguments_docker_run_appends(tmp_path: Path) -> None:
    """`docker run IMAGE "the prompt"` appends its arguments to an exec-form ENTRYPOINT with no
    CMD: an ENTRYPOINT that names no prompt does not read one from stdin (no CG202); what it does
    name is still checked."""
    text = (
        "FROM node:22\n"
        "ENV OPENAI_API_KEY=x\n"
        'ENTRYPOINT ["codex", "exec", "--yolo", "-C", "/src"]\n'
        "FROM node:22\n"
        'ENTRYPOINT ["codex", "exec", "-C", "/src", "-s", "read-only", "-o", "/src/o.md", "-"]\n'
    )
    _, doc = lint(write(tmp_path, "Dockerfile", text))
    assert sorted(hits(doc)) == [("CG101", 3), ("CG303", 3)]
    # a CMD gives the arguments instead: the pair runs as one argv, as before
    paired = text.replace('"/src"]\nFROM', '"/src"]\nCMD ["-"]\nFROM')
    _, doc = lint(write(tmp_path, "Dockerfile", paired))
    assert ("CG202", 4) in hits(doc)
