"""JavaScript/TypeScript and Go orchestrators: their spawns of codex go through the same rules.

Each fixture in tests/sources/programs/ is a realistic file whose first line says what a user
sees: `// expect: CG201:error@12 ...` (rule, severity, line) or `// expect: none`. The files are
linted through the real CLI (`codex-guard lint --format json`), so walk, kind detection, the
source and the engine are all under test.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guard.commands.lint import FileJob, _rule_text, lint_file
from guard.engine import load_rules
from guard.settings import Settings
from guard.sources import golang, javascript, spawnline
from guard.sources.base import SourceError
from guard.sources.detect import GO, JAVASCRIPT, detect_kind
from tests.sources.recorded_runs import run_recorded

PROGRAMS = Path(__file__).parent / "programs"
FIXTURES = sorted(p.name for p in PROGRAMS.iterdir())
RULE_TEXT = _rule_text(load_rules())
EXPECT = re.compile(r"^// expect: (.*)$")
CLI = [sys.executable, "-m", "guard.cli"]

Found = list[tuple[str, str, int]]


def expected(path: Path) -> Found:
    header = path.read_text(encoding="utf-8").splitlines()
    line = next(h for h in header[:3] if EXPECT.match(h))
    spec = EXPECT.match(line).group(1)  # type: ignore[union-attr]
    if spec.strip() == "none":
        return []
    found: Found = []
    for item in spec.split():
        rule, rest = item.split(":")
        severity, number = rest.split("@")
        found.append((rule, severity, int(number)))
    return sorted(found)


def lint_cli(*paths: Path | str, cwd: Path | None = None) -> dict[str, object]:
    result = subprocess.run(
        [*CLI, "lint", "--format", "json", *map(str, paths)],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )
    assert "Traceback" not in result.stderr, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def findings_of(data: dict[str, object], name: str) -> Found:
    items = data["findings"]
    assert isinstance(items, list)
    return sorted(
        (f["rule"], f["severity"], f["line"]) for f in items if Path(f["path"]).name == name
    )


def lint_text(tmp_path: Path, name: str, body: str) -> Found:
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    outcome = lint_file(FileJob(str(path), True, Settings(), RULE_TEXT))
    assert not outcome.errors, outcome.errors
    return sorted((f.rule, f.severity.value, f.location.line) for f in outcome.findings)


@pytest.fixture(scope="module")
def walked(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The fixtures found by walking a folder (the repo's own config excludes tests/)."""
    folder = tmp_path_factory.mktemp("orchestrators")
    for name in FIXTURES:
        shutil.copy(PROGRAMS / name, folder / name)
    return lint_cli(folder)


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_findings_when_walked(walked: dict[str, object], name: str) -> None:
    assert findings_of(walked, name) == expected(PROGRAMS / name)


def test_every_fixture_is_checked_and_none_is_a_file_error(walked: dict[str, object]) -> None:
    assert walked["files"] == len(FIXTURES)
    assert walked["errors"] == []


@pytest.mark.parametrize("name", ["node_worker_bad.mjs", "worker_bad.go", "sdk_review.ts"])
def test_fixture_named_on_the_command_line(tmp_path: Path, name: str) -> None:
    shutil.copy(PROGRAMS / name, tmp_path / name)
    assert findings_of(lint_cli(name, cwd=tmp_path), name) == expected(PROGRAMS / name)


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("a/b.js", JAVASCRIPT), ("b.mjs", JAVASCRIPT), ("b.cjs", JAVASCRIPT),
        ("b.ts", JAVASCRIPT), ("b.mts", JAVASCRIPT), ("B.TSX", JAVASCRIPT),
        ("main.go", GO), ("types.d.ts", None), ("b.json", None),
    ],
)  # fmt: skip
def test_kind_by_extension(path: str, kind: str | None) -> None:
    assert detect_kind(path) == kind


# --- argv built in code: every reachable argv is checked ---------------------------------------


def test_a_flag_on_one_branch_is_found_and_the_other_branch_is_clean(tmp_path: Path) -> None:
    body = (
        'import { spawnSync } from "node:child_process";\n'
        "export function run(unsafe, prompt) {\n"
        '  const args = ["exec", "-C", "/srv/repo"];\n'
        "  if (unsafe) {\n"
        '    args.push("-s", "danger-full-access");\n'
        "  } else {\n"
        '    args.push("-s", "read-only");\n'
        "  }\n"
        "  args.push(prompt);\n"
        '  return spawnSync("codex", args);\n'
        "}\n"
    )
    assert lint_text(tmp_path, "run.js", body) == [("CG303", "error", 10)]
    # Same shape with no unsafe branch: both arms set a sandbox, so CG301 must not fire.
    safe = body.replace("danger-full-access", "workspace-write")
    assert lint_text(tmp_path, "run.js", safe) == []


