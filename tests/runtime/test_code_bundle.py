"""The installed hook's code bundle (guard/runtime/codebundle.py): the compiled code of the guard
modules on the codex path in one private file. It caches code, never answers: an edited module is
read from its source, and a bundle that is damaged, foreign or writable by others is ignored."""

from __future__ import annotations

import ast
import json
import marshal
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.runtime.conftest import REPO

CODEX_COMMAND = 'codex exec -s read-only "summarize the repo"'  # CG201: stdin left open
REFUSED = "codex-guard refused this command."

# Runs the copy's hookmain.py as the installed hook runs it, then reports what answered and which
# loader brought in the engine (the bundle's, or the normal source loader).
PROBE = """
import io, os, sys
sys.argv = ["hookmain.py", "claude"]
def _exit(code):  # hookmain leaves by os._exit (no finalization): report here first
    raise SystemExit(code)
os._exit = _exit
out = io.StringIO()
real_stdout, sys.stdout = sys.stdout, out
main = {main!r}
code = None
try:
    with open(main) as source:
        exec(compile(source.read(), main, "exec"), dict(__name__="__main__", __file__=main))
except SystemExit as stop:
    code = stop.code
sys.stdout = real_stdout
run = sys.modules.get("guard.engine.run")
loader = type(run.__spec__.loader).__name__ if run else None
print(repr((code, out.getvalue(), loader, run.__file__ if run else None)))
"""


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A copy of the package (guard/, rules/) whose sources a test may edit."""
    root = tmp_path / "pkg"
    root.mkdir()
    shutil.copytree(REPO / "guard", root / "guard", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "rules", root / "rules")
    return root


def run_hook(root: Path, home: Path) -> tuple[int, str, str, str]:
    payload = {
        "cwd": str(home),
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": CODEX_COMMAND},
    }
    done = subprocess.run(
        [
            sys.executable,
            "-E",
            "-P",
            "-S",
            "-c",
            PROBE.format(main=str(root / "guard/hookmain.py")),
        ],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        cwd=home,
        env={"PATH": "/usr/bin:/bin", "HOME": str(home)},
        check=True,
    )
    assert "Traceback" not in done.stderr
    code, answer, loader, where = ast.literal_eval(done.stdout.strip().splitlines()[-1])
    return code, answer, loader, where


def bundle_files(home: Path) -> list[Path]:
    return sorted((home / ".cache" / "codex-guard" / "code").glob("hook-*.marshal"))


def denied_cg201(answer: str) -> bool:
    reason = json.loads(answer)["hookSpecificOutput"]["permissionDecisionReason"]
    return reason.startswith(REFUSED) and "CG201" in reason


def test_the_second_codex_command_takes_the_guard_modules_from_the_bundle(
    package: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    code, answer, loader, where = run_hook(package, home)
    assert code == 0 and denied_cg201(answer)
    assert loader == "SourceFileLoader"  # no bundle yet
    [bundle] = bundle_files(home)
    assert stat.S_IMODE(bundle.stat().st_mode) == 0o600
    assert stat.S_IMODE(bundle.parent.stat().st_mode) == 0o700
    written = bundle.stat().st_mtime_ns

    code, again, loader, where = run_hook(package, home)
    assert (code, again) == (0, answer)  # the same answer, from the same code
    assert loader == "_BundleLoader"
    assert where == str(package / "guard" / "engine" / "run.py")  # __file__ is the source's
    assert bundle.stat().st_mtime_ns == written  # nothing new to keep: not written again


def test_an_edited_module_is_read_from_its_source_not_the_bundle(
    package: Path, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    run_hook(package, home)
    report = package / "guard" / "runtime" / "report.py"
    text = report.read_text()
    assert REFUSED in text
    report.write_text(text.replace(REFUSED, "EDITED: codex-guard refused this command."))

    code, answer, loader, _ = run_hook(package, home)
    assert code == 0 and '"deny"' in answer and "EDITED: codex-guard refused" in answer
    assert loader == "_BundleLoader"  # the unchanged modules still came from the bundle
    # ...and the bundle now holds the edited module's code, for the next run.
    code, answer, _, _ = run_hook(package, home)
    assert "EDITED: codex-guard refused" in answer


def _rewrite_report_in_bundle(package: Path, bundle: Path, old: str, new: str) -> None:
    """Put other code for guard.runtime.report in the bundle, under the source's own size and
    mtime (what only the bundle's owner can do)."""
    from guard.runtime.codebundle import decode, encode

    root = str(package)
    entries = decode(root, bundle.read_bytes())
    assert entries
    is_package, size, mtime_ns, _ = entries["guard.runtime.report"]
    source = package / "guard" / "runtime" / "report.py"
    code = compile(source.read_text().replace(old, new), str(source), "exec", dont_inherit=True)
    entries["guard.runtime.report"] = (is_package, size, mtime_ns, marshal.dumps(code))
    bundle.write_bytes(encode(root, entries))


@pytest.mark.parametrize("mode", [0o644, 0o620, 0o606])
def test_a_bundle_others_may_write_or_read_is_ignored(
    package: Path, tmp_path: Path, mode: int
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    run_hook(package, home)
    [bundle] = bundle_files(home)
    _rewrite_report_in_bundle(package, bundle, REFUSED, "PLANTED")
    os.chmod(bundle, 0o600)
    _, answer, loader, _ = run_hook(package, home)
    assert "PLANTED" in answer and loader == "_BundleLoader"  # the file is read when it is ours

    _rewrite_report_in_bundle(package, bundle, REFUSED, "PLANTED")
    os.chmod(bundle, mode)
    code, answer, loader, _ = run_hook(package, home)
    assert code == 0 and denied_cg201(answer) and "PLANTED" not in answer
    assert loader == "SourceFileLoader"


def test_a_bundle_in_a_folder_others_may_write_is_ignored(package: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    run_hook(package, home)
    [bundle] = bundle_files(home)
    _rewrite_report_in_bundle(package, bundle, REFUSED, "PLANTED")
    os.chmod(bundle.parent, 0o777)
    try:
        code, answer, loader, _ = run_hook(package, home)
    finally:
        os.chmod(bundle.parent, 0o700)
    assert code == 0 and denied_cg201(answer) and "PLANTED" not in answer
    assert loader == "SourceFileLoader"


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # cut short
        lambda data: b"\0" * 64,  # not a bundle
        lambda data: data[:40] + b"\xff" * 200 + data[240:],  # garbled header
    ],
)
def test_a_damaged_bundle_is_ignored_and_written_again(
    package: Path, tmp_path: Path, damage: object
) -> None:
    home = tmp_path / "home"
    home.mkdir()
    _, answer, _, _ = run_hook(package, home)
    [bundle] = bundle_files(home)
    bundle.write_bytes(damage(bundle.read_bytes()))  # type: ignore[operator]
    code, again, loader, _ = run_hook(package, home)
    assert (code, again) == (0, answer) and loader == "SourceFileLoader"
    _, _, loader, _ = run_hook(package, home)
    assert loader == "_BundleLoader"  # the damaged file was replaced


def test_a_damaged_entry_is_compiled_from_its_source(package: Path, tmp_path: Path) -> None:
    from guard.runtime.codebundle import decode, encode

    home = tmp_path / "home"
    home.mkdir()
    _, answer, _, _ = run_hook(package, home)
    [bundle] = bundle_files(home)
    entries = decode(str(package), bundle.read_bytes())
    for name in ("guard.engine.run", "guard.runtime.report"):
        is_package, size, mtime_ns, code = entries[name]
        entries[name] = (is_package, size, mtime_ns, b"\xff" + bytes(code[1:]))  # not code
    bundle.write_bytes(encode(str(package), entries))
    code, again, loader, _ = run_hook(package, home)
    assert (code, again) == (0, answer)  # the same check, not an internal error
    assert loader == "_BundleLoader"  # served, then compiled by the normal loader


def test_a_bundle_is_tied_to_its_package_folder(
    package: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another copy of codex-guard (another folder) neither reads nor serves this one's code."""
    from guard.runtime import codebundle

    home = tmp_path / "home"
    home.mkdir()
    run_hook(package, home)
    [bundle] = bundle_files(home)
    other = tmp_path / "other"
    shutil.copytree(package, other)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert codebundle.bundle_path(str(package)) == str(bundle)
    assert codebundle.bundle_path(str(other)) != str(bundle)
    assert codebundle.read_entries(str(package))  # this folder's bundle reads
    shutil.copy(bundle, codebundle.bundle_path(str(other)))
    assert codebundle.read_entries(str(other)) == {}  # its header names the other folder
    code, answer, loader, _ = run_hook(other, home)
    assert code == 0 and denied_cg201(answer) and loader == "SourceFileLoader"


def test_the_finder_serves_a_submodule_only_below_its_own_folder(tmp_path: Path) -> None:
    from guard.runtime.codebundle import BundleFinder

    root = str(REPO)
    entry = (False, 1, 1, b"")
    finder = BundleFinder(root, {"guard.engine.run": entry, "json": entry})
    elsewhere = [str(tmp_path / "guard" / "engine")]
    assert finder.find_spec("guard.engine.run", elsewhere) is None  # another __path__
    assert finder.find_spec("json", None) is None  # not ours
    assert finder.find_spec("guard.engine.run", [str(REPO / "guard" / "engine")]) is None  # stale


def test_the_hook_exits_with_its_answer_flushed_and_its_caches_written(tmp_path: Path) -> None:
    """hookmain.py leaves by os._exit (no interpreter finalization): the answer must be out in
    full, the exit code the contract's, and the atexit work (fastclass's cache) done."""
    home = tmp_path / "home"
    home.mkdir()
    payload = {"cwd": str(home), "tool_name": "Bash", "tool_input": {"command": CODEX_COMMAND}}
    done = subprocess.run(
        [sys.executable, "-E", "-P", "-S", str(REPO / "guard" / "hookmain.py"), "codex"],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        cwd=home,
        env={"PATH": "/usr/bin:/bin", "HOME": str(home)},
    )
    assert done.returncode == 2  # codex's contract: deny by exit 2, the reason on stderr
    assert denied_cg201(done.stdout) and done.stdout.endswith("}\n")
    assert "CG201" in done.stderr and "Traceback" not in done.stderr
    assert list((home / ".cache" / "codex-guard" / "fastclass").glob("init-*.marshal"))
    assert bundle_files(home)
