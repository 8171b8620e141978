"""lefthook configs (guard/sources/lefthook.py): the shell lefthook hands `sh -c` on git hooks
(`commands.<name>.run`, `scripts.<file>` with its `runner:` and `args:`, `jobs:` with `run:`,
`args:`, `script:` and `group:`, `setup:`, `files:`), with each job's `env:` and the stdin
lefthook gives it. Each test lints a realistic file as a user does and asserts every finding;
the look-alikes in the same file (echo text, a job's `name:`, a comment) stay clean.

What lefthook runs was recorded with lefthook 2.2.1 (npm `lefthook`) and a `codex` on PATH that
logs its argv, env and stdin (test_what_lefthook_runs_is_what_is_read repeats it where lefthook
is installed): `run` and `args` are one command line; a group job's `env:` reaches its jobs;
`{sandbox}` of `templates:` and `{staged_files}` are written into the text; a job without
`use_stdin` reads a pipe at EOF (a PTY under a terminal); with `use_stdin: true` in pre-push it
reads the refs git feeds the hook."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from guard.reject import may_concern_file
from guard.sources import lefthook
from guard.sources.detect import LEFTHOOK, detect_kind, kind_by_name
from tests.sources.test_package_json import at, lint, places, write

HOOKS = """\
templates:
  sandbox: read-only
  review: codex exec -C . --yolo
pre-commit:
  commands:
    lint:
      glob: "*.py"
      run: ruff check {staged_files}
    review:
      env:
        OPENAI_API_KEY: sk-test
      run: codex exec -C . -s {sandbox} "Review {staged_files}"
    notes:
      run: echo "codex exec --yolo is only text here"
    # codex exec --yolo in a comment
  jobs:
    - name: codex exec --yolo review
      run: codex exec -C . -s read-only
      args: --yolo "x"
    - name: grouped
      env:
        CODEX_API_KEY: x
      group:
        parallel: true
        jobs:
          - run: codex exec -C . -s read-only "grouped"
          - script: review.sh
            runner: bash
pre-push:
  jobs:
    - run: codex exec -C . -s read-only "check the push"
    - use_stdin: true
      run: codex exec -C . -s read-only "check {1}"
review:
  commands:
    r:
      run: "{review} 'go'"
"""


def test_commands_scripts_and_jobs_run_with_their_env(tmp_path: Path) -> None:
    doc = lint(write(tmp_path / "lefthook.yml", HOOKS))
    assert places(doc) == sorted(
        [
            # the command's env
            ("CG101", *at(HOOKS, 'codex exec -C . -s {sandbox} "Review')),
            # `args:` come after `run:` on one command line
            ("CG303", *at(HOOKS, '--yolo "x"')),
            # a group job's env reaches the group's jobs
            ("CG101", *at(HOOKS, 'codex exec -C . -s read-only "grouped"')),
            # `use_stdin: true` in pre-push: the refs git feeds the hook reach codex
            ("CG203", *at(HOOKS, 'codex exec -C . -s read-only "check {1}"')),
            # a declared template is its value: `{review}` is `codex exec -C . --yolo`
            ("CG303", *at(HOOKS, "{review}")),
        ]
    )
    # no CG201 anywhere: a job's stdin is at EOF (or a PTY) unless `use_stdin: true`; no CG903
    # for `-s {sandbox}`, the template's value being `read-only`
    billing = next(f for f in doc["findings"] if f["line"] == at(HOOKS, "{sandbox}")[0])
    assert [r["line"] for r in billing["related"]] == [at(HOOKS, "OPENAI_API_KEY")[0]]


def test_what_lefthook_reads_is_the_text_it_runs() -> None:
    found = {s.text: s for s in lefthook.extract(HOOKS, "lefthook.yml")}
    # a declared template written in, the others masked as variables of the same length
    # (columns kept), a script as lefthook runs it: `RUNNER <source_dir>/<hook>/<file>`
    assert set(found) == {
        "ruff check ${_staged_fil}",
        'codex exec -C . -s read-only "Review ${_staged_fil}"',
        'echo "codex exec --yolo is only text here"',
        'codex exec -C . -s read-only --yolo "x"',
        'codex exec -C . -s read-only "grouped"',
        "bash .lefthook/pre-commit/review.sh",
        'codex exec -C . -s read-only "check the push"',
        'codex exec -C . -s read-only "check $_1"',
        "codex exec -C . --yolo 'go'",
    }
    assert lefthook.masked_name("{staged_files}") == "${_staged_fil}"
    assert len(lefthook.masked_name("{lefthook_job_name}")) == len("{lefthook_job_name}")
    key_line = at(HOOKS, "CODEX_API_KEY")[0]
    assert found["bash .lefthook/pre-commit/review.sh"].external_env == (
        ("CODEX_API_KEY", "x", key_line),
    )
    # lefthook's order: `jobs:` first (a parallel group's jobs one step), then `commands:` sorted
    steps = {text: s.session for text, s in found.items()}
    assert steps['codex exec -C . -s read-only --yolo "x"'] == (("lefthook pre-commit", 1),)
    assert steps['codex exec -C . -s read-only "grouped"'] == (("lefthook pre-commit", 2),)
    assert steps["bash .lefthook/pre-commit/review.sh"] == (("lefthook pre-commit", 2),)
    assert steps["ruff check ${_staged_fil}"] == (("lefthook pre-commit", 3),)
    assert steps['echo "codex exec --yolo is only text here"'] == (("lefthook pre-commit", 4),)


STDIN = """\
pre-commit:
  commands:
    review:
      run: codex exec -C . -s read-only "review the staged diff"
    ask:
      interactive: true
      run: codex exec -C . -s read-only "review the staged diff"
