"""package.json `scripts`: npm, yarn, pnpm and bun run each script's string with `sh -c` in the
package's folder. Each finding points at the word inside the JSON string, on its own line and
column, escapes (`\\"`, `\\u0063`, `\\n`) included; text outside `scripts` is never run; a file
that is not JSON is one CG901 line; node_modules is never walked."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from guard.reject import may_concern_file
from guard.sources import packagejson
from guard.sources.detect import PACKAGE_JSON, kind_by_name
from guard.sources.snippet import RunContext

CLI = [sys.executable, "-m", "guard.cli"]


def lint(target: Path, *extra: str) -> dict[str, Any]:
    done = subprocess.run(
        [*CLI, "lint", "--no-cache", "--format", "json", *extra, str(target)],
        capture_output=True, text=True, timeout=300, cwd=target if target.is_dir() else target.parent,
    )  # fmt: skip
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    doc: dict[str, Any] = json.loads(done.stdout)
    return doc


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def places(doc: dict[str, Any]) -> list[tuple[str, int, int]]:
    return sorted((f["rule"], f["line"], f["column"]) for f in doc["findings"])


def at(text: str, word: str, nth: int = 0) -> tuple[int, int]:
    """(line, column) of the ``nth`` line holding ``word``, 1-based, as a user sees it."""
    holding = [(n, line) for n, line in enumerate(text.splitlines(), 1) if word in line]
    number, line = holding[nth]
    return number, line.index(word) + 1


FLEET = """\
{
  "name": "fleet",
  "scripts": {
    "review": "OPENAI_API_KEY=$KEY codex exec -s read-only -C . 'review' </dev/null",
    "fix": "codex exec --yolo -C . fix"
  }
}
"""


def test_the_brief_example_is_found_where_it_is_written(tmp_path: Path) -> None:
    doc = lint(write(tmp_path / "package.json", FLEET))
    assert doc["errors"] == []
    assert places(doc) == sorted(
        [
            ("CG101", *at(FLEET, "OPENAI_API_KEY=")),  # the command, from its prefix assignment
            ("CG201", *at(FLEET, "codex exec --yolo")),  # npm hands codex the caller's stdin
            ("CG303", *at(FLEET, "--yolo")),
        ]
    )
    assert doc["files"] == 1


ESCAPES = r"""{
  "scripts": {
    "quoted": "echo \"hi\" && codex exec -C . -s danger-full-access \"fix it\" </dev/null",
    "unicode": "\u0063odex exec -C . --yolo x </dev/null",
    "lines": "echo a\ncodex exec -C . -s read-only --yolo y </dev/null",
    "slashes": "cd ..\\x && codex exec -C . -s read-only -o \/tmp/o.md --yolo z </dev/null"
  }
}
"""


def test_words_after_escapes_point_at_their_own_columns(tmp_path: Path) -> None:
    doc = lint(write(tmp_path / "package.json", ESCAPES))
    assert places(doc) == sorted(
        [
            ("CG303", *at(ESCAPES, "danger-full-access")),
            ("CG303", *at(ESCAPES, "--yolo", 0)),
            ("CG303", *at(ESCAPES, "--yolo", 1)),  # after a `\n`: the same file line
            ("CG303", *at(ESCAPES, "--yolo", 2)),
        ]
    )


def test_a_string_without_escapes_is_one_snippet_at_its_column() -> None:
    text = FLEET.replace('"review"', '"x": 1, "review"')  # a number before it: not a script
    snippet = packagejson.extract(text, "p.json")[0]
    assert snippet.line_offset == 3
    assert snippet.column_offset == text.splitlines()[3].index("OPENAI")
    assert snippet.context is RunContext.SCRIPT  # as a Makefile or justfile recipe
    assert snippet.dialect == "sh"  # npm's script-shell: /bin/sh


LOOK_ALIKES = """\
{
  "name": "codex-helpers",
  "description": "Wraps `codex exec --yolo` with OPENAI_API_KEY=x for CI",
  "keywords": ["codex", "codex exec --dangerously-bypass-approvals-and-sandbox"],
  "bin": {"codex-run": "bin/run.js"},
  "config": {"cmd": "codex exec --yolo -C . x"},
  "scripts": {
    "help": "echo 'codex exec --yolo' && echo OPENAI_API_KEY=x",
    "codex": "node bin/run.js",
    "count": 3,
    "list": ["codex exec --yolo"],
    "off": null
  },
  "dependencies": {"@openai/codex": "^0.169.0", "codex-tools": "~1.2.3"}
}
"""


def test_look_alikes_stay_clean(tmp_path: Path) -> None:
    doc = lint(write(tmp_path / "package.json", LOOK_ALIKES))
    assert doc["errors"] == []
    assert doc["findings"] == []
    assert doc["files"] == 1  # read (its `help` and `codex` scripts), not skipped


def test_scripts_that_are_not_an_object_and_a_top_level_that_is_not_hold_nothing() -> None:
    assert packagejson.extract('{"scripts": ["codex exec --yolo"]}', "p.json") == []
    assert packagejson.extract('{"scripts": "codex exec --yolo"}', "p.json") == []
    assert packagejson.extract('["codex exec --yolo"]', "p.json") == []
    assert packagejson.extract('"codex exec --yolo"', "p.json") == []


def test_the_last_of_duplicate_keys_counts_as_json_parse_keeps_it() -> None:
    text = (
        '{"scripts": {"a": "codex exec --yolo"}, '
        '"scripts": {"a": "codex exec --yolo", "a": "echo codex"}}'
    )
    (snippet,) = packagejson.extract(text, "p.json")
    assert snippet.text == "echo codex"
    assert snippet.column_offset == text.rindex("echo codex")


PRE_POST = """\
{
  "scripts": {
    "prereview": "codex exec --ephemeral -s read-only -C . -o first.md 'first' </dev/null",
    "review": "codex exec resume --last -o again.md 'again' </dev/null",
    "other": "codex exec --ephemeral -s read-only -C . -o x.md 'alone' </dev/null"
  }
}
"""


def test_pre_and_post_scripts_run_around_theirs_on_one_machine(tmp_path: Path) -> None:
    doc = lint(write(tmp_path / "package.json", PRE_POST), "--select", "CG401")
    # `npm run review` runs prereview, then review: the ephemeral session is resumed. `other`
    # is written after the resume: no later script resumes it.
    assert places(doc) == [("CG401", *at(PRE_POST, "--ephemeral"))]
    sessions = [s.session for s in packagejson.extract(PRE_POST, "p.json")]
    runs = [tuple(step for step in s if step[0] != packagejson.FOLDER) for s in sessions]
    assert runs == [(("npm run review", 1),), (("npm run review", 2),), ()]
    # and every script is a step of the package's own sequence, in file order, below the runs'
    folder = [[n for name, n in s if name == packagejson.FOLDER] for s in sessions]
    assert [len(steps) for steps in folder] == [1, 1, 1]
    assert folder == sorted(folder) and folder[-1][0] < 1


WRAPPED = """\
{
  "scripts": {
    "ci": "cross-env OPENAI_API_KEY=$KEY codex exec -s read-only -C . review </dev/null",
    "npx": "npx cross-env CODEX_API_KEY=x codex exec -s read-only -C . review </dev/null",
    "dot": "dotenv -e .env.ci -- codex exec -s read-only -C . review </dev/null",
    "cmd": "env-cmd -f .env.ci codex exec -s read-only -C . review </dev/null",
    "plain": "dotenv -- codex exec -s read-only -C . review </dev/null",
    "safe": "cross-env NODE_ENV=production codex exec -s read-only -C . review </dev/null"
  }
}
"""


def test_env_wrappers_of_npm_scripts_are_peeled(tmp_path: Path) -> None:
    write(tmp_path / ".env.ci", "OPENAI_API_KEY=sk-live\n")
    doc = lint(write(tmp_path / "package.json", WRAPPED))
    found = {(f["rule"], f["line"], f["severity"]) for f in doc["findings"]}
    line = {name: at(WRAPPED, f'"{name}"')[0] for name in ("ci", "npx", "dot", "cmd", "plain")}
    assert found == {
        ("CG101", line["ci"], "error"),
        ("CG101", line["npx"], "error"),
        ("CG103", line["dot"], "error"),  # .env.ci is in the repo and sets the key
        ("CG103", line["cmd"], "error"),
        ("CG103", line["plain"], "warning"),  # dotenv's default .env: not there to read
    }


def test_json_that_does_not_parse_is_one_line_and_other_files_go_on(tmp_path: Path) -> None:
    write(tmp_path / "package.json", '{\n  "scripts": {\n    "fix": "codex exec --yolo",\n  }\n}\n')
    write(tmp_path / "run.sh", "#!/bin/sh\ncodex exec --yolo -C . x </dev/null\n")
    doc = lint(tmp_path)
    assert doc["errors"] == []
    assert places(doc) == [("CG303", 2, 12), ("CG901", 4, 3)]
    (error,) = [f for f in doc["findings"] if f["rule"] == "CG901"]
    assert error["path"].endswith("package.json")
    assert error["message"].startswith("not valid JSON: ")


def test_node_modules_is_never_walked_even_without_a_gitignore(tmp_path: Path) -> None:
    write(tmp_path / "package.json", '{"scripts": {"test": "node test.js"}}\n')
    bad = '{"scripts": {"postinstall": "codex exec --yolo -C . x </dev/null"}}\n'
    write(tmp_path / "node_modules" / "evil" / "package.json", bad)
    write(tmp_path / "packages" / "app" / "node_modules" / "evil" / "package.json", bad)
    write(tmp_path / "packages" / "app" / "package.json", bad)
    doc = lint(tmp_path)
    assert {Path(f["path"]).parts[-3:] for f in doc["findings"]} == {
        ("packages", "app", "package.json")
    }
    assert doc["files"] == 2


def test_the_name_decides_the_kind() -> None:
    assert kind_by_name("web/package.json") == PACKAGE_JSON
    assert kind_by_name("package-lock.json") is None
    assert kind_by_name("tsconfig.json") is None


ORDINARY = """\
{
  "name": "web",
  "version": "1.0.0",
  "scripts": {
    "build": "tsc -p . && node dist/*.js",
    "lint": "eslint 'src/**/*.ts'",
    "version": "echo $npm_package_version"
  },
  "dependencies": {"react": "^18.2.0"},
  "lint-staged": {"*.ts": "eslint --fix"}
}
"""


def test_a_package_json_that_never_mentions_codex_is_answered_by_the_reject() -> None:
    assert not may_concern_file(ORDINARY, PACKAGE_JSON)
    for script in ("$CMD exec x", "\\u0063odex exec x", "./cod* exec x"):
        assert may_concern_file('{"scripts": {"a": "' + script + '"}}', PACKAGE_JSON), script


def test_the_reader_is_reached_only_past_the_reject(monkeypatch: Any) -> None:
    import guard.commands.lint as lint_module
    from guard.settings import Settings

    reached: list[str] = []

    def engine(job: Any, text: str, kind: str) -> Any:
        reached.append(kind)
        return [], text

    monkeypatch.setattr(lint_module, "_engine_findings", engine)
    for content in (ORDINARY, FLEET):
        job = lint_module.FileJob(
            path="web/package.json", explicit=False, settings=Settings(), content=content.encode()
        )
        outcome = lint_module.lint_unrecorded(job)
        assert outcome is not None and outcome.checked and not outcome.errors
    assert reached == [PACKAGE_JSON]  # FLEET only


DIRECTIVES = """\
{
  "description": "# codex-guard: disable-file=CG303 -- data, not a comment",
  "scripts": {
    "vm": "codex exec --yolo -C . x </dev/null # codex-guard: disable=CG303 -- a throwaway VM",
    "host": "codex exec --yolo -C . y </dev/null"
  }
}
"""


def test_a_directive_is_a_shell_comment_in_a_script(tmp_path: Path) -> None:
    doc = lint(write(tmp_path / "package.json", DIRECTIVES))
    assert places(doc) == [("CG303", *at(DIRECTIVES, "--yolo", 1))]
    minified = '{"scripts": {"a": "codex exec --yolo -C . x </dev/null # codex-guard: disable=CG303 -- vm", "b": "codex exec --yolo -C . y </dev/null"}}'
    doc = lint(write(tmp_path / "package.json", minified))
    assert places(doc) == []  # one line: a trailing directive covers its line


LINT_STAGED = """\
{
  "name": "web",
  "lint-staged": {
    "*.ts": ["eslint --fix", "codex exec --yolo -C . \\"review\\""],
    "*.md": "cross-env OPENAI_API_KEY=x codex exec -s read-only -C . \\"check the docs\\"",
    "*.txt": ["echo codex exec --yolo"],
    "*.sh": "codex exec -s read-only -C . review # codex-guard: lane=validator",
    "*.css": 5
  }
}
"""


def test_lint_staged_commands_run_on_the_staged_files(tmp_path: Path) -> None:
    # each command runs from the git hook with stdin ignored (no CG201), its words as written
    doc = lint(write(tmp_path / "package.json", LINT_STAGED))
    assert doc["errors"] == []
    assert places(doc) == sorted(
        [
            ("CG101", *at(LINT_STAGED, "cross-env")),
            ("CG303", *at(LINT_STAGED, "--yolo")),
        ]
    )


LINTSTAGEDRC_YAML = """\
# lint-staged config
"*.{js,ts}":
  - eslint --fix
  - codex exec -s danger-full-access -C . "review these files"
