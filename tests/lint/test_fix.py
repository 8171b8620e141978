"""`lint --fix` / `--diff`: safe rewrites only, each re-linted; byte-exact outside the edit;
idempotent; never on a file that did not parse. Runs the real console script."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

BAD = (
    "#!/bin/bash\n"
    'codex exec -C "$R" -s read-only "review it"\n'
    'codex --full-auto exec -C "$R" "do it" </dev/null\n'
    'codex exec --ephemeral -C "$R" -s workspace-write "first" </dev/null\n'
    'codex exec resume --last -C "$R" -s read-only "more" </dev/null\n'
)
FIXED = (
    "#!/bin/bash\n"
    'codex exec -C "$R" -s read-only "review it" </dev/null\n'
    'codex -s workspace-write exec -C "$R" "do it" </dev/null\n'
    'codex exec -C "$R" -s workspace-write "first" </dev/null\n'
    '(cd "$R" && codex exec resume --last "more" </dev/null)\n'
)


def lint(cwd: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    done = subprocess.run(
        ["codex-guard", "lint", "--no-cache", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        env=env,
        timeout=120,
    )
    assert b"Traceback" not in done.stderr
    return done


def test_fix_rewrites_each_rule_and_the_result_lints_clean(tmp_path: Path) -> None:
    script = tmp_path / "run.sh"
    script.write_text(BAD)
    done = lint(tmp_path, "--fix", "run.sh")
    assert script.read_text() == FIXED
    assert b"fixed 6" in done.stderr
    for rule in ("CG201", "CG401", "CG402", "CG403", "CG903"):
        assert rule.encode() not in done.stdout
    assert lint(tmp_path, "--select", "CG2,CG4,CG903", "run.sh").returncode == 0


def test_diff_changes_nothing_and_exits_1(tmp_path: Path) -> None:
    script = tmp_path / "run.sh"
    script.write_text(BAD)
    done = lint(tmp_path, "--diff", "run.sh")
    assert done.returncode == 1
    assert script.read_text() == BAD
    assert b'+codex -s workspace-write exec -C "$R" "do it" </dev/null' in done.stdout
    assert b'-codex --full-auto exec -C "$R" "do it" </dev/null' in done.stdout
    script.write_text(FIXED)
    again = lint(tmp_path, "--diff", "run.sh")
    assert again.returncode == 0 and again.stdout == b""


def test_fixed_script_really_closes_stdin(tmp_path: Path) -> None:
    """The CG201 fix under real bash: a recording codex sees stdin at EOF, not the idle pipe."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    fake = bindir / "codex"
    fake.write_text('#!/bin/sh\nprintf "%s|" "$*" >> "$LOG"; cat >> "$LOG"; echo END >> "$LOG"\n')
    fake.chmod(0o755)
    script = tmp_path / "run.sh"
    script.write_text('codex exec -s read-only -C "$PWD" "hello" | cat\n')
    lint(tmp_path, "--fix", "run.sh")
    assert script.read_text() == 'codex exec -s read-only -C "$PWD" "hello" </dev/null | cat\n'
    log = tmp_path / "log"
    env = {**os.environ, "PATH": f"{bindir}:{os.environ['PATH']}", "LOG": str(log)}
    subprocess.run(["bash", str(script)], cwd=tmp_path, env=env, input=b"SECRET", timeout=30)
    assert "hello|END" in log.read_text()  # the caller's stdin never reached codex


def test_no_fix_when_another_sandbox_is_given(tmp_path: Path) -> None:
    script = tmp_path / "run.sh"
    text = 'codex --full-auto exec -s read-only -C "$R" "p" </dev/null\n'
    script.write_text(text)
    lint(tmp_path, "--fix", "run.sh")
    assert script.read_text() == text  # which sandbox was meant is not ours to choose


def test_never_touches_a_file_that_did_not_parse(tmp_path: Path) -> None:
    script = tmp_path / "run.sh"
    text = 'codex exec -C "$R" -s read-only "p"\nif then fi (( \n'
    script.write_text(text)
    done = lint(tmp_path, "--fix", "run.sh")
    assert script.read_text() == text
    assert b"did not parse" in done.stderr