commit-msg:
  commands:
    fed:
      use_stdin: true
      run: codex exec -C . -s read-only "check the message"
review:
  commands:
    fed:
      use_stdin: true
      run: codex exec -C . -s read-only "look at the diff"
    plain:
      run: codex exec -C . -s read-only "look at the diff"
"""


def test_stdin_is_what_lefthook_gives_the_job(tmp_path: Path) -> None:
    """Without `use_stdin` lefthook gives a reader at EOF (a PTY when its output is a
    terminal; `interactive: true` the terminal): no idle pipe. With it, a git hook's own stdin:
    /dev/null for commit-msg; a hook lefthook runs by name (`lefthook run review`) gets the
    caller's stdin, which may be an idle pipe: CG201 as in a script."""
    doc = lint(write(tmp_path / "lefthook.yml", STDIN))
    assert places(doc) == [("CG201", *at(STDIN, 'codex exec -C . -s read-only "look'))]
    assert doc["findings"][0]["severity"] == "warning"


def test_setup_files_and_scripts_are_shell_too(tmp_path: Path) -> None:
    text = """\
source_dir: hooks/
pre-commit:
  setup:
    - run: codex exec -C . --yolo "prepare" </dev/null
  files: codex exec -C . -s read-only "list the files to lint"
  scripts:
    "10-review.sh":
      runner: codex exec -C . -s read-only
      args: --yolo
    "check.sh":
      runner: bash
    "codex-notes.sh": {}
"""
    doc = lint(write(tmp_path / "lefthook.yml", text))
    assert places(doc) == sorted(
        [("CG303", *at(text, '--yolo "prepare"')), ("CG303", *at(text, "--yolo", 1))]
    )
    found = [s.text for s in lefthook.extract(text, "lefthook.yml")]
    assert "codex exec -C . -s read-only hooks/pre-commit/10-review.sh --yolo" in found
    assert "bash hooks/pre-commit/check.sh" in found
    assert not any("codex-notes" in s for s in found)  # the script alone: a file of the repo


def test_resume_after_an_ephemeral_run_of_the_same_hook(tmp_path: Path) -> None:
    text = """\
pre-push:
  jobs:
    - run: codex exec --ephemeral -C . -s read-only - < plan.md
    - run: codex exec resume --last "go on" </dev/null
"""
    doc = lint(write(tmp_path / "lefthook.yml", text))
    assert ("CG401", *at(text, "--ephemeral")) in places(doc)


def test_config_names_and_json(tmp_path: Path) -> None:
    names = ("lefthook.yml", ".lefthook.yaml", "lefthook-local.yml", ".config/lefthook.json")
    for name in (*names, ".lefthook-local.jsonc", "lefthook.toml"):
        assert kind_by_name(name) == LEFTHOOK, name
        assert detect_kind(name) == LEFTHOOK
    config = {"pre-commit": {"commands": {"review": {"run": "codex exec -C . --yolo \\u0021"}}}}
    text = json.dumps(config, indent="\t")  # tabs: JSON's, not YAML's
    doc = lint(write(tmp_path / "lefthook-local.json", text))
    assert places(doc) == [("CG303", *at(text, "--yolo"))]
    # `.jsonc` as lefthook reads it (tidwall/jsonc): comments and trailing commas are blanks
    jsonc = """{
  // hooks
  "pre-push": {"jobs": [
    {"run": "codex exec -C . --yolo 'text // and /* text */'", /* c */ },
  ],},
}
"""
    doc = lint(write(tmp_path / "j" / "lefthook.jsonc", jsonc))
    assert places(doc) == [("CG303", *at(jsonc, "--yolo"))]
    assert lefthook.jsonc_to_json(jsonc).count("\n") == jsonc.count("\n")
    broken = lint(write(tmp_path / "x" / "lefthook.json", '{"pre-commit": {'))
    assert [f["rule"] for f in broken["findings"]] == ["CG901"]
    assert "not valid JSON" in broken["findings"][0]["message"]


