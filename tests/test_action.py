"""The composite GitHub Action (`action.yml`), run step by step without GitHub.

Each `run:` step is run as the runner runs it (`bash --noprofile --norc -eo pipefail FILE`, in
the workspace) with the env the step declares, its `${{ }}` expressions filled in from the inputs
and earlier step outputs, and GITHUB_* variables faked. `python3` is a recording stand-in that
logs what the action installs and hands it this checkout's `codex-guard`; the lint itself is real.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
ACTION = yaml.safe_load((REPO_ROOT / "action.yml").read_text())
SCHEMA = json.loads((REPO_ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")
KEY_LINE = "OPENAI_API_KEY=sk-x codex exec -C . -s read-only 'review' </dev/null\n"
CLEAN_LINE = "codex exec -C . -s read-only 'review' </dev/null\n"

STAND_IN_PYTHON = """#!/bin/bash
# Recording stand-in for python3: logs its argv; `-m venv DIR` makes a venv whose codex-guard is
# this checkout's and whose python only records (pip install included).
printf '%s\\n' "python3 $*" >> "$ACTION_TEST_LOG"
if [ "$1" = "-m" ] && [ "$2" = "venv" ]; then
  mkdir -p "$3/bin"
  printf '#!/bin/bash\\nprintf "%%s\\\\n" "venv-python $*" >> "$ACTION_TEST_LOG"\\n' > "$3/bin/python"
  chmod +x "$3/bin/python"
  ln -s "$ACTION_TEST_GUARD" "$3/bin/codex-guard"
  exit 0
