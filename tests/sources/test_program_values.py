"""Issue 13, the JavaScript/TypeScript and Go half: argv and env assembled across the file.

The lane fixtures (tests/sources/orchestrators/*_lanes_*) are linted through the real CLI by
test_orchestrators.py (their `expect:` line); here: where a finding points (the line that put a
flag or an env key there, "from helper X" / "on this branch" in the message, in JSON, SARIF and
text), that conditions are never evaluated (each branch is a possible value), helper depth,
what node really runs, and the shared bounded value set (guard/sources/valueset.py).
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guard.commands.lint import FileJob, _rule_text, lint_file
from guard.engine import load_rules
from guard.findings import Finding
from guard.settings import Settings
from guard.sources import golang, javascript
from guard.sources.valueset import bounded, join_states, product
from tests.sources.recorded_runs import run_recorded

HERE = Path(__file__).parent / "orchestrators"
CLI = [sys.executable, "-m", "guard.cli"]
RULE_TEXT = _rule_text(load_rules())

Found = list[tuple[str, str, int]]


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=120)
    assert "Traceback" not in result.stderr, result.stderr
    return result


def lint_json(path: Path) -> list[dict[str, object]]:
    findings: list[dict[str, object]] = json.loads(
        run_cli("lint", "--format", "json", str(path)).stdout
    )["findings"]
    return findings


def lint_body(tmp_path: Path, body: str, name: str) -> list[Finding]:
    path = tmp_path / name
    path.write_text(textwrap.dedent(body), encoding="utf-8")
    outcome = lint_file(FileJob(str(path), True, Settings(), RULE_TEXT))
    assert not outcome.errors, outcome.errors
    return sorted(outcome.findings, key=lambda f: (f.location.line, f.rule))


def summary(findings: list[Finding]) -> Found:
    return sorted((f.rule, f.severity.value, f.location.line) for f in findings)


def line_of(path: Path, text: str) -> int:
    """The 1-based line of the one line holding `text`."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [i for i, line in enumerate(lines, 1) if text in line]
    assert len(found) == 1, (text, found)
    return found[0]


def finding(findings: list[dict[str, object]], rule: str, line: int) -> dict[str, object]:
    return next(f for f in findings if f["rule"] == rule and f["line"] == line)


def related(found: dict[str, object]) -> set[tuple[int, str]]:
    return {(int(r["line"]), str(r["note"])) for r in found["related"]}  # type: ignore[attr-defined]


# --- where a finding points --------------------------------------------------------------

DANGER = "`--dangerously-bypass-approvals-and-sandbox`"


@pytest.mark.parametrize("name", ["ts_lanes_bad.ts", "node_lanes.mjs"])
def test_js_flags_and_keys_point_at_the_line_that_put_them_there(name: str) -> None:
    path = HERE / name
    findings = lint_json(path)
    spawn = line_of(path, 'spawnSync("codex", [...args, prompt]')
    pushed = line_of(path, 'args.push("--dangerously-bypass-approvals-and-sandbox")')
    bypass = finding(findings, "CG303", spawn)
    assert (pushed, f"{DANGER} is added on this branch") in related(bypass)
    assert f"is added on this branch, line {pushed})" in str(bypass["message"])
    # a class constant spread in one `case`: the case's line first, then the constant's
    full_auto = finding(findings, "CG903", spawn)
    case = line_of(path, "args.push(...Lanes.BOOT)")
    constant = line_of(path, '"--full-auto"')
    assert (case, "`--full-auto` is added on this branch") in related(full_auto)
    assert (constant, "`--full-auto` is set here") in related(full_auto)
    # env keys: a module constant, and a helper's return
    review = line_of(path, "env: BILLING_ENV")
    key = finding(findings, "CG101", review)
    assert (line_of(path, "const BILLING_ENV"), "`OPENAI_API_KEY` is set here") in related(key)
    fast = line_of(path, "env: codexEnv(")
    helper_key = finding(findings, "CG101", fast)
    returned = line_of(path, "CODEX_API_KEY: process.env")
    assert (returned, "`CODEX_API_KEY` comes from codexEnv() here") in related(helper_key)
    assert f"comes from codexEnv(), line {returned})" in str(helper_key["message"])
    yolo = finding(findings, "CG303", fast)
    assert "`--yolo` is added on this branch" in str(yolo["message"])