def test_not_utf8_and_crlf_files_are_left_alone(tmp_path: Path) -> None:
    script = tmp_path / "run.sh"
    for data in (
        b'echo "\xff"\ncodex exec -C "$R" -s read-only "p"\n',
        b'codex exec -C "$R" -s read-only "p"\r\n',
    ):
        script.write_bytes(data)
        lint(tmp_path, "--fix", "run.sh")
        assert script.read_bytes() == data


def test_fix_in_a_markdown_fence(tmp_path: Path) -> None:
    doc = tmp_path / "AGENTS.md"
    doc.write_text('# Run\n\n- step:\n\n  ```sh\n  codex exec -C "$R" -s read-only "p"\n  ```\n')
    lint(tmp_path, "--fix", "AGENTS.md")
    assert '  codex exec -C "$R" -s read-only "p" </dev/null\n' in doc.read_text()


def test_fix_from_stdin_prints_the_fixed_text(tmp_path: Path) -> None:
    done = lint(tmp_path, "--fix", "--stdin-filename", "x.sh", "-", stdin=BAD.encode())
    assert done.stdout.decode() == FIXED


# --- properties: byte-exact outside the edit, idempotent --------------------------------------

_noise = st.lists(
    st.sampled_from(
        [
            "echo 'codex exec \"p\"'",  # text that only mentions codex: never touched
            "# codex exec --full-auto x",
            "x=1  # 日本語 🙂",
            "\tprintf '%s\\n' \"$x\"",
            "ls -l | grep foo",
            "",
        ]
    ),
    max_size=4,
)
_calls = st.sampled_from(
    [
        'codex exec -C "$R" -s read-only "review"',
        'timeout 60 codex exec -C "$R" -s read-only "a b" | tee out',
        'codex --full-auto exec -C "$R" "do" </dev/null',
        'codex exec -C "$R" -s read-only "ok" </dev/null',
        'codex exec --ephemeral -C "$R" -s workspace-write "a" </dev/null\n'
        'codex exec resume --last -C "$R" -s read-only "b" </dev/null',
    ]
)
FIXED_RULES = "CG201,CG401,CG402,CG403,CG903"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(before=_noise, call=_calls, after=_noise)
def test_fix_changes_only_its_edit_and_is_idempotent(
    tmp_path: Path, before: list[str], call: str, after: list[str]
) -> None:
    head = "".join(line + "\n" for line in before)
    tail = "".join(line + "\n" for line in after)
    script = tmp_path / "p.sh"
    script.write_bytes((head + call + "\n" + tail).encode())
    lint(tmp_path, "--fix", "p.sh")
    data = script.read_bytes()
    assert data.startswith(head.encode()) and data.endswith(tail.encode())  # nothing else moved
    assert lint(tmp_path, "--select", FIXED_RULES, "p.sh").returncode == 0  # all fixed
    lint(tmp_path, "--fix", "p.sh")
    assert script.read_bytes() == data  # a second --fix changes nothing


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.text(alphabet="codex -\"'|;(){}$\n<>&", max_size=60))
def test_fix_never_rewrites_an_unparsed_file(tmp_path: Path, body: str) -> None:
    script = tmp_path / "q.sh"
    script.write_text(body + "\nif ((\n")  # an unclosed `((` never parses
    before = script.read_bytes()
    lint(tmp_path, "--fix", "q.sh")
    assert script.read_bytes() == before


def test_fix_only_what_is_selected_and_not_suppressed(tmp_path: Path) -> None:
    script = tmp_path / "run.sh"
    text = (
        'codex --full-auto exec -C "$R" "a"\n'
        "# codex-guard: disable=CG201 -- an interactive helper, run from a terminal\n"
        'codex exec -C "$R" -s read-only "b"\n'
    )
    script.write_text(text)
    lint(tmp_path, "--fix", "--select", "CG903", "run.sh")
    assert script.read_text() == text.replace("--full-auto", "-s workspace-write", 1)
    lint(tmp_path, "--fix", "run.sh")
    fixed = script.read_text().splitlines()
    assert fixed[0].endswith('"a" </dev/null') and fixed[2] == 'codex exec -C "$R" -s read-only "b"'