def test_go_switch_arms_are_alternatives_not_a_sum(tmp_path: Path) -> None:
    body = (
        'package p\nimport "os/exec"\n'
        "func Run(mode, prompt string) error {\n"
        '\targs := []string{"exec", "-C", "/srv/repo"}\n'
        "\tswitch mode {\n"
        '\tcase "review":\n\t\targs = append(args, "-s", "read-only")\n'
        '\tdefault:\n\t\targs = append(args, "-s", "workspace-write")\n'
        "\t}\n"
        '\treturn exec.Command("codex", append(args, prompt)...).Run()\n'
        "}\n"
    )
    assert lint_text(tmp_path, "run.go", body) == []
    no_default = body.replace('\tdefault:\n\t\targs = append(args, "-s", "workspace-write")\n', "")
    assert lint_text(tmp_path, "run.go", no_default) == [("CG301", "warning", 9)]


def test_a_name_reused_in_another_function_does_not_feed_this_pipe(tmp_path: Path) -> None:
    body = (
        'const { spawn } = require("child_process");\n'
        "function a(p) {\n"
        '  const child = spawn("codex", ["exec", "-C", ".", "-s", "read-only", p]);\n'
        "  return child;\n"
        "}\n"
        "function b(p) {\n"
        '  const child = spawn("cat", []);\n'
        "  child.stdin.end(p);\n"
        "}\n"
    )
    assert lint_text(tmp_path, "two.js", body) == [("CG201", "error", 3)]


def test_an_unknown_program_is_one_cg902_however_many_argvs(tmp_path: Path) -> None:
    body = (
        'import { spawn } from "node:child_process";\n'
        "export function run(o, bin = process.env.CODEX_BIN) {\n"
        '  const args = ["exec"];\n'
        '  if (o.model) args.push("--model", o.model);\n'
        '  if (o.sandbox) args.push("--sandbox", o.sandbox);\n'
        '  if (o.cwd) args.push("--cd", o.cwd);\n'
        '  return spawn(bin, args, { stdio: "ignore" });\n'
        "}\n"
    )
    assert lint_text(tmp_path, "run.mjs", body) == [("CG902", "info", 7)]


def test_deno_piped_stdin_closed_through_the_spawned_child(tmp_path: Path) -> None:
    body = (
        'const command = new Deno.Command("codex", {\n'
        '  args: ["exec", "-C", "/srv/repo", "-s", "read-only", "-"],\n'
        '  stdin: "piped",\n'
        "});\n"
        "const child = command.spawn();\n"
        "const writer = child.stdin.getWriter();\n"
        "await writer.write(new TextEncoder().encode(prompt));\n"
        "writer.releaseLock();\n"
        "await child.stdin.close();\n"
    )
    assert lint_text(tmp_path, "run.ts", body) == []
    never_closed = body.replace("await child.stdin.close();\n", "")
    assert lint_text(tmp_path, "run.ts", never_closed) == [("CG202", "error", 1)]


def test_deno_piped_stdin_closed_through_its_writer(tmp_path: Path) -> None:
    # WritableStreamDefaultWriter.close() closes the stream it writes: the prompt is fed and ended
    body = (
        'const cmd = new Deno.Command("codex", {\n'
        '  args: ["exec", "-C", Deno.cwd(), "-s", "workspace-write", "-o", "out.md", "-"],\n'
        '  stdin: "piped",\n'
        "});\n"
        "const proc = cmd.spawn();\n"
        "const w = proc.stdin.getWriter();\n"
        'await w.write(new TextEncoder().encode("Fix the lint errors"));\n'
        "await w.close();\n"
        "await proc.status;\n"
    )
    assert lint_text(tmp_path, "fix.ts", body) == []
    released = body.replace("await w.close();\n", "w.releaseLock();\n")
    assert lint_text(tmp_path, "fix.ts", released) == [("CG202", "error", 1)]


