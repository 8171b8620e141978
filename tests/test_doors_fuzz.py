"""No generated input crashes a door: `check`, the hooks' JSON (well-formed and not) and `lint`.

Each batch runs in a child process (tests/doorfuzz_driver.py), so a segfault fails the test and
names its input instead of killing pytest. Exit codes stay in the documented sets, nothing prints
a traceback, and every hook answer is one the agent's contract reads (HOOKS.md): silent allow
(exit 0), Claude's JSON deny (exit 0), Codex's JSON deny with exit 2 and a stderr reason.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.commandlines import NOISE

REPO = Path(__file__).resolve().parents[1]
DOORS = ("check", "hook-claude", "hook-codex", "lint")
EXIT_CODES = {"check": {0, 1, 2}, "lint": {0, 1, 2}, "hook-claude": {0}, "hook-codex": {0, 2}}

odd_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=120
)  # any code point a file or an agent can hold: controls, NUL, past the BMP
shellish = st.lists(
    st.sampled_from([*NOISE, "codex", "codex exec -s danger-full-access", "{\U0007f831", "\x00"]),
    max_size=12,
).map("".join)
deep = st.sampled_from(["$(", "{", "(", '"', "'", "`", "${", "<<EOF\n", "if "]).flatmap(
    lambda p: st.integers(1, 300).map(lambda n: p * n + " codex exec")
)
# `{` then a code point past the BMP: the shape that crashed tree-sitter-bash (#337).
astral = st.characters(min_codepoint=0x10000, blacklist_categories=("Cs",)).map(
    lambda c: "{" + c + "\nOPENAI_API_KEY=x codex exec -s read-only p"
)
commands = st.one_of(odd_text, shellish, deep, astral)


def hook_json(command: str) -> bytes:
    return json.dumps({"cwd": "/nonexistent", "tool_input": {"command": command}}).encode()


raw_hook_input = st.one_of(
    commands.map(hook_json),
    st.binary(max_size=80),  # not JSON, not UTF-8
    commands.map(lambda c: hook_json(c)[: len(c) // 2 + 5]),  # truncated
    st.sampled_from([b"", b"{}", b"[]", b'{"tool_input": 1}', b'{"tool_input": {"command": 7}}']),
    st.sampled_from([b'{"tool_input": {"command": ["co\\u0064ex", "exec", "--yolo"]}}']),
)


@st.composite
def case(draw: st.DrawFn) -> dict[str, str]:
    door = draw(st.sampled_from(DOORS))
    if door.startswith("hook"):
        data = draw(raw_hook_input)
    elif door == "lint":
        data = draw(st.one_of(commands.map(lambda t: t.encode("utf-8")), st.binary(max_size=120)))
    else:
        data = draw(commands).encode("utf-8")
    return {"door": door, "data": base64.b64encode(data).decode()}


def run_batch(cases: list[dict[str, str]]) -> list[dict[str, object]]:
    proc = subprocess.run(
        [sys.executable, "-m", "tests.doorfuzz_driver"],
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=300,
        check=False,
    )
    results = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0:
        crashed = cases[len(results)] if len(results) < len(cases) else None
        raise AssertionError(f"driver exit {proc.returncode} on {crashed}: {proc.stderr[-800:]}")
    assert len(results) == len(cases)
    return results


def assert_answer(door: str, result: dict[str, object]) -> None:
    code, out, err = result["code"], str(result["stdout"]), str(result["stderr"])
    assert not result.get("crash"), result["crash"]
    assert "Traceback" not in out + err
    assert code in EXIT_CODES[door], (door, code, out, err)
    if not door.startswith("hook"):
        return
    if not out:
        assert code == 0
        return
    decision = json.loads(out)["hookSpecificOutput"]
    assert decision["hookEventName"] == "PreToolUse"
    assert decision["permissionDecision"] == "deny"
    assert str(decision["permissionDecisionReason"]).strip()
    if door == "hook-codex":
        assert code == 2 and err.strip()
    else:
        assert code == 0


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(case(), min_size=12, max_size=12))
def test_no_generated_input_crashes_a_door(cases: list[dict[str, str]]) -> None:
    for one, result in zip(cases, run_batch(cases), strict=True):
        door = one["door"]
        try:
            assert_answer(door, result)
        except AssertionError as exc:
            data = base64.b64decode(one["data"])
            raise AssertionError(f"{door} on {data!r}: {exc}") from None


def test_real_processes_on_bytes_no_argument_can_hold(tmp_path: Path) -> None:
    """NUL and invalid UTF-8 through real pipes and files, not only in-process."""
    guard = [sys.executable, "-m", "guard"]
    bad = b"codex exec \x00 -s \xff\xfe danger-full-access {\xf1\xbf\xa0\xb1\n"
    check = subprocess.run([*guard, "check"], input=bad, capture_output=True, cwd=tmp_path)
    assert check.returncode in (0, 1, 2) and b"Traceback" not in check.stdout + check.stderr
    for agent, codes in (("claude", {0}), ("codex", {0, 2})):
        hook = subprocess.run([*guard, "hook", agent], input=bad, capture_output=True, cwd=tmp_path)
        assert hook.returncode in codes and b"Traceback" not in hook.stdout + hook.stderr
        assert hook.stderr.strip()  # one line saying why (fail open by default)
    script = tmp_path / "bad.sh"
    script.write_bytes(bad)
    lint = subprocess.run([*guard, "lint", str(script)], capture_output=True, cwd=tmp_path)
    assert lint.returncode in (0, 1, 2) and b"Traceback" not in lint.stdout + lint.stderr