def test_unexpected_shapes_give_nothing(tmp_path: Path) -> None:
    text = """\
pre-commit: codex exec --yolo
pre-push:
  commands: [codex exec --yolo]
  jobs: {run: codex exec --yolo}
  scripts: codex exec --yolo
commit-msg:
  jobs:
    - group: codex exec --yolo
    - run: [codex exec --yolo]
    - script: [x]
min_version: codex exec --yolo
"""
    doc = lint(write(tmp_path / "lefthook.yml", text))
    assert doc["findings"] == [] and doc["errors"] == []
    empty = "pre-commit:\n  files: ''\n  setup: [{run: ' '}]\n  commands: {a: {run: ''}}\n"
    assert lefthook.extract(empty, "lefthook.yml") == []  # nothing to run: no snippet


def test_the_reject_lets_templates_through() -> None:
    split = "templates:\n  a: co\n  b: dex\npre-commit:\n  jobs:\n    - run: \"'{a}{b}' exec\"\n"
    assert may_concern_file(split, LEFTHOOK)
    (snippet,) = lefthook.extract(split, "lefthook.yml")
    assert snippet.text == "'codex' exec"  # written in inside the quotes too
    plain = "pre-commit:\n  commands:\n    lint:\n      run: npx eslint --fix\n"
    assert not may_concern_file(plain, LEFTHOOK)


def test_a_template_of_shell_text_is_written_in(tmp_path: Path) -> None:
    text = """\
templates:
  then: "true && codex exec"
review:
  jobs:
    - run: lint {then} -C . --yolo "x" </dev/null
"""
    (snippet,) = lefthook.extract(text, "lefthook.yml")
    assert snippet.text == 'lint true && codex exec -C . --yolo "x" </dev/null'
    # the words after the value are where the file has them; the value's, at the template
    doc = lint(write(tmp_path / "lefthook.yml", text))
    assert places(doc) == [("CG303", *at(text, "--yolo"))]
    # a finding on a word of the value points at the template
    text = text.replace('codex exec"', 'codex exec --yolo"').replace(' --yolo "x"', " 'x'")
    doc = lint(write(tmp_path / "lefthook.yml", text))
    assert places(doc) == [("CG303", *at(text, "{then}"))]


@pytest.mark.skipif(shutil.which("lefthook") is None, reason="lefthook is not installed")
def test_what_lefthook_runs_is_what_is_read(tmp_path: Path) -> None:
    """The real lefthook, with a `codex` that records what it was given: the argv and env the
    reader says, and a stdin at EOF."""
    bin_dir, repo = tmp_path / "bin", tmp_path / "repo"
    log = tmp_path / "log"
    write(bin_dir / "codex", '#!/bin/sh\nprintf "%s|" "$@" "$CODEX_API_KEY" >>"$LOG"\n'
          'cat >>"$LOG"\necho >>"$LOG"\n')  # fmt: skip
    (bin_dir / "codex").chmod(0o755)
    write(repo / "lefthook.yml", HOOKS)
    write(repo / ".lefthook/pre-commit/review.sh", "true\n")
    env = {**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}", "LOG": str(log)}
    env.update(GIT_AUTHOR_NAME="a", GIT_AUTHOR_EMAIL="a@b", GIT_COMMITTER_NAME="a")
    env.update(GIT_COMMITTER_EMAIL="a@b")
    run: Any = lambda *argv: subprocess.run(  # noqa: E731
        argv, cwd=repo, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=120
    )
    run("git", "init", "-q")
    run("lefthook", "install")
    run("git", "add", "lefthook.yml")
    run("git", "commit", "-q", "-m", "x")
    lines = set(log.read_text().splitlines())
    assert "exec|-C|.|-s|read-only|--yolo|x||" in lines
    assert "exec|-C|.|-s|read-only|grouped|x|" in lines
    assert "exec|-C|.|-s|read-only|Review lefthook.yml||" in lines


def test_a_script_in_lefthook_source_dir_reads_a_stdin_at_eof(tmp_path: Path) -> None:
    """lefthook runs `.lefthook/<hook>/<file>` (and `.lefthook-local/`) with a reader at EOF (or
    a PTY) unless its config says `use_stdin: true`: a positional prompt there never waits. The
    same script elsewhere may be run from an idle pipe: CG201 (warning)."""
    prompt = 'codex exec -C . -s read-only "look at the diff"\n'
    for name in (".lefthook/pre-commit/review.sh", ".lefthook-local/review/check.sh"):
        write(tmp_path / name, prompt)
    write(tmp_path / "scripts/review.sh", prompt)
    write(tmp_path / ".lefthook/review.sh", prompt)  # not in a hook's folder
    doc = lint(tmp_path)
    found = {(Path(f["path"]).relative_to(tmp_path).as_posix(), f["rule"]) for f in doc["findings"]}
    assert found == {("scripts/review.sh", "CG201"), (".lefthook/review.sh", "CG201")}


def _shapes() -> Any:
    from hypothesis import strategies as st

    keys = st.sampled_from(
        [
            "pre-commit",
            "review",
            "commands",
            "scripts",
            "jobs",
            "group",
            "run",
            "script",
            "runner",
            "args",
            "env",
            "use_stdin",
            "parallel",
            "setup",
            "files",
            "priority",
            "templates",
            "x",
            "1a",
        ]
    )
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-3, 3),
        st.sampled_from(["codex exec --yolo {x}", "{staged_files}", "true", "", "{0}"]),
    )
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=4)
        ),
        max_leaves=20,
    )


def test_any_shape_is_read_without_an_error() -> None:
    from hypothesis import HealthCheck, given, settings

    @settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_shapes())
    def check(shape: Any) -> None:
        text = json.dumps(shape)
        for path in ("lefthook.json", "lefthook.yml"):
            for snippet in lefthook.extract(text, path):
                assert snippet.text

    check()


TOML = """\
# lefthook.toml
[templates]
sandbox = "read-only"

[pre-commit.commands.lint]
run = "ruff check {staged_files}"  # run = "codex exec --yolo" in a comment

[pre-commit.commands.review]
run = 'codex exec -C . -s {sandbox} "Review {staged_files}" # not a comment'
env = { OPENAI_API_KEY = "sk-test" }

[pre-commit.commands.notes]
run = "echo \\"codex exec --yolo is only text here\\""

[[pre-push.jobs]]
run = '''
codex exec -C . -s read-only \\
  "check the push" </dev/null
'''

[[pre-push.jobs]]
run = "codex exec -C . -s read-only"
args = "--yolo 'x'"
"""


def test_a_toml_config_is_read_as_its_yaml_would_be(tmp_path: Path) -> None:
    """`lefthook.toml`: each string where its literal is written (a multi-line one from the
    line after its quotes), an `env` key at its own line."""
    doc = lint(write(tmp_path / "lefthook.toml", TOML))
    assert places(doc) == sorted(
        [
            ("CG101", *at(TOML, "codex exec -C . -s {sandbox}")),
            ("CG303", *at(TOML, "--yolo 'x'")),
        ]
    )
    billing = next(f for f in doc["findings"] if f["rule"] == "CG101")
    assert [r["line"] for r in billing["related"]] == [at(TOML, "OPENAI_API_KEY")[0]]
    texts = [s.text for s in lefthook.extract(TOML, "lefthook.toml")]
    assert 'codex exec -C . -s read-only \\\n  "check the push" </dev/null' in texts
    broken = lint(write(tmp_path / "x" / "lefthook.toml", "[pre-commit\nrun = 1\n"))
    assert [(f["rule"], f["line"]) for f in broken["findings"]] == [("CG901", 1)]
    assert "not valid TOML" in broken["findings"][0]["message"]


def test_a_lone_surrogate_escape_in_json_hides_no_run(tmp_path: Path) -> None:
    """JSON allows `\\ud800` alone (Go's encoding/json, which lefthook reads `.json` with, makes
    it U+FFFD); it must not turn the file into a parse error that hides the runs in it."""
    text = (
        '{"pre-commit": {"commands": {"r": {"run": "codex exec -C . --yolo x </dev/null"},\n'
        ' "s": {"run": "echo \\ud800 \\\\ud800 \\ud83d\\ude00"}}}}\n'
    )
    doc = lint(write(tmp_path / "lefthook.json", text))
    assert places(doc) == [("CG303", *at(text, "--yolo"))]


def test_the_rc_file_the_git_hook_loads_reaches_every_run(tmp_path: Path) -> None:
    """`rc: FILE`: lefthook's git hook script runs `[ -f FILE ] && . FILE` before lefthook (its
    hook template: "Load rc file, which may export ENV variables"), so what FILE exports reaches
    every job of a git hook: CG103, an error when the repository's FILE sets a key. A hook of
    lefthook's own (`lefthook run NAME`) is run with no hook script, no rc."""
    text = """\
rc: .lefthookrc
pre-commit:
  commands:
    review:
      run: codex exec -C . -s read-only "{staged_files}" </dev/null
mine:
  commands:
    review:
      run: codex exec -C . -s read-only "x" </dev/null
"""
    write(tmp_path / ".lefthookrc", "export OPENAI_API_KEY=sk-x\n")
    doc = lint(write(tmp_path / "lefthook.yml", text))
    assert places(doc) == [("CG103", *at(text, 'codex exec -C . -s read-only "{'))]
    (finding,) = doc["findings"]
    assert finding["severity"] == "error"
    assert [r["line"] for r in finding["related"]] == [1]