def test_zx_dollar_env_is_the_env_of_every_later_run(tmp_path: Path) -> None:
    # zx hands each `$` its `$.env` (process.env unless the file sets it): a key put there, or
    # an object without the parent's env, is what codex gets.
    body = (
        'import { $ } from "zx";\n'
        "const run = () => $`codex exec -C . -s read-only -o out.md - < p.md`;\n"
        "$.env = { PATH: process.env.PATH, HOME: process.env.HOME };\n"
        "await $`codex exec -C . -s read-only -o out.md - < p.md`;\n"
        'await $({ env: { ...process.env, CODEX_API_KEY: "k" } })`codex exec -C . -s read-only - < p.md`;\n'
        "$.env.OPENAI_API_KEY = process.env.CI_KEY;\n"
        "await $`codex exec -C . -s read-only -o out.md - < p.md`;\n"
    )
    assert lint_text(tmp_path, "fleet.mjs", body) == [("CG101", "error", 5), ("CG101", "error", 7)]


def test_sdk_env_object_takes_the_keys_set_on_it_before_the_client(tmp_path: Path) -> None:
    # The SDK hands codex exactly its `env`: a key added to that object before `new Codex` is in
    # it, one deleted again is not.
    body = (
        'import { Codex } from "@openai/codex-sdk";\n'
        'const childEnv: Record<string, string> = { PATH: process.env.PATH ?? "" };\n'
        'childEnv.OPENAI_API_KEY = process.env.OPENAI_API_KEY ?? "";\n'
        "const codex = new Codex({ env: childEnv });\n"
        'const t = codex.startThread({ workingDirectory: "/srv/repo", sandboxMode: "read-only" });\n'
    )
    assert lint_text(tmp_path, "sdk.ts", body) == [("CG101", "error", 5)]
    deleted = body.replace("const codex", "delete childEnv.OPENAI_API_KEY;\nconst codex")
    assert lint_text(tmp_path, "sdk.ts", deleted) == []


def test_env_that_replaces_process_env_and_process_env_assignment(tmp_path: Path) -> None:
    body = (
        'import { execFileSync } from "node:child_process";\n'
        "process.env.OPENAI_API_KEY = readKey();\n"
        'const argv = ["exec", "-C", "/srv/repo", "-s", "read-only", "Summarise"];\n'
        'execFileSync("codex", argv);\n'
        'execFileSync("codex", argv, { env: { PATH: "/usr/bin" } });\n'
    )
    assert lint_text(tmp_path, "env.mjs", body) == [("CG101", "error", 4)]


JS_SPAWN = (
    'spawn("codex", ["exec", "-C", ".", "-s", "read-only", "p"],'
    ' { stdio: ["ignore", "inherit", "inherit"] });\n'
)


@pytest.mark.parametrize(
    "body",
    [
        'process.env.OPENAI_API_KEY = k;\nembed();\ndelete process.env.OPENAI_API_KEY;\n' + JS_SPAWN,
        'process.env["OPENAI_API_KEY"] = k;\ndelete process.env["OPENAI_API_KEY"];\n' + JS_SPAWN,
        "process.env.OPENAI_API_KEY = k;\nfunction main() {\n"
        "  delete process.env.OPENAI_API_KEY;\n  " + JS_SPAWN + "}\n",
        "function main(k) {\n  process.env.OPENAI_API_KEY = k;\n  embed();\n"
        "  delete process.env.OPENAI_API_KEY;\n  " + JS_SPAWN + "}\n",
    ],
    ids=["delete", "delete-subscript", "delete-in-function", "set-and-delete-in-function"],
)  # fmt: skip
def test_js_process_env_key_deleted_before_the_spawn_is_silent(tmp_path: Path, body: str) -> None:
    """`delete process.env.K` on every path before the spawn clears what `process.env.K = v`
    set, as `unset K` does in a script (RULES.md, CG101)."""
    head = 'import { spawn } from "node:child_process";\nconst k = readKey();\n'
    assert lint_text(tmp_path, "run.mjs", head + body) == []


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ("process.env.OPENAI_API_KEY = k;\n" + JS_SPAWN + "delete process.env.OPENAI_API_KEY;\n",
         4),
        ("process.env.OPENAI_API_KEY = k;\nif (clean) {\n  delete process.env.OPENAI_API_KEY;\n}\n"
         + JS_SPAWN, 7),
        ("process.env.OPENAI_API_KEY = k;\nclean && delete process.env.OPENAI_API_KEY;\n"
         + JS_SPAWN, 5),
        ("process.env.OPENAI_API_KEY = k;\ntry {\n  delete process.env.OPENAI_API_KEY;\n"
         "} catch {}\n" + JS_SPAWN, 7),
        ("process.env.OPENAI_API_KEY = k;\nfunction clean() {\n"
         "  delete process.env.OPENAI_API_KEY;\n}\n" + JS_SPAWN, 7),
        ("function configure() {\n  process.env.OPENAI_API_KEY = k;\n}\n"
         "delete process.env.OPENAI_API_KEY;\nconfigure();\n" + JS_SPAWN, 8),
        ("delete process.env.OPENAI_API_KEY;\nprocess.env.OPENAI_API_KEY = k;\n" + JS_SPAWN, 5),
    ],
    ids=["spawn-before-delete", "delete-on-a-branch", "delete-under-and", "delete-in-try",
         "delete-in-an-uncalled-function", "set-by-a-function-after-the-delete",
         "set-after-the-delete"],
)  # fmt: skip
def test_js_process_env_key_not_deleted_on_every_path_reaches_codex(
    tmp_path: Path, body: str, line: int
) -> None:
    head = 'import { spawn } from "node:child_process";\nconst k = readKey();\n'
    assert lint_text(tmp_path, "run.mjs", head + body) == [("CG101", "error", line)]


