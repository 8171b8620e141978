"""`-c` values, config.toml layers and custom providers against the real codex, and codex-guard
on the same command line: the banner's `sandbox:`/`provider:` line is the oracle.

Each case runs the real binary (0.169.0 from .codex-cli, or $CODEX_GUARD_REAL_CODEX) with a
throwaway CODEX_HOME and stdin </dev/null, reads the run banner (printed before any network is
touched), kills it, and then lints the same command line as a script in the same folder. Skipped
when the binary is not installed. What was observed on 0.169.0 is written in each case.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from guard.config import settings_from_mapping
from guard.engine import lint_snippet
from guard.sources.snippet import Snippet

REPO_ROOT = Path(__file__).resolve().parents[2]


def _binary() -> Path | None:
    override = os.environ.get("CODEX_GUARD_REAL_CODEX")
    candidate = Path(override) if override else REPO_ROOT / ".codex-cli/node_modules/.bin/codex"
    return candidate if candidate.is_file() else None


BINARY = _binary()
pytestmark = pytest.mark.skipif(BINARY is None, reason="the real codex CLI is not installed")


@dataclass
class Banner:
    sandbox: str = ""
    provider: str = ""
    errors: list[str] = field(default_factory=list)


def run_banner(
    argv: list[str],
    cwd: Path,
    home: Path,
    env: dict[str, str] | None = None,
    *,
    first_error: bool = False,
) -> Banner:
    """Start `codex exec ARGV`, read its banner (and with ``first_error`` the first ERROR line
    after it), stop it: it would go on waiting for the network."""
    assert BINARY is not None
    full_env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "CODEX_API_KEY")}
    full_env.update(CODEX_HOME=str(home), **(env or {}))
    home.mkdir(parents=True, exist_ok=True)  # codex refuses a CODEX_HOME that does not exist
    proc = subprocess.Popen(
        [str(BINARY), "exec", "--skip-git-repo-check", *argv, "say hi"],
        cwd=cwd, env=full_env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
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
            elif line.startswith(("Error", "ERROR:")):
                banner.errors.append(line.strip())
            if banner.errors or time.monotonic() > deadline:
                break
            if line.startswith("session id:") and not first_error:
                break
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    return banner


def lint_line(line: str, folder: Path) -> list[tuple[str, str, str]]:
    """codex-guard's findings for `line` as a script in `folder`: (rule, severity, message)."""
    script = folder / "dispatch.sh"
    script.write_text(line + "\n", encoding="utf-8")
    settings = settings_from_mapping({}, root=folder)
    findings = lint_snippet(Snippet(text=line + "\n", path=str(script)), settings)
    return [(f.rule, f.severity.value, f.message) for f in findings]


def rules(findings: list[tuple[str, str, str]]) -> set[str]:
    return {rule for rule, _s, _m in findings}


# (the -c / -s arguments, the sandbox the 0.169.0 banner printed)
SANDBOX_CASES = [
    (["-c", 'sandbox_mode="danger\\u002dfull-access"'], "danger-full-access"),  # TOML escape
    (["-c", 'sandbox_mode="danger-full-access" # wide'], "danger-full-access"),  # comment
    (["-c", 'sandbox_mode="""danger-full-access"""'], "danger-full-access"),  # multi-line string
    (["-c", "sandbox_mode='danger-full-access'"], "danger-full-access"),  # literal string
    (["-c", "sandbox_mode=danger-full-access"], "danger-full-access"),  # not TOML: raw string
    (["-c", 'sandbox_mode="danger-full-access'], "danger-full-access"),  # quotes stripped
    (["-c", ' sandbox_mode = "danger-full-access" '], "danger-full-access"),  # blanks trimmed
    (["-c", '"sandbox_mode"="danger-full-access"'], "read-only"),  # a quoted key is another key
    (["-c", 'sandbox_mode="danger-full-access"', "-s", "read-only"], "read-only"),  # -s wins
]


@pytest.mark.parametrize(("args", "observed"), SANDBOX_CASES, ids=[a[1] for a, _ in SANDBOX_CASES])
def test_config_override_sandbox_matches_the_banner(
    args: list[str], observed: str, tmp_path: Path
) -> None:
    banner = run_banner(args, tmp_path, tmp_path / "home")
    assert banner.sandbox == observed, banner
    found = rules(
        lint_line(shlex.join(["codex", "exec", *args, "Fix it."]) + " </dev/null", tmp_path)
    )
    assert ("CG303" in found) == (observed == "danger-full-access"), found


