"""`lint --format sarif` as GitHub code scanning takes it: run for real on a temporary repository.

URIs relative to the repository root (`%SRCROOT%`), fingerprints that follow a line, a helpUri
per rule that lands on its section of docs/rules.md, the driver's informationUri and
semanticVersion, and the exit code in the invocation; all valid against the OASIS schema.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import jsonschema

from guard import __version__
from guard.docs import rule_doc
from guard.engine.registry import load_rules

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((REPO_ROOT / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
SEMVER = re.compile(r"^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$")
KEY_LINE = "OPENAI_API_KEY=sk-x codex exec -C . -s read-only 'review' </dev/null\n"
CLEAN_LINE = "codex exec -C . -s read-only 'review' </dev/null\n"


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)  # what marks a repository root
    (root / "scripts").mkdir()
    return root


def _sarif(cwd: Path, *args: str) -> tuple[int, dict[str, Any]]:
    done = subprocess.run(
        ["codex-guard", "lint", "--no-cache", "--format", "sarif", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in done.stderr
    document = json.loads(done.stdout)
    jsonschema.validate(document, SCHEMA)
    return done.returncode, document


def _results(document: dict[str, Any]) -> list[dict[str, Any]]:
    return list(document["runs"][0]["results"])


def _uri(result: dict[str, Any]) -> dict[str, Any]:
    return dict(result["locations"][0]["physicalLocation"]["artifactLocation"])


def _line(result: dict[str, Any]) -> int:
    return int(result["locations"][0]["physicalLocation"]["region"]["startLine"])


def _print(result: dict[str, Any]) -> str:
    (value,) = result["partialFingerprints"].values()
    return str(value)


def test_uris_are_relative_to_the_repository_root_from_any_cwd(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    (root / "scripts" / "run.sh").write_text("#!/bin/bash\n" + KEY_LINE)
    for cwd, arg in ((root, "scripts"), (root / "scripts", "."), (root / "scripts", "run.sh")):
        code, document = _sarif(cwd, arg)
        assert code == 1
        run = document["runs"][0]
        assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": root.as_uri() + "/"}}
        results = _results(document)
        assert results
        for result in results:
            assert _uri(result) == {"uri": "scripts/run.sh", "uriBaseId": "%SRCROOT%"}


def test_a_file_outside_the_repository_keeps_an_absolute_uri(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    outside = tmp_path / "elsewhere.sh"
    outside.write_text("#!/bin/bash\n" + KEY_LINE)
    _, document = _sarif(root, str(outside))
    locations = [_uri(r) for r in _results(document)]
    assert locations and all(loc == {"uri": outside.as_uri()} for loc in locations)


def test_fingerprints_follow_a_line_that_moves(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    script = root / "scripts" / "run.sh"
    script.write_text("#!/bin/bash\n" + KEY_LINE)
    _, before = _sarif(root, "scripts")
    script.write_text("#!/bin/bash\n# a comment\n\necho start\n    " + KEY_LINE)  # moved, indented
    _, after = _sarif(root, "scripts")
    old = {(r["ruleId"], _print(r)): _line(r) for r in _results(before)}
    new = {(r["ruleId"], _print(r)): _line(r) for r in _results(after)}
    assert old.keys() == new.keys()
    assert {line for line in old.values()} == {2}
    assert {line for line in new.values()} == {5}


def test_fingerprints_change_with_the_line_and_tell_twins_apart(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    script = root / "scripts" / "run.sh"
    script.write_text("#!/bin/bash\n" + KEY_LINE)
    _, first = _sarif(root, "scripts")
    script.write_text("#!/bin/bash\n" + KEY_LINE.replace("review", "audit"))
    _, edited = _sarif(root, "scripts")
    cg101 = [_print(r) for r in _results(first) if r["ruleId"] == "CG101"]
    cg101_edited = [_print(r) for r in _results(edited) if r["ruleId"] == "CG101"]
    assert cg101 and cg101_edited and set(cg101).isdisjoint(cg101_edited)

    script.write_text("#!/bin/bash\n" + KEY_LINE + KEY_LINE)
    _, twins = _sarif(root, "scripts")
    prints = [_print(r) for r in _results(twins) if r["ruleId"] == "CG101"]
    assert len(prints) == 2 and len(set(prints)) == 2  # same text, two alerts


def test_every_builtin_rule_links_to_its_section_of_the_docs(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    (root / "scripts" / "run.sh").write_text("#!/bin/bash\n" + KEY_LINE)
    _, document = _sarif(root, "scripts")
    driver = document["runs"][0]["tool"]["driver"]
    assert driver["semanticVersion"] == __version__ and SEMVER.match(__version__)
    assert driver["informationUri"].startswith("https://")
    docs = (REPO_ROOT / "docs" / "rules.md").read_text()
    headings = set(re.findall(r"^### (CG\d{3})$", docs, flags=re.M))
    rules = load_rules()
    by_id = {d["id"]: d for d in driver["rules"]}
    assert set(rules) == set(by_id)
    for rule_id, rule in rules.items():
        descriptor = by_id[rule_id]
        link = descriptor["helpUri"]
        assert link.startswith(driver["informationUri"])
        page, anchor = link.split("#")
        assert page.endswith("/docs/rules.md")
        assert anchor == rule_id.lower() and rule_id in headings
        # The YAML is the single source: the same text as `explain` prints.
        assert descriptor["help"]["markdown"] == rule_doc(rule, heading="#")
        assert descriptor["shortDescription"]["text"] == rule.summary


def test_the_invocation_carries_the_exit_code(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    script = root / "scripts" / "run.sh"
    script.write_text("#!/bin/bash\n" + KEY_LINE)
    code, document = _sarif(root, "scripts")
    (invocation,) = document["runs"][0]["invocations"]
    assert code == 1 and invocation["exitCode"] == 1 and invocation["executionSuccessful"]

    script.write_text("#!/bin/bash\n" + CLEAN_LINE)
    code, document = _sarif(root, "scripts")
    (invocation,) = document["runs"][0]["invocations"]
    assert code == 0 and invocation["exitCode"] == 0 and not _results(document)

    script.write_text("#!/bin/bash\ncodex exec 'p' </dev/null\n")  # warnings only
    code, document = _sarif(root, "--fail-on", "error", "scripts")
    (invocation,) = document["runs"][0]["invocations"]
    assert _results(document) and code == 0 and invocation["exitCode"] == 0

    (root / "scripts" / "bin.sh").write_bytes(b"\x00\x01binary")
    code, document = _sarif(root, "scripts")
    (invocation,) = document["runs"][0]["invocations"]
    assert code == 2 and invocation["exitCode"] == 2
    assert invocation["executionSuccessful"] is False
    (note,) = invocation["toolExecutionNotifications"]
    location = note["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location == {"uri": "scripts/bin.sh", "uriBaseId": "%SRCROOT%"}


def test_explain_sarif_and_the_docs_say_the_same_as_the_yaml(tmp_path: Path) -> None:
    """rules/*.yaml is the single source: `explain`, the SARIF help and docs/rules.md agree."""
    root = _repo(tmp_path)
    (root / "scripts" / "run.sh").write_text("#!/bin/bash\n" + KEY_LINE)
    _, document = _sarif(root, "scripts")
    by_id = {d["id"]: d for d in document["runs"][0]["tool"]["driver"]["rules"]}
    docs = (REPO_ROOT / "docs" / "rules.md").read_text()
    rules = load_rules()
    for rule_id in ("CG101", "CG304", "CG502"):
        explained = subprocess.run(
            ["codex-guard", "explain", rule_id], capture_output=True, text=True, timeout=120
        )
        assert explained.returncode == 0
        assert explained.stdout == by_id[rule_id]["help"]["markdown"]
        assert rule_doc(rules[rule_id], heading="###") in docs