"*.md": cross-env CODEX_API_KEY=k codex exec -s read-only -C . "check the docs"
"*.txt": echo "codex exec --yolo"
"""


def test_lintstagedrc_files_are_lint_staged_configs(tmp_path: Path) -> None:
    assert kind_by_name("web/.lintstagedrc") == "lint-staged"
    assert kind_by_name(".lintstagedrc.json") == kind_by_name(".lintstagedrc.yml") == "lint-staged"
    yaml_doc = lint(write(tmp_path / "a" / ".lintstagedrc", LINTSTAGEDRC_YAML))
    assert places(yaml_doc) == sorted(
        [
            ("CG303", *at(LINTSTAGEDRC_YAML, "danger-full-access")),
            ("CG101", *at(LINTSTAGEDRC_YAML, "cross-env")),
        ]
    )
    config = json.loads(LINT_STAGED)["lint-staged"]
    text = json.dumps(config, indent=2)
    json_doc = lint(write(tmp_path / "b" / ".lintstagedrc.json", text))
    assert places(json_doc) == sorted(
        [("CG101", *at(text, "cross-env")), ("CG303", *at(text, "--yolo"))]
    )
    bad = lint(write(tmp_path / "c" / ".lintstagedrc.yaml", '"*.md": [unclosed\n'))
    assert [f["rule"] for f in bad["findings"]] == ["CG901"]


GIT_HOOKS = """\
{
  "name": "web",
  "simple-git-hooks": {
    "pre-commit": "npx lint-staged && codex exec -C . -s read-only \\"review\\"",
    "pre-push": "codex exec -C . -s read-only \\"check the push\\"",
    "preserveUnused": ["commit-msg"],
    "not-a-hook": "codex exec --yolo"
  },
  "husky": {"hooks": {"pre-commit": "cross-env OPENAI_API_KEY=x codex exec -C . -s read-only -"}},
  "gitHooks": {"commit-msg": "echo codex exec --yolo"}
}
"""


def test_git_hooks_declared_in_package_json_run_in_sh(tmp_path: Path) -> None:
    # simple-git-hooks, husky 4 and yorkie run each hook's command in `sh` with the stdin git
    # gives the hook: /dev/null (no CG201 on pre-commit), the refs for pre-push (CG203)
    doc = lint(write(tmp_path / "package.json", GIT_HOOKS))
    assert places(doc) == sorted(
        [
            ("CG203", *at(GIT_HOOKS, 'codex exec -C . -s read-only \\"check')),
            ("CG101", *at(GIT_HOOKS, "cross-env")),
            ("CG202", *at(GIT_HOOKS, "cross-env")),
        ]
    )


CALLERS = """\
{
  "name": "x",
  "scripts": {
    "ci": "cross-env FOO=1 npm run review",
    "bill": "cross-env OPENAI_API_KEY=$K npm run review",
    "quiet": "npm run review </dev/null",
    "chain": "export CODEX_API_KEY=k && npm run check",
    "check": "npm run lint && yarn review",
    "other": "OPENAI_API_KEY=k npm --prefix app run review",
    "dropped": "OPENAI_API_KEY=x pnpm clean",
    "clean": "env -u OPENAI_API_KEY codex exec -C . -s read-only 'x' </dev/null",
    "own": "OPENAI_API_KEY=x npm run self",
    "self": "OPENAI_API_KEY=y codex exec -C . -s read-only 'x' </dev/null",
    "prereview": "echo codex exec --yolo",
    "review": "codex exec --yolo -C . \\"review the diff\\""
  }
}
"""


def test_a_key_a_script_gives_the_script_it_runs_reaches_its_codex(tmp_path: Path) -> None:
    """`npm run review` runs `review`'s text with the env the command gets (npm 10 with a
    recording codex: the caller's key reaches prereview, review and postreview). The callee's
    own findings stay at its own line, once; the caller gets CG101 for the key it passes, and
    nothing for what it passes that is no key, a stdin it closes, a script of another package,
    a key the callee drops (`env -u`) or sets itself (reported there)."""
    doc = lint(write(tmp_path / "package.json", CALLERS))
    review = at(CALLERS, 'codex exec --yolo -C . \\"review')
    assert places(doc) == sorted(
        [
            ("CG101", *at(CALLERS, "cross-env OPENAI")),  # `bill`: the key cross-env sets
            ("CG101", *at(CALLERS, "npm run check")),  # `chain` -> check -> `yarn review`
            ("CG101", *at(CALLERS, "OPENAI_API_KEY=y")),  # `self` sets its own: there
            ("CG201", *review),
            ("CG303", review[0], review[1] + len("codex exec ")),
        ]
    )
    bill = next(f for f in doc["findings"] if f["line"] == at(CALLERS, "cross-env OPENAI")[0])
    assert "`npm run review` gives script `review`" in bill["message"]
    assert [(r["line"], r["note"]) for r in bill["related"]] == [
        (at(CALLERS, "cross-env OPENAI")[0], "set here"),
        (review[0], "the codex run of `review`"),
    ]


def test_env_a_script_loads_for_the_script_it_runs_reaches_its_codex(tmp_path: Path) -> None:
    """`dotenv -e .env npm run review`: the file's env is the env `review` runs with (CG103 at
    the call, an error when the file in the repo sets a key); `env -i` on the way keeps it out."""
    text = """\
{
  "name": "x",
  "scripts": {
    "a": "dotenv -e .env -- npm run review",
    "b": "env-cmd -f .env.ci npm run review",
    "c": "dotenv -e .env -- npm run clean",
    "clean": "env -i PATH=/usr/bin codex exec -C . -s read-only 'x' </dev/null",
    "review": "codex exec -C . -s read-only 'x' </dev/null"
  }
}
"""
    write(tmp_path / ".env", "OPENAI_API_KEY=sk-x\n")
    doc = lint(write(tmp_path / "package.json", text))
    assert places(doc) == [("CG103", *at(text, "dotenv")), ("CG103", *at(text, "env-cmd"))]
    severities = [f["severity"] for f in sorted(doc["findings"], key=lambda f: f["line"])]
    assert severities == ["error", "warning"]  # .env sets the key; .env.ci is not in the repo


def test_a_key_reaches_a_script_run_through_a_package_runner_or_corepack(tmp_path: Path) -> None:
    """`npx npm run review` and `npm exec -- npm run review` run npm itself, which runs `review`
    with the caller's env (npm 11 with a recording codex); so do `corepack pnpm run review` and
    `bun review` (bun's naked script form): each is CG101 at the call."""
    text = """\
{
  "name": "x",
  "scripts": {
    "a": "OPENAI_API_KEY=$K npx npm run review",
    "b": "OPENAI_API_KEY=$K npm exec -- npm run review",
    "c": "OPENAI_API_KEY=$K corepack pnpm run review",
    "d": "OPENAI_API_KEY=$K bun review",
    "e": "OPENAI_API_KEY=$K npx npm install",
    "review": "codex exec -C . -s read-only 'x' </dev/null"
  }
}
"""
    doc = lint(write(tmp_path / "package.json", text))
    assert places(doc) == [
        ("CG101", *at(text, "OPENAI_API_KEY=$K npx npm run")),
        ("CG101", *at(text, "OPENAI_API_KEY=$K npm exec")),
        ("CG101", *at(text, "OPENAI_API_KEY=$K corepack")),
        ("CG101", *at(text, "OPENAI_API_KEY=$K bun")),
    ]


def test_a_key_reaches_the_scripts_npm_run_all_runs(tmp_path: Path) -> None:
    """`run-s`, `run-p` and `npm-run-all` run `npm run TASK` for each task (a name or a pattern:
    `ai:*` matches `ai:review`, not `ai:x:y`) with the caller's env: CG101 at the call."""
    text = """\
{
  "name": "x",
  "scripts": {
    "a": "OPENAI_API_KEY=$K run-s lint ai:review",
    "b": "cross-env OPENAI_API_KEY=$K run-p -l 'ai:* -- --fast'",
    "c": "OPENAI_API_KEY=$K npm-run-all --parallel lint nested:*",
    "d": "OPENAI_API_KEY=$K run-s lint",
    "lint": "eslint .",
    "ai:review": "codex exec -C . -s read-only 'x' </dev/null",
    "nested:x:y": "codex exec -C . -s read-only 'x' </dev/null"
  }
}
"""
    doc = lint(write(tmp_path / "package.json", text))
    assert places(doc) == [
        ("CG101", *at(text, "OPENAI_API_KEY=$K run-s lint ai")),
        ("CG101", *at(text, "cross-env OPENAI")),
    ]
