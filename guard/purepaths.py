"""`PurePosixPath` arithmetic on plain strings, with the same results as text.

Why: the agent hook's codex path joins a few folder names per command (the linted file's folder,
the repository root, a `CODEX_HOME` or `-C` the script names); importing pathlib for them costs
about 4 ms (urllib.parse, ipaddress, fnmatch, ntpath). Each function here returns exactly
`str()` of what pathlib returns (tests/test_purepaths.py compares them), so paths shown to the user
and the lint cache's keys do not change.
"""

from __future__ import annotations


def pure(path: str) -> str:
    """`str(PurePosixPath(path))`: empty and `.` parts dropped, one or two leading slashes kept."""
    # Most paths asked are pure already (a folder made here, a realpath): with no empty part
    # (`//`, a trailing `/`) and no `.` part they are their own answer, found by a few string
    # tests instead of a split and a join (a lint asks a few hundred times per codex file).
    if (
        path
        and "//" not in path
        and "/./" not in path
        and not path.endswith(("/", "/."))
        and not path.startswith("./")
    ):
        return path
    if path.startswith("/"):
        root = "//" if path.startswith("//") and not path.startswith("///") else "/"
    else:
        root = ""
    parts = [part for part in path.split("/") if part and part != "."]
    return root + "/".join(parts) if root or parts else "."


def join(base: str, name: str) -> str:
    """`str(PurePosixPath(base) / name)` (an absolute `name` replaces `base`)."""
    if name.startswith("/"):
        return pure(name)
    head = pure(base)
    return pure(head + name if head in ("/", "//") else head + "/" + name)


def parent(path: str) -> str:
    """`str(PurePosixPath(path).parent)`."""
    text = pure(path)
    head, sep, tail = text.rpartition("/")
    if not sep:
        return "."  # one relative part (or `.`): its parent is `.`
    if not tail:
        return text  # the root is its own parent
    return head if head not in ("", "/") else head + "/"


def is_below(path: str, root: str) -> bool:
    """`PurePosixPath(root) in PurePosixPath(path).parents`."""
    here, top = pure(path), pure(root)
    while True:
        up = parent(here)
        if up == here:
            return False
        if up == top:
            return True
        here = up
