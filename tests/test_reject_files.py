"""The file-level reject (guard/reject.py `may_concern_file`): a file it skips has no finding when
forced through the full path (its kind's source, then every rule with the per-snippet reject
switched off too), over the repository's own corpora and over generated files of every kind;
but for CG902 on shell text known only when it runs (`co | bash`), which the default profile
does not report where no codex word is (tests/test_reject.py has the same contract for a line):
`lint --strict` reads such a file whatever its kind, and reports it."""

from __future__ import annotations

import json
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guard.commands.lint import FileJob, _engine_findings, _kind, lint_unrecorded, postprocess
from guard.engine import run as engine_run
from guard.reject import may_concern_file, may_start_unseen
from guard.settings import Settings
from tests.benchcorpus import generated_workflows
from tests.commandlines import command_lines, shell_noise
from tests.test_reject import FAST

ROOT = Path(__file__).resolve().parents[1]
SETTINGS = Settings()


def full_path_rules(text: str, kind: str, path: str = "x") -> list[str]:
    """Every rule id the full path finds in `text` read as `kind`, the per-snippet quick-reject
    off. A parse error (CG901) is only reported where the parser runs: the reject skips it."""
    job = FileJob(path=path, explicit=True, settings=SETTINGS)
    with mock.patch.object(engine_run, "mentions_codex", lambda _text: True):
        found = _engine_findings(job, text, kind)
    assert not hasattr(found, "message"), found  # not a FileError
    findings, directive_text = found  # type: ignore[misc]
    kept = postprocess(findings, SETTINGS, path, directive_text, {})
    return [f.rule for f in kept if f.rule != "CG901"]


STRICT = Settings(strict=True)


def assert_sound(text: str, kind: str, path: str = "x") -> None:
    if may_concern_file(text, kind):
        return
    found = full_path_rules(text, kind, path)
    if found and may_start_unseen(text):
        assert set(found) <= {"CG902"}, (kind, text, found)
        assert "CG902" in strict_lint_rules(text, kind, path), (kind, text)
        return
    assert found == [], (kind, text)


def strict_lint_rules(text: str, kind: str, path: str) -> list[str]:
    """The rules `lint --strict` reports in `text` read as `kind` (file reject and all)."""
    job = FileJob(path=path, explicit=True, settings=STRICT, kind=kind, content=text.encode())
    outcome = lint_unrecorded(job)
    assert outcome is not None and not outcome.errors, outcome
    return [f.rule for f in outcome.findings]


# ------------------------------------------------------------------ the repository's corpora
def _corpus() -> list[Path]:
    folders = ["examples", "tests/sources/orchestrators", "tests/sources/programs", ".github"]
    files = [p for f in folders for p in sorted((ROOT / f).rglob("*")) if p.is_file()]
    return [p for p in files if p.stat().st_size < 200_000]


@pytest.mark.parametrize("path", _corpus(), ids=lambda p: str(p.relative_to(ROOT)))
def test_a_corpus_file_the_reject_skips_has_no_finding(path: Path) -> None:
    kind = _kind(str(path), explicit=True)
    if kind is None:
        pytest.skip("no reader")
    text = path.read_text(encoding="utf-8", errors="replace")
    assert_sound(text, kind, str(path))


def test_generated_workflows_the_reject_skips_have_no_finding(tmp_path: Path) -> None:
    """bench/gen_workflows.py: the realistic corpus the benchmark lints."""
    skipped = 0
    for text in generated_workflows(60, seed=3, codex_every=10):
        skipped += not may_concern_file(text, "workflow")
        assert_sound(text, "workflow")
    assert skipped >= 20  # the point of it: most workflows are answered from their text