def test_go_flags_and_keys_point_at_the_line_that_put_them_there() -> None:
    path = HERE / "go_lanes_bad.go"
    findings = lint_json(path)
    spawn = line_of(path, 'exec.Command("codex", append(args, prompt)...)')
    bypass = finding(findings, "CG303", spawn)
    appended = line_of(path, "args = append(args, DangerFlags)")
    constant = line_of(path, 'DangerFlags = "')
    assert (appended, f"{DANGER} is added on this branch") in related(bypass)
    assert (constant, f"{DANGER} is set here") in related(bypass)
    assert f"is added on this branch, line {appended})" in str(bypass["message"])
    full_auto = finding(findings, "CG903", spawn)
    case = line_of(path, 'args = append(args, "--full-auto")')
    assert (case, "`--full-auto` is added on this branch") in related(full_auto)
    # cmd.Env from a helper, and built with append on a branch
    helper = finding(findings, "CG101", line_of(path, "reviewFlags...)"))
    returned = line_of(path, '"OPENAI_API_KEY="+')
    assert (returned, "`OPENAI_API_KEY` comes from codexEnv() here") in related(helper)
    branch = finding(
        findings, "CG101", line_of(path, 'exec.Command("codex", "exec", "-s", "read-only"')
    )
    sprintf = line_of(path, 'fmt.Sprintf("CODEX_API_KEY=%s"')
    assert (sprintf, "`CODEX_API_KEY` is added on this branch") in related(branch)
    assert f"`CODEX_API_KEY` is added on this branch, line {sprintf})" in str(branch["message"])


@pytest.mark.parametrize(
    ("name", "spawn", "put"),
    [
        (
            "ts_fleet_bad.ts",
            'spawnSync("codex", argv, { stdio: "ignore" })',
            "argv.push(CODEX_FLAGS)",
        ),
        ("ts_fleet_bad.ts", 'spawnSync("codex", boot,', "const boot = ["),
        ("go_fleet_bad.go", 'exec.Command("codex", argv...)', "argv = append(argv, codexFlags)"),
        ("go_fleet_bad.go", 'append(boot, "Fix it")', "boot := append("),
    ],
)
def test_a_constant_used_in_several_places_points_at_the_use_this_spawn_reaches(
    name: str, spawn: str, put: str
) -> None:
    """The constant is used by three spawns; each finding points at the use that reached it
    (its own function before the call, or a helper it calls), then at the constant."""
    path = HERE / name
    bypass = finding(lint_json(path), "CG303", line_of(path, spawn))
    lines = [place for place, _note in sorted(related(bypass))]
    assert line_of(path, put) in lines, related(bypass)
    assert len(lines) == 2


def test_sarif_and_text_show_where_a_go_flag_was_put() -> None:
    path = HERE / "go_lanes_bad.go"
    appended = line_of(path, "args = append(args, DangerFlags)")
    sarif = json.loads(run_cli("lint", "--format", "sarif", str(path)).stdout)
    results = sarif["runs"][0]["results"]
    places = {
        (r["physicalLocation"]["region"]["startLine"], r["message"]["text"])
        for result in results
        if result["ruleId"] == "CG303"
        for r in result.get("relatedLocations", ())
    }
    assert (appended, f"{DANGER} is added on this branch") in places
    text = run_cli("lint", str(path)).stdout
    column = path.read_text(encoding="utf-8").splitlines()[appended - 1].index("DangerFlags") + 1
    assert f"go_lanes_bad.go:{appended}:{column}: note: {DANGER} is added on this branch" in text


def test_a_key_written_in_the_call_itself_has_no_extra_place(tmp_path: Path) -> None:
    body = (
        'import { spawnSync } from "node:child_process";\n'
        'spawnSync("codex", ["exec", "-s", "read-only", "-C", ".", "p"],\n'
        '  { env: { ...process.env, OPENAI_API_KEY: "k" }, stdio: "ignore" });\n'
    )
    found = lint_body(tmp_path, body, "inline.mjs")
    assert summary(found) == [("CG101", "error", 2)]
    assert all(r.line == 2 or "set here" not in r.note for r in found[0].related)


