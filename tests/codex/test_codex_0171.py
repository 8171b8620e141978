"""codex-cli 0.171.0: what `--remote` excludes and permission profiles as a sandbox source.

Each statement is checked twice: against the parser, and (when `.ci/install-codex` put 0.171.0 in
place) against the real binary, offline: `--remote ws://127.0.0.1:1` refuses or tries to connect
before any network is used, and the run banner says which sandbox a permission profile gave.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from guard.codex.call import CodexCall, SandboxSource
from guard.codex.grammar import (
    REMOTE_AUTH_REFUSAL,
    REMOTE_REFUSAL,
    REMOTE_RESUME_REFUSAL,
    REMOTE_SUBCOMMAND_REFUSAL,
    reason_unknown_permission_profile,
)
from guard.codex.parse import parse_codex_argv
from guard.shell.model import Span, Word
from tests.codex.realbin import real_codex

ADDR = "ws://127.0.0.1:1"
UUID = "0199a213-81c0-7800-8aa1-bbab2a035a53"


def parse(cmd: str, version: str | None = None) -> CodexCall:
    words = [Word(t, True, Span(1, n + 1, 1, n + 1), t) for n, t in enumerate(shlex.split(cmd))]
    return parse_codex_argv(words, version=version)


def reasons(call: CodexCall) -> list[tuple[str, str]]:
    return [(u.text, u.reason) for u in call.unknown]


# (argv after `codex`, the refusal 0.171.0 prints, or None when it goes on to connect)
REMOTE_CASES: list[tuple[str, str | None]] = [
    (f"exec --remote {ADDR} hi", None),
    (f"exec --remote {ADDR} --json -o out.txt --color never --skip-git-repo-check hi", None),
    (f"exec --remote {ADDR} --remote-auth-token-env HOME hi", None),
    (f"exec --remote {ADDR} resume {UUID} hi", None),
    (f"exec resume --remote {ADDR} {UUID} --json hi", None),
    (f"--remote {ADDR} exec hi", None),
    (f"exec --remote {ADDR} -s read-only hi", REMOTE_REFUSAL),
    (f"exec --remote {ADDR} -C /tmp hi", REMOTE_REFUSAL),
    (f"exec --remote {ADDR} -m gpt-5 hi", REMOTE_REFUSAL),
    (f"exec --remote {ADDR} -c model=x hi", REMOTE_REFUSAL),
    (f"exec --remote {ADDR} --ephemeral hi", REMOTE_REFUSAL),
    (f"exec --remote {ADDR} --yolo hi", REMOTE_REFUSAL),
    (f"exec --remote {ADDR} --output-schema s.json hi", REMOTE_REFUSAL),
    (f"exec --remote {ADDR} --add-dir /tmp hi", REMOTE_REFUSAL),
    (f"exec --remote {ADDR} --dangerously-bypass-hook-trust hi", REMOTE_REFUSAL),
    (f"--remote {ADDR} -s read-only exec hi", REMOTE_REFUSAL),
    (f"-c model=x exec --remote {ADDR} hi", REMOTE_REFUSAL),
    (f"exec --remote {ADDR} resume {UUID} -m gpt-5 hi", REMOTE_REFUSAL),
    (f"exec --remote {ADDR} resume --last hi", REMOTE_RESUME_REFUSAL),
    (f"exec --remote {ADDR} review --uncommitted", REMOTE_SUBCOMMAND_REFUSAL),
    (f"exec fork --remote {ADDR} {UUID} hi", REMOTE_SUBCOMMAND_REFUSAL),
    ("exec --remote-auth-token-env HOME hi", REMOTE_AUTH_REFUSAL),
]


@pytest.mark.parametrize(("argv", "refusal"), REMOTE_CASES)
def test_remote_exclusions_in_the_parser(argv: str, refusal: str | None) -> None:
    call = parse(f"codex {argv}")
    got = {reason for _text, reason in reasons(call)}
    if refusal is None:
        assert not got
    else:
        assert refusal in got


def test_remote_is_only_an_exec_option_from_0171_on() -> None:
    # 0.169.0: --remote is a top-level option only (FACTS.md), not a remote refusal.
    old = parse(f"codex exec --remote {ADDR} -s read-only hi", version="0.169.0")
    assert ("--remote", "not accepted by exec (top-level only)") in reasons(old)
    assert REMOTE_REFUSAL not in {r for _t, r in reasons(old)}


def test_remote_run_is_marked_and_names_the_refused_flag() -> None:
    call = parse(f"codex exec --remote {ADDR} -s read-only hi")
    assert call.extra["remote"] == ADDR
    assert reasons(call) == [("-s", REMOTE_REFUSAL)]


def _run_real(binary: Path, argv: list[str], home: Path, cwd: Path) -> str:
    """stderr+stdout of a real run, stopped after a few seconds: past the banner (or the refusal)
    codex only retries the network, so its whole process group is killed then."""
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "CODEX_API_KEY")}
    env["CODEX_HOME"] = str(home)
    proc = subprocess.Popen(
        [str(binary), *argv], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, env=env, cwd=cwd, start_new_session=True,
    )  # fmt: skip
    try:
        out, _ = proc.communicate(timeout=6)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
    return out.decode("utf-8", "replace")


@pytest.fixture
def codex171() -> Path:
    binary = real_codex("0.171.0")
    if binary is None:
        pytest.skip("codex-cli 0.171.0 not installed (.ci/install-codex)")
    return binary


def test_remote_exclusions_on_the_real_binary(codex171: Path, tmp_path: Path) -> None:
    wrong = []
    for argv, refusal in REMOTE_CASES:
        out = _run_real(codex171, shlex.split(argv), tmp_path, tmp_path)
        if refusal is None:
            ok = "failed to connect to remote app server" in out
        else:
            ok = refusal in out and "failed to connect" not in out
        if not ok:
            wrong.append(f"codex {argv}: table says {refusal!r}; binary said {out[-300:]!r}")
    assert not wrong, "\n".join(wrong)


# --- permission profiles ----------------------------------------------------------------------

PROFILE_CASES: list[tuple[str, str]] = [
    ("exec -c default_permissions=':danger-full-access' hi", "danger-full-access"),
    ("exec -c 'default_permissions=\":workspace\"' hi", "workspace-write"),
    ("exec -c default_permissions=:read-only hi", "read-only"),
    ("-c default_permissions=:danger-full-access exec hi", "danger-full-access"),
    # an explicit -s wins over the profile
    ("exec -s read-only -c default_permissions=:danger-full-access hi", "read-only"),
    # the profile wins over -c sandbox_mode, in either order
    ("exec -c sandbox_mode=read-only -c default_permissions=:danger-full-access hi",
     "danger-full-access"),
    ("exec -c default_permissions=:danger-full-access -c sandbox_mode=read-only hi",
     "danger-full-access"),
    # the bypass flag wins over everything
    ("exec --yolo -c default_permissions=:read-only hi", "danger-full-access"),
]  # fmt: skip


@pytest.mark.parametrize(("argv", "sandbox"), PROFILE_CASES)
def test_permission_profile_is_a_sandbox_source(argv: str, sandbox: str) -> None:
    call = parse(f"codex {argv}")
    assert call.sandbox == sandbox
    assert not call.unknown


def test_profile_source_and_unknown_builtin() -> None:
    call = parse("codex exec -c default_permissions=:workspace hi")
    assert call.sandbox_source is SandboxSource.CONFIG_OVERRIDE
    assert call.sandbox_word is not None and "default_permissions" in call.sandbox_word.text
    bad = parse("codex exec -c default_permissions=:workspace-write hi")
    assert reasons(bad) == [("default_permissions=:workspace-write",
                             reason_unknown_permission_profile(":workspace-write"))]  # fmt: skip
    named = parse("codex exec -c default_permissions=team hi")  # a [permissions.team] table
    assert named.sandbox is None and named.sandbox_source is SandboxSource.CONFIG_OVERRIDE
    assert not named.unknown


def test_permission_profiles_on_the_real_binary(codex171: Path, tmp_path: Path) -> None:
    cases = [*PROFILE_CASES, ("exec -c default_permissions=:workspace-write hi", "")]

    def run(argv: str) -> str:
        words = shlex.split(argv)
        at = words.index("exec") + 1
        words[at:at] = ["--skip-git-repo-check"]
        return _run_real(codex171, words, tmp_path, tmp_path)

    with ThreadPoolExecutor(max_workers=len(cases)) as pool:
        outs = list(pool.map(run, [argv for argv, _ in cases]))
    wrong = []
    for (argv, sandbox), out in zip(cases, outs, strict=True):
        if sandbox:
            ok = f"sandbox: {sandbox}" in out
        else:
            ok = reason_unknown_permission_profile(":workspace-write") in out
        if not ok:
            wrong.append(f"codex {argv}: table says {sandbox or 'refused'}; got {out[:400]!r}")
    assert not wrong, "\n".join(wrong)


# --- through the CLI, as a user sees it ------------------------------------------------------


def _check(cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "guard", "check", cmd], capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("cmd", "rule"),
    [
        ('codex exec -C "$R" -c default_permissions=":danger-full-access" "p" </dev/null', "CG303"),
        ('codex exec -C "$R" -c default_permissions=":workspace-write" "p" </dev/null', "CG903"),
        (f'codex exec --remote {ADDR} -s read-only "p" </dev/null', "CG903"),
    ],
)
def test_check_reports(cmd: str, rule: str) -> None:
    proc = _check(cmd)
    assert proc.returncode == 1 and rule in proc.stdout, proc.stdout


def test_check_remote_run_is_not_implicit_sandbox_or_root() -> None:
    proc = _check(f'codex exec --remote {ADDR} "p" </dev/null')
    assert "CG301" not in proc.stdout and "CG503" not in proc.stdout, proc.stdout
    assert proc.returncode == 0


# --- resume: --ephemeral ignored (CG404), and how the sandbox is pinned (CG402's docs) ---------


def _rollouts(home: Path) -> dict[Path, int]:
    return {p: p.stat().st_size for p in (home / "sessions").rglob("rollout-*.jsonl")}


@pytest.fixture
def session(codex171: Path, tmp_path: Path) -> tuple[Path, Path, str]:
    """A persisted workspace-write session made offline: (home, workdir, session id)."""
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    out = _run_real(codex171, ["exec", "--skip-git-repo-check", "-s", "workspace-write", "first"],
                    home, work)  # fmt: skip
    assert "sandbox: workspace-write" in out
    sid = next(line.split(":", 1)[1].strip() for line in out.splitlines()
               if line.startswith("session id:"))  # fmt: skip
    assert len(_rollouts(home)) == 1
    return home, work, sid


@pytest.mark.parametrize("where", ["before", "after"])
def test_ephemeral_resume_persists_the_turn(
    codex171: Path, session: tuple[Path, Path, str], where: str
) -> None:
    home, work, sid = session
    before = _rollouts(home)
    argv = (["exec", "--ephemeral", "resume"] if where == "before"
            else ["exec", "resume", "--ephemeral"])  # fmt: skip
    _run_real(codex171, [*argv, "--skip-git-repo-check", sid, "secret follow-up"], home, work)
    after = _rollouts(home)
    assert after.keys() == before.keys()
    assert all(after[p] > before[p] for p in before)  # the rollout grew: the turn was kept
    # ... which is what CG404 says.
    proc = _check(f'codex {" ".join(argv)} "$SID" "secret follow-up" </dev/null')
    assert "CG404" in proc.stdout


def test_fresh_ephemeral_run_writes_no_rollout(codex171: Path, tmp_path: Path) -> None:
    _run_real(codex171, ["exec", "--ephemeral", "--skip-git-repo-check", "-s", "read-only", "hi"],
              tmp_path, tmp_path)  # fmt: skip
    assert not _rollouts(tmp_path)
    assert (
        "CG404" not in _check('codex exec --ephemeral -C "$R" -s read-only "p" </dev/null').stdout
    )


def test_resume_sandbox_is_pinned_by_what_the_binary_accepts(
    codex171: Path, session: tuple[Path, Path, str]
) -> None:
    """CG402's docs: a resumed run does not keep the first run's workspace-write (it runs
    read-only when nothing is said); exec's -s before `resume`, or -c after it, pins it."""
    home, work, sid = session
    cases = {
        ("exec", "resume", sid, "again"): "sandbox: read-only",
        ("exec", "-s", "workspace-write", "resume", sid, "again"): "sandbox: workspace-write",
        ("exec", "resume", "-c", 'sandbox_mode="workspace-write"', sid, "again"):
            "sandbox: workspace-write",
    }  # fmt: skip
    for argv, banner in cases.items():
        words = list(argv)
        words.insert(words.index("resume") + 1, "--skip-git-repo-check")
        assert banner in _run_real(codex171, words, home, work), argv
        parsed = parse("codex " + shlex.join(words))
        assert not parsed.unknown, argv  # accepted: no CG402/CG903


@pytest.mark.parametrize(
    "cmd",
    [
        "codex exec review --dangerously-bypass-hook-trust --uncommitted </dev/null",
        'codex exec fork --dangerously-bypass-hook-trust "$SID" "p" </dev/null',
        'codex --dangerously-bypass-hook-trust "interactive prompt"',
    ],
)
def test_hook_trust_bypass_is_cg306_on_every_level(cmd: str) -> None:
    proc = _check(cmd)
    assert proc.returncode == 1 and "CG306" in proc.stdout, proc.stdout