fi
exec "$ACTION_TEST_REAL_PYTHON" "$@"
"""


@dataclass
class ActionRun:
    workspace: Path
    log: Path
    codes: list[int] = field(default_factory=list)
    stdout: list[str] = field(default_factory=list)
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)

    def sarif(self, name: str = "codex-guard.sarif") -> dict[str, Any]:
        document: dict[str, Any] = json.loads((self.workspace / name).read_text())
        jsonschema.validate(document, SCHEMA)
        return document


def _inputs(given: dict[str, str]) -> dict[str, str]:
    values = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    unknown = set(given) - set(values)
    assert not unknown, f"not inputs of action.yml: {unknown}"
    return {**values, **given}


def _expand(text: str, inputs: dict[str, str], outputs: dict[str, dict[str, str]]) -> str:
    def value(match: re.Match[str]) -> str:
        expression = match.group(1)
        if expression.startswith("inputs."):
            return inputs[expression.removeprefix("inputs.")]
        if expression == "github.action_path":
            return str(REPO_ROOT)
        step = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expression)
        if step:
            return outputs.get(step.group(1), {}).get(step.group(2), "")
        raise AssertionError(f"an expression this test does not model: {expression}")

    return EXPRESSION.sub(value, text)


def _read_outputs(path: Path) -> dict[str, str]:
    lines = path.read_text().splitlines() if path.exists() else []
    return dict(line.split("=", 1) for line in lines if "=" in line)


def run_action(tmp_path: Path, workspace: Path, **given: str) -> ActionRun:
    inputs = _inputs(given)
    runner_temp = tmp_path / "runner-temp"
    stand_ins = tmp_path / "stand-ins"
    for folder in (runner_temp, stand_ins):
        folder.mkdir(exist_ok=True)
    python3 = stand_ins / "python3"
    python3.write_text(STAND_IN_PYTHON)
    python3.chmod(0o755)
    guard = shutil.which("codex-guard")
    assert guard is not None
    run = ActionRun(workspace, tmp_path / "recorded.log")
    base = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "RUNNER_"))}
    base.update(
        PATH=f"{stand_ins}{os.pathsep}{os.environ['PATH']}",
        CI="true",
        GITHUB_ACTIONS="true",
        GITHUB_WORKSPACE=str(workspace),
        GITHUB_ACTION_PATH=str(REPO_ROOT),
        GITHUB_REPOSITORY="acme/dispatch",
        GITHUB_SHA="0" * 40,
        RUNNER_TEMP=str(runner_temp),
        ACTION_TEST_LOG=str(run.log),
        ACTION_TEST_GUARD=guard,
        ACTION_TEST_REAL_PYTHON=sys.executable,
    )
    for number, step in enumerate(ACTION["runs"]["steps"]):
        assert step["shell"] == "bash"
        assert "${{" not in step["run"], "inputs reach run: through env only"
        env = {**base, **{k: _expand(str(v), inputs, run.outputs) for k, v in step["env"].items()}}
        output_file = tmp_path / f"output-{number}"
        env["GITHUB_OUTPUT"] = str(output_file)
        script = tmp_path / f"step-{number}.sh"
        script.write_text(step["run"])
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=workspace,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert "Traceback" not in done.stderr, done.stderr
        run.codes.append(done.returncode)
        run.stdout.append(done.stdout)
        if "id" in step:
            run.outputs[step["id"]] = _read_outputs(output_file)
        if done.returncode != 0:
            break  # the runner stops the composite action at the first failing step
    return run


def _workspace(tmp_path: Path, bad: bool) -> Path:
    root = tmp_path / "workspace"
    (root / ".git").mkdir(parents=True)
    (root / "scripts").mkdir()
    (root / "scripts" / "dispatch.sh").write_text(
        "#!/bin/bash\n" + (KEY_LINE if bad else CLEAN_LINE)
    )
    (root / "NOTES.md").write_text("We run `codex exec` elsewhere; this prose is not code.\n")
    return root


def test_findings_give_annotations_sarif_and_a_failed_step(tmp_path: Path) -> None:
    workspace = _workspace(tmp_path, bad=True)
    run = run_action(tmp_path, workspace)
    install, lint, verdict = run.codes
    assert install == 0 and lint == 0 and verdict == 1
    recorded = run.log.read_text().splitlines()
    assert f"python3 -m venv {tmp_path / 'runner-temp' / 'codex-guard-venv'}" in recorded
    (pip,) = [line for line in recorded if line.startswith("venv-python -m pip install")]
    assert pip.endswith(f" {REPO_ROOT}")  # the action installs its own copy by default
    annotations = [line for line in run.stdout[1].splitlines() if line.startswith("::")]
    assert any(
        a.startswith("::error file=scripts/dispatch.sh,line=2,")
        and "title=CG101 api-key-in-env" in a
        for a in annotations
    )
    assert all("NOTES.md" not in a for a in annotations)
    assert run.outputs["lint"] == {"sarif-file": "codex-guard.sarif", "exit-code": "1"}
    document = run.sarif()
    results = document["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"CG101"}
    for result in results:
        location = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert location == {"uri": "scripts/dispatch.sh", "uriBaseId": "%SRCROOT%"}
        assert result["partialFingerprints"]
    assert document["runs"][0]["invocations"][0]["exitCode"] == 1


def test_a_clean_repository_passes_with_an_empty_report(tmp_path: Path) -> None:
    workspace = _workspace(tmp_path, bad=False)
    run = run_action(tmp_path, workspace)
    assert run.codes == [0, 0, 0]
    assert not [line for line in run.stdout[1].splitlines() if line.startswith("::")]
    assert run.sarif()["runs"][0]["results"] == []
    assert run.outputs["lint"]["exit-code"] == "0"


def test_inputs_paths_fail_on_fail_and_sarif_file(tmp_path: Path) -> None:
    workspace = _workspace(tmp_path, bad=True)
    (workspace / "other").mkdir()
    (workspace / "other" / "fine.sh").write_text("#!/bin/bash\n" + CLEAN_LINE)
    run = run_action(
        tmp_path, workspace, paths="other\n", **{"sarif-file": "out.sarif", "fail": "false"}
    )
    assert run.codes == [0, 0, 0]
    assert run.sarif("out.sarif")["runs"][0]["results"] == []

    run = run_action(tmp_path, workspace, paths="scripts other", fail="false")
    assert run.codes == [0, 0, 0] and run.outputs["lint"]["exit-code"] == "1"

    run = run_action(tmp_path, workspace, annotations="false", **{"fail-on": "error"})
    assert run.codes == [0, 0, 1]  # CG101 is an error
    assert not [line for line in run.stdout[1].splitlines() if line.startswith("::")]


def test_an_input_cannot_inject_shell(tmp_path: Path) -> None:
    workspace = _workspace(tmp_path, bad=False)
    marker = tmp_path / "injected"
    run = run_action(tmp_path, workspace, paths=f'scripts "$(touch {marker})" ;touch {marker}')
    assert not marker.exists()
    assert run.codes[0] == 0 and run.codes[-1] != 0  # the odd paths do not exist: exit 2


def test_a_broken_config_fails_the_step_with_2(tmp_path: Path) -> None:
    workspace = _workspace(tmp_path, bad=False)
    (workspace / "bad.yaml").write_text("select: [\n")
    run = run_action(tmp_path, workspace, config="bad.yaml")
    assert run.codes == [0, 0, 2]
    assert run.outputs["lint"]["exit-code"] == "2"


def _readme_workflow() -> str:
    readme = (REPO_ROOT / "README.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", readme, flags=re.S)
    (workflow,) = [b for b in blocks if "upload-sarif" in b]
    return str(workflow)


def test_the_readme_workflow_wires_the_action_to_upload_sarif() -> None:
    workflow = yaml.safe_load(_readme_workflow())
    (job,) = workflow["jobs"].values()
    assert workflow["permissions"]["security-events"] == "write"
    steps = job["steps"]
    (guard,) = [s for s in steps if str(s.get("uses", "")).split("@")[0].endswith("/codex-guard")]
    (upload,) = [s for s in steps if "upload-sarif" in str(s.get("uses", ""))]
    assert steps.index(guard) < steps.index(upload)
    assert upload["with"]["sarif_file"] == "${{ steps." + guard["id"] + ".outputs.sarif-file }}"
    assert upload["if"] == "${{ !cancelled() }}"  # the report is uploaded when lint fails too
    assert set(guard.get("with", {})) <= set(ACTION["inputs"])
    assert set(ACTION["outputs"]) >= {"sarif-file"}


@pytest.mark.parametrize("name", ["action.yml", ".github/workflows/codex-guard.yml"])
def test_codex_guards_own_lint_passes_on_the_action_and_the_workflow(
    tmp_path: Path, name: str
) -> None:
    target = tmp_path / name
    target.parent.mkdir(parents=True, exist_ok=True)
    text = (REPO_ROOT / "action.yml").read_text() if name == "action.yml" else _readme_workflow()
    target.write_text(text)
    done = subprocess.run(
        ["codex-guard", "lint", "--strict", "--format", "json", "--no-cache", name],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    report = json.loads(done.stdout)
    assert report["files"] == 1  # it was read as a workflow, not skipped
    assert report["findings"] == [] and report["errors"] == []
    assert done.returncode == 0