@pytest.mark.parametrize(
    "args",
    [
        ["-s", "workspace-write", "--add-dir", "/"],
        ["-s", "workspace-write", "-c", 'sandbox_workspace_write.writable_roots=["/"]'],
        ["-s", "workspace-write", "-c", 'sandbox_workspace_write={writable_roots=["/"]}'],
    ],
)
def test_root_made_writable_is_cg504(args: list[str], tmp_path: Path) -> None:
    banner = run_banner(args, tmp_path, tmp_path / "home")
    assert banner.sandbox.startswith("workspace-write [") and banner.sandbox.endswith(", /]")
    line = shlex.join(["codex", "exec", "-C", ".", *args, "Fix it."]) + " </dev/null"
    findings = lint_line(line, tmp_path)
    assert ("CG504", "error") in {(r, s) for r, s, _m in findings}, findings


def test_add_dir_elsewhere_is_not_root(tmp_path: Path) -> None:
    banner = run_banner(["-s", "workspace-write", "--add-dir", "/tmp"], tmp_path, tmp_path / "h")
    assert banner.sandbox.endswith(", /tmp]")
    line = "codex exec -C . -s workspace-write --add-dir /tmp 'Fix it.' </dev/null"
    assert "CG504" not in rules(lint_line(line, tmp_path))


def _home(tmp_path: Path, files: dict[str, str]) -> Path:
    home = tmp_path / "ci" / "codex-home"
    home.mkdir(parents=True)
    for name, text in files.items():
        (home / name).write_text(text, encoding="utf-8")
    return home


def test_profile_file_in_codex_home_sets_the_sandbox(tmp_path: Path) -> None:
    home = _home(
        tmp_path, {"ci.config.toml": 'model = "gpt-5"\nsandbox_mode = "danger-full-access"\n'}
    )
    assert run_banner(["-p", "ci"], tmp_path, home).sandbox == "danger-full-access"
    assert run_banner([], tmp_path, home).sandbox == "read-only"  # only with -p ci
    findings = lint_line(
        "CODEX_HOME=ci/codex-home codex exec -C . -p ci 'Fix it.' </dev/null", tmp_path
    )
    hits = [m for r, _s, m in findings if r == "CG303"]
    assert hits and "ci/codex-home/ci.config.toml:2" in hits[0], findings
    plain = lint_line("CODEX_HOME=ci/codex-home codex exec -C . 'Fix it.' </dev/null", tmp_path)
    assert "CG303" not in rules(plain)


def test_codex_home_config_sets_the_sandbox(tmp_path: Path) -> None:
    home = _home(tmp_path, {"config.toml": 'sandbox_mode = "danger-full-access"\n'})
    assert run_banner([], tmp_path, home).sandbox == "danger-full-access"
    findings = lint_line(
        "CODEX_HOME=./ci/codex-home codex exec -C . 'Fix it.' </dev/null", tmp_path
    )
    assert "CG303" in rules(findings) and "CG301" not in rules(findings), findings
    # -s beats the layer (observed: `-s read-only` over it runs read-only).
    assert run_banner(["-s", "read-only"], tmp_path, home).sandbox == "read-only"
    narrowed = "CODEX_HOME=./ci/codex-home codex exec -C . -s read-only 'Fix it.' </dev/null"
    assert "CG303" not in rules(lint_line(narrowed, tmp_path))


