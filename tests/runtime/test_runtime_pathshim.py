"""The `codex` PATH shim: finds the real codex past itself, checks exec and API-key login."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from guard.codex.grammar import supported_versions
from tests.runtime.conftest import FORCED_LOGIN_TEXT, Fake, run_guard


def _install(folder: Path, env: dict[str, str]) -> Path:
    proc = run_guard(["install-shim", str(folder)], env)
    assert proc.returncode == 0, proc.stderr
    shim = folder / "codex"
    assert os.access(shim, os.X_OK)
    return shim


def _run_codex(
    args: list[str], env: dict[str, str], cwd: Path | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        ["codex", *args],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert "Traceback" not in proc.stderr
    return proc


def test_shim_passes_version_through_to_the_real_codex(
    real_codex: str, tmp_path: Path, base_env: dict[str, str]
) -> None:
    shim_dir = tmp_path / "shim"
    _install(shim_dir, base_env)
    env = {**base_env, "PATH": f"{shim_dir}:{Path(real_codex).parent}:{base_env['PATH']}"}
    proc = _run_codex(["--version"], env)
    direct = subprocess.run([real_codex, "--version"], capture_output=True, text=True, check=False)
    assert proc.returncode == 0
    assert proc.stdout == direct.stdout
    assert proc.stdout.removeprefix("codex-cli ").strip() in supported_versions()


def test_shim_skips_a_symlink_to_itself(
    real_codex: str, tmp_path: Path, base_env: dict[str, str]
) -> None:
    shim_dir = tmp_path / "shim"
    shim = _install(shim_dir, base_env)
    link_dir = tmp_path / "link"
    link_dir.mkdir()
    (link_dir / "codex").symlink_to(shim)
    path = f"{link_dir}:{shim_dir}:{link_dir}:{Path(real_codex).parent}:{base_env['PATH']}"
    proc = _run_codex(["--version"], {**base_env, "PATH": path}, timeout=30)
    assert proc.returncode == 0
    assert proc.stdout.removeprefix("codex-cli ").strip() in supported_versions()


def test_shim_with_no_real_codex_stops_instead_of_looping(
    tmp_path: Path, base_env: dict[str, str]
) -> None:
    shim_dir = tmp_path / "shim"
    shim = _install(shim_dir, base_env)
    link_dir = tmp_path / "link"
    link_dir.mkdir()
    (link_dir / "codex").symlink_to(shim)
    env = {**base_env, "PATH": f"{shim_dir}:{link_dir}:/usr/bin:/bin"}
    proc = _run_codex(["--version"], env, timeout=30)
    assert proc.returncode == 127
    assert "no real codex found" in proc.stderr


def test_shim_passes_other_subcommands_untouched(
    fake_codex: Fake, tmp_path: Path, chatgpt_home: Path, base_env: dict[str, str]
) -> None:
    shim_dir = tmp_path / "shim"
    _install(shim_dir, base_env)
    env = {
        **base_env,
        "PATH": f"{shim_dir}:{fake_codex.folder}:{base_env['PATH']}",
        "FAKE_CODEX_LOG": str(fake_codex.log),
        "OPENAI_API_KEY": "sk-test",  # not checked for sub-commands that start no run
        "CODEX_HOME": str(chatgpt_home),
    }
    proc = _run_codex(["mcp", "list", "--json"], env)
    assert proc.returncode == 0
    assert proc.stdout.startswith("fake-stdout key=sk-test")
    assert proc.stderr == "fake-stderr\n"  # nothing of ours
    assert fake_codex.calls() == ["mcp list --json"]


def test_shim_passes_mcp_help_through_to_the_real_codex(
    real_codex: str, tmp_path: Path, base_env: dict[str, str]
) -> None:
    shim_dir = tmp_path / "shim"
    _install(shim_dir, base_env)
    env = {**base_env, "PATH": f"{shim_dir}:{Path(real_codex).parent}:{base_env['PATH']}"}
    proc = _run_codex(["mcp", "--help"], env)
    direct = subprocess.run(
        [real_codex, "mcp", "--help"], capture_output=True, text=True, check=False, env=env
    )
    assert proc.returncode == direct.returncode == 0
    assert proc.stdout == direct.stdout


def test_shim_refuses_login_with_api_key(
    fake_codex: Fake, tmp_path: Path, chatgpt_home: Path, base_env: dict[str, str]
) -> None:
    shim_dir = tmp_path / "shim"
    _install(shim_dir, base_env)
    env = {
        **base_env,
        "PATH": f"{shim_dir}:{fake_codex.folder}:{base_env['PATH']}",
        "FAKE_CODEX_LOG": str(fake_codex.log),
        "CODEX_HOME": str(chatgpt_home),
    }
    proc = _run_codex(["login", "--with-api-key"], env)
    assert proc.returncode == 3
    assert "CG102" in proc.stderr
    assert fake_codex.calls() == []


def test_shim_checks_exec_and_runs_the_real_binary_past_itself(
    fake_codex: Fake, tmp_path: Path, chatgpt_home: Path, base_env: dict[str, str]
) -> None:
    shim_dir = tmp_path / "shim"
    _install(shim_dir, base_env)
    work = tmp_path / "w"
    work.mkdir()
    env = {
        **base_env,
        "PATH": f"{shim_dir}:{fake_codex.folder}:{base_env['PATH']}",
        "FAKE_CODEX_LOG": str(fake_codex.log),
        "CODEX_HOME": str(chatgpt_home),
    }
    ok = _run_codex(["exec", "-C", str(work), "-s", "read-only", "judge"], env, cwd=work)
    assert ok.returncode == 0, ok.stderr
    assert fake_codex.calls() == [f"exec -C {work} -s read-only judge {FORCED_LOGIN_TEXT}"]
    refused = _run_codex(
        ["-m", "gpt", "e", "-C", str(work), "-s", "read-only", "judge"],
        {**env, "OPENAI_API_KEY": "sk-test"},
        cwd=work,
    )
    assert refused.returncode == 3
    assert "CG101" in refused.stderr
    assert len(fake_codex.calls()) == 1


def test_install_shim_never_overwrites_a_real_codex(
    fake_codex: Fake, base_env: dict[str, str]
) -> None:
    proc = run_guard(["install-shim", str(fake_codex.folder)], base_env)
    assert proc.returncode != 0
    assert "not a codex-guard shim" in proc.stderr
    assert "fake-stdout" in fake_codex.path.read_text()


def test_shim_reads_the_project_config(
    fake_codex: Fake, tmp_path: Path, chatgpt_home: Path, base_env: dict[str, str]
) -> None:
    """The shim starts Python without `site`; a config file (PyYAML, pydantic) still loads."""
    shim_dir = tmp_path / "shim"
    shim = _install(shim_dir, base_env)
    assert shim.read_text().startswith("#!") and " -S\n" in shim.read_text().splitlines()[0] + "\n"
    work = tmp_path / "w"
    work.mkdir()
    (work / ".codex-guard.yaml").write_text("hook:\n  refuse-exit-code: 9\n")
    env = {
        **base_env,
        "PATH": f"{shim_dir}:{fake_codex.folder}:{base_env['PATH']}",
        "CODEX_HOME": str(chatgpt_home),
        "OPENAI_API_KEY": "sk-test",
    }
    proc = _run_codex(["exec", "-C", str(work), "-s", "read-only", "judge"], env, cwd=work)
    assert proc.returncode == 9, proc.stderr
    assert "CG101" in proc.stderr


def test_shim_takes_exec_options_from_the_env(
    fake_codex: Fake, tmp_path: Path, chatgpt_home: Path, base_env: dict[str, str]
) -> None:
    """CODEX_GUARD_EXEC_OPTIONS gives the shim `exec`'s repairs (`--close-stdin` here)."""
    shim_dir = tmp_path / "shim"
    _install(shim_dir, base_env)
    work = tmp_path / "w"
    work.mkdir()
    env = {
        **base_env,
        "PATH": f"{shim_dir}:{fake_codex.folder}:{base_env['PATH']}",
        "CODEX_HOME": str(chatgpt_home),
    }
    argv = ["codex", "exec", "-C", str(work), "-s", "read-only", "judge"]

    def run(extra: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
        proc = subprocess.Popen(
            argv,
            env={**env, **extra},
            cwd=work,
            stdin=subprocess.PIPE,  # an idle open pipe
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        proc.wait(timeout=60)  # not communicate(): stdin must stay open and idle
        assert proc.stdout is not None and proc.stderr is not None
        out, err = proc.stdout.read(), proc.stderr.read()
        assert proc.stdin is not None
        proc.stdin.close()
        return subprocess.CompletedProcess(argv, proc.returncode, out, err)

    refused = run({})
    assert refused.returncode == 3 and b"CG201" in refused.stderr
    repaired = run({"CODEX_GUARD_EXEC_OPTIONS": "--close-stdin"})
    assert repaired.returncode == 0, repaired.stderr
    assert b"codex gets /dev/null" in repaired.stderr
    bad = run({"CODEX_GUARD_EXEC_OPTIONS": "--bogus"})
    assert bad.returncode == 2 and b"unknown option --bogus" in bad.stderr
