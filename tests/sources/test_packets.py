"""Dispatch packets (PACKETS.md): detection, the pydantic model, CG701-CG705, and the packet's
command going through every shell and codex rule with the packet's env merged over the ambient
env. Files are linted through the same per-file pipeline as `codex-guard lint` (and the CLI)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guard.commands.lint import FileJob, _rule_text, lint_file
from guard.config import settings_from_mapping
from guard.engine import load_rules
from guard.findings import Finding
from guard.packets import Packet, validation_errors
from guard.sources.detect import PACKET, detect_kind, kind_by_name

RULE_TEXT = _rule_text(load_rules())

WORKER = """\
kind: codex-packet
version: 1
id: ag-123
lane: worker
workspace: .
sandbox: workspace-write
command: [codex, exec, -C, ., -s, workspace-write, -o, out/last.txt, -]
prompt: "Implement ag-123. Run tests. Report PASS/FAIL."
env: {TMPDIR: .tmp}
output:
  last_message: out/last.txt
"""


def lint(
    path: Path, config: dict[str, object] | None = None, root: Path | None = None
) -> list[Finding]:
    settings = settings_from_mapping(config or {}, root=root or path.parent)
    outcome = lint_file(FileJob(str(path), False, settings, RULE_TEXT))
    assert not outcome.errors, outcome.errors
    return outcome.findings


def rules_at(findings: list[Finding]) -> set[tuple[str, int]]:
    return {(f.rule, f.location.line) for f in findings}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- which files are packets ---------------------------------------------------------------


@pytest.mark.parametrize("name", ["a.packet.yaml", "dispatch/B.Packet.yml", "x/y/ag-1.packet.json"])
def test_packet_names(name: str) -> None:
    assert kind_by_name(name) == PACKET


def test_packet_by_content_yaml_and_json() -> None:
    assert detect_kind("lanes/ag.yaml", b"# lane\nkind: codex-packet\nversion: 1\n") == PACKET
    assert detect_kind("lanes/ag.json", b'{"version": 1, "kind": "codex-packet"}') == PACKET
    # An indented `kind:` is not the top level; other kinds are other files.
    assert detect_kind("k8s.yaml", b"spec:\n  kind: codex-packet\n") is None
    assert detect_kind("deploy.yaml", b"kind: Deployment\n") is None


def test_a_clean_packet_is_clean_and_is_checked(tmp_path: Path) -> None:
    path = write(tmp_path, "dispatch/ag-123.packet.yaml", WORKER)
    assert lint(path) == []
    outcome = lint_file(FileJob(str(path), False, settings_from_mapping({}), RULE_TEXT))
    assert outcome.checked


def test_json_form_is_the_same_packet(tmp_path: Path) -> None:
    import yaml

    data = yaml.safe_load(WORKER)
    data["env"]["CODEX_API_KEY"] = "k"
    path = write(tmp_path, "ag-123.packet.json", json.dumps(data, indent=2))
    found = rules_at(lint(path))
    key_line = next(
        n for n, line in enumerate(path.read_text().splitlines(), 1) if "CODEX_API_KEY" in line
    )
    assert ("CG702", key_line) in found
    assert "CG101" in {rule for rule, _ in found}


def test_content_detected_packet_in_a_folder_lint(tmp_path: Path) -> None:
    write(tmp_path, "lanes/ag.yaml", WORKER.replace("env: {TMPDIR: .tmp}", "evn: {TMPDIR: .tmp}"))
    run = subprocess.run(
        [sys.executable, "-m", "guard", "lint", "--format", "json", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Traceback" not in run.stderr
    doc = json.loads(run.stdout)
    assert run.returncode == 1
    assert [(f["rule"], f["line"]) for f in doc["findings"]] == [("CG701", 9)]


def test_config_packet_globs(tmp_path: Path) -> None:
    text = WORKER.replace("kind: codex-packet\n", "")  # no `kind`: only the glob says packet
    path = write(tmp_path, "queue/ag-1.yml", text)
    assert lint(path) == []  # not a packet, not linted
    found = lint(path, {"packets": ["queue/*.yml"]}, root=tmp_path)
    assert [(f.rule, f.message) for f in found] == [("CG701", "missing required key `kind`")]


# --- CG701 --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("edit", "line", "needle"),
    [
        (("env: {TMPDIR: .tmp}", "evn: {TMPDIR: .tmp}"), 9, "unknown key `evn`"),
        (("version: 1", "version: 2"), 2, "version"),
        (("version: 1", 'version: "1"'), 2, "version"),
        (("sandbox: workspace-write", "sandbox: sandboxed"), 6, "sandbox"),
        (("lane: worker", "lane: builder"), 4, "lane"),
        (("output:\n  last_message", "output:\n  last_mesage"), 11, "last_mesage"),
        (("id: ag-123\n", ""), 1, "missing required key `id`"),
        (('prompt: "Implement', 'prompt_file: p.txt\nprompt: "Implement'), 1, "exactly one"),
    ],
)
def test_schema_errors_are_cg701_at_their_line(
    tmp_path: Path, edit: tuple[str, str], line: int, needle: str
) -> None:
    assert edit[0] in WORKER
    path = write(tmp_path, "ag.packet.yaml", WORKER.replace(*edit))
    cg701 = [f for f in lint(path) if f.rule == "CG701"]
    assert cg701, "no CG701"
    assert any(f.location.line == line and needle in f.message for f in cg701), [
        (f.location.line, f.message) for f in cg701
    ]
    assert all(f.severity.value == "error" for f in cg701)


@pytest.mark.parametrize(
    ("name", "text", "line"),
    [
        ("bad.packet.yaml", "kind: codex-packet\nversion: 1\nid: [unclosed\n", 4),
        ("bad.packet.json", '{\n  "kind": "codex-packet",\n  "version": 1,\n}\n', 4),
    ],
)
def test_syntax_errors_are_cg701_and_other_files_still_linted(
    tmp_path: Path, name: str, text: str, line: int
) -> None:
    write(tmp_path, name, text)
    write(tmp_path, "run.sh", 'OPENAI_API_KEY=k codex exec -C . -s read-only "p" </dev/null\n')
    run = subprocess.run(
        [sys.executable, "-m", "guard", "lint", "--format", "json", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert "Traceback" not in run.stderr
    found = {(Path(f["path"]).name, f["rule"]) for f in json.loads(run.stdout)["findings"]}
    assert (name, "CG701") in found and ("run.sh", "CG101") in found
    bad = [f for f in json.loads(run.stdout)["findings"] if f["rule"] == "CG701"]
    assert bad[0]["line"] == line


def test_model_accepts_the_contract_example() -> None:
    import yaml

    packet, errors = validation_errors(yaml.safe_load(WORKER))
    assert errors == [] and isinstance(packet, Packet)
    assert packet.auth_guard is True and packet.env == {"TMPDIR": ".tmp"}
    assert packet.paths() == [("output.last_message", "out/last.txt")]


# --- the command through every rule, with the packet's env merged -------------------------


def test_packet_env_key_is_cg702_at_the_key_and_cg101_on_the_command(tmp_path: Path) -> None:
    text = WORKER.replace("env: {TMPDIR: .tmp}", "env:\n  TMPDIR: .tmp\n  OPENAI_API_KEY: ''")
    found = rules_at(lint(write(tmp_path, "ag.packet.yaml", text)))
    assert ("CG702", 11) in found and ("CG101", 7) in found


def test_positional_prompt_in_a_packet_command_is_cg201_error(tmp_path: Path) -> None:
    text = WORKER.replace("out/last.txt, -]", 'out/last.txt, "Implement ag-123."]')
    found = [f for f in lint(write(tmp_path, "ag.packet.yaml", text)) if f.rule == "CG201"]
    assert found and found[0].severity.value == "error"


def test_string_command_and_yolo(tmp_path: Path) -> None:
    text = WORKER.replace(
        "command: [codex, exec, -C, ., -s, workspace-write, -o, out/last.txt, -]",
        'command: "codex exec --yolo -C . -o out/last.txt -"',
    )
    found = rules_at(lint(write(tmp_path, "ag.packet.yaml", text)))
    assert ("CG303", 7) in found and ("CG703", 7) in found  # declares workspace-write


def test_lane_is_applied_to_the_command(tmp_path: Path) -> None:
    text = WORKER.replace("lane: worker", "lane: validator").replace(
        "sandbox: workspace-write", "sandbox: read-only"
    )
    text = text.replace("-s, workspace-write", "-s, read-only")
    text += "evidence: {required_commands: [pytest -q]}\n"
    assert lint(write(tmp_path, "v.packet.yaml", text)) == []
    wide = text.replace("-s, read-only", "-s, workspace-write")
    found = {f.rule for f in lint(write(tmp_path, "w.packet.yaml", wide))}
    assert {"CG302", "CG703"} <= found


def test_paths_outside_the_packet_workspace_are_cg504(tmp_path: Path) -> None:
    text = WORKER.replace("workspace: .", "workspace: repo").replace(
        "last_message: out/last.txt", "last_message: ../../elsewhere/last.txt"
    )
    text = text.replace("-C, .,", "-C, ../other,")
    found = rules_at(lint(write(tmp_path, "ag.packet.yaml", text)))
    assert ("CG504", 11) in found  # output.last_message
    assert ("CG504", 7) in found  # -C in the command, judged from the packet's workspace


def test_symlinked_prompt_file_out_of_the_workspace(tmp_path: Path) -> None:
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "p.txt").write_text("do it")
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "p.txt").symlink_to(tmp_path / "outside" / "p.txt")
    text = WORKER.replace("workspace: .", "workspace: ws").replace(
        'prompt: "Implement ag-123. Run tests. Report PASS/FAIL."', "prompt_file: p.txt"
    )
    found = rules_at(lint(write(tmp_path, "ag.packet.yaml", text)))
    assert ("CG504", 8) in found


def test_auth_guard_false_and_evidence(tmp_path: Path) -> None:
    found = rules_at(lint(write(tmp_path, "a.packet.yaml", WORKER + "auth_guard: false\n")))
    assert found == {("CG705", 12)}
    validator = (
        WORKER.replace("lane: worker", "lane: validator")
        .replace("sandbox: workspace-write", "sandbox: read-only")
        .replace("-s, workspace-write", "-s, read-only")
    )
    assert rules_at(lint(write(tmp_path, "v.packet.yaml", validator))) == {("CG704", 4)}


def test_a_typo_does_not_hide_the_command_or_the_guard_turned_off(tmp_path: Path) -> None:
    """A packet with an unknown key is CG701, and what the orchestrator still runs (the packet
    without that field) is checked as any packet's: its command's `--yolo`, its key, its
    `auth_guard: false`. A required field that is wrong leaves nothing to run: CG701 alone."""
    typo = WORKER.replace("env: {TMPDIR: .tmp}", "evn: {TMPDIR: .tmp}")
    typo = typo.replace("-s, workspace-write", "--yolo") + "auth_guard: false\n"
    found = rules_at(lint(write(tmp_path, "a.packet.yaml", typo)))
    assert found == {
        ("CG701", 9),
        ("CG705", 12),
        ("CG303", 7),
        ("CG302", 7),
        ("CG703", 7),
    }
    keyed = WORKER.replace("output:", "evidnce: {}\nenv: {OPENAI_API_KEY: k}\noutput:")
    keyed = keyed.replace("env: {TMPDIR: .tmp}\n", "")
    assert rules_at(lint(write(tmp_path, "b.packet.yaml", keyed))) == {
        ("CG701", 9),
        ("CG702", 10),
        ("CG101", 7),
    }
    wrong_lane = typo.replace("lane: worker", "lane: builder")
    assert {r for r, _line in rules_at(lint(write(tmp_path, "c.packet.yaml", wrong_lane)))} == {
        "CG701"
    }


def test_a_missing_field_does_not_hide_the_command(tmp_path: Path) -> None:
    """A packet that leaves out a required field other than `command` is CG701, and the command
    an orchestrator that does not validate still spawns is checked as any packet's (as with an
    unknown key). What is left out declares nothing: no lane (it is inferred from the command),
    no sandbox to compare with (CG703), no workspace to judge paths from; a packet with no
    prompt feeds nothing to `-` (CG202). No command: nothing to run, CG701 alone."""
    yolo = WORKER.replace("-s, workspace-write", "--yolo") + "auth_guard: false\n"
    no_id = yolo.replace("id: ag-123\n", "")
    assert rules_at(lint(write(tmp_path, "a.packet.yaml", no_id))) == {
        ("CG701", 1),
        ("CG705", 11),
        ("CG303", 6),
        ("CG302", 6),
        ("CG703", 6),
    }
    no_lane_sandbox = yolo.replace("lane: worker\n", "").replace("sandbox: workspace-write\n", "")
    assert rules_at(lint(write(tmp_path, "b.packet.yaml", no_lane_sandbox))) == {
        ("CG701", 1),
        ("CG705", 10),
        ("CG303", 5),
    }
    # (no `workspace`: `output.last_message` is judged from no folder, the command's `-o` as a
    # script's, from the linted tree's root)
    no_workspace = WORKER.replace("workspace: .\n", "").replace("out/last.txt", "../x.txt")
    assert rules_at(lint(write(tmp_path, "c.packet.yaml", no_workspace))) == {
        ("CG701", 1),
        ("CG504", 6),
    }
    no_prompt = WORKER.replace('prompt: "Implement ag-123. Run tests. Report PASS/FAIL."\n', "")
    assert rules_at(lint(write(tmp_path, "d.packet.yaml", no_prompt))) == {
        ("CG701", 1),
        ("CG202", 7),
    }
    keyed = WORKER.replace("kind: codex-packet\nversion: 1\n", "").replace(
        "env: {TMPDIR: .tmp}", "env: {TMPDIR: .tmp, OPENAI_API_KEY: k}"
    )
    assert rules_at(lint(write(tmp_path, "e.packet.yaml", keyed))) == {
        ("CG701", 1),
        ("CG702", 7),
        ("CG101", 5),
    }
    no_command = yolo.replace("command: [codex, exec, -C, ., --yolo, -o, out/last.txt, -]\n", "")
    assert no_command != yolo
    assert {r for r, _line in rules_at(lint(write(tmp_path, "f.packet.yaml", no_command)))} == {
        "CG701"
    }


def test_mentions_are_silent(tmp_path: Path) -> None:
    """Text that only talks about packets or keys is not a packet and not a finding."""
    write(
        tmp_path,
        "notes.yaml",
        "# never put OPENAI_API_KEY in a packet's env\ntitle: kind: codex-packet\n",
    )
    write(tmp_path, "schema.json", '{"properties": {"kind": {"const": "codex-packet"}}}')
    write(tmp_path, "list.json", '[{"kind": "codex-packet", "env": {"OPENAI_API_KEY": ""}}]')
    run = subprocess.run(
        [sys.executable, "-m", "guard", "lint", "--format", "json", str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert json.loads(run.stdout)["findings"] == []


FORBIDDEN = st.sampled_from(["OPENAI_API_KEY", "CODEX_API_KEY"])
NAMES = st.from_regex(r"[A-Z][A-Z0-9_]{0,11}", fullmatch=True).filter(
    lambda n: n not in ("OPENAI_API_KEY", "CODEX_API_KEY")
)
VALUES = st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=12)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    others=st.dictionaries(NAMES, VALUES, max_size=4),
    key=st.one_of(st.none(), FORBIDDEN),
    value=VALUES,
    form=st.sampled_from(["yaml", "json"]),
)
def test_any_forbidden_key_in_env_is_found_and_nothing_else(
    tmp_path: Path, others: dict[str, str], key: str | None, value: str, form: str
) -> None:
    import yaml

    data = yaml.safe_load(WORKER)
    data["env"] = dict(others)
    if key is not None:
        data["env"][key] = value
    name = f"p-{form}.packet.{form}"
    text = json.dumps(data) if form == "json" else yaml.safe_dump(data, allow_unicode=True)
    rules = {f.rule for f in lint(write(tmp_path, name, text))}
    if key is None:
        assert rules == set()
    else:
        assert {"CG702", "CG101"} <= rules


def test_the_packet_env_is_the_commands_env(tmp_path: Path) -> None:
    """CG501 reads TMPDIR from the merged env: the packet's `env` is what the command gets."""
    committing = WORKER.replace(
        "Implement ag-123. Run tests. Report PASS/FAIL.", "Implement ag-123, then git commit it."
    )
    assert "CG501" not in {f.rule for f in lint(write(tmp_path, "a.packet.yaml", committing))}
    no_tmpdir = committing.replace("env: {TMPDIR: .tmp}", "env: {LANG: C.UTF-8}")
    assert "CG501" in {f.rule for f in lint(write(tmp_path, "b.packet.yaml", no_tmpdir))}


def test_a_wrapped_command_is_peeled(tmp_path: Path) -> None:
    text = WORKER.replace(
        "command: [codex, exec, -C, ., -s, workspace-write, -o, out/last.txt, -]",
        'command: [timeout, "1800", bash, -lc, "codex exec --yolo -C . -o out/last.txt -"]',
    )
    assert "CG303" in {f.rule for f in lint(write(tmp_path, "w.packet.yaml", text))}


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None)
@given(extra=st.dictionaries(st.sampled_from([*sorted(Packet.model_fields), "evn", "x"]), JSONISH))
def test_any_packet_shaped_document_gives_findings_never_a_crash(extra: dict[str, object]) -> None:
    """Mistyped fields of every kind: the source answers with facts (CG701) or a snippet."""
    import yaml

    from guard.sources.packet import extract

    data = {**yaml.safe_load(WORKER), **extra}
    for text, name in (
        (json.dumps(data), "p.packet.json"),
        (yaml.safe_dump(data), "p.packet.yaml"),
    ):
        snippets = extract(text, name)
        assert len(snippets) == 1
        errors = validation_errors(data)[1]
        assert bool(errors) == any(f.rule == "CG701" for f in snippets[0].facts)
