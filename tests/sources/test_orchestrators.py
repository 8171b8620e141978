"""Orchestrators that assemble the codex argv across a file (issue 13), and Python's env= forms
(issue 9): module and class constants, helpers that return an argv or an env, concatenation,
`append`/`extend`, spreads, `" ".join(...)` handed to a shell, and `os.environ` edits.

Each fixture in tests/sources/orchestrators/ says on its first line what a user sees
(`# expect: CG303:error@47 ...` or `none`); it is linted through the real CLI. The Python fixture
is also run for real against a recording stand-in codex, and the argv and env it really gets are
compared with what the source reads.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from guard.commands.lint import FileJob, _rule_text, lint_file
from guard.engine import load_rules
from guard.findings import Finding
from guard.settings import Settings
from guard.sources import javascript, python
from tests.sources.recorded_runs import run_recorded

HERE = Path(__file__).parent / "orchestrators"
FIXTURES = sorted(p.name for p in HERE.iterdir() if p.suffix in (".py", ".ts", ".mjs", ".go"))
EXPECT = re.compile(r"^(?:#|//) expect: (.*)$")
CLI = [sys.executable, "-m", "guard.cli"]
RULE_TEXT = _rule_text(load_rules())

Found = list[tuple[str, str, int]]


def expected(path: Path) -> Found:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    match = EXPECT.match(first)
    assert match, f"{path.name}: no expect line"
    if match.group(1).strip() == "none":
        return []
    found: Found = []
    for item in match.group(1).split():
        rule, rest = item.split(":")
        severity, line = rest.split("@")
        found.append((rule, severity, int(line)))
    return sorted(found)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def lint_json(path: Path) -> list[dict[str, object]]:
    data = json.loads(run_cli("lint", "--format", "json", str(path)).stdout)
    findings: list[dict[str, object]] = data["findings"]
    return findings


def lint_body(tmp_path: Path, body: str, name: str = "orchestrate.py") -> list[Finding]:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    outcome = lint_file(FileJob(str(path), True, Settings(), RULE_TEXT))
    assert not outcome.errors, outcome.errors
    return sorted(outcome.findings, key=lambda f: (f.location.line, f.rule))


def summary(findings: list[Finding]) -> Found:
    return sorted((f.rule, f.severity.value, f.location.line) for f in findings)


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_findings(name: str) -> None:
    path = HERE / name
    found = sorted((f["rule"], f["severity"], f["line"]) for f in lint_json(path))
    assert found == expected(path)


@pytest.mark.parametrize("name", FIXTURES)
def test_no_position_past_the_end_of_its_line(name: str) -> None:
    """A spawn is linted as one rendered line; its columns still fall on the file's lines."""
    path = HERE / name
    lines = path.read_text(encoding="utf-8").splitlines()
    for finding in lint_json(path):
        places = [finding, *finding["related"]]  # type: ignore[list-item]
        for place in places:
            assert isinstance(place, dict)
            width = len(lines[int(place["line"]) - 1]) + 1
            assert 1 <= int(place["column"]) <= width, (finding["rule"], place)


def test_a_flag_from_a_helper_points_at_the_line_that_put_it_there() -> None:
    path = HERE / "py_fleet_bad.py"
    lines = path.read_text(encoding="utf-8").splitlines()
    findings = lint_json(path)
    bypass = next(f for f in findings if f["rule"] == "CG303" and f["line"] == 57)
    assert "comes from base_argv()" in str(bypass["message"])
    related = {(r["line"], r["note"]) for r in bypass["related"]}  # type: ignore[union-attr]
    helper_line = next(i for i, t in enumerate(lines, 1) if "argv.append(CODEX_FLAGS)" in t)
    constant_line = next(i for i, t in enumerate(lines, 1) if t.startswith("CODEX_FLAGS ="))
    flag = "`--dangerously-bypass-approvals-and-sandbox`"
    assert (helper_line, f"{flag} comes from base_argv() here") in related
    assert (constant_line, f"{flag} is set here") in related
    full_auto = next(f for f in findings if f["rule"] == "CG903")
    assert "comes from build_codex_command()" in str(full_auto["message"])