def test_a_runner_class_methods_fields_and_statics_are_followed(tmp_path: Path) -> None:
    path = HERE / "ts_runner_class_bad.ts"
    findings = lint_json(path)
    spawn = line_of(path, 'spawn("codex", this.buildArgs(')
    sandbox = finding(findings, "CG303", spawn)
    use = line_of(path, "Runner.SANDBOX]")
    assert (use, "`danger-full-access` comes from buildArgs() here") in related(sandbox)
    assert (line_of(path, "static readonly SANDBOX"), "`danger-full-access` is set here") in (
        related(sandbox)
    )
    key = finding(findings, "CG101", spawn)
    assert "comes from env(), line" in str(key["message"])
    static = finding(findings, "CG303", line_of(path, "Runner.argv(prompt)"))
    assert "`--yolo` comes from argv()" in str(static["message"])
    good = (
        'import { spawnSync } from "node:child_process";\n'
        "class Runner {\n"
        '  private base = ["exec", "-s", "read-only", "-C", "."];\n'
        "  private args(p: string): string[] { return [...this.base, p]; }\n"
        '  run(p: string): void { spawnSync("codex", this.args(p), { stdio: "ignore" }); }\n'
        "}\n"
    )
    assert summary(lint_body(tmp_path, good, "good.ts")) == []
    assert [s.text for s in javascript.extract(good, "good.ts")] == [
        'codex exec -s read-only -C . "$ARG" </dev/null\n'
    ]


def test_go_methods_are_followed_when_their_name_is_unique(tmp_path: Path) -> None:
    path = HERE / "go_runner_methods_bad.go"
    key = finding(lint_json(path), "CG101", line_of(path, 'exec.Command("codex"'))
    assert "comes from env(), line" in str(key["message"])
    # a second type with an `args` method: which one runs is not guessed (one unknown spread)
    twin = path.read_text(encoding="utf-8") + (
        "\ntype Other struct{}\n\nfunc (o Other) args(flag string) []string {\n"
        '\treturn []string{"exec", "-s", "read-only"}\n}\n'
    )
    texts = [s.text for s in golang.extract(twin, "twin.go")]
    assert texts == ['OPENAI_API_KEY="$VALUE" codex "$@" "$ARG" </dev/null\n'], texts


# --- env objects built across the function ----------------------------------------------

ENV_HEAD = 'import { spawnSync } from "node:child_process";\n'
SPAWN = (
    'spawnSync("codex", ["exec", "-s", "read-only", "-C", ".", "p"], {{ env: {env}, '
    'stdio: "ignore" }});\n'
)


@pytest.mark.parametrize(
    ("body", "found"),
    [
        ("const env = { ...process.env };\nif (process.env.CI) env.OPENAI_API_KEY = 'k';\n"
         + SPAWN.format(env="env"), [("CG101", "error", 4)]),
        ("const env = { ...process.env };\nenv['CODEX_API_KEY'] = 'k';\n" + SPAWN.format(env="env"),
         [("CG101", "error", 4)]),
        ("const env = Object.assign({}, process.env, { OPENAI_API_KEY: 'k' });\n"
         + SPAWN.format(env="env"), [("CG101", "error", 3)]),
        ("const env = { PATH: '/usr/bin' };\nObject.assign(env, { CODEX_API_KEY: 'k' });\n"
         + SPAWN.format(env="env"), [("CG101", "error", 4)]),
        ("function billing() {\n  const env = { ...process.env };\n  env.OPENAI_API_KEY = 'k';\n"
         "  return env;\n}\n" + SPAWN.format(env="billing()"), [("CG101", "error", 7)]),
        # taken out again, on every path
        ("function clean() {\n  const env = { ...process.env, OPENAI_API_KEY: 'x' };\n"
         "  delete env.OPENAI_API_KEY;\n  return env;\n}\n" + SPAWN.format(env="clean()"), []),
        ("const env = { ...process.env, CODEX_API_KEY: 'x' };\ndelete env.CODEX_API_KEY;\n"
         + SPAWN.format(env="env"), []),
        # only on a branch: still possible
        ("const env = { ...process.env, CODEX_API_KEY: 'x' };\n"
         "if (process.env.CLEAN) delete env.CODEX_API_KEY;\n" + SPAWN.format(env="env"),
         [("CG101", "error", 4)]),
        # written in a function that is never called before the spawn
        ("const env = { ...process.env };\nconst later = () => { env.OPENAI_API_KEY = 'k'; };\n"
         + SPAWN.format(env="env"), []),
        ("const env = { ...process.env };\nenv.TMPDIR = '/srv/tmp';\n" + SPAWN.format(env="env"),
         []),
    ],
    ids=["branch-member", "subscript", "assign-copy", "assign-into", "helper-member", "deleted",
         "deleted-here", "deleted-on-a-branch", "nested-function", "other-key"],
)  # fmt: skip
def test_js_env_objects_built_across_the_function(tmp_path: Path, body: str, found: Found) -> None:
    assert summary(lint_body(tmp_path, ENV_HEAD + body, "env.mjs")) == found