@pytest.mark.parametrize(
    "imports",
    ['import "os/exec"', 'import run "os/exec"', 'import "golang.org/x/sys/execabs"'],
)
def test_go_exec_package_by_its_local_name(tmp_path: Path, imports: str) -> None:
    local = "run" if " run " in imports else imports.rsplit("/", 1)[-1].strip('"')
    body = (
        f"package p\n{imports}\n"
        f'func F() error {{ return {local}.Command("codex", "exec", "-C", ".", "--yolo", "p").Run() }}\n'
    )
    assert lint_text(tmp_path, "f.go", body) == [("CG303", "error", 3)]
    # Another package's Command is not a spawn of codex.
    other = body.replace(imports, 'import exec "example.com/exec"').replace(f"{local}.", "exec.")
    assert lint_text(tmp_path, "f.go", other) == []


def test_go_env_built_in_steps_and_os_setenv(tmp_path: Path) -> None:
    body = (
        'package p\nimport (\n\t"os"\n\t"os/exec"\n)\n'
        "func Run(key string) error {\n"
        "\tenv := os.Environ()\n"
        '\tenv = append(env, "CODEX_API_KEY="+key)\n'
        '\tcmd := exec.Command("codex", "exec", "-C", "/srv/repo", "-s", "read-only", "p")\n'
        "\tcmd.Env = env\n"
        "\treturn cmd.Run()\n"
        "}\n"
        "func Clean() error {\n"
        '\tcmd := exec.Command("codex", "exec", "-C", "/srv/repo", "-s", "read-only", "p")\n'
        '\tcmd.Env = []string{"PATH=/usr/bin", "HOME=/home/ci"}\n'
        "\treturn cmd.Run()\n"
        "}\n"
    )
    assert lint_text(tmp_path, "env.go", body) == [("CG101", "error", 9)]
    setenv = body.replace(
        "func Clean", 'func init() { os.Setenv("OPENAI_API_KEY", "k") }\nfunc Clean'
    )
    # os.Setenv is in the parent's env; Clean's cmd.Env replaces it, Run's env inherits it.
    assert ("CG101", "error", 9) in lint_text(tmp_path, "env.go", setenv)


GO_HEAD = 'package p\nimport (\n\t"os"\n\t"os/exec"\n)\n'
GO_RUN = '\treturn exec.Command("codex", "exec", "-C", ".", "-s", "read-only", "p").Run()\n}\n'


@pytest.mark.parametrize(
    "body",
    [
        'func Run(k string) error {\n\tos.Setenv("OPENAI_API_KEY", k)\n\tembed()\n'
        '\tos.Unsetenv("OPENAI_API_KEY")\n' + GO_RUN,
        'func Run(k string) error {\n\tos.Setenv("OPENAI_API_KEY", k)\n'
        '\tif err := os.Unsetenv("OPENAI_API_KEY"); err != nil {\n\t\treturn err\n\t}\n'
        + GO_RUN,
        'func Run(k string) error {\n\tos.Setenv("OPENAI_API_KEY", k)\n'
        '\t_ = os.Unsetenv("OPENAI_API_KEY")\n' + GO_RUN,
    ],
    ids=["unsetenv", "unsetenv-in-if-header", "unsetenv-assigned"],
)  # fmt: skip
def test_go_unsetenv_before_the_spawn_is_silent(tmp_path: Path, body: str) -> None:
    """`os.Unsetenv(K)` on every path before the spawn clears what `os.Setenv(K, v)` set, as
    `unset K` does in a script (RULES.md, CG101)."""
    assert lint_text(tmp_path, "run.go", GO_HEAD + body) == []


