"""Readers that handed the shell layer less than what runs (found by an adversarial pass): each
test lints a file as a user does and asserts the findings (rule, line), with look-alikes that stay
clean."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.sources.test_source_gaps import hits
from tests.sources.test_source_gaps import lint as lint_with_status


def lint(path: Path, *extra: str) -> dict[str, Any]:
    return lint_with_status(path, *extra)[1]


def places(doc: dict[str, Any], rule: str) -> set[tuple[int, int]]:
    return {(f["line"], f["column"]) for f in doc["findings"] if f["rule"] == rule}


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


# --- GitLab: before_script and script run in one shell ------------------------------------------

GITLAB_ONE_SHELL = """\
default:
  before_script:
    - export OPENAI_API_KEY="$OPENAI_TOKEN"
review:
  script:
    - codex exec -C . -s read-only -o review.md "Review the MR" </dev/null
own_before:
  before_script:
    - set -a; . ./ci.env; set +a
  script:
    - codex exec -C . -s read-only -o review.md "Review the MR" </dev/null
earlier_item:
  inherit:
    default: false
  script:
    - export CODEX_API_KEY="$T"
    - |
      cat <<EOF > p.md
      Review the MR
      EOF
        codex exec -C . -s read-only --yolo - < p.md
"""

GITLAB_SEPARATE_SHELLS = """\
unset_first:
  before_script:
    - export OPENAI_API_KEY="$OPENAI_TOKEN"
  script:
    - unset OPENAI_API_KEY
    - codex exec -C . -s read-only -o review.md "Review the MR" </dev/null
after_only:
  script:
    - codex exec -C . -s read-only -o review.md "Review the MR" </dev/null
  after_script:
    - export OPENAI_API_KEY="$OPENAI_TOKEN"
    - echo done
other_job:
  script:
    - export OPENAI_API_KEY="$OPENAI_TOKEN"
in_after:
  before_script:
    - set -a; . ./ci.env; set +a
  script:
    - echo built
  after_script:
    - codex exec -C . -s read-only -o review.md "Review the MR" </dev/null
"""


def test_gitlab_before_script_and_script_share_one_shell(tmp_path: Path) -> None:
    doc = lint(write(tmp_path, ".gitlab-ci.yml", GITLAB_ONE_SHELL))
    # the default before_script's export reaches the job's codex; `set -a; . f` in the job's own
    # before_script; an earlier script item's export reaches a later block item
    assert hits(doc) == {("CG101", 6), ("CG103", 11), ("CG101", 21), ("CG303", 21)}
    # every item keeps its column: a single item after `- `, a block's line at its indent
    assert places(doc, "CG101") == {(6, 7), (21, 9)}
    assert places(doc, "CG303") == {(21, 38)}


GITLAB_OUT_OF_ORDER = """\
review:
  extends: .base
  script:
    - codex exec -C . -s read-only -o review.md "Review the MR" </dev/null
flow:
  script: [export CODEX_API_KEY=x, codex exec -C . -s read-only -o r.md "Review" </dev/null]
fix:
  script:
    # codex-guard: lane=validator
    - codex exec -C . -s workspace-write -o fix.md "Fix it" </dev/null
  before_script:
    - set -a; . ./ci.env; set +a
.base:
  before_script:
    - echo start
    - export OPENAI_API_KEY="$OPENAI_TOKEN"
"""


def test_gitlab_items_out_of_file_order_still_share_one_shell(tmp_path: Path) -> None:
    doc = lint(write(tmp_path, ".gitlab-ci.yml", GITLAB_OUT_OF_ORDER))
    # a template's before_script written below the job, two items of a flow list on one line,
    # a before_script written after the script: each still runs first, in the same shell
    assert hits(doc) == {("CG101", 4), ("CG101", 6), ("CG103", 10), ("CG302", 10)}
    assert places(doc, "CG101") == {(4, 7), (6, 36)}
    cg101 = next(f for f in doc["findings"] if (f["rule"], f["line"]) == ("CG101", 4))
    assert {(r["line"], r["column"]) for r in cg101["related"]} == {(16, 14)}  # the export
    cg103 = next(f for f in doc["findings"] if f["rule"] == "CG103")
    assert {r["line"] for r in cg103["related"]} == {12}  # loaded here


def test_gitlab_after_script_and_other_jobs_are_other_shells(tmp_path: Path) -> None:
    doc = lint(write(tmp_path, ".gitlab-ci.yml", GITLAB_SEPARATE_SHELLS))
    assert doc["findings"] == []


GITLAB_NESTED_AND_REFERENCED = """\
.setup: &setup
  - echo setup
  - export OPENAI_API_KEY="$OPENAI_TOKEN"