def test_a_js_env_key_set_on_a_branch_points_there(tmp_path: Path) -> None:
    body = (
        ENV_HEAD + "const env = { ...process.env };\n"
        "if (process.env.CI) {\n  env.OPENAI_API_KEY = process.env.K;\n}\n"
        + SPAWN.format(env="env")
    )
    (key,) = lint_body(tmp_path, body, "env.mjs")
    assert (4, "`OPENAI_API_KEY` is added on this branch") in {
        (r.line, r.note) for r in key.related
    }
    assert "(`OPENAI_API_KEY` is added on this branch, line 4)" in key.message


# --- conditions are never evaluated: every branch is a possible value -----------------------

JS = 'import { spawnSync } from "node:child_process";\nconst unsafe = false;\n'
GO = 'package main\n\nimport "os/exec"\n\nconst unsafe = false\n\nfunc main() {\n'


@pytest.mark.parametrize(
    ("name", "body", "line"),
    [
        ("if.mjs", JS + 'const args = ["exec", "-C", "."];\nif (unsafe) args.push("--yolo");\n'
         'spawnSync("codex", [...args, "p"], { stdio: "ignore" });\n', 5),
        ("ifelse.mjs", JS + 'let args = ["exec", "-s", "read-only"];\n'
         'if (false) { args = ["exec", "--yolo"]; } else { args.push("-C", "."); }\n'
         'spawnSync("codex", [...args, "p"], { stdio: "ignore" });\n', 5),
        ("spread.mjs", JS + 'spawnSync("codex", ["exec", ...(unsafe ? ["--yolo"] : []), '
         '"-C", ".", "p"], { stdio: "ignore" });\n', 3),
        ("and.mjs", JS + 'const args = ["exec", "-C", "."];\nunsafe && args.push("--yolo");\n'
         'spawnSync("codex", [...args, "p"], { stdio: "ignore" });\n', 5),
        ("switch.ts", JS + 'const mode: string = "safe";\nconst args: string[] = ["exec"];\n'
         'switch (mode) {\n  case "safe":\n    args.push("-s", "read-only");\n    break;\n'
         '  case "vm":\n    args.push("-s", "danger-full-access");\n}\n'
         'spawnSync("codex", [...args, "-C", ".", "p"], { stdio: "ignore" });\n', 12),
        ("if.go", GO + '\targs := []string{"exec", "-C", "."}\n'
         '\tif unsafe {\n\t\targs = append(args, "--yolo")\n\t}\n'
         '\t_ = exec.Command("codex", append(args, "p")...).Run()\n}\n', 12),
        ("switch.go", GO + '\targs := []string{"exec", "-C", "."}\n\tswitch {\n'
         '\tcase unsafe:\n\t\targs = append(args, "-s", "danger-full-access")\n'
         '\tdefault:\n\t\targs = append(args, "-s", "read-only")\n\t}\n'
         '\t_ = exec.Command("codex", append(args, "p")...).Run()\n}\n', 15),
    ],
    ids=["js-if", "js-if-false", "js-ternary-spread", "js-and", "ts-switch", "go-if", "go-switch"],
)  # fmt: skip
def test_each_branch_is_a_possible_value(tmp_path: Path, name: str, body: str, line: int) -> None:
    found = summary(lint_body(tmp_path, body, name))
    assert ("CG303", "error", line) in found, found


# --- helpers: literal arguments bound, at most three deep ----------------------------------