def test_sarif_and_text_show_the_related_location() -> None:
    path = HERE / "py_fleet_bad.py"
    sarif = json.loads(run_cli("lint", "--format", "sarif", str(path)).stdout)
    results = sarif["runs"][0]["results"]
    full_auto = next(r for r in results if r["ruleId"] == "CG903")
    places = [
        (r["physicalLocation"]["region"]["startLine"], r["message"]["text"])
        for r in full_auto["relatedLocations"]
    ]
    lines = path.read_text(encoding="utf-8").splitlines()
    helper = next(i for i, t in enumerate(lines, 1) if '"--full-auto"' in t)
    assert (helper, "`--full-auto` comes from build_codex_command() here") in places
    column = lines[helper - 1].index('"--full-auto"') + 1
    text = run_cli("lint", str(path)).stdout
    note = (
        f"py_fleet_bad.py:{helper}:{column}: note: `--full-auto` comes from build_codex_command()"
    )
    assert note in text


# --- Python: the env= forms of issue 9 ---------------------------------------------------


HEAD = """\
import os
import subprocess

ARGV = ["codex", "exec", "-s", "read-only", "-C", ".", "-"]
"""


@pytest.mark.parametrize(
    ("body", "line"),
    [
        (
            "subprocess.run(ARGV, input='p', text=True,"
            " env=dict(os.environ, OPENAI_API_KEY=os.environ['K']))\n",
            5,
        ),
        (
            "env = os.environ.copy()\nenv['OPENAI_API_KEY'] = 'k'\n"
            "subprocess.run(ARGV, input='p', text=True, env=env)\n",
            7,
        ),
        (
            "env = dict(os.environ)\nenv.update({'CODEX_API_KEY': 'k'})\n"
            "subprocess.run(ARGV, input='p', text=True, env=env)\n",
            7,
        ),
        ("os.environ.update(OPENAI_API_KEY='k')\nsubprocess.run(ARGV, input='p', text=True)\n", 6),
        ("os.environ['OPENAI_API_KEY'] = 'k'\nsubprocess.run(ARGV, input='p', text=True)\n", 6),
        ("os.putenv('OPENAI_API_KEY', 'k')\nsubprocess.run(ARGV, input='p', text=True)\n", 6),
        (
            "os.environ.setdefault('CODEX_API_KEY', 'k')\n"
            "subprocess.run(ARGV, input='p', text=True)\n",
            6,
        ),
        (
            "def billing_env():\n    return {**os.environ, 'OPENAI_API_KEY': 'k'}\n"
            "subprocess.run(ARGV, input='p', text=True, env=billing_env())\n",
            7,
        ),
    ],
    ids=[
        "dict-kw",
        "copy-subscript",
        "update-dict",
        "environ-update",
        "environ-item",
        "putenv",
        "setdefault",
        "helper",
    ],
)
def test_python_env_forms_reach_codex(tmp_path: Path, body: str, line: int) -> None:
    assert summary(lint_body(tmp_path, HEAD + body)) == [("CG101", "error", line)]


@pytest.mark.parametrize(
    "body",
    [
        "env = os.environ.copy()\nenv.pop('OPENAI_API_KEY', None)\n"
        "subprocess.run(ARGV, input='p', text=True, env=env)\n",
        "env = {k: v for k, v in os.environ.items() if not k.endswith('API_KEY')}\n"
        "subprocess.run(ARGV, input='p', text=True, env=env)\n",
        # putenv changes the process environment, not os.environ: an env= copy does not see it
        "os.putenv('OPENAI_API_KEY', 'k')\n"
        "subprocess.run(ARGV, input='p', text=True, env=dict(os.environ))\n",
        # set after the run
        "subprocess.run(ARGV, input='p', text=True)\nos.environ['OPENAI_API_KEY'] = 'k'\n",
        "env = {**os.environ, 'TMPDIR': '/repo/.tmp'}\n"
        "subprocess.run(ARGV, input='p', text=True, env=env)\n",
    ],
    ids=["popped", "filtered", "putenv-copy", "after", "other-key"],
)
def test_python_env_without_the_key_is_silent(tmp_path: Path, body: str) -> None:
    assert summary(lint_body(tmp_path, HEAD + body)) == []


