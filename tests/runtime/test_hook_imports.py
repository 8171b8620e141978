"""What the installed hook's codex path imports (issue 12 item 2): the engine, and not the modules
that only other doors and outputs need. Each of these cost the hook milliseconds per codex command;
this keeps them from coming back unnoticed, through a module-level import anywhere on the path."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.runtime.conftest import REPO

# Never on the codex path: the dataclass machinery (`inspect`, `ast`, `dis`), `typing`, the
# digests, `importlib.resources` (tree_sitter_bash's __init__: tempfile, shutil, bz2, lzma), the
# YAML and pydantic stack (no config file here), click; `json` (the payload and the answer are read
# and written by guard/runtime/hook.py) and `site` with its .pth start-up (the venv's site-packages
# folder is added directly); `string` (the rule messages are formatted by `_string`); `pathlib`
# with `urllib.parse`, `ipaddress` and `ntpath` (folders are joined as text: guard/purepaths.py),
# the config loader when no config file exists, the login reader when no CODEX_HOME is named;
# the engine's parts for what this command does not hold (branches, table rules, parse errors).
NOT_ON_THE_PATH = (
    # `re` with its compiler: the patterns are lazy (guard/lazyre.py, `needs` answers a text
    # without the literals), the modules import `lazy_re`, and tree_sitter's binding gets a
    # stand-in whose `compile` imports re (guard/shell/tslang.py).
    "re",
    "re._compiler",
    "bisect",  # imported where a cd, a config.toml or a line directive needs it
    "contextvars",  # guard/filereads.py takes ContextVar from _contextvars
    "contextlib",  # guard/filereads.py's `recording` is a small class
    "shlex",  # `env -S` (guard/shell/wrappers.py) and the token fallback import it
    "fnmatch",  # `ssh -o SendEnv=PATTERN` (guard/shell/walk.py) imports it
    "importlib",  # and `warnings` with it: tslang and codebundle use `_frozen_importlib*`
    "warnings",
    # `enum`: the package's own enums are guard/fastenum.py's, and tree_sitter's binding gets a
    # stand-in for its `LogType` (guard/shell/tslang.py).
    "enum",
    # `collections` (with keyword, reprlib) and `functools`: the annotations' collections.abc
    # names are imported for type checking only, lru_cache is guard/lrucache.py's.
    "collections",
    "functools",
    "keyword",
    "reprlib",
    "guard.shell.gitruns",  # imported where a command is git
    "guard.shell.printonly",  # imported at a function's second call
    "guard.engine.branches",
    "guard.engine.match",
    "guard.engine.tokens",
    "pathlib",
    "urllib.parse",
    "ipaddress",
    "ntpath",
    "guard.config",
    "guard.runtime.auth",
    "json",
    "site",
    "_distutils_hack",
    "string",
    "dataclasses",
    "inspect",
    "ast",
    "typing",
    "hashlib",
    "importlib.resources",
    "tempfile",
    "yaml",
    "pydantic",
    "click",
)

PROBE = """
import io, os, sys
sys.argv = ["hookmain.py", "claude"]
def _exit(code):  # hookmain leaves by os._exit (no finalization): report here first
    raise SystemExit(code)
os._exit = _exit
out = io.StringIO()
real_stdout, sys.stdout = sys.stdout, out
main = {main!r}
try:
    with open(main) as source:
        exec(compile(source.read(), main, "exec"), dict(__name__="__main__", __file__=main))
except SystemExit as stop:
    code = stop.code
sys.stdout = real_stdout
import gc
registry = sys.modules.get("guard.engine.registry")
examples = sum(isinstance(o, registry.Example) for o in gc.get_objects()) if registry else -1
print(repr((code, out.getvalue(), sorted(sys.modules), examples)))
"""


@pytest.mark.parametrize("config", ["", "select: [CG201]\nhook:\n  fail-closed: true\n"])
def test_the_codex_path_imports_only_what_the_check_needs(tmp_path: Path, config: str) -> None:
    if config:  # a project config: read from its cache after the first run (no YAML, pydantic)
        (tmp_path / ".codex-guard.yaml").write_text(config)
    payload = {
        "cwd": str(tmp_path),
        "hook_event_name": "PreToolUse",
        "tool_name": "Bash",
        "tool_input": {"command": 'codex exec -s read-only "summarize the repo"'},
    }
    main = str(REPO / "guard" / "hookmain.py")
    for _ in range(2):  # the first run fills the user's caches (parsed rules: PyYAML)
        done = subprocess.run(
            [sys.executable, "-E", "-P", "-S", "-c", PROBE.format(main=main)],
            input=json.dumps(payload),
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
            check=True,
        )
    code, answer, modules, examples = ast.literal_eval(done.stdout)
    assert code == 0 and '"deny"' in answer and "CG201" in answer  # the check really ran
    assert examples == 0  # the rules' examples stay YAML: the hook builds no Example
    assert "guard.engine.run" in modules and "tree_sitter._binding" in modules
    unwanted = [name for name in NOT_ON_THE_PATH if name in modules]
    # A config file is read by guard/config.py (pathlib), from its cache: JSON named by a sha256.
    config_reader = {"pathlib", "fnmatch", "urllib.parse", "ipaddress", "ntpath", "warnings"}
    # pathlib's fnmatch (re imports enum, functools, collections)
    config_reader |= {"re", "re._compiler", "enum", "functools", "collections", "keyword"}
    config_reader.add("reprlib")
    config_reader.add("guard.config")
    assert set(unwanted) == ({*config_reader, "json", "hashlib"} if config else set())


MATCH_QUERY_PROBE = """
import sys
sys.path[:0] = {paths!r}
from guard.shell.tslang import bash_language, tree_sitter_module
ts = tree_sitter_module()
assert "re" not in sys.modules, "re imported by the binding's start-up"
language = ts.Language(bash_language())
tree = ts.Parser(language).parse(b"codex exec hi; cat x; command codex")
query = ts.Query(language, '((command_name) @name (#match? @name "^co"))')
names = sorted(n.text.decode() for n in ts.QueryCursor(query).captures(tree.root_node)["name"])
import re
logged = []
parser = ts.Parser(language, logger=lambda kind, line: logged.append((int(kind), int(kind.LEX))))
parser.parse(b"codex")
import enum
print(repr((names, sys.modules["re"] is re, hasattr(re, "Pattern"), logged[0], repr(enum.IntEnum))))
"""


def test_tree_sitter_works_through_the_stand_ins() -> None:
    """The binding keeps `re.compile` for `#match?`: the stand-in's compile is the real one; and
    `enum.IntEnum` for a logger's `LogType`: the stand-in's is an int with the members."""
    import tree_sitter

    site = str(Path(tree_sitter.__file__).resolve().parent.parent)
    done = subprocess.run(
        [sys.executable, "-E", "-P", "-S", "-c", MATCH_QUERY_PROBE.format(paths=[str(REPO), site])],
        capture_output=True,
        text=True,
        check=True,
    )
    names, real_re, has_pattern, logged, int_enum = ast.literal_eval(done.stdout)
    assert names == ["codex", "command"]  # `cat` filtered out by the predicate
    assert real_re and has_pattern
    # A Parser's logger still gets the log type (the `enum` stand-in's LogType): an int whose
    # LEX member is tree-sitter's (TSLogTypeLex = 1); `import enum` afterwards is the real one.
    assert logged[1] == 1 and logged[0] in (0, 1)
    assert int_enum == "<enum 'IntEnum'>"