JS_CHAIN = (
    'import { spawnSync } from "node:child_process";\n'
    'function h1(flag) { return ["exec", flag, "-C", "."]; }\n'
    "function h2(flag) { return h1(flag); }\n"
    "const h3 = (flag) => h2(flag);\n"
    "function h4(flag) { return h3(flag); }\n"
)
GO_CHAIN = (
    'package main\n\nimport "os/exec"\n\n'
    'func h1(flag string) []string { return []string{"exec", flag, "-C", "."} }\n'
    "func h2(flag string) []string { return h1(flag) }\n"
    "func h3(flag string) []string { return h2(flag) }\n"
    "func h4(flag string) []string { return h3(flag) }\n\n"
)


def test_a_flag_passed_three_helpers_deep_is_found(tmp_path: Path) -> None:
    js = JS_CHAIN + 'spawnSync("codex", [...h3("--yolo"), "p"], { stdio: "ignore" });\n'
    assert summary(lint_body(tmp_path, js, "chain.mjs")) == [("CG303", "error", 6)]
    go = (
        GO_CHAIN
        + 'func main() {\n\t_ = exec.Command("codex", append(h3("--yolo"), "p")...).Run()\n}\n'
    )
    assert summary(lint_body(tmp_path, go, "chain.go")) == [("CG303", "error", 11)]


def test_past_three_helpers_the_argv_is_unknown_never_guessed() -> None:
    """A fourth helper is not followed: its words are one unknown spread (`"$@"`), as the shell
    layer reads a script's own arguments; nothing is made up, and nothing crashes."""
    js = JS_CHAIN + 'spawnSync("codex", [...h4("--yolo"), "p"], { stdio: "ignore" });\n'
    assert [s.text for s in javascript.extract(js, "chain.mjs")] == ['codex "$@" p </dev/null\n']
    go = (
        GO_CHAIN
        + 'func main() {\n\t_ = exec.Command("codex", append(h4("--yolo"), "p")...).Run()\n}\n'
    )
    assert [s.text for s in golang.extract(go, "chain.go")] == ['codex "$@" p </dev/null\n']


def test_recursive_helpers_and_self_naming_templates_stay_bounded(tmp_path: Path) -> None:
    body = (
        'import { spawnSync, execSync } from "node:child_process";\n'
        "function again(f) { return again(f).concat([f]); }\n"
        "let line = `codex ${line} exec`;\n"
        "const a = `x ${b}`;\nconst b = `y ${a}`;\n"
        'spawnSync("codex", ["exec", ...again("--yolo"), `-C ${a}`, "p"], { stdio: "ignore" });\n'
        "execSync(line + a, { stdio: 'ignore' });\n"
    )
    lint_body(tmp_path, body, "loops.mjs")  # no error, no traceback
    assert 0 < len(javascript.extract(body, "loops.mjs")) <= 32


# --- template strings handed to a shell ------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "found"),
    [
        ('spawnSync("bash", ["-c", `codex exec -s ${SANDBOX} -C ${dir} p </dev/null`]);\n',
         [("CG303", "error", 5)]),
        ('spawnSync("sh", ["-c", `codex exec ${FLAGS.join(" ")} -C /repo p </dev/null`]);\n',
         [("CG303", "error", 5)]),
        ('spawnSync("bash", ["-c", `echo "run codex exec -s ${SANDBOX} later"`]);\n', []),
        ('spawnSync("grep", ["-rn", `codex exec -s ${SANDBOX}`, "docs"]);\n', []),
    ],
    ids=["bash-c", "sh-c-join", "echo", "grep"],
)  # fmt: skip
def test_template_strings_handed_to_a_shell(tmp_path: Path, call: str, found: Found) -> None:
    body = (
        'import { spawnSync } from "node:child_process";\n'
        'export const SANDBOX = "danger-full-access";\n'
        'const FLAGS = ["-s", SANDBOX] as const;\nconst dir = process.argv[2];\n' + call
    )
    assert summary(lint_body(tmp_path, body, "shell.ts")) == found


# --- the good and mention-only fixtures are read, not skipped -------------------------------