# ------------------------------------------------------------------ what must go on
GOES_ON = [
    ("on: push\njobs:\n  a:\n    steps:\n      - run: $CMD exec hi\n", "workflow"),
    ('jobs:\n  a:\n    steps:\n      - run: "co\\x64ex exec hi"\n', "workflow"),
    ("jobs:\n  a:\n    steps:\n      - {run: $X exec}\n", "workflow"),
    ('jobs:\n  a:\n    steps:\n      - {"run":"$X exec"}\n', "workflow"),
    ("jobs:\n  a:\n    steps:\n      - run: >\n          sudo\n          echo $X\n", "workflow"),
    ("jobs:\n  a:\n    steps:\n      - run: sudo\n          echo $X\n", "workflow"),
    ("jobs:\n  a:\n    steps:\n      - run: |\n          sudo \\\n            $X\n", "workflow"),
    ("jobs:\n  a:\n    steps:\n      - run: |\n          co\\\n          dex exec\n", "workflow"),
    ("jobs:\n  a:\n    steps:\n      - run: ${{ matrix.cmd }} exec\n", "workflow"),
    ("jobs:\n  a:\n    steps:\n      - run: 'it''s $X'\n", "workflow"),
    ("jobs:\n  a:\n    steps:\n      - run: echo 'x #y' && $X\n", "workflow"),
    ("x: &c $CMD exec\njobs:\n  a:\n    steps:\n      - run: *c\n", "workflow"),
    ("jobs:\n  a:\n    steps:\n      - ? run\n        : $X exec\n", "workflow"),
    ("jobs:\n  a:\n    steps:\n      - !!str run: $X exec\n", "workflow"),
    ("jobs: [\n", "workflow"),
    ("all:\n\t$(CMD) exec\n", "makefile"),
    ("all:\n\tco\\\n\tdex exec\n", "makefile"),
    ('RUN ["co\\u0064ex", "exec"]\n', "dockerfile"),
    ("```sh\n$X exec\n```\n", "markdown"),
    ("job:\n  script:\n    - $X exec\n", "gitlab"),
    ("$X exec\n", "shell"),
    ("import os\nos.system('co' + 'dex')  # codex\n", "python"),
    ('{"scripts": {"a": "$CMD exec"}}', "package-json"),
    ('{"scripts": {"a": "./co?ex exec"}}', "package-json"),
    ('{"scripts": {"a": "\\u0063odex exec"}}', "package-json"),
    ('{"scripts": {"a": "npx @openai/co\'\'dex exec"}}', "package-json"),
    # lefthook writes a declared template's value in (`{a}{b}` is `codex`)
    ("templates: {a: co, b: dex}\npre-commit:\n  jobs:\n    - run: '{a}{b} exec'\n", "lefthook"),
    ("pre-commit:\n  commands:\n    a:\n      run: $X exec\n", "lefthook"),
    ('{"pre-commit": {"commands": {"a": {"run": "\\u0063odex exec"}}}}', "lefthook"),
    # TOML: a line-ending backslash in a multi-line basic string joins `co` and `dex`
    ('[pre-commit.commands.a]\nrun = """co\\\n  dex exec --yolo"""\n', "lefthook"),
]

PRE_COMMIT_XARGS = (
    "repos:\n  - repo: local\n    hooks:\n      - id: a\n        entry: xargs\n"
    "        language: system\n"
)


def test_a_pre_commit_entry_gets_the_staged_files_the_text_does_not_show() -> None:
    # the reader adds the files as `"$@"`: `xargs "$@"` runs the first one, which the strict
    # profile reports (CG902, failing closed): the file goes on to be read
    job = FileJob(path="x", explicit=True, settings=Settings(strict=True))
    findings, _directives = _engine_findings(job, PRE_COMMIT_XARGS, "pre-commit")  # type: ignore[misc]
    assert [f.rule for f in findings] == ["CG902"]
    assert may_concern_file(PRE_COMMIT_XARGS, "pre-commit")


@pytest.mark.parametrize(("text", "kind"), GOES_ON)
def test_what_may_concern_codex_goes_on(text: str, kind: str) -> None:
    assert may_concern_file(text, kind)


SKIPPED = [
    (
        "on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    defaults:\n      run:\n"
        "        shell: bash\n    steps:\n      - uses: actions/checkout@v4\n"
        "      - run: npm ci\n      - name: Test\n        run: |\n          npm test\n"
        '          echo "${{ matrix.node }}" >> "$GITHUB_OUTPUT"\n',
        "workflow",
    ),
    ("build:\n\tgo build ./...\n", "makefile"),
    ("FROM python:3.12\nRUN pip install -r requirements.txt\n", "dockerfile"),
    ("import subprocess\nsubprocess.run(['ls'])\n", "python"),
    ("set -eu\nls -la\ngit status\n", "shell"),
    (
        '{"name": "web", "scripts": {"build": "tsc && node dist/*.js", "v": "echo $npm_package_v"},'
        ' "dependencies": {"a": "^1.2.3"}, "lint-staged": {"*.ts": "eslint --fix"}}',
        "package-json",
    ),
    (
        "pre-commit:\n  parallel: true\n  commands:\n    lint:\n      root: web/\n"
        "      run: npx eslint --fix\n      stage_fixed: true\n  scripts:\n"
        "    check.sh:\n      runner: bash\n",
        "lefthook",
    ),
]


@pytest.mark.parametrize(("text", "kind"), SKIPPED)
def test_ordinary_files_are_answered_from_their_text(text: str, kind: str) -> None:
    assert not may_concern_file(text, kind)
    assert full_path_rules(text, kind) == []


# ------------------------------------------------------------------ generated files of every kind
def _indent(text: str, by: int) -> str:
    return "\n".join(" " * by + line for line in text.split("\n"))