@pytest.mark.parametrize(
    ("body", "line"),
    [
        ('func Run(k string) error {\n\tos.Setenv("OPENAI_API_KEY", k)\n'
         '\tdefer os.Unsetenv("OPENAI_API_KEY")\n' + GO_RUN, 9),
        ('func Run(k string, clean bool) error {\n\tos.Setenv("OPENAI_API_KEY", k)\n'
         '\tif clean {\n\t\tos.Unsetenv("OPENAI_API_KEY")\n\t}\n' + GO_RUN, 11),
        ('func Run(k string) error {\n\tos.Setenv("OPENAI_API_KEY", k)\n'
         '\terr := exec.Command("codex", "exec", "-C", ".", "-s", "read-only", "p").Run()\n'
         '\tos.Unsetenv("OPENAI_API_KEY")\n\treturn err\n}\n', 8),
        ('func configure(k string) {\n\tos.Setenv("OPENAI_API_KEY", k)\n}\n'
         'func Run(k string) error {\n\tos.Unsetenv("OPENAI_API_KEY")\n\tconfigure(k)\n'
         + GO_RUN, 12),
    ],
    ids=["deferred-unsetenv", "unsetenv-on-a-branch", "run-before-unsetenv",
         "set-by-a-function-after-the-unsetenv"],
)  # fmt: skip
def test_go_setenv_not_unset_on_every_path_reaches_codex(
    tmp_path: Path, body: str, line: int
) -> None:
    assert lint_text(tmp_path, "run.go", GO_HEAD + body) == [("CG101", "error", line)]


def test_directives_are_line_comments_not_strings(tmp_path: Path) -> None:
    spawn = 'spawn("codex", ["exec", "-C", ".", "-s", "read-only", "é p"]);'
    body = (
        'import { spawn } from "node:child_process";\n'
        'const HELP = "# codex-guard: disable=CG201";\n'
        f"{spawn}\n"
        "// codex-guard: disable=CG201 -- the dispatcher runs at a terminal\n"
        f"{spawn}\n"
        f"{spawn} // codex-guard: disable=CG201 -- same\n"
    )
    assert lint_text(tmp_path, "dispatch.mjs", body) == [("CG201", "error", 3)]
    go = (
        'package p\nimport "os/exec"\nfunc Run() {\n'
        '\tvar help = "// codex-guard: disable=CG301 -- not a directive"\n'
        "\t_ = help\n"
        "\t// codex-guard: disable=CG303 -- this host is a throwaway VM\n"
        '\t_ = exec.Command("codex", "exec", "-C", ".", "--yolo", "p").Run()\n'
        '\t_ = exec.Command("codex", "exec", "-C", ".", "p").Run()\n'
        "}\n"
    )
    assert lint_text(tmp_path, "run.go", go) == [("CG301", "warning", 8)]


# --- the Codex TypeScript SDK -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "expected_findings"),
    [
        ('{ workingDirectory: "/srv/repo", sandboxMode: "read-only" }', []),
        ('{ sandboxMode: "read-only" }', [("CG503", "warning", 3)]),
        ('{ workingDirectory: "/srv/repo" }', [("CG301", "warning", 3)]),
        (
            '{ workingDirectory: "/srv/repo", sandboxMode: "danger-full-access" }',
            [("CG303", "error", 3)],
        ),
        ('{ workingDirectory: "../elsewhere", sandboxMode: "read-only" }', [("CG504", "error", 3)]),
    ],
)
def test_sdk_thread_options_are_the_flags_the_sdk_passes(
    tmp_path: Path, options: str, expected_findings: Found
) -> None:
    body = (
        'import { Codex } from "@openai/codex-sdk";\n'
        "const codex = new Codex();\n"
        f"const thread = codex.startThread({options});\n"
        'await thread.run("Fix the flaky test");\n'
    )
    assert lint_text(tmp_path, "agent.ts", body) == expected_findings