def test_project_config_applies_only_when_trusted(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    (project / ".codex").mkdir(parents=True)
    (project / ".codex" / "config.toml").write_text('sandbox_mode = "danger-full-access"\n')
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    assert run_banner(["-C", "proj"], tmp_path, tmp_path / "h1").sandbox == "read-only"
    trusted = run_banner(["--trust", "-C", "proj"], tmp_path, tmp_path / "h2")
    assert trusted.sandbox == "danger-full-access"
    untrusted_findings = lint_line("codex exec -C proj 'Fix it.' </dev/null", tmp_path)
    assert ("CG303", "warning") in {(r, s) for r, s, _m in untrusted_findings}
    trusted_findings = lint_line("codex exec --trust -C proj 'Fix it.' </dev/null", tmp_path)
    assert ("CG303", "error") in {(r, s) for r, s, _m in trusted_findings}


PROVIDER = [
    "-c", "model_provider=corp",
    "-c", "model_providers.corp.name=corp",
    "-c", "model_providers.corp.base_url=http://127.0.0.1:9/v1",
    "-c", "model_providers.corp.env_key=MY_KEY",
]  # fmt: skip


def test_provider_env_key_is_the_billing_key(tmp_path: Path) -> None:
    banner = run_banner(PROVIDER, tmp_path, tmp_path / "h", first_error=True)
    assert banner.provider == "corp"
    assert any("Missing environment variable: `MY_KEY`" in e for e in banner.errors), banner
    with_key = run_banner(
        PROVIDER, tmp_path, tmp_path / "h2", env={"MY_KEY": "x"}, first_error=True
    )
    assert with_key.provider == "corp"
    assert not any("MY_KEY" in e for e in with_key.errors), with_key
    line = shlex.join(["codex", "exec", "-C", ".", "-s", "read-only", *PROVIDER, "Fix it."])
    found = {(r, s) for r, s, _m in lint_line("MY_KEY=abc " + line + " </dev/null", tmp_path)}
    assert ("CG101", "error") in found
    absent = lint_line(line + " </dev/null", tmp_path)
    assert ("CG101", "warning") in {(r, s) for r, s, _m in absent}
    assert any("MY_KEY" in m for r, _s, m in absent if r == "CG101")


def test_provider_in_codex_home_config_bills_but_project_config_is_ignored(tmp_path: Path) -> None:
    provider = (
        'model_provider = "corp"\n[model_providers.corp]\nname = "corp"\n'
        'base_url = "http://127.0.0.1:9/v1"\nenv_key = "MY_KEY"\n'
    )
    home = _home(tmp_path, {"config.toml": provider})
    assert run_banner([], tmp_path, home).provider == "corp"
    line = "CODEX_HOME=ci/codex-home MY_KEY=abc codex exec -C . -s read-only 'Fix it.' </dev/null"
    found = lint_line(line, tmp_path)
    assert ("CG101", "error") in {(r, s) for r, s, _m in found}, found
    # The same table in a project config: codex ignores model_provider there (observed).
    project = tmp_path / "proj"
    (project / ".codex").mkdir(parents=True)
    (project / ".codex" / "config.toml").write_text(provider)
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    banner = run_banner(["--trust", "-C", "proj"], tmp_path, tmp_path / "h3")
    assert banner.provider == "openai"
    ignored = lint_line(
        "MY_KEY=abc codex exec --trust -C proj -s read-only 'Fix it.' </dev/null", tmp_path
    )
    assert "CG101" not in rules(ignored), ignored


@pytest.mark.parametrize(
    ("files", "args", "observed"),
    [
        # 0.169.0 honours a permission profile in config.toml (FACTS.md has it for 0.171.0's -c).
        (
            {"config.toml": 'default_permissions = ":danger-full-access"\n'},
            [],
            "danger-full-access",
        ),
        # In one file, default_permissions wins over sandbox_mode.
        (
            {
                "config.toml": 'default_permissions = ":danger-full-access"\nsandbox_mode = "read-only"\n'
            },
            [],
            "danger-full-access",
        ),
        (
            {
                "config.toml": 'sandbox_mode = "danger-full-access"\ndefault_permissions = ":read-only"\n'
            },
            [],
            "read-only",
        ),
        # Across layers the profile's say wins, whichever key either uses.
        (
            {
                "config.toml": 'default_permissions = ":danger-full-access"\n',
                "ci.config.toml": 'sandbox_mode = "read-only"\n',
            },
            ["-p", "ci"],
            "read-only",
        ),
        (
            {
                "config.toml": 'sandbox_mode = "read-only"\n',
                "ci.config.toml": 'default_permissions = ":danger-full-access"\n',
            },
            ["-p", "ci"],
            "danger-full-access",
        ),
    ],
)
def test_permission_profiles_in_layers(
    files: dict[str, str], args: list[str], observed: str, tmp_path: Path
) -> None:
    home = _home(tmp_path, files)
    assert run_banner(args, tmp_path, home).sandbox == observed
    line = shlex.join(["codex", "exec", "-C", ".", *args, "Fix it."])
    findings = lint_line("CODEX_HOME=ci/codex-home " + line + " </dev/null", tmp_path)
    assert ("CG303" in rules(findings)) == (observed == "danger-full-access"), findings