.keys:
  variables:
    CODEX_API_KEY: $CI_TOKEN
  script:
    - set -a; . ./ci.env; set +a
anchored:
  script:
    - *setup
    - codex exec -C . -s read-only -o r.md "Review the MR" </dev/null
nested:
  script:
    - - echo one
      - - export OPENAI_API_KEY="$OPENAI_TOKEN"
    - codex exec -C . -s read-only -o r.md "Review the MR" </dev/null
referenced:
  script:
    - !reference [.keys, script]
    - codex exec -C . -s read-only -o r.md "Review the MR" </dev/null
variables_referenced:
  variables: !reference [.keys, variables]
  script:
    - codex exec -C . -s read-only -o r.md "Review the MR" </dev/null
"""

GITLAB_NESTED_CLEAN = """\
.setup: &setup
  - echo setup
  - unset OPENAI_API_KEY
.keys:
  script:
    - export OPENAI_API_KEY="$OPENAI_TOKEN"
unset_by_anchor:
  variables:
    OPENAI_API_KEY: $CI_TOKEN
  script:
    - - *setup
    - codex exec -C . -s read-only -o r.md "Review the MR" </dev/null
included_reference:
  script:
    - !reference [.from_an_include, script]
    - codex exec -C . -s read-only -o r.md "Review the MR" </dev/null
referenced_after:
  script:
    - codex exec -C . -s read-only -o r.md "Review the MR" </dev/null
    - !reference [.keys, script]
"""


def test_gitlab_nested_arrays_and_references_are_the_script(tmp_path: Path) -> None:
    """GitLab flattens arrays nested in a script (what an anchored list gives) and replaces
    `!reference [job, key]` by that key's value: their lines run in the job's shell."""
    doc = lint(write(tmp_path, ".gitlab-ci.yml", GITLAB_NESTED_AND_REFERENCED))
    assert hits(doc) == {("CG101", 12), ("CG101", 17), ("CG103", 21), ("CG101", 25)}
    related = {f["line"]: {(r["line"], r["column"]) for r in f["related"]} for f in doc["findings"]}
    # each points back at the line that set the key, where the file has it
    assert related[12] == {(3, 12)} and related[17] == {(16, 18)} and related[21] == {(8, 15)}


def test_gitlab_nested_and_referenced_look_alikes_stay_clean(tmp_path: Path) -> None:
    doc = lint(write(tmp_path, ".gitlab-ci.yml", GITLAB_NESTED_CLEAN))
    assert doc["findings"] == []


def test_gitlab_script_aliases_past_any_real_file_are_an_error_not_a_hang(tmp_path: Path) -> None:
    rows = ['a0: &a0 ["echo x"]']
    rows += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 10)]
    rows += ["job:", "  script:", "    - *a9", '    - codex exec -C . --yolo "x" </dev/null']
    doc = lint(write(tmp_path, ".gitlab-ci.yml", "\n".join(rows) + "\n"))
    assert [(f["rule"], f["line"]) for f in doc["findings"]] == [("CG901", 1)]
    assert "too often to follow" in doc["findings"][0]["message"]


def test_gitlab_one_anchor_bomb_shared_by_many_jobs_is_one_budget(tmp_path: Path) -> None:
    """Nested empty arrays (no item at all) behind an anchor a thousand jobs use: the file's
    scripts share one flattening budget, so it is CG901 at once, not a thousand walks."""
    rows = ["l0: &l0 []"]
    rows += [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]" for i in range(1, 5)]
    rows += ["default:", "  before_script: *l4", "  after_script: *l4"]
    rows += [f"job{j}:\n  script: *l4" for j in range(1000)]
    doc = lint(write(tmp_path, ".gitlab-ci.yml", "\n".join(rows) + "\n"))
    assert [(f["rule"], f["line"]) for f in doc["findings"]] == [("CG901", 1)]


def test_gitlab_template_item_shared_by_a_job_is_reported_once(tmp_path: Path) -> None:
    text = """\
default:
  before_script:
    - echo start
.unsafe: &unsafe
  script:
    - codex exec -C . --yolo "Fix it" </dev/null
fix:
  <<: *unsafe
"""
    doc = lint(write(tmp_path, ".gitlab-ci.yml", text))
    assert [(f["rule"], f["line"]) for f in doc["findings"]] == [("CG303", 6)]


# --- Dockerfile: ENV and ARG over continuation lines ---------------------------------------------

DOCKERFILE_CONTINUED = """\
FROM node:22
ENV NODE_ENV=production \\
    OPENAI_API_KEY=""
