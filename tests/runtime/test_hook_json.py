"""The hook reads its payload and writes its deny answer without `json` (issue 12 item 2): both
must be exactly what json would give, and anything the small reader does not take goes to json."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guard.runtime.hook import deny_json, json_quote, read_payload

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(value=JSON_VALUES, ascii_only=st.booleans(), indent=st.sampled_from([None, 0, 2, "\t"]))
def test_the_payload_reads_as_json_reads_it(
    value: object, ascii_only: bool, indent: object
) -> None:
    text = json.dumps(value, ensure_ascii=ascii_only, indent=indent)  # type: ignore[arg-type]
    assert read_payload(text) == json.loads(text)
    assert repr(read_payload(text)) == repr(json.loads(text))  # int stays int, -0.0 stays float


@pytest.mark.parametrize(
    "text",
    [
        '{"a": 1} x',
        '{"a": 01}',
        '{"a": "line\nbreak"}',
        '{"a": tru}',
        '{"a": 1,}',
        "[1, 2",
        '{"a": "\\x"}',
        "\ufeff{}",
        '{"a" 1}',
        "-",
        '"\\ud800"',
    ],
)
def test_what_json_refuses_is_refused_with_its_message(text: str) -> None:
    try:
        expected: object = json.loads(text)
    except ValueError as exc:
        with pytest.raises(ValueError) as got:
            read_payload(text)
        assert str(got.value) == str(exc)
    else:
        assert read_payload(text) == expected


@given(st.text(), st.text())
@settings(max_examples=200, deadline=None)
def test_anything_reads_as_json_reads_it(prefix: str, body: str) -> None:
    text = prefix + body
    try:
        expected: object = json.loads(text)
    except (ValueError, RecursionError) as exc:
        with pytest.raises(type(exc)):
            read_payload(text)
    else:
        assert repr(read_payload(text)) == repr(expected)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_the_deny_answer_is_what_json_dumps_writes(reason: str) -> None:
    assert json_quote(reason) == json.dumps(reason)
    expected = json.dumps(
        {
            "hookSpecificOutput": {
                "hookEventName": "PreToolUse",
                "permissionDecision": "deny",
                "permissionDecisionReason": reason,
            }
        }
    )
    assert deny_json(reason) == expected


@pytest.mark.parametrize(
    "payload",
    [
        '{"tool_input": {"command": "ls\x01"}}',
        '{"tool_input": {"command": "ls\nrm"}}',
        '{"tool_input": {"command": "a\\"b\tc"}}',
        '{"tool_input": {"command": "ok"}}\x00',
    ],
)
def test_the_string_scan_refuses_what_json_refuses(payload: str) -> None:
    """The no-codex fast path reads strings only; a text json.loads rejects is malformed there too
    (so it goes to the full path, which denies a malformed payload under fail-closed)."""
    from guard.runtime.hook import _json_strings

    with pytest.raises(json.JSONDecodeError):
        json.loads(payload)
    assert _json_strings(payload) is None


def test_an_integer_longer_than_python_converts_is_still_json() -> None:
    """Valid JSON with a 5,000-digit number (past Python's int conversion limit, not JSON's)
    was "not JSON", and the hook let the codex command in it through (fail open)."""
    import io

    from guard.runtime.hook import run_hook

    digits = "1" + "0" * 5000
    payload = (
        '{"tool_name": "Bash", "tool_input": {"command": '
        f'"codex exec --yolo -C . hi </dev/null", "timeout": {digits}}}}}'
    )
    assert read_payload(payload)["tool_input"]["timeout"] == float(digits)
    out, err = io.StringIO(), io.StringIO()
    assert run_hook("codex", io.StringIO(payload), out, err) == 2
    assert json.loads(out.getvalue())["hookSpecificOutput"]["permissionDecision"] == "deny"
    assert "CG303" in err.getvalue()


@pytest.mark.parametrize(
    ("tool_input", "denied"),
    [
        ({"command": "ls", "cmd": "codex exec --yolo -C . hi </dev/null"}, True),
        ({"command": "codex exec --yolo -C . hi </dev/null", "cmd": "ls"}, True),
        ({"command": "ls", "cmd": "ls -la"}, False),
        ({"command": ["ls"], "cmd": "codex exec -s read-only -C . - < p.md"}, False),
        # joined as one script, the first would swallow the second as a here-doc's text
        ({"command": "cat <<E", "cmd": "codex exec --yolo -C . hi </dev/null\nE"}, True),
        ({"command": "echo 'x", "cmd": "codex exec --yolo -C . hi </dev/null #'"}, True),
    ],
)
def test_a_payload_with_both_command_and_cmd_is_checked_as_both(
    tool_input: dict[str, object], denied: bool
) -> None:
    """Which of the two the agent runs is not known here: a codex line in `cmd` beside a
    harmless `command` was allowed."""
    import io

    from guard.runtime.hook import run_hook

    payload = json.dumps({"tool_name": "Bash", "tool_input": tool_input})
    out, err = io.StringIO(), io.StringIO()
    code = run_hook("codex", io.StringIO(payload), out, err)
    assert (code, bool(out.getvalue())) == ((2, True) if denied else (0, False)), err.getvalue()
