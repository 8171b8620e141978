"""CG304 reads what a validator's prompt asks, not every network word in it: a prompt that says
not to fetch ("no network"), cites a URL or asks about code named after git pull is an offline
judge, and read-only is its right sandbox. A false CG304 is as bad as a missed one: the prompts
that do ask for the network are tested beside them, through the real console script."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest


def cg304_lines(tmp_path: Path, prompt: str) -> list[int]:
    script = tmp_path / "judge.sh"
    script.write_text(
        "#!/bin/bash\n"
        "# codex-guard: lane=validator\n"
        f'codex exec -C . -s read-only "{prompt}" </dev/null\n',
        encoding="utf-8",
    )
    done = subprocess.run(
        ["codex-guard", "lint", "--no-cache", "--format", "json", str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert "Traceback" not in done.stderr + done.stdout, done.stderr
    findings = json.loads(done.stdout)["findings"]
    return [f["line"] for f in findings if f["rule"] == "CG304"]


@pytest.mark.parametrize(
    "prompt",
    [
        "Do not fetch or clone anything; no network. Output VERDICT: PASS or FAIL.",
        "Work without network access. Output VERDICT: PASS or FAIL.",
        "Do not run git fetch: origin/main is already here. Output VERDICT.",
        "Validate the change described at https://example.com/issue/1 against the diff. "
        "Output VERDICT.",
        "Validate: does the new git pull wrapper handle errors? Output VERDICT.",
    ],
)
def test_a_prompt_that_only_mentions_the_network_is_offline(tmp_path: Path, prompt: str) -> None:
    assert cg304_lines(tmp_path, prompt) == []


@pytest.mark.parametrize(
    "prompt",
    [
        "Fetch the latest release notes from https://example.com/notes and verify them. "
        "Output VERDICT.",
        "Do not edit files and fetch origin/main, then validate. Output VERDICT.",
        "Do not modify anything. Fetch origin and validate. Output VERDICT.",
        "Run the fetch script and validate its output. Output VERDICT.",
        "Check that https://staging.example.com/health returns 200. Output VERDICT.",
        # A review pass found these lost by the first version of the negation reading:
        "Validate the build: download dependencies that are not available locally, then "
        "report the VERDICT.",
        "Validate the change using the network tests and report the VERDICT.",
        "Validate the release by running the download script; output the VERDICT.",
        "Validate the PR with the fetch script and print the VERDICT.",
    ],
)
def test_a_prompt_that_asks_for_the_network_is_still_flagged(tmp_path: Path, prompt: str) -> None:
    assert cg304_lines(tmp_path, prompt) == [3]
