"""The four report formats, from findings built by hand (no engine needed) and from the examples."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from guard.engine.registry import load_rules
from guard.findings import FileError, Finding, LintResult, Location, Severity
from guard.report import FORMAT_NAMES, github, renderers, sarif, text
from guard.report import json as json_report

REPO_ROOT = Path(__file__).resolve().parents[2]
SCHEMA = REPO_ROOT / "tests" / "data" / "sarif-schema-2.1.0.json"  # a copy: never skipped


def result() -> LintResult:
    key = Location("scripts/run.sh", 3, 8, 3, 22, note="the key is exported here")
    return LintResult(
        findings=[
            Finding(
                rule="CG101",
                name="api-key-in-env",
                severity=Severity.ERROR,
                message="OPENAI_API_KEY reaches codex: 100% of tokens, billed",
                location=Location("scripts/run.sh", 7, 1, 8, 30),
                fix="unset OPENAI_API_KEY before the call",
                related=(key,),
                lane="worker",
            ),
            Finding(
                rule="CG301",
                name="implicit-sandbox",
                severity=Severity.WARNING,
                message="no -s, so: the host's default, with a comma",
                location=Location("dir with space/a b.sh", 2, 5, 2, 9),
            ),
            Finding(
                rule="CG104",
                name="no-auth-gate",
                severity=Severity.INFO,
                message="no login gate\nbefore this run\r",
                location=Location("x.sh", 1, 1, 1, 1),
                fix="check `codex login status`",
            ),
        ],
        errors=[FileError("bad.sh", "not UTF-8 text (byte 0xff at offset 3)")],
        files=4,
    )


def test_registry_lists_every_format() -> None:
    assert set(renderers()) == set(FORMAT_NAMES)


def test_json_document_shape() -> None:
    data = json.loads(json_report.render(result(), {}))
    assert list(data) == ["version", "findings", "files", "errors"]
    first = data["findings"][0]
    assert first == {
        "rule": "CG101",
        "name": "api-key-in-env",
        "severity": "error",
        "path": "scripts/run.sh",
        "line": 7,
        "column": 1,
        "end_line": 8,
        "message": "OPENAI_API_KEY reaches codex: 100% of tokens, billed",
        "fix": "unset OPENAI_API_KEY before the call",
        "lane": "worker",
        "related": [
            {"path": "scripts/run.sh", "line": 3, "column": 8, "note": "the key is exported here"}
        ],
    }
    assert data["findings"][1]["fix"] is None and data["findings"][1]["lane"] is None
    assert data["errors"] == [
        {"path": "bad.sh", "message": "not UTF-8 text (byte 0xff at offset 3)"}
    ]


def test_text_plain() -> None:
    out = text.render(result(), {}, color=False)
    lines = out.splitlines()
    assert lines[0] == (
        "scripts/run.sh:7:1: CG101 error api-key-in-env: "
        "OPENAI_API_KEY reaches codex: 100% of tokens, billed [lane: worker]"
    )
    assert lines[1] == "  fix: unset OPENAI_API_KEY before the call"
    assert lines[2] == "  scripts/run.sh:3:8: note: the key is exported here"
    assert "bad.sh: error: not UTF-8 text (byte 0xff at offset 3)" in lines
    assert lines[-1] == (
        "3 findings (1 error, 1 warning, 1 info) in 4 files; 1 file could not be read"
    )
    assert "\033[" not in out


def test_text_colour() -> None:
    out = text.render(result(), {}, color=True)
    assert "\033[31merror\033[0m" in out
    assert "\033[33mwarning\033[0m" in out
    assert "\033[1mscripts/run.sh:7:1:\033[0m" in out


def test_text_all_clear() -> None:
    assert text.render(LintResult(files=3), {}, color=False) == "All clear: 3 files checked.\n"


def test_github_annotations_and_escaping() -> None:
    lines = github.render(result(), {}).splitlines()
    assert lines[0] == (
        "::error file=scripts/run.sh,line=7,col=1,endLine=8,title=CG101 api-key-in-env::"
        "OPENAI_API_KEY reaches codex: 100%25 of tokens, billed"
        "%0Afix: unset OPENAI_API_KEY before the call"
        "%0Ascripts/run.sh:3:8: note: the key is exported here"
    )
    assert lines[1].startswith(
        "::warning file=dir with space/a b.sh,line=2,col=5,endLine=2,title=CG301 implicit-sandbox::"
    )
    assert lines[1].endswith("no -s, so: the host's default, with a comma")
    assert lines[2].startswith("::notice file=x.sh,")
    assert "no login gate%0Abefore this run%0D" in lines[2]
    assert (
        lines[3] == "::error file=bad.sh,title=codex-guard::not UTF-8 text (byte 0xff at offset 3)"
    )


def test_github_property_escaping() -> None:
    assert github.escape_property("a:b,c%d\ne") == "a%3Ab%2Cc%25d%0Ae"
    assert github.escape_data("a:b,c") == "a:b,c"


def _validate(document: dict[str, Any]) -> None:
    import jsonschema

    schema = json.loads(SCHEMA.read_text())
    jsonschema.validate(document, schema)


def test_sarif_validates_and_carries_the_registry() -> None:
    rules = load_rules()
    document = sarif.document(result(), rules)
    _validate(document)
    run = document["runs"][0]
    descriptors = {d["id"]: d for d in run["tool"]["driver"]["rules"]}
    assert set(rules) <= set(descriptors)
    if "CG101" in rules:
        d = descriptors["CG101"]
        assert d["shortDescription"]["text"] == rules["CG101"].summary
        assert d["fullDescription"]["text"] == rules["CG101"].rationale
        assert d["help"]["text"] == rules["CG101"].fix
        assert d["defaultConfiguration"]["level"] == "error"
    first = run["results"][0]
    assert first["ruleId"] == "CG101" and first["level"] == "error"
    assert run["tool"]["driver"]["rules"][first["ruleIndex"]]["id"] == "CG101"
    region = first["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 7, "startColumn": 1, "endLine": 8}
    assert first["relatedLocations"][0]["message"]["text"] == "the key is exported here"
    assert run["results"][1]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == (
        "dir%20with%20space/a%20b.sh"
    )
    assert run["results"][2]["level"] == "note"
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["message"]["text"].startswith("not UTF-8")
    assert run["invocations"][0]["executionSuccessful"] is False


def test_sarif_without_registry_entries_still_validates() -> None:
    _validate(sarif.document(result(), {}))


def test_sarif_of_the_examples_validates() -> None:
    done = subprocess.run(
        ["codex-guard", "lint", "--format", "sarif", "examples"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in done.stderr
    document = json.loads(done.stdout)
    _validate(document)
    assert document["runs"][0]["results"]
