"""The hook adds the venv's site-packages itself instead of `site.main()` (issue 12 item 2): the
same folders must come out, and anything more `site` would do makes it fall back."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from guard.runtime import sitepaths
from tests.runtime.conftest import REPO

COMPARE = """
import sys
import importlib.util
spec = importlib.util.spec_from_file_location("sitepaths", {path!r})
sitepaths = importlib.util.module_from_spec(spec)
spec.loader.exec_module(sitepaths)  # not through `guard`: its folder stays off sys.path
before = list(sys.path)
fast = sitepaths.venv_site_folders()
import site
site.main()
print(repr((fast, [p for p in sys.path if p not in before])))
"""


def test_this_venv_gets_the_folders_site_main_adds() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-E",
            "-P",
            "-S",
            "-c",
            COMPARE.format(path=str(REPO / "guard" / "runtime" / "sitepaths.py")),
        ],
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    )
    fast, by_site = ast.literal_eval(done.stdout)
    if sys.prefix == sys.base_prefix:
        pytest.skip("the tests do not run in a venv")
    assert fast == by_site


def _venv(tmp_path: Path, system_site: str, pth: str = "") -> str:
    (tmp_path / "bin").mkdir()
    (tmp_path / "pyvenv.cfg").write_text(f"include-system-site-packages = {system_site}\n")
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    site_packages = tmp_path / sys.platlibdir / version / "site-packages"
    site_packages.mkdir(parents=True)
    (tmp_path / "extra").mkdir()
    if pth:
        (site_packages / "x.pth").write_text(pth)
    return str(tmp_path / "bin" / "python")


def _folders(monkeypatch: pytest.MonkeyPatch, executable: str) -> list[str] | None:
    monkeypatch.setattr(sys, "executable", executable)
    return sitepaths.venv_site_folders()


def test_a_plain_venv_adds_its_site_packages_and_pth_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exe = _venv(tmp_path, "false", f"# comment\n\n{tmp_path / 'extra'}\n/no/such/folder\n")
    folders = _folders(monkeypatch, exe)
    assert folders is not None and folders[1:] == [str(tmp_path / "extra")]
    assert folders[0].endswith("site-packages")


@pytest.mark.parametrize(
    ("system_site", "pth"),
    [
        ("true", ""),  # --system-site-packages: the system and user sites too
        ("maybe", ""),
        ("false", "import certifi_hook; certifi_hook.run()\n"),  # a .pth that runs code
    ],
)
def test_anything_more_falls_back_to_site_main(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, system_site: str, pth: str
) -> None:
    assert _folders(monkeypatch, _venv(tmp_path, system_site, pth)) is None


def test_no_venv_falls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bin").mkdir()
    assert _folders(monkeypatch, str(tmp_path / "bin" / "python")) is None


def test_a_sitecustomize_falls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    exe = _venv(tmp_path, "false")
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    (tmp_path / sys.platlibdir / version / "site-packages" / "sitecustomize.py").write_text("")
    assert _folders(monkeypatch, exe) is None