def test_sdk_config_overrides_and_resume(tmp_path: Path) -> None:
    body = (
        'import { Codex } from "@openai/codex-sdk";\n'
        'const codex = new Codex({ config: { sandbox_mode: "danger-full-access" } });\n'
        'codex.resumeThread(id, { workingDirectory: "/srv/repo" });\n'
    )
    assert lint_text(tmp_path, "agent.ts", body) == [("CG303", "error", 3)]
    clean = body.replace('config: { sandbox_mode: "danger-full-access" }', "")
    assert lint_text(tmp_path, "agent.ts", clean) == []
    either = body.replace('"danger-full-access"', 'ci ? "danger-full-access" : "read-only"')
    assert lint_text(tmp_path, "agent.ts", either) == [("CG303", "error", 3)]
    raw = body.replace(
        'config: { sandbox_mode: "danger-full-access" }',
        "configOverrides: ['sandbox_mode=\"danger-full-access\"']",
    )
    assert lint_text(tmp_path, "agent.ts", raw) == [("CG303", "error", 3)]


def test_sdk_env_option_with_a_key(tmp_path: Path) -> None:
    body = (
        'const { Codex } = require("@openai/codex-sdk");\n'
        "const codex = new Codex({ env: { CODEX_API_KEY: process.env.K } });\n"
        'codex.startThread({ workingDirectory: "/srv/repo", sandboxMode: "read-only" });\n'
    )
    assert lint_text(tmp_path, "agent.cjs", body) == [("CG101", "error", 3)]


def test_sdk_argv_follows_the_sdk_own_order() -> None:
    """@openai/codex-sdk 0.163.0 dist/index.js CodexExec.run(): config, model, sandbox, cd,
    add-dir, skip-git-repo-check, then the `--config` thread settings; the prompt on stdin."""
    body = (
        'import { Codex } from "@openai/codex-sdk";\n'
        'const codex = new Codex({ config: { model_verbosity: "low" } });\n'
        'codex.startThread({ model: "gpt-5", sandboxMode: "workspace-write",\n'
        '  workingDirectory: "/srv/repo", additionalDirectories: ["/srv/cache"],\n'
        '  skipGitRepoCheck: true, modelReasoningEffort: "high", networkAccessEnabled: true,\n'
        '  webSearchEnabled: false, approvalPolicy: "never" });\n'
    )
    (snippet,) = javascript.extract(body, "agent.ts")
    assert snippet.text == (
        "codex exec --json --config 'model_verbosity=\"low\"' --model gpt-5"
        " --sandbox workspace-write --cd /srv/repo --add-dir /srv/cache --skip-git-repo-check"
        " --config 'model_reasoning_effort=\"high\"'"
        " --config sandbox_workspace_write.network_access=true"
        " --config 'web_search=\"disabled\"' --config 'approval_policy=\"never\"'"
        ' <<<"$INPUT"\n'
    )
    assert snippet.line_offset == 2


def test_sdk_client_made_here_and_used_elsewhere(tmp_path: Path) -> None:
    """Its key is a fact here; its thread options are not known here (not absent)."""
    body = (
        'import { Codex } from "@openai/codex-sdk";\n'
        "export const client = new Codex({ apiKey: process.env.OPENAI_API_KEY });\n"
    )
    assert lint_text(tmp_path, "client.ts", body) == [("CG101", "error", 2)]
    assert lint_text(tmp_path, "client.ts", body.replace("apiKey", "baseUrl")) == []


SDK_KEY = """\
import { Codex } from "@openai/codex-sdk";
const codex = new Codex({
  apiKey: process.env.BILLING_KEY,
});
const thread = codex.startThread({ workingDirectory: "/srv/repo", sandboxMode: "read-only" });
await thread.run("Review the last commit");
"""


def test_sdk_api_key_finding_points_at_the_key_it_bills_with(tmp_path: Path) -> None:
    """CG101 sits at the codex start the key bills (`startThread`), and, as every key finding
    does, names where the key gets in as a related location: the `apiKey` option, the SDK's
    CODEX_API_KEY (in every format: SARIF's relatedLocations too)."""
    (tmp_path / "run.ts").write_text(SDK_KEY)
    lines = SDK_KEY.splitlines()
    key = (3, lines[2].index("apiKey") + 1)
    findings: Any = lint_cli("run.ts", cwd=tmp_path)["findings"]
    (finding,) = findings
    assert (finding["rule"], finding["line"]) == ("CG101", 5)
    assert [(r["line"], r["column"]) for r in finding["related"]] == [key]
    assert "apiKey" in finding["related"][0]["note"]
    sarif = subprocess.run(
        [*CLI, "lint", "--format", "sarif", "run.ts"],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    (result,) = json.loads(sarif.stdout)["runs"][0]["results"]
    (related,) = result["relatedLocations"]
    region = related["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"]) == key
    # A client made and used on one line: the finding's own line shows the key.
    one_line = 'import { Codex } from "@openai/codex-sdk";\n'
    one_line += 'new Codex({ apiKey: "k" }).startThread({ workingDirectory: "." });\n'
    (tmp_path / "one.ts").write_text(one_line)
    found: Any = lint_cli("one.ts", cwd=tmp_path)["findings"]
    assert [f["related"] for f in found if f["rule"] == "CG101"] == [[]]


# --- facts the sources rely on, checked against the real programs --------------------------------

REAL_CODEX = Path(__file__).resolve().parents[2] / ".codex-cli" / "node_modules" / ".bin" / "codex"


@pytest.mark.skipif(not REAL_CODEX.exists(), reason="the real codex CLI is not installed")
def test_sdk_flag_facts() -> None:
    """The SDK passes `exec --experimental-json ... resume ID`: codex 0.169.0 accepts the hidden
    flag and takes exec's flags before `resume` (an unknown flag exits 2 before --help)."""

    def status(*argv: str) -> int:
        return subprocess.run(
            [str(REAL_CODEX), *argv], capture_output=True, timeout=60, stdin=subprocess.DEVNULL
        ).returncode

    assert status("exec", "--no-such-flag", "--help") == 2
    assert status("exec", "--experimental-json", "--help") == 0
    assert status("exec", "--experimental-json", "--sandbox", "read-only", "--cd", "/tmp",
                  "resume", "--help") == 0  # fmt: skip


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_node_stdin_facts(tmp_path: Path) -> None:
    """What the JavaScript source assumes: the sync spawns close stdin (`cat` returns at once),
    the async ones leave the pipe open (`cat` is still waiting when the timeout kills it)."""
    script = tmp_path / "probe.js"
    script.write_text(
        'const cp = require("child_process");\n'
        'const sync = cp.spawnSync("cat", [], { timeout: 5000 });\n'
        'const file = cp.execFileSync("cat", [], { timeout: 5000 }).length;\n'
        'const child = cp.spawn("cat", [], { timeout: 700 });\n'
        'child.on("exit", (code, signal) => console.log(JSON.stringify('
        "{ sync: sync.signal, file, async: signal })));\n"
    )
    result = subprocess.run(
        ["node", str(script)],
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        env={**os.environ},
    )
    assert json.loads(result.stdout) == {"sync": None, "file": 0, "async": "SIGTERM"}


# --- no traceback on any input ----------------------------------------------------------------

SOURCES_BY_NAME = {name: (PROGRAMS / name).read_text(encoding="utf-8") for name in FIXTURES}


@settings(max_examples=150, deadline=None)
@given(
    name=st.sampled_from(FIXTURES),
    cut=st.floats(min_value=0.0, max_value=1.0),
    start=st.floats(min_value=0.0, max_value=0.5),
)
def test_truncated_fixtures_never_crash(name: str, cut: float, start: float) -> None:
    """Any slice of a real fixture: snippets or one SourceError (CG901), never an exception."""
    text = SOURCES_BY_NAME[name]
    piece = text[int(len(text) * start) : int(len(text) * max(cut, start))]
    source = javascript.extract if not name.endswith(".go") else golang.extract
    try:
        snippets = source(piece, name)
    except SourceError as exc:
        assert exc.line >= 1
        return
    for snippet in snippets:
        assert snippet.text.endswith("\n")
        assert 0 <= snippet.line_offset <= piece.count("\n")


@settings(max_examples=60, deadline=None)
@given(body=st.text(alphabet=st.sampled_from(list("codex(){}[]`$\"'.,;=+ \n\\/abs")), max_size=200))
def test_random_text_with_codex_never_crashes(body: str) -> None:
    for name, source in (("x.ts", javascript.extract), ("x.go", golang.extract)):
        with contextlib.suppress(SourceError):
            source("codex" + body, name)


def test_names_that_refer_to_themselves_are_unknown_not_a_parse_error(tmp_path: Path) -> None:
    js = (
        'const { spawn } = require("child_process");\n'
        'var a = [...b];\nvar b = [...a, "x"];\n'
        'spawn("codex", ["exec", "-C", ".", "-s", "read-only", ...a], { stdio: "ignore" });\n'
    )
    assert lint_text(tmp_path, "cycle.js", js) == []
    go = (
        'package p\nimport "os/exec"\nfunc f() {\n\tvar a []string\n\ta = append(a, a...)\n'
        '\tb := append(a, "x")\n\ta = append(b, a...)\n'
        '\texec.Command("codex", append([]string{"exec", "-C", ".", "-s", "read-only"}, a...)...).Run()\n'
        "}\n"
    )
    assert lint_text(tmp_path, "cycle.go", go) == []
    # Each name met inside its own value is unknown once: the command stays the size of the
    # code (it was 30,000 words, and 40 s of work, when each level doubled the walk).
    (snippet,) = golang.extract(go, "cycle.go")
    assert len(snippet.text.split()) < 40, snippet.text[:200]


def test_an_argv_past_its_word_bound_ends_in_one_unknown_spread() -> None:
    from guard.sources.spawnline import MAX_ARGV_WORDS, Unknown, product

    (argv,) = product([[("a",) * 200], [("b",) * 200]])
    assert len(argv) == MAX_ARGV_WORDS
    assert argv[:200] == ("a",) * 200 and argv[-1] is Unknown.SPREAD
    assert product([[("a",) * 10], [("b",) * 10]]) == [("a",) * 10 + ("b",) * 10]


def test_deep_nesting_is_a_parse_error_or_nothing_not_a_crash(tmp_path: Path) -> None:
    deep = "const x = " + "[" * 5000 + "]" * 5000 + ";\nspawn('codex', x);\n"
    lint_text(tmp_path, "deep.js", deep)  # no file error, no exception
    go = "package p\nvar x = " + "(" * 5000 + "1" + ")" * 5000 + "\n// codex\n"
    lint_text(tmp_path, "deep.go", go)


# --- what really runs: the fixtures under Node, against a recording stand-in codex --------------


def _matches(snippet_text: str, argv: list[str]) -> bool:
    """Does the snippet's codex argv (`"$ARG"` = any one word) describe the real argv?"""
    import shlex

    if snippet_text.startswith(spawnline.CAPTURED):  # `out=$(codex ...)`: the output is taken
        snippet_text = snippet_text[len(spawnline.CAPTURED) :].rstrip("\n").removesuffix(")")
    words = shlex.split(snippet_text.split("<", 1)[0])
    while words and "=" in words[0] and not words[0].startswith("-"):
        words.pop(0)  # the env assignments
    words = words[1:]  # `codex`
    return len(words) == len(argv) and all(
        w in ("$ARG", a) for w, a in zip(words, argv, strict=True)
    )


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize(
    ("fixture", "call"),
    [
        ("node_worker_bad.mjs", 'm.dispatchWorker("t1", "Fix it", { unsafe: true })'),
        ("node_worker_bad.mjs", 'm.dispatchWorker("t2", "Fix it", { model: "o3" })'),
        ("node_worker_good.mjs", 'm.dispatchWorker("t3", "Fix it")'),
        ("node_worker_good.mjs", 'm.validate("t4")'),
        ("node_worker_good.mjs", 'new Promise((r) => m.promptOnStdin("Fix it").on("close", r))'),
    ],
)
def test_what_node_really_runs_is_what_the_source_reads(
    tmp_path: Path, fixture: str, call: str
) -> None:
    shutil.copy(PROGRAMS / fixture, tmp_path / fixture)
    driver = f'import("./{fixture}").then(async (m) => {{ await {call}; }});'
    (run,) = run_recorded(tmp_path, ["node", "-e", driver], record_stdin=True)
    argv, has_key, stdin = run.argv, run.has_key, run.stdin
    snippets = javascript.extract(SOURCES_BY_NAME[fixture], fixture)
    described = [s for s in snippets if _matches(s.text, argv)]
    assert described, f"no snippet reads the argv {argv}"
    for snippet in described:
        assert ("API_KEY=" in snippet.text.split("codex", 1)[0]) == has_key
        idle = snippet.context.value == "spawn" and "<" not in snippet.text
        assert idle == (stdin == "idle"), (snippet.text, stdin)
