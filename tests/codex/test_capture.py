"""`python -m guard.codex.capture PATH_TO_CODEX`: the grammar's source texts refreshed in one command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from guard.codex.capture import help_flag_specs
from guard.codex.grammar import HELP_FILES, HELP_ROOT, grammar_for
from tests.codex.realbin import real_codex


def _capture(codex: str, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "guard.codex.capture", codex, "--out", str(out)],
        capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


@pytest.mark.parametrize("version", ["0.171.0", "0.169.0"])
def test_capture_reproduces_the_shipped_texts(version: str, tmp_path: Path) -> None:
    binary = real_codex(version)
    if binary is None:
        pytest.skip(f"codex-cli {version} not installed (.ci/install-codex {version})")
    proc = _capture(str(binary), tmp_path)
    assert proc.returncode == 0, proc.stderr
    folder = tmp_path / version
    for name in HELP_FILES:
        assert (folder / name).read_bytes() == (HELP_ROOT / version / name).read_bytes(), name
    hidden = (folder / "hidden.txt").read_text()
    assert "exec\t--yolo\taccepted" in hidden
    assert "exec\t--full-auto\trejected" in hidden
    assert "exec resume\t--sandbox\trejected" in hidden
    assert (folder / f"grammar-{version}.txt").is_file()


def test_proposed_specs_match_the_table() -> None:
    for name, path in HELP_FILES.items():
        command = grammar_for("0.171.0").command(path)
        assert command is not None
        specs = help_flag_specs((HELP_ROOT / "0.171.0" / name).read_text())
        names = {n for s in specs for n in (s.long, s.short) if n}
        assert names == command.visible_flag_names(), path
        for spec in specs:
            table = command.flag(spec.long)
            assert table is not None and table.takes_value == spec.takes_value, spec.long
            if spec.choices:
                assert spec.choices == table.choices


def test_capture_names_what_a_new_codex_adds(tmp_path: Path) -> None:
    """A codex that prints 0.171.0's help with one more exec flag: the diff names it."""
    fake = tmp_path / "codex"
    helps = {path: (HELP_ROOT / "0.171.0" / name) for name, path in HELP_FILES.items()}
    exec_help = (
        helps["exec"]
        .read_text()
        .replace("  -h, --help\n", "      --brand-new <X>\n          New\n\n  -h, --help\n", 1)
    )
    (tmp_path / "exec.txt").write_text(exec_help)
    cases = "\n".join(
        f'  "{path} --help"|"{path} SID --help") cat "{file}" ;;'
        for path, file in helps.items()
        if path
    )
    fake.write_text(
        "#!/bin/bash\n"
        'if [ "$1" = --version ]; then echo "codex-cli 0.172.0"; exit 0; fi\n'
        'case "$*" in\n'
        f'  "exec --help") cat "{tmp_path / "exec.txt"}" ;;\n'
        f"{cases}\n"
        f'  "--help") cat "{helps[""]}" ;;\n'
        "  *) exit 2 ;;\n"
        "esac\n"
    )
    fake.chmod(0o755)
    proc = _capture(str(fake), tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    assert "exec: added --brand-new; removed - (vs 0.171.0)" in proc.stdout
    proposed = (tmp_path / "out" / "0.172.0" / "grammar-0.172.0.txt").read_text()
    assert "FlagSpec('--brand-new', None, 'X')" in proposed


def test_capture_of_something_else_is_one_line(tmp_path: Path) -> None:
    proc = _capture("/bin/false", tmp_path)
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr
