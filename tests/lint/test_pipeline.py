"""The lint front door with a stand-in engine: contract, exit codes, config, sources, directives.

The stand-in (conftest.fake_engine) reports CG201 at every `codex exec` and CG101 at every
`OPENAI_API_KEY`, so these tests pin the plumbing (paths, lines, filters, suppressions) exactly.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run, make_repo, write

pytestmark = pytest.mark.usefixtures("fake")

CLI = Callable[..., Run]

FINDING_KEYS = {
    "rule": str,
    "name": str,
    "severity": str,
    "path": str,
    "line": int,
    "column": int,
    "end_line": int,
    "message": str,
    "fix": (str, type(None)),
    "lane": (str, type(None)),
    "related": list,
}


def lines_of(run: Run, rule: str = "CG201") -> list[tuple[str, int]]:
    return [(f["path"], f["line"]) for f in run.json()["findings"] if f["rule"] == rule]


def test_json_contract_exact(tmp_path: Path, cli: CLI) -> None:
    repo = make_repo(tmp_path / "r", {"run.sh": 'codex exec "x"\n', "bad.sh": b"\xff\x00\n"})
    run = cli("lint", "--format", "json", cwd=repo)
    data = run.json()
    assert list(data) == ["version", "findings", "files", "errors"]
    assert data["version"] == 1
    assert data["files"] == 2
    assert data["errors"] == [
        {"path": "bad.sh", "message": "binary file (NUL byte on line 1, offset 1)"}
    ]
    (finding,) = data["findings"]
    assert set(finding) == set(FINDING_KEYS)
    for key, kind in FINDING_KEYS.items():
        assert isinstance(finding[key], kind), key
    assert finding["severity"] in ("error", "warning", "info")
    assert (finding["path"], finding["line"], finding["column"]) == ("run.sh", 1, 1)
    assert run.code == 2  # a file error wins over findings, after every file is reported


def test_exit_codes_and_fail_on(tmp_path: Path, cli: CLI) -> None:
    clean = make_repo(tmp_path / "clean", {"ok.sh": "echo fine\n"})
    dirty = make_repo(tmp_path / "dirty", {"run.sh": 'codex exec "x"\n'})
    assert cli("lint", cwd=clean).code == 0
    assert cli("lint", cwd=dirty).code == 1
    assert cli("lint", "--fail-on", "error", cwd=dirty).code == 1
    write(dirty / ".codex-guard.yaml", "severity: {CG201: info}\n")
    assert cli("lint", cwd=dirty).code == 0  # info is under the default fail-on (warning)
    assert cli("lint", "--fail-on", "info", cwd=dirty).code == 1


def test_text_summary(tmp_path: Path, cli: CLI) -> None:
    repo = make_repo(tmp_path / "r", {"run.sh": 'codex exec "x"\n', "ok.sh": "echo\n"})
    run = cli("lint", "--color", "never", cwd=repo)
    assert run.out.splitlines()[0] == (
        "run.sh:1:1: CG201 error positional-prompt-open-stdin: codex exec here (script)"
    )
    frame = run.out.splitlines()[1:5]  # the code frame (the span underlined), then the fix
    assert frame[:2] == ["  |", '1 | codex exec "x"'] and frame[3] == "  fix: do it right"
    assert frame[2].startswith("  | ^") and set(frame[2][4:]) == {"^"}
    concise = cli("lint", "--color", "never", "--output-format", "concise", cwd=repo)
    assert concise.out.splitlines()[1] == "  fix: do it right"
    assert run.out.rstrip().endswith("1 finding (1 error, 0 warnings, 0 info) in 2 files")
    clean = make_repo(tmp_path / "c", {"ok.sh": "echo\n"})
    assert cli("lint", cwd=clean).out.strip() == "All clear: 1 file checked."


def test_select_and_ignore(tmp_path: Path, cli: CLI) -> None:
    repo = make_repo(tmp_path / "r", {"run.sh": 'OPENAI_API_KEY=x codex exec "x"\n'})
    rules = lambda run: sorted(f["rule"] for f in run.json()["findings"])  # noqa: E731
    assert rules(cli("lint", "--format", "json", cwd=repo)) == ["CG101", "CG201"]
    assert rules(cli("lint", "--format", "json", "--select", "CG1", cwd=repo)) == ["CG101"]
    assert rules(cli("lint", "--format", "json", "--select", "cg201", cwd=repo)) == ["CG201"]
    assert rules(cli("lint", "--format", "json", "--ignore", "CG2,CG101", cwd=repo)) == []
    both = cli("lint", "--format", "json", "--select", "CG101", "--select", "CG2", cwd=repo)
    assert rules(both) == ["CG101", "CG201"]


def test_bad_select_is_a_usage_error(tmp_path: Path, cli: CLI) -> None:
    repo = make_repo(tmp_path / "r", {"run.sh": "echo\n"})
    run = cli("lint", "--select", "E501", cwd=repo)
    assert run.code == 2
    assert "not a rule id" in run.err and "Traceback" not in run.err


def test_config_found_from_a_subfolder(tmp_path: Path, cli: CLI) -> None:
    repo = make_repo(
        tmp_path / "r",
        {".codex-guard.yaml": "ignore: [CG201]\n", "deep/er/run.sh": 'codex exec "x"\n'},
    )
    assert cli("lint", "--format", "json", cwd=repo / "deep" / "er").json()["findings"] == []
    assert cli("lint", "--format", "json", "deep", cwd=repo).json()["findings"] == []


def test_config_in_pyproject(tmp_path: Path, cli: CLI) -> None:
    repo = make_repo(
        tmp_path / "r",
        {
            # CG303 too: a select that leaves a floor rule out is itself reported (CG905)
            "pyproject.toml": '[project]\nname = "x"\n\n[tool.codex-guard]\nselect = ["CG10", "CG303"]\n',
            "run.sh": 'OPENAI_API_KEY=1 codex exec "x"\n',
        },
    )
    data = cli("lint", "--format", "json", cwd=repo).json()
    assert [f["rule"] for f in data["findings"]] == ["CG101"]


def test_yml_spelling_and_explicit_config(tmp_path: Path, cli: CLI) -> None:
    repo = make_repo(
        tmp_path / "r", {".codex-guard.yml": "ignore: [CG2]\n", "run.sh": "codex exec x\n"}
    )
    write(tmp_path / "other.yaml", "select: [CG2]\n")
    assert cli("lint", "--format", "json", cwd=repo).json()["findings"] == []
    run = cli("lint", "--format", "json", "--config", str(tmp_path / "other.yaml"), cwd=repo)
    # CG201 in run.sh, and CG905 on the --config file: its select leaves the floor rules out
    found = sorted((Path(f["path"]).name, f["rule"]) for f in run.json()["findings"])
    assert found == [("other.yaml", "CG905"), ("run.sh", "CG201")]


@pytest.mark.parametrize(
    ("content", "line", "words"),
    [
        ("select: [CG1]\nstrictt: true\n", 2, "unknown key `strictt`"),
        ("severity:\n  CG201: fatal\n", 2, "severity.CG201"),
        ("hook:\n  fail-closed: maybe\n", 2, "hook.fail-closed"),
        ("select: [CG1\n", 2, "not valid YAML"),
        ("- just\n- a list\n", 1, "must be a mapping"),
    ],
)
def test_bad_config_is_one_line_exit_2(
    tmp_path: Path, cli: CLI, content: str, line: int, words: str
) -> None:
    repo = make_repo(tmp_path / "r", {".codex-guard.yaml": content, "run.sh": "echo\n"})
    run = cli("lint", cwd=repo)
    assert run.code == 2
    assert run.out == ""
    (message,) = run.err.splitlines()
    assert message.startswith(f"{repo / '.codex-guard.yaml'}:{line}: ")
    assert words in message


def test_bad_pyproject_config(tmp_path: Path, cli: CLI) -> None:
    repo = make_repo(
        tmp_path / "r",
        {"pyproject.toml": '[tool.codex-guard]\nselect = ["CG1"]\nfail-on = "never"\n', "a.sh": ""},
    )
    run = cli("lint", cwd=repo)
    assert run.code == 2
    (message,) = run.err.splitlines()
    assert message.startswith(f"{repo / 'pyproject.toml'}:3: fail-on")


def test_per_file_ignores_and_exclude(tmp_path: Path, cli: CLI) -> None:
    repo = make_repo(
        tmp_path / "r",
        {
            ".codex-guard.yaml": (
                "per-file-ignores:\n  'dev/*.sh': [CG201]\n  '*.md': CG2\nexclude: ['vendor/']\n"
            ),
            "dev/try.sh": "codex exec x\n",
            "prod/run.sh": "codex exec x\n",
            "README.md": "```bash\ncodex exec x\n```\n",
            "vendor/lib.sh": "codex exec x\n",
        },
    )
    run = cli("lint", "--format", "json", cwd=repo)
    assert lines_of(run) == [("prod/run.sh", 1)]
    assert run.json()["files"] == 3
    # named on the command line, an excluded file is linted anyway
    assert lines_of(cli("lint", "--format", "json", "vendor/lib.sh", cwd=repo)) == [
        ("vendor/lib.sh", 1)
    ]


def test_gitignore_respected_explicit_wins(tmp_path: Path, cli: CLI) -> None:
    repo = make_repo(
        tmp_path / "r", {".gitignore": "scratch/\n", "scratch/x.sh": "codex exec x\n", "a.sh": ""}
    )
    assert cli("lint", "--format", "json", cwd=repo).json()["findings"] == []
    assert lines_of(cli("lint", "--format", "json", "scratch/x.sh", cwd=repo)) == [
        ("scratch/x.sh", 1)
    ]


def test_kind_detection_through_the_cli(tmp_path: Path, cli: CLI) -> None:
    repo = make_repo(
        tmp_path / "r",
        {
            "bin/dispatch": "#!/usr/bin/env bash\ncodex exec x\n",
            "bin/tool": "#!/usr/bin/env python3\ncodex exec x\n",
            "notes.txt": "codex exec x\n",
            "home/.bashrc": "codex exec x\n",
            "x.zsh": "codex exec x\n",
            "Dockerfile": "FROM x\nRUN codex exec x\n",
            "image.bin": b"\x00\x01codex exec",
        },
    )
    run = cli("lint", "--format", "json", cwd=repo)
    assert sorted(lines_of(run)) == [
        ("Dockerfile", 2),
        ("bin/dispatch", 2),
        ("home/.bashrc", 1),
        ("x.zsh", 1),
    ]
    assert run.json()["errors"] == []


def test_explicit_suffixless_file_is_shell_but_binary_is_skipped(tmp_path: Path, cli: CLI) -> None:
    repo = make_repo(tmp_path / "r", {"job": "codex exec x\n", "blob": b"\x00codex exec"})
    run = cli("lint", "--format", "json", "job", "blob", cwd=repo)
    assert lines_of(run) == [("job", 1)]
    assert run.json()["files"] == 1 and run.json()["errors"] == []


WORKFLOW = """\
name: codex review
on: pull_request
jobs:
  review:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: |
          npm i -g @openai/codex
          codex exec -s read-only "Review"
"""


def test_workflow_lines_and_context(tmp_path: Path, cli: CLI) -> None:
    repo = make_repo(tmp_path / "r", {".github/workflows/review.yml": WORKFLOW})
    (finding,) = cli("lint", "--format", "json", cwd=repo).json()["findings"]
    assert (finding["path"], finding["line"], finding["column"]) == (
        ".github/workflows/review.yml",
        10,
        11,
    )
    assert finding["message"].endswith("(ci)")


def test_markdown_lines_and_context(tmp_path: Path, cli: CLI) -> None:
    text = "# x\n\ntext\n\n```bash\necho\ncodex exec x\n```\n"
    repo = make_repo(tmp_path / "r", {"docs/guide.md": text, "AGENTS.md": text})
    findings = cli("lint", "--format", "json", cwd=repo).json()["findings"]
    assert [(f["path"], f["line"], f["message"]) for f in findings] == [
        ("AGENTS.md", 7, "codex exec here (agent)"),
        ("docs/guide.md", 7, "codex exec here (doc)"),
    ]


def test_makefile_recipe(tmp_path: Path, cli: CLI) -> None:
    text = "all: work\n\nwork:\n\t@echo go\n\t-codex exec -s workspace-write x </dev/null\n"
    repo = make_repo(tmp_path / "r", {"Makefile": text})
    assert lines_of(cli("lint", "--format", "json", cwd=repo)) == [("Makefile", 5)]


DIRECTIVES = """\
#!/bin/bash
codex exec one  # codex-guard: disable=CG201 -- interactive helper, run from a TTY
# codex-guard: disable=CG201 -- covered on every line of the command below
codex exec two \\
  --json