RUN = "subprocess.run(ARGV, input='p', text=True)\n"


@pytest.mark.parametrize(
    "body",
    [
        "os.environ['OPENAI_API_KEY'] = 'k'\nprint('embed')\n"
        "del os.environ['OPENAI_API_KEY']\n" + RUN,
        "os.environ['OPENAI_API_KEY'] = 'k'\nos.environ.pop('OPENAI_API_KEY', None)\n"
        "def main():\n    " + RUN,
        "os.environ['OPENAI_API_KEY'] = 'k'\ndef main():\n"
        "    os.environ.pop('OPENAI_API_KEY', None)\n    " + RUN,
        "def main(key):\n    os.environ['OPENAI_API_KEY'] = key\n    print('embed')\n"
        "    del os.environ['OPENAI_API_KEY']\n    " + RUN,
        "def main(key):\n    os.environ['OPENAI_API_KEY'] = key\n    try:\n"
        "        print('embed')\n    finally:\n        del os.environ['OPENAI_API_KEY']\n"
        "    " + RUN,
        "os.environ.update(OPENAI_API_KEY='k')\nold = os.environ.pop('OPENAI_API_KEY', None)\n"
        "subprocess.run(ARGV, input='p', text=True, env=os.environ.copy())\n",
    ],
    ids=["del", "pop-above-function", "pop-in-function", "set-and-del-in-function",
         "del-in-finally", "pop-assigned"],
)  # fmt: skip
def test_python_environ_key_deleted_before_the_run_is_silent(tmp_path: Path, body: str) -> None:
    """`del os.environ[K]` / `os.environ.pop(K)` on every path before the spawn clears what an
    earlier `os.environ[K] = v` set, as `unset K` does in a script (RULES.md, CG101)."""
    assert summary(lint_body(tmp_path, HEAD + body)) == []


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("os.environ['OPENAI_API_KEY'] = 'k'\n" + RUN + "del os.environ['OPENAI_API_KEY']\n", 6),
        ("os.environ['OPENAI_API_KEY'] = 'k'\nif os.environ.get('CLEAN'):\n"
         "    del os.environ['OPENAI_API_KEY']\n" + RUN, 8),
        ("os.environ['OPENAI_API_KEY'] = 'k'\ndef main(clean):\n    if clean:\n"
         "        os.environ.pop('OPENAI_API_KEY', None)\n    " + RUN, 9),
        ("os.environ['OPENAI_API_KEY'] = 'k'\n"
         "os.environ.get('CLEAN') and os.environ.pop('OPENAI_API_KEY', None)\n" + RUN, 7),
        ("def main(keys):\n    os.environ['OPENAI_API_KEY'] = 'k'\n    for _ in keys:\n"
         "        del os.environ['OPENAI_API_KEY']\n    " + RUN, 9),
        ("os.environ['OPENAI_API_KEY'] = 'k'\ndel os.environ['OPENAI_API_KEY']\n"
         "os.environ.setdefault('OPENAI_API_KEY', 'k')\n" + RUN, 8),
        ("def configure():\n    os.environ['OPENAI_API_KEY'] = 'k'\ndef main():\n"
         "    os.environ.pop('OPENAI_API_KEY', None)\n    configure()\n    " + RUN, 10),
        # putenv never reaches os.environ: the pop finds no key and unsets nothing
        ("os.putenv('OPENAI_API_KEY', 'k')\nos.environ.pop('OPENAI_API_KEY', None)\n" + RUN, 7),
        # more paths than a bound keeps: the one that keeps the key is not dropped
        ("def main(a, b, c, d, e):\n    os.environ['OPENAI_API_KEY'] = 'k'\n"
         + "".join(f"    if {v}:\n        x_{v} = '{v}'\n" for v in "abcde")
         + "    if a:\n        del os.environ['OPENAI_API_KEY']\n    " + RUN, 19),
    ],
    ids=["run-before-del", "del-on-a-branch", "pop-on-a-branch-in-function", "pop-under-and",
         "del-in-a-loop", "set-again", "set-by-a-helper-after-the-pop", "putenv-then-pop",
         "many-paths"],
)  # fmt: skip
def test_python_environ_key_not_deleted_on_every_path_reaches_codex(
    tmp_path: Path, body: str, line: int
) -> None:
    assert summary(lint_body(tmp_path, HEAD + body)) == [("CG101", "error", line)]