@pytest.mark.parametrize("name", ["ts_lanes_good.ts", "go_lanes_good.go"])
def test_good_files_are_read_not_skipped(name: str) -> None:
    """Silent because every spawn was read and is fine: each of the five spawns is there."""
    path = HERE / name
    source = golang if name.endswith(".go") else javascript
    snippets = source.extract(path.read_text(encoding="utf-8"), name)
    assert len({s.line_offset for s in snippets}) == 5
    assert all("codex" in s.text for s in snippets)
    assert lint_json(path) == []


@pytest.mark.parametrize("name", ["ts_lanes_mentions.ts", "go_lanes_mentions.go"])
def test_mentions_only_are_silent(name: str) -> None:
    """Constants, helpers and branches holding the flags and keys, but no spawn of codex: the
    only lines read are the `bash -c`/`sh -c` echo, which the shell layer reads as an echo."""
    path = HERE / name
    source = golang if name.endswith(".go") else javascript
    snippets = source.extract(path.read_text(encoding="utf-8"), name)
    assert all(s.text.startswith(("bash -c 'echo", "sh -c 'echo")) for s in snippets), snippets
    assert lint_json(path) == []


# --- what node really runs -------------------------------------------------------------------


def _command_words(snippet: str) -> tuple[list[str], bool]:
    """The codex argv a snippet describes (after `codex`), and whether its env sets a key. A
    `bash -c '...'` snippet is read inside its string."""
    words = shlex.split(snippet.split("\n", 1)[0], posix=True)
    has_key = any(w.startswith(("OPENAI_API_KEY=", "CODEX_API_KEY=")) for w in words)
    while words and "=" in words[0] and not words[0].startswith("-"):
        words.pop(0)
    if words[:2] in (["bash", "-c"], ["sh", "-c"]):
        words = shlex.split(words[2])
    if "<" in words:
        words = words[: words.index("<")]
    words = [w for w in words if not w.startswith("<")]
    return words[1:], has_key


def _describes(snippet: str, argv: list[str], has_key: bool) -> bool:
    words, key = _command_words(snippet)
    same = len(words) == len(argv) and all(
        w in ("$ARG", "$@", a) for w, a in zip(words, argv, strict=True)
    )
    return same and key == has_key


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize(
    "call",
    [
        'm.review("Fix it")',
        'm.work("Fix it", true, "boot")',
        'm.work("Fix it", false, "other")',
        'm.fast("Fix it", true)',
        'm.fast("Fix it")',
        'm.shell("/tmp")',
        'm.deep("Fix it")',
    ],
)
def test_what_node_really_runs_is_what_the_source_reads(tmp_path: Path, call: str) -> None:
    source = (HERE / "node_lanes.mjs").read_text(encoding="utf-8")
    (tmp_path / "lanes.mjs").write_text(source, encoding="utf-8")
    driver = f'import("./lanes.mjs").then(async (m) => {{ await {call}; }});'
    runs = [(r.argv, r.has_key) for r in run_recorded(tmp_path, ["node", "-e", driver])]
    assert len(runs) == 1
    snippets = [s.text for s in javascript.extract(source, "lanes.mjs")]
    for argv, has_key in runs:
        assert any(_describes(s, argv, has_key) for s in snippets), (argv, has_key, snippets)


# --- the shared bounded value set ------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 9), max_size=40), st.integers(1, 8))
def test_bounded_keeps_the_first_distinct_values(values: list[int], limit: int) -> None:
    result = bounded(values, limit)
    assert result == list(dict.fromkeys(values))[:limit]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.tuples(st.sampled_from("ab-")), min_size=1, max_size=3), max_size=6),
    st.integers(1, 16),
)
def test_product_is_every_combination_bounded(parts: list[list[tuple[str]]], limit: int) -> None:
    result = product(parts, limit, (), lambda a, b: a + b)
    assert len(result) == len(set(result)) <= limit
    assert all(len(r) == len(parts) for r in result)
    assert all(r[i] in [p[0] for p in part] for r in result for i, part in enumerate(parts))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.dictionaries(st.sampled_from("xyz"), st.integers(0, 3)), max_size=30))
def test_join_keeps_distinct_states_bounded(states: list[dict[str, int]]) -> None:
    joined = join_states(states, 5)
    keys = [tuple(sorted(s.items())) for s in joined]
    assert len(keys) == len(set(keys)) <= 5
    assert keys == list(dict.fromkeys(tuple(sorted(s.items())) for s in states))[:5]