codex exec three  # codex-guard: disable=CG201
# codex-guard: disable=CG101 -- nothing here uses the key
echo four
codex exec five
"""


def test_directives(tmp_path: Path, cli: CLI) -> None:
    repo = make_repo(tmp_path / "r", {"run.sh": DIRECTIVES})
    findings = cli("lint", "--format", "json", cwd=repo).json()["findings"]
    summary = [(f["rule"], f["line"]) for f in findings]
    assert summary == [("CG904", 6), ("CG904", 7), ("CG201", 9)]
    assert "gives no reason" in findings[0]["message"]
    assert "suppresses nothing" in findings[1]["message"]
    assert findings[0]["name"] == "unexplained-suppression"
    assert findings[0]["severity"] == "warning"


def test_directive_suppressing_a_multiline_finding(tmp_path: Path, cli: CLI) -> None:
    from guard.directives import apply_directives, parse_directives
    from guard.findings import Finding, Location, Severity

    text = "# codex-guard: disable=CG2 -- tty only\ncodex exec \\\n  x\n"
    finding = Finding(
        "CG201", "n", Severity.ERROR, "m", Location("a.sh", 2, 1, 3, 4)
    )  # spans lines 2-3
    assert apply_directives([finding], parse_directives(text), "a.sh", {}) == []
    trailing = "codex exec \\\n  x  # codex-guard: disable=CG201 -- ok\n"
    assert apply_directives([finding], parse_directives(trailing), "a.sh", {}) == []
    # a trailing directive is about its own line, not the next command
    before = "echo a  # codex-guard: disable=CG201 -- ok\ncodex exec \\\n  x\n"
    kept = apply_directives([finding], parse_directives(before), "a.sh", {})
    assert kept[0] == finding and kept[1].rule == "CG904"


def test_cg904_obeys_select_ignore_and_disable_file(tmp_path: Path, cli: CLI) -> None:
    text = "# codex-guard: disable=CG201\necho\n"
    repo = make_repo(tmp_path / "r", {"run.sh": text})

    def rules(*args: str) -> list[str]:
        findings = cli("lint", "--format", "json", *args, cwd=repo).json()["findings"]
        return [f["rule"] for f in findings]

    assert rules() == ["CG904", "CG904"]  # no reason, and stale
    assert rules("--ignore", "CG904") == []
    assert rules("--select", "CG1") == []  # CG904 not selected; CG201 not checked: not stale
    write(repo / "run.sh", text + "# codex-guard: disable-file=CG904 -- legacy file\n")
    assert rules() == []


def test_disable_file_and_prefix(tmp_path: Path, cli: CLI) -> None:
    text = (
        "codex exec a\n# codex-guard: disable-file=CG2 -- demo script, run by hand\ncodex exec b\n"
    )
    repo = make_repo(tmp_path / "r", {"run.sh": text})
    assert cli("lint", "--format", "json", cwd=repo).json()["findings"] == []


def test_directive_inside_a_string_is_not_a_directive(tmp_path: Path, cli: CLI) -> None:
    text = "codex exec 'look # codex-guard: disable=CG201 -- no'\n"
    repo = make_repo(tmp_path / "r", {"run.sh": text})
    assert lines_of(cli("lint", "--format", "json", cwd=repo)) == [("run.sh", 1)]


def test_lane_directive_reaches_the_engine(tmp_path: Path, cli: CLI) -> None:
    text = "# codex-guard: lane=validator\n\ncodex exec -s read-only x\ncodex exec y\n"
    text += "codex exec z  # codex-guard: lane=net-validator\n"
    repo = make_repo(tmp_path / "r", {"run.sh": text})
    findings = cli("lint", "--format", "json", cwd=repo).json()["findings"]
    assert [(f["line"], f["lane"]) for f in findings] == [
        (3, "validator"),
        (4, None),
        (5, "net-validator"),
    ]


def test_parallel_output_is_deterministic(tmp_path: Path, cli: CLI) -> None:
    files = {f"d{i % 7}/s{i:03}.sh": f"echo {i}\ncodex exec {i}\n" for i in range(90)}
    repo = make_repo(tmp_path / "r", files)
    serial = cli("lint", "--format", "json", "--jobs", "1", cwd=repo)
    parallel = cli("lint", "--format", "json", "--jobs", "2", cwd=repo)
    assert serial.out == parallel.out
    data = parallel.json()
    assert data["files"] == 90 and len(data["findings"]) == 90
    keys = [(f["path"], f["line"]) for f in data["findings"]]
    assert keys == sorted(keys)


def test_workflow_that_is_not_yaml_is_a_parse_finding(tmp_path: Path, cli: CLI) -> None:
    repo = make_repo(tmp_path / "r", {".github/workflows/x.yml": "jobs:\n  a: [\n"})
    run = cli("lint", "--format", "json", cwd=repo)
    (finding,) = run.json()["findings"]
    assert finding["rule"] == "CG901" and "not valid YAML" in finding["message"]
    assert run.json()["errors"] == []


def test_here_doc_bodies_hold_no_directives() -> None:
    from guard.directives import heredoc_tags, parse_directives

    text = (
        "cat <<'EOF' > notes.md\n"
        "# codex-guard: disable=CG101\n"
        "EOF\n"
        "cat <<-END\n"
        "\t# codex-guard: lane=worker\n"
        "\tEND\n"
        "grep x <<< '# codex-guard: disable=CG2'\n"
        "# codex-guard: disable=CG3 -- after the here-docs, a real one\n"
        "codex exec x\n"
    )
    directives = parse_directives(text)
    assert [(d.line, d.rules) for d in directives.disables] == [(8, ("CG3",))]
    assert directives.lanes == ()
    assert heredoc_tags('a <<A; b << "B" <<< c') == [("A", False), ("B", False)]
    assert heredoc_tags("echo '<<EOF' $((1 << 2))") == []


def test_missing_explicit_config_is_one_line_exit_2(tmp_path: Path, cli: CLI) -> None:
    repo = make_repo(tmp_path / "r", {"a.sh": "echo\n"})
    run = cli("lint", "--config", "nope.yaml", cwd=repo)
    assert run.code == 2
    assert run.err.strip() == "nope.yaml:1: no such config file"


def test_config_nearest_wins_per_file(tmp_path: Path, cli: CLI) -> None:
    repo = make_repo(
        tmp_path / "r",
        {
            ".codex-guard.yaml": "ignore: [CG101]\n",
            "team/.codex-guard.yaml": "ignore: [CG201]\n",
            "top.sh": "OPENAI_API_KEY=1 codex exec x\n",
            "team/sub.sh": "OPENAI_API_KEY=1 codex exec x\n",
        },
    )
    findings = cli("lint", "--format", "json", cwd=repo).json()["findings"]
    assert sorted((f["path"], f["rule"]) for f in findings) == [
        (".codex-guard.yaml", "CG905"),  # `ignore: [CG101]` is reported, and still used by lint
        ("team/sub.sh", "CG101"),
        ("top.sh", "CG201"),
    ]


def test_unlistable_folder_is_an_error_and_the_rest_goes_on(
    tmp_path: Path, cli: CLI, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Root reads everything, so a folder without permissions is simulated at scandir()."""
    import os

    import guard.sources.walk as walk_module

    repo = make_repo(tmp_path / "r", {"locked/x.sh": "codex exec x\n", "open.sh": "codex exec y\n"})
    real_scandir = os.scandir

    def scandir(path: object) -> object:
        if str(path).endswith("locked"):
            raise PermissionError(13, "Permission denied")
        return real_scandir(path)  # type: ignore[arg-type]

    monkeypatch.setattr(walk_module.os, "scandir", scandir)
    run = cli("lint", "--format", "json", cwd=repo)
    assert run.code == 2
    assert run.json()["errors"] == [
        {"path": "locked", "message": "cannot list folder: Permission denied"}
    ]
    assert lines_of(run) == [("open.sh", 1)]