RUN codex exec -C /src -s workspace-write -o /tmp/o.txt "Implement ag-1" </dev/null

FROM node:22 AS args
ARG A=1 \\
  # Docker drops a comment line inside a continuation
    SANDBOX=danger-full-access
RUN codex exec -C /src -s $SANDBOX -o /tmp/o.txt "Implement ag-2" </dev/null

FROM node:22 AS legacy
ENV CODEX_API_KEY \\
    sk-x
RUN codex exec -C /src -s workspace-write -o /tmp/o.txt "Implement ag-3" </dev/null
"""

DOCKERFILE_CONTINUED_GOOD = """\
FROM node:22
ENV NODE_ENV=production \\
    HINT="OPENAI_API_KEY=unset" \\
    SANDBOX=workspace-write
ARG A=1 \\
    B=2
RUN codex exec -C /src -s $SANDBOX -o /tmp/o.txt "Implement ag-1" </dev/null
"""


def test_dockerfile_env_and_arg_continuation_lines_are_read(tmp_path: Path) -> None:
    doc = lint(write(tmp_path, "Dockerfile", DOCKERFILE_CONTINUED))
    assert hits(doc) == {("CG101", 4), ("CG303", 10), ("CG101", 15)}
    first = next(f for f in doc["findings"] if (f["rule"], f["line"]) == ("CG101", 4))
    assert {r["line"] for r in first["related"]} == {3}  # the key's own continuation line


def test_dockerfile_continued_env_without_a_key_is_clean(tmp_path: Path) -> None:
    doc = lint(write(tmp_path, "Dockerfile", DOCKERFILE_CONTINUED_GOOD))
    assert doc["findings"] == []


# --- Programs that do not parse, or are too large to parse: still token-scanned (CG901) ---------

BROKEN_PROGRAMS = {
    "broken.js": """\