# --- Python: argv shapes -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "rule", "line"),
    [
        ("argv = shlex.split('codex exec --yolo -C . -')\n"
         "subprocess.run(argv, input='p', text=True)\n", "CG303", 6),
        ("subprocess.run(' '.join(['codex', 'exec', '--yolo', '-C', '.', '-']), shell=True,"
         " input='p', text=True)\n", "CG303", 5),
        ("MODE = 'danger-full-access'\n"
         "subprocess.run(f'codex exec -s {MODE} -C . -', shell=True, input='p', text=True)\n",
         "CG303", 6),
        ("argv = ['codex', 'exec', '-C', '.']\nif os.environ.get('FAST'):\n"
         "    argv.append('--yolo')\nargv.append('-')\n"
         "subprocess.run(argv, input='p', text=True)\n", "CG303", 9),
        ("class Cfg:\n    FLAGS = ('-s', 'danger-full-access')\n"
         "subprocess.run(['codex', 'exec', *Cfg.FLAGS, '-C', '.', '-'], input='p', text=True)\n",
         "CG303", 7),
        ("def flags(unsafe):\n    return ['--yolo'] if unsafe else ['-s', 'read-only']\n"
         "subprocess.run(['codex', 'exec', *flags(True), '-C', '.', '-'], input='p', text=True)\n",
         "CG303", 7),
        ("def argv(sandbox):\n    return ['codex', 'exec', '-s', sandbox, '-C', '.', '-']\n"
         "subprocess.run(argv('danger-full-access'), input='p', text=True)\n", "CG303", 7),
        ("import asyncio\nARGS = ['exec', '--yolo', '-C', '.', 'p']\n"
         "asyncio.create_subprocess_exec('codex', *ARGS, stdin=subprocess.DEVNULL)\n",
         "CG303", 7),
    ],
    ids=["shlex-split", "join-shell", "fstring-shell", "branch-append", "class-constant",
         "helper-ternary", "flag-as-parameter", "create-subprocess-exec"],
)  # fmt: skip
def test_python_argv_assembled_in_the_file(tmp_path: Path, body: str, rule: str, line: int) -> None:
    found = summary(lint_body(tmp_path, HEAD + "import shlex\n" + body))
    assert (rule, "error", line + 1) in found, found


def test_an_unresolved_program_is_cg902(tmp_path: Path) -> None:
    body = (
        "import sys\nsubprocess.run([sys.argv[1], 'exec', '--yolo', '-C', '.', '-'], input='p')\n"
    )
    assert [f.rule for f in lint_body(tmp_path, HEAD + body)] == ["CG902"]


def test_values_stay_bounded(tmp_path: Path) -> None:
    """Twenty optional flags, a helper that calls itself and a constant that names itself:
    a bounded answer, quickly, with the flag still found."""
    flags = "".join(
        f"if os.environ.get('F{i}'):\n    argv += ['-c', 'k{i}=1']\n" for i in range(20)
    )
    body = (
        "A = ['codex']\nA = A + ['exec']\n"
        "def deep(n):\n    return deep(n - 1) + ['-C', '.']\n"
        "argv = ['codex', 'exec', '--yolo', '-']\n" + flags + "argv += deep(3)\n"
        "subprocess.run(argv, input='p', text=True)\n"
        "subprocess.run([*A, '-s', 'read-only', '-C', '.', '-'], input='p', text=True)\n"
    )
    snippets = python.extract(HEAD + body, "orchestrate.py")
    assert 0 < len(snippets) <= 64
    found = summary(lint_body(tmp_path, HEAD + body))
    spawn = (HEAD + body).splitlines().index("subprocess.run(argv, input='p', text=True)") + 1
    assert found == [("CG303", "error", spawn)]


