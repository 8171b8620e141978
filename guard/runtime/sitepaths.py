"""The PATH shim runs Python with `-S`: no `site`, so no .pth files at start-up.

On a machine with .pth hooks (here one imports certifi on every start) `site` costs more than
the whole cached check. The hot path needs only the standard library and `guard`, whose folder the
shim puts on sys.path itself; anything that needs third-party packages (the engine on a cache miss,
PyYAML/pydantic for a config file) calls `ensure_site()` first.

The agent hook calls `add_venv_site_packages()` instead: in the common install (a venv without
`--system-site-packages`) all that `site.main()` would add to sys.path is the venv's
site-packages folder and the folders its .pth files name, so those are added directly (~0.2 ms
against ~2.5 ms). Anything else `site` would do that could change which module an import finds
(a system or user site, a `sitecustomize`, a .pth line that runs code we do not know) makes it
fall back to `site.main()`.
"""

from __future__ import annotations

import os
import sys

# The .pth lines that run code and cannot change what the hook imports: setuptools' distutils
# shim (it answers `import distutils` alone, which the hook never imports), and setuptools'
# editable-install finder of codex-guard itself (it sits after the path finder, which finds `guard`
# in the folder the hook puts first on sys.path). Any other code line falls back to `site.main()`.
_HARMLESS_PTH_CODE = (
    "import os; var = 'SETUPTOOLS_USE_DISTUTILS';",
    "import __editable___codex_guard_",
)

_site_added = False  # add_venv_site_packages() did what site.main() would have


def ensure_site() -> None:
    """Load `site` (site-packages, .pth files) if the interpreter was started without it."""
    if sys.flags.no_site and "site" not in sys.modules and not _site_added:
        import site

        site.main()


def add_venv_site_packages() -> None:
    """Put on sys.path what `site.main()` would, without it when that is exact (see above)."""
    global _site_added
    if not sys.flags.no_site or "site" in sys.modules or _site_added:
        return
    venv = _venv_of(sys.executable)
    folders = None if venv is None else _site_folders(venv)
    if venv is None or folders is None:
        ensure_site()
        return
    for folder in folders:
        if folder not in sys.path:
            sys.path.append(folder)
    sys.prefix = sys.exec_prefix = venv  # as site.venv() sets them
    _site_added = True


def venv_site_folders() -> list[str] | None:
    """The folders `site.main()` would append to sys.path for this interpreter, in its order;
    None when it would do more than that (or this is not a plain venv)."""
    venv = _venv_of(sys.executable)
    return None if venv is None else _site_folders(venv)


def _site_folders(venv: str) -> list[str] | None:
    if _has_sitecustomize(sys.path):
        return None
    folders: list[str] = []
    libdirs = [sys.platlibdir] if sys.platlibdir == "lib" else [sys.platlibdir, "lib"]
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    for libdir in libdirs:
        site_packages = os.path.join(venv, libdir, version, "site-packages")
        if not os.path.isdir(site_packages) or site_packages in folders:
            continue
        if _has_sitecustomize([site_packages]):
            return None
        folders.append(site_packages)
        pth_paths = _pth_paths(site_packages)
        if pth_paths is None:
            return None
        folders.extend(p for p in pth_paths if p not in folders)
    return folders


def _venv_of(executable: str) -> str | None:
    """The venv folder of `executable` when its pyvenv.cfg says no system site-packages (then
    `site` adds neither the system's nor the user's site folder); else None."""
    if not executable:
        return None
    exe_dir = os.path.dirname(os.path.abspath(executable))  # as site.venv() finds it
    for folder in (exe_dir, os.path.dirname(exe_dir)):
        config = os.path.join(folder, "pyvenv.cfg")
        if os.path.isfile(config):
            break
    else:
        return None
    system_site = None
    try:
        with open(config, encoding="utf-8") as lines:
            for line in lines:
                key, eq, value = line.partition("=")
                if eq and key.strip().lower() == "include-system-site-packages":
                    system_site = value.strip().lower()
    except (OSError, UnicodeDecodeError):
        return None
    # site.venv(): anything but "true" means false; be strict and fall back on odd values.
    return folder if system_site == "false" else None


def _has_sitecustomize(folders: list[str]) -> bool:
    """`site.main()` would import a sitecustomize found in one of `folders`."""
    for folder in folders:
        base = os.path.join(folder, "sitecustomize")
        if os.path.isdir(base) or any(
            os.path.exists(base + ext) for ext in (".py", ".pyc", ".so", ".abi3.so")
        ):
            return True
        if folder.endswith(".zip") and os.path.exists(folder):  # a zip may hold one
            return True
    return False


def _pth_paths(site_packages: str) -> list[str] | None:
    """The folders the .pth files of `site_packages` add, in site's order (sorted names); None
    when one holds code beyond the known-harmless lines, or cannot be read."""
    try:
        names = sorted(n for n in os.listdir(site_packages) if n.endswith(".pth"))
    except OSError:
        return None
    found: list[str] = []
    for name in names:
        if name.startswith("."):
            return None  # Python 3.13's site skips hidden .pth files, older ones read them
        try:
            with open(os.path.join(site_packages, name), "rb") as pth:
                text = pth.read().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
            if line.startswith("#") or not line.strip():
                continue
            if line.startswith(("import ", "import\t")):
                if line.startswith(_HARMLESS_PTH_CODE):
                    continue
                return None
            folder = os.path.abspath(os.path.join(site_packages, line.rstrip()))
            if folder not in found and os.path.exists(folder):
                found.append(folder)
    return found