def _run_value(line: str, style: str) -> str:
    """A `run:` key and value at column 8 of a step, in one YAML style."""
    if style == "literal":
        return "      - run: |\n" + _indent(line, 10)
    if style == "folded":
        return "      - run: >\n" + _indent(line, 10)
    if style == "single":
        return "      - run: '" + line.replace("'", "''").replace("\n", "\n\n          ") + "'"
    if style == "double":
        return "      - run: " + json.dumps(line)
    if style == "flow":
        return "      - {name: x, run: " + json.dumps(line) + "}"
    if style == "plain-folded":
        return "      - run: echo start\n" + _indent(line, 10)
    return "      - run: " + line.replace("\n", " ; ")


STYLES = ["literal", "folded", "single", "double", "flow", "plain", "plain-folded"]


# Lines that alone stay on the fast path, and pieces that only concern codex next to another
# line (`sudo` before `echo $X`, a folded line that joins them): the line screen must not judge
# a folded value line by line.
JOINABLE = [*FAST, "sudo", "env", "bash -c", "nohup", "echo $X", "$X", "echo ${{ x }}", "cat <<EOF"]


def lines() -> st.SearchStrategy[str]:
    ordinary = st.lists(st.sampled_from(JOINABLE), min_size=1, max_size=4).map("\n".join)
    return st.one_of(ordinary, ordinary, shell_noise(), command_lines())


@st.composite
def workflows(draw: st.DrawFn) -> str:
    steps = []
    for _ in range(draw(st.integers(1, 3))):
        line = draw(lines())
        if draw(st.booleans()):
            line = line.replace("$", "${{ matrix.x }}", 1)
        steps.append(_run_value(line, draw(st.sampled_from(STYLES))))
    env = draw(st.sampled_from(["", "env:\n  A: '1'\n", "env:\n  OPENAI_API_KEY: x\n"]))
    return env + "on: push\njobs:\n  a:\n    runs-on: x\n    steps:\n" + "\n".join(steps) + "\n"


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workflows())
def test_a_generated_workflow_the_reject_skips_has_no_finding(text: str) -> None:
    assert_sound(text, "workflow")


WRAP = {
    "makefile": lambda line: "all:\n\t" + line.replace("\n", "\n\t") + "\n",
    "dockerfile": lambda line: "FROM x\nRUN " + line.replace("\n", " \\\n  ") + "\n",
    "markdown": lambda line: "Run:\n\n```bash\n" + line + "\n```\n",
    "justfile": lambda line: "build:\n    " + line.replace("\n", "\n    ") + "\n",
    "gitlab": lambda line: "job:\n  script:\n    - " + json.dumps(line) + "\n",
    "shell": lambda line: line + "\n",
    "package-json": lambda line: json.dumps({"name": "x", "scripts": {"a": line, "b": "tsc"}}),
    "lefthook": lambda line: "pre-commit:\n  jobs:\n    - run: " + json.dumps(line) + "\n",
}


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(WRAP)), lines())
def test_a_generated_file_of_any_kind_the_reject_skips_has_no_finding(kind: str, line: str) -> None:
    assert_sound(WRAP[kind](line), kind)


@settings(max_examples=200, deadline=None)
@given(
    st.text(max_size=120),
    st.sampled_from(["workflow", "gitlab", "makefile", "shell", "package-json"]),
)
def test_the_file_reject_never_raises(text: str, kind: str) -> None:
    assert isinstance(may_concern_file(text, kind), bool)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines(), st.booleans())
def test_a_lint_staged_config_the_reject_skips_has_no_finding(line: str, listed: bool) -> None:
    task: object = [line, "eslint --fix"] if listed else line
    assert_sound(json.dumps({"name": "x", "lint-staged": {"*.ts": task}}), "package-json")


# (not Markdown: a README's fences are examples, not run; an AGENTS.md's are, and are read so)
@pytest.mark.parametrize("kind", sorted(set(WRAP) - {"markdown"}))
@pytest.mark.parametrize("line", ["bash -c 'co|bash -c 'bash -c '", "curl -fsSL x | bash"])
def test_strict_lint_fails_closed_in_every_kind(kind: str, line: str) -> None:
    """No codex word, but a shell is handed text known only when it runs: the default profile
    stays silent, `lint --strict` reports CG902 in a Dockerfile, Makefile, workflow... as in a
    shell script (it used to read only shell scripts so)."""
    text = WRAP[kind](line)
    assert not may_concern_file(text, kind)
    job = FileJob(path="x", explicit=True, settings=SETTINGS, kind=kind, content=text.encode())
    default = lint_unrecorded(job)
    assert default is not None and default.findings == []
    assert "CG902" in strict_lint_rules(text, kind, "x")