# --- what really runs ----------------------------------------------------------------------


def _described(snippet_text: str, argv: list[str]) -> bool:
    """Does the snippet's codex argv (`$ARG` = any one word) describe the real argv?"""
    body = snippet_text.removeprefix("{ ").split("\n}", 1)[0]  # a shell spawn's group
    words = shlex.split(body.split("<", 1)[0])
    while words and "=" in words[0] and not words[0].startswith("-"):
        words.pop(0)  # the env assignments
    words = words[1:]  # `codex`
    return len(words) == len(argv) and all(
        w in ("$ARG", a) for w, a in zip(words, argv, strict=True)
    )


@pytest.mark.parametrize(
    "call",
    [
        "m.run(m.Task('gpt-5', '.', 'Fix it'))",
        "m.dispatch(m.Task('gpt-5', '.', 'Fix it'), unsafe=True)",
        "m.dispatch(m.Task('gpt-5', '.', 'Fix it'))",
        "m.review(m.Task('gpt-5', '.', 'Fix it'))",
        "m.resume(m.Task('gpt-5', '.', 'Fix it'))",
    ],
)
def test_what_python_really_runs_is_what_the_source_reads(tmp_path: Path, call: str) -> None:
    source = (HERE / "py_fleet_bad.py").read_text(encoding="utf-8")
    (tmp_path / "fleet.py").write_text(source, encoding="utf-8")
    recorded = run_recorded(tmp_path, [sys.executable, "-c", f"import fleet as m\n{call}\n"])
    runs = [(r.argv, r.has_key) for r in recorded]
    snippets = python.extract(source, "fleet.py")
    for argv, has_key in runs:
        described = [s for s in snippets if _described(s.text, argv)]
        assert described, f"no snippet reads the argv {argv}"
        assert any(("API_KEY=" in s.text.split("codex", 1)[0]) == has_key for s in described)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize(
    "call",
    [
        "m.run({ model: 'gpt-5', repo: '.', prompt: 'Fix it' })",
        "m.dispatch({ model: 'gpt-5', repo: '.', prompt: 'Fix it' }, true)",
        "m.dispatch({ model: 'gpt-5', repo: '.', prompt: 'Fix it' })",
        "m.review({ model: 'gpt-5', repo: '.', prompt: 'Fix it' })",
    ],
)
def test_what_node_really_runs_is_what_the_source_reads(tmp_path: Path, call: str) -> None:
    source = (HERE / "node_fleet.mjs").read_text(encoding="utf-8")
    (tmp_path / "fleet.mjs").write_text(source, encoding="utf-8")
    driver = f'import("./fleet.mjs").then(async (m) => {{ await {call}; }});'
    runs = [(r.argv, r.has_key) for r in run_recorded(tmp_path, ["node", "-e", driver])]
    assert runs
    snippets = javascript.extract(source, "fleet.mjs")
    for argv, has_key in runs:
        described = [s for s in snippets if _described(s.text, argv)]
        assert described, f"no snippet reads the argv {argv}"
        assert any(("API_KEY=" in s.text.split("codex", 1)[0]) == has_key for s in described)


# --- JavaScript and Go: helpers with their arguments bound ---------------------------------

JS_HEAD = 'import { spawnSync } from "node:child_process";\n'
GO_HEAD = 'package main\n\nimport (\n\t"os"\n\t"os/exec"\n)\n\nvar _ = os.Environ\n'