const { spawn, execSync } = require("child_process");
function f( {
spawn("codex", ["exec", "-C", ".", "--yolo", "-"], { env: { ...process.env, OPENAI_API_KEY: k } });
console.log("never run codex exec --yolo here", { OPENAI_API_KEY: "is forbidden" });
spawn("codex", ["exec", "-C", ".", "-s", "read-only", "-"], { env: { ...process.env, HOME: h } });
execSync("codex login --with-api-key < key.txt");
""",
    "broken.go": """\
package main
import "os/exec"
func f() {
\texec.Command("codex", "exec", "--yolo", "p").Run(
\texec.Command("codex", "exec", "-C", dir, "-s", "danger-full-access", "p")
\tfmt.Println("codex exec --yolo is refused", "OPENAI_API_KEY=unset")
\texec.Command("codex", "exec", "-C", dir, "-s", "read-only", "p")
""",
    "broken.py": """\
import os, subprocess
def f(:
    pass
subprocess.run(["codex", "exec", "-C", ".", "--yolo", "p"], env={"OPENAI_API_KEY": "x"})
print("codex exec --yolo", {"OPENAI_API_KEY": "is forbidden"})
os.system("codex exec -C . -s danger-full-access p")
env.pop("OPENAI_API_KEY"); subprocess.run(["codex", "exec", "-s", "read-only", p])
""",
}


def test_a_program_that_does_not_parse_is_token_scanned(tmp_path: Path) -> None:
    expected = {
        "broken.js": {("CG901", 2), ("CG101", 3), ("CG303", 3), ("CG102", 6)},
        "broken.go": {("CG901", 3), ("CG303", 4), ("CG303", 5)},
        "broken.py": {("CG901", 2), ("CG101", 4), ("CG303", 4), ("CG303", 6)},
    }
    for name, text in BROKEN_PROGRAMS.items():
        doc = lint(write(tmp_path, name, text))
        assert hits(doc) == expected[name], name


def test_a_program_too_large_to_parse_is_token_scanned(tmp_path: Path) -> None:
    from guard.sources.decode import PARSE_LIMIT

    last = {
        "big.py": 'subprocess.run(["codex","exec","-C",".","--yolo","p"], '
        'env={**os.environ, "OPENAI_API_KEY": "k"})\n',
        "big.js": 'require("child_process").spawn("codex", ["exec", "--yolo", "p"], '
        "{env: {...process.env, OPENAI_API_KEY: k}});\n",
        "big.go": 'func main() { exec.Command("codex", "exec", "-s", "danger-full-access", "p") }\n',
    }
    filler = {"big.py": "x = 1\n", "big.js": "const x = 1;\n", "big.go": "var x = 1\n"}
    benign = {  # a mention, not a run: stays clean
        "big.py": 'print("codex exec --yolo")\n',
        "big.js": 'console.log("codex exec --yolo");\n',
        "big.go": 'fmt.Println("codex exec --yolo")\n',
    }
    for name, line in last.items():
        count = PARSE_LIMIT // len(filler[name]) + 10
        path = write(tmp_path, name, benign[name] + filler[name] * count + line)
        doc = lint(path)
        end = count + 2
        want = {("CG901", 1), ("CG303", end)}
        want |= {("CG101", end)} if "OPENAI_API_KEY" in line else set()
        assert hits(doc) == want, name


def test_a_package_json_too_large_to_parse_is_token_scanned_in_its_strings(tmp_path: Path) -> None:
    """A script is a JSON string: split as shell it would be one quoted word, so the token scan
    reads each string value (a member's name is none)."""
    from guard.sources.decode import PARSE_LIMIT

    filler = '    "s": "tsc -p tsconfig.json && echo done",\n'
    count = PARSE_LIMIT // len(filler) + 10
    text = (
        '{\n  "scripts": {\n    "codex exec --yolo": "echo \\"codex exec --yolo\\"",\n'
        + filler * count
        + '    "z": "cross-env OPENAI_API_KEY=k codex exec --yolo -C . - < p"\n  }\n}\n'
    )
    doc = lint(write(tmp_path, "package.json", text))
    end = count + 4
    assert hits(doc) == {("CG901", 1), ("CG303", end), ("CG101", end)}


def test_a_package_json_too_large_to_parse_decodes_unicode_escapes(tmp_path: Path) -> None:
    """`"\\u0063odex exec --yolo"` is the script `codex exec --yolo` (JSON decodes the escape):
    the line has no codex word, so the token scan's line filter skipped it (no CG303)."""
    from guard.sources.decode import PARSE_LIMIT

    filler = '    "s": "tsc -p tsconfig.json && echo done \\u00e9",\n'
    count = PARSE_LIMIT // len(filler) + 10
    text = (
        '{\n  "scripts": {\n'
        + filler * count
        + '    "z": "\\u0063odex exec --yolo -C . p < /dev/null"\n  }\n}\n'
    )
    doc = lint(write(tmp_path, "package.json", text))
    assert hits(doc) == {("CG901", 1), ("CG303", count + 3)}


# --- Packets: a finding on a `command` list item points at that item ---------------------------

PACKET_HEAD = """\
kind: codex-packet
version: 1
id: ag-129
lane: worker
workspace: .
"""


def findings_at(doc: dict[str, Any]) -> set[tuple[str, int, int]]:
    return {(f["rule"], f["line"], f["column"]) for f in doc["findings"]}


def test_packet_flow_list_findings_point_at_their_items(tmp_path: Path) -> None:
    text = PACKET_HEAD + (
        "sandbox: danger-full-access\n"
        "command: [codex, exec, -C, ., -s, danger-full-access, -o, ../../out/last.txt, -]\n"
        'prompt: "Implement ag-129."\n'
    )
    doc = lint(write(tmp_path, "g.packet.yaml", text))
    line = text.splitlines()[6]
    at = {word: line.index(word) + 1 for word in ("codex", "danger-full-access", "../../out")}
    assert findings_at(doc) == {
        ("CG302", 7, at["codex"]),  # the command as a whole starts at its first word
        ("CG303", 7, at["danger-full-access"]),
        ("CG504", 7, at["../../out"]),
    }


def test_packet_json_list_findings_point_at_their_items(tmp_path: Path) -> None:
    text = (
        '{"kind": "codex-packet", "version": 1, "id": "ag-133", "lane": "worker",\n'
        ' "workspace": ".", "sandbox": "danger-full-access",\n'
        ' "command": ["codex", "exec", "-C", ".", "-s", "danger-full-access", "-"],'
        ' "prompt": "Implement ag-133."}\n'
    )
    doc = lint(write(tmp_path, "k.packet.json", text))
    line = text.splitlines()[2]
    assert findings_at(doc) == {
        ("CG302", 3, line.index("codex") + 1),
        ("CG303", 3, line.index("danger-full-access") + 1),
    }


def test_packet_block_list_findings_point_at_their_item_lines(tmp_path: Path) -> None:
    text = PACKET_HEAD + (
        "sandbox: danger-full-access\n"
        "command:\n"
        "  - codex\n"
        "  - exec\n"
        "  - -C\n"
        "  - .\n"
        "  # the sandbox the lane needs\n"
        "\n"
        "  - --sandbox\n"
        "  - danger-full-access\n"
        "  - -o\n"
        "  - ../out/last.txt\n"
        '  - "-"\n'
        'prompt: "Implement ag-132."\n'
    )
    doc = lint(write(tmp_path, "j.packet.yaml", text))
    assert findings_at(doc) == {("CG302", 8, 5), ("CG303", 15, 5), ("CG504", 17, 5)}


def test_packet_list_look_alikes_stay_clean(tmp_path: Path) -> None:
    flow = PACKET_HEAD + (
        "sandbox: workspace-write\n"
        'command: [codex, exec, -C, ., -s, workspace-write, -o, "out/last txt", "-"]\n'
        'prompt: "Never use danger-full-access or ../../ paths."\n'
    )
    block = PACKET_HEAD + (
        "sandbox: workspace-write\n"
        "command:\n"
        "  - codex\n"
        "  - exec\n"
        "\n"
        "  - -C\n"
        "  - .\n"
        "  - -s\n"
        "  - workspace-write\n"
        "  - '-'\n"
        'prompt: "Implement ag-130."\n'
    )
    for name, text in (("flow.packet.yaml", flow), ("block.packet.yaml", block)):
        assert lint(write(tmp_path, name, text))["findings"] == [], name


# --- Git hooks without a shebang (husky) ---------------------------------------------------------


def test_husky_and_githooks_hooks_without_a_shebang_are_shell(tmp_path: Path) -> None:
    for folder in (".husky", ".githooks"):
        (tmp_path / folder).mkdir()
        write(tmp_path / folder, "pre-commit", 'codex exec -C . --yolo "review" </dev/null\n')
        # not a hook's name, and a hook name in a folder no hook manager uses: not read
        write(tmp_path / folder, "NOTES", 'codex exec -C . --yolo "review" </dev/null\n')
    (tmp_path / "docs").mkdir()
    write(tmp_path / "docs", "pre-commit", 'codex exec -C . --yolo "review" </dev/null\n')
    doc = lint(tmp_path)
    found = {(Path(f["path"]).relative_to(tmp_path).as_posix(), f["rule"]) for f in doc["findings"]}
    assert found == {(".husky/pre-commit", "CG303"), (".githooks/pre-commit", "CG303")}


def test_git_runs_a_hook_with_stdin_on_dev_null(tmp_path: Path) -> None:
    """git's hook runner sets a hook's stdin to /dev/null (hook.c: `cp->no_stdin = 1`), or to the
    finite stream it feeds a few (pre-push: the refs): a positional prompt in a hook never waits,
    and in pre-push it gets the refs appended (CG203)."""
    prompt = 'npx lint-staged\ncodex exec -C . -s read-only "review the staged diff"\n'
    for folder in (".husky", ".githooks"):
        (tmp_path / folder).mkdir()
        write(tmp_path / folder, "pre-commit", prompt)
        write(tmp_path / folder, "pre-push", prompt)  # fed the refs
    write(tmp_path, "review.sh", prompt)
    doc = lint(tmp_path)
    found = {(Path(f["path"]).relative_to(tmp_path).as_posix(), f["rule"]) for f in doc["findings"]}
    assert found == {
        (".husky/pre-push", "CG203"),
        (".githooks/pre-push", "CG203"),
        ("review.sh", "CG201"),
    }


def test_a_read_loop_that_drains_the_hook_stream_leaves_codex_nothing(tmp_path: Path) -> None:
    """A pre-push hook that reads every ref line git feeds it (`while read ...; done`) has read
    its stdin to the end: the codex after the loop gets no <stdin> block (no CG203). A loop that
    may `break` before the end leaves the rest for codex."""
    (tmp_path / ".githooks").mkdir()
    drained = (
        "#!/bin/sh\n"
        "while read local_ref local_sha remote_ref remote_sha; do\n"
        '  git log --oneline "$remote_sha..$local_sha" >> .git/pushed.txt\n'
        "done\n"
        'codex exec -C . -s read-only -o .git/push.md "Review the commits in .git/pushed.txt"\n'
    )
    write(tmp_path / ".githooks", "pre-push", drained)
    assert lint(tmp_path)["findings"] == []
    early = drained.replace(">> .git/pushed.txt\n", ">> .git/pushed.txt\n  break\n")
    write(tmp_path / ".githooks", "pre-push", early)
    assert places(lint(tmp_path), "CG203") == {(6, 1)}
