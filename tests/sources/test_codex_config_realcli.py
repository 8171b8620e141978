"""The Codex config fixtures against the real codex: each one is what codex-guard says it is.

`codex exec --strict-config` with a throwaway CODEX_HOME is the oracle for "codex accepts this
config" (FACTS.md; `--strict-config` is in the exec help of 0.169.0 and 0.171.0): it refuses an
unknown field or bad TOML with `Error loading config.toml: PATH:LINE:COL` before anything runs, and
an accepted config prints the run banner (`sandbox:`, `provider:`) before any network is touched;
the run is then killed. So the bad fixtures are valid config, and their findings are about policy.
`codex sandbox -- /usr/bin/env` (offline) shows what a spawned command receives under a
`shell_environment_policy`. Skipped when no real codex is installed (.ci/run installs both).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.codex.realbin import installed
from tests.sources.codexconfig_fixtures import EXPECTED, FIXTURES, PROFILES, lanes_repo

BINARIES = installed()
VERSIONS = sorted(v for v in BINARIES if v in ("0.169.0", "0.171.0"))
pytestmark = pytest.mark.skipif(not VERSIONS, reason="the real codex CLI is not installed")
AMBIENT_KEY = "sk-ambient-test-key"


@dataclass
class Banner:
    sandbox: str = ""
    provider: str = ""
    errors: list[str] = field(default_factory=list)


def _clean_env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "CODEX_API_KEY")}
    env.update(CODEX_HOME=str(home), **extra)
    return env


def run_banner(binary: Path, args: list[str], cwd: Path, home: Path) -> Banner:
    """`codex exec --strict-config ARGS` up to its banner (or its config error), then stopped."""
    proc = subprocess.Popen(
        [str(binary), "exec", "--strict-config", "--skip-git-repo-check", *args, "say hi"],
        cwd=cwd, env=_clean_env(home), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    banner = Banner()
    deadline = time.monotonic() + 60
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("sandbox:"):
                banner.sandbox = line.split(":", 1)[1].strip()
            elif line.startswith("provider:"):
                banner.provider = line.split(":", 1)[1].strip()
            elif line.startswith("Error") or banner.errors:
                banner.errors.append(line.strip())
                if len(banner.errors) >= 2:
                    break
            if line.startswith("session id:") or time.monotonic() > deadline:
                break
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    return banner


@dataclass(frozen=True)
class Setup:
    args: list[str]
    cwd: Path
    home: Path


def place(fixture: str, tmp_path: Path) -> Setup:
    """Lay the fixture out where codex reads it: its folder as CODEX_HOME (with `-p NAME` for a
    `NAME.config.toml`), or a trusted project for `.codex/config.toml`."""
    source = FIXTURES / fixture
    name = source.name
    if source.parent.name == ".codex":
        project = tmp_path / "project"
        shutil.copytree(source.parent.parent, project)
        subprocess.run(["git", "init", "-q", str(project)], check=True)
        home = tmp_path / "home"
        home.mkdir()
        return Setup(["--trust", "-C", str(project)], tmp_path, home)
    home = tmp_path / "home"
    shutil.copytree(source.parent, home)
    args = ["-p", name.removesuffix(".config.toml")] if name != "config.toml" else []
    return Setup(args, tmp_path, home)


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("fixture", sorted(EXPECTED))
def test_codex_accepts_each_fixture_and_runs_what_the_rules_say(
    fixture: str, version: str, tmp_path: Path
) -> None:
    setup = place(fixture, tmp_path)
    banner = run_banner(BINARIES[version], setup.args, setup.cwd, setup.home)
    rules = {(rule, severity) for rule, severity, _l, _c in EXPECTED[fixture]}
    syntax = [(line, col) for rule, _s, line, col in EXPECTED[fixture] if rule == "CG901"]
    if syntax:
        # codex refuses the file, at the line codex-guard's CG901 names.
        assert banner.errors and banner.errors[0].startswith("Error loading config.toml"), banner
        assert f"config.toml:{syntax[0][0]}:" in " ".join(banner.errors), banner
        return
    assert not banner.errors and banner.sandbox, banner  # valid config: policy, not syntax
    full_access = banner.sandbox == "danger-full-access"
    assert full_access == (("CG803", "error") in rules), (fixture, banner)
    if fixture == "bad/gateway-codex-home/config.toml":
        assert banner.provider == "corp"  # the provider CG801 names is the one codex uses


@pytest.mark.parametrize("version", VERSIONS)
def test_a_legacy_profiles_table_is_refused_with_p_on_newer_codex(
    version: str, tmp_path: Path
) -> None:
    """Why the legacy `[profiles.ci]` finding is a warning on 0.169.0 and newer."""
    setup = place("bad/project/.codex/config.toml", tmp_path)
    home = tmp_path / "legacy-home"
    home.mkdir()
    shutil.copy(FIXTURES / "bad/project/.codex/config.toml", home / "config.toml")
    refused = run_banner(BINARIES[version], ["-p", "ci"], setup.cwd, home)
    assert refused.errors and "legacy" in refused.errors[0], refused
    accepted = run_banner(BINARIES[version], [], setup.cwd, home)
    assert accepted.sandbox == "read-only", accepted  # without -p the table does nothing


def spawned_env(
    binary: Path, policy_file: Path, tmp_path: Path, extra: dict[str, str]
) -> dict[str, str]:
    """The environment `codex sandbox` gives a command under the file's policy, with an ambient
    OPENAI_API_KEY (and `extra`) in codex's own environment."""
    home = tmp_path / "env-home"
    home.mkdir()
    shutil.copy(policy_file, home / "config.toml")
    proc = subprocess.run(
        [str(binary), "sandbox", "--", "/usr/bin/env"],
        env=_clean_env(home, OPENAI_API_KEY=AMBIENT_KEY, **extra), stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    lines = [line for line in proc.stdout.splitlines() if "=" in line]
    env = dict(line.split("=", 1) for line in lines)
    if "PATH" not in env:
        pytest.skip(f"`codex sandbox` cannot start a sandbox on this host: {proc.stderr[-300:]}")
    return env


# (fixture, whether a forbidden key reaches a spawned command)
ENV_CASES = [
    ("bad/project/.codex/config.toml", True),  # set = { OPENAI_API_KEY = ... }
    ("bad/env-codex-home/config.toml", True),  # include_only names it, inherit = "all"
    ("good/project/.codex/config.toml", False),  # include_only drops what set put in
    ("good/env-codex-home/config.toml", False),  # ignore_default_excludes = false drops *KEY*
    ("good/codex-home/config.toml", False),  # inherit = "core"
    ("good/exclude-codex-home/config.toml", False),  # exclude drops what include_only names
]


@pytest.mark.parametrize(("fixture", "reaches"), ENV_CASES, ids=[f for f, _ in ENV_CASES])
def test_cg804_matches_what_a_spawned_command_receives(
    fixture: str, reaches: bool, tmp_path: Path
) -> None:
    binary = BINARIES[VERSIONS[-1]]
    env = spawned_env(binary, FIXTURES / fixture, tmp_path, {"CODEX_API_KEY": AMBIENT_KEY})
    passed = {"OPENAI_API_KEY", "CODEX_API_KEY"} & env.keys()
    assert bool(passed) == reaches, passed
    flagged = any(rule == "CG804" for rule, *_ in EXPECTED[fixture])
    assert flagged == reaches


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_the_profile_sandbox_lint_reads_is_the_one_codex_runs(
    profile: str, version: str, tmp_path: Path
) -> None:
    root = lanes_repo(tmp_path / "r")
    banner = run_banner(BINARIES[version], ["-p", profile], root, root / "ci" / "codex-home")
    assert banner.sandbox.split(" [")[0] == PROFILES[profile][1], banner