@pytest.mark.parametrize(
    ("name", "body", "expected"),
    [
        ("a.mjs", JS_HEAD + "function billingEnv() {\n"
         "  return { ...process.env, OPENAI_API_KEY: process.env.K };\n}\n"
         'spawnSync("codex", ["exec", "-s", "read-only", "-C", ".", "p"],'
         ' { env: billingEnv(), stdio: "ignore" });\n', [("CG101", "error", 5)]),
        ("b.mjs", JS_HEAD + 'const argv = (sandbox) => ["exec", "-s", sandbox, "-C", "."];\n'
         'spawnSync("codex", [...argv("danger-full-access"), "p"], { stdio: "ignore" });\n',
         [("CG303", "error", 3)]),
        ("c.mjs", JS_HEAD + 'class Cfg {\n  static FLAGS = ["--yolo"];\n}\n'
         'spawnSync("codex", ["exec", ...Cfg.FLAGS, "-C", ".", "p"], { stdio: "ignore" });\n',
         [("CG303", "error", 5)]),
        ("d.mjs", JS_HEAD + 'const safe = () => ["exec", "-s", "read-only", "-C", "."];\n'
         'spawnSync("codex", safe().concat(["p"]), { stdio: "ignore" });\n', []),
        ("e.go", GO_HEAD + "func argv(sandbox string) []string {\n"
         '\treturn []string{"exec", "-s", sandbox, "-C", "."}\n}\n\nfunc main() {\n'
         '\t_ = exec.Command("codex", append(argv("danger-full-access"), "p")...).Run()\n}\n',
         [("CG303", "error", 14)]),
        ("f.go", GO_HEAD + "func env() []string {\n"
         '\treturn append(os.Environ(), "CODEX_API_KEY=k")\n}\n\nfunc main() {\n'
         '\tcmd := exec.Command("codex", "exec", "-s", "read-only", "-C", ".", "p")\n'
         "\tcmd.Env = env()\n\t_ = cmd.Run()\n}\n", [("CG101", "error", 14)]),
    ],
    ids=["js-env-helper", "js-flag-parameter", "js-static", "js-safe-helper", "go-flag-parameter",
         "go-env-helper"],
)  # fmt: skip
def test_program_helpers(tmp_path: Path, name: str, body: str, expected: Found) -> None:
    assert summary(lint_body(tmp_path, body, name)) == expected


def test_programs_the_file_names(tmp_path: Path) -> None:
    """`shutil.which("codex") or "codex"` is codex; `sys.executable` and a `which("docker")` are
    not (no CG902 for them); a program from argv stays CG902."""
    body = (
        "import shutil, subprocess, sys\n"
        'CODEX = shutil.which("codex") or "codex"\n'
        'DOCKER = shutil.which("docker")\n'
        'subprocess.run([sys.executable, "-m", "tool", "login"], check=False)\n'
        'subprocess.run([DOCKER, "exec", "box", "ls"], check=False)\n'
        'subprocess.run([CODEX, "exec", "--yolo", "-C", ".", "p"], stdin=subprocess.DEVNULL)\n'
        'subprocess.run([sys.argv[1], "exec", "-C", ".", "p"], stdin=subprocess.DEVNULL)\n'
    )
    assert summary(lint_body(tmp_path, body)) == [("CG303", "error", 6), ("CG902", "info", 7)]


def test_instance_attributes_env_defaults_and_args_keyword(tmp_path: Path) -> None:
    body = (
        "import os, subprocess\n"
        'CODEX_BIN = os.environ.get("CODEX_BIN", "codex")\n\n'
        "class Runner:\n"
        "    def __init__(self, repo):\n"
        '        self.flags = ["--yolo", "-C", repo]\n\n'
        "    def go(self, p):\n"
        '        subprocess.run(args=[CODEX_BIN, "exec", *self.flags, p], stdin=subprocess.DEVNULL)\n'
    )
    found = lint_body(tmp_path, body)
    # CODEX_BIN is codex or anything: the rules read the codex variant, so no CG902 beside them
    assert summary(found) == [("CG303", "error", 9)]
    bypass = next(f for f in found if f.rule == "CG303")
    assert [(r.line, r.note) for r in bypass.related] == [(6, "`--yolo` is set here")]
