"""The config.toml layers a codex run reads, where the linter can see them.

Observed on 0.169.0 (tests/codex/test_config_layers_realcli.py): codex reads
`$CODEX_HOME/config.toml`, then `$CODEX_HOME/NAME.config.toml` for `-p NAME` (FACTS.md), then a
project's `.codex/config.toml` only when the project is trusted (`--trust`, or trust stored in the
user config; untrusted: "Untrusted project-local configuration is disabled"), then `-c`, then `-s`.
A project layer may not set `model_provider`/`model_providers` ("Ignored unsupported project-local
config keys"), so only the home layers can pick a billing provider.

Layers are read from the repository being linted (a `CODEX_HOME` that names a folder in it, a
project `.codex/config.toml` between the linted file and the repository root) or from what the
script itself writes before the run (`cat > "$CODEX_HOME/config.toml" <<EOF`); at the runtime
doors, from the Codex home the command line names on this machine (guard/engine/doorhome.py).
Each file is parsed with tomllib once per path and mtime; a file that is not TOML is a
:class:`LayerError`, never a crash. A danger-full-access set by a layer is CG303, with the
config line as related location.
"""

from __future__ import annotations

import os
import stat

from guard import filereads, purepaths
from guard.codex.call import CodexCall
from guard.engine.doorhome import door_home
from guard.fastclass import dataclass, field
from guard.fastenum import StrEnum
from guard.lazyre import lazy_compile
from guard.lazyre import lazy_re as re
from guard.lrucache import lru_cache
from guard.settings import Settings
from guard.shell.model import Command, Script, Span
from guard.sources.snippet import Snippet

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:  # the hook's codex path does not import collections.abc
    from collections.abc import Callable, Sequence

    from guard.engine.writes import FileWrite

# Folders are plain strings here, each `str()` of the Path it was (guard/purepaths.py): the hook's
# codex path asks for them on every command and does not import pathlib.

# `$PWD/x`, `${GITHUB_WORKSPACE}/x`, `$(pwd)/x`: the repository (or the cwd in it) spelled out.
_ROOT_PREFIX = lazy_compile(
    r"^(\$\{?(PWD|GITHUB_WORKSPACE|CI_PROJECT_DIR|WORKSPACE|REPO_ROOT)\}?|\$\(pwd\)|`pwd`)/",
    needs=("$", "`"),
)
_HOME_MARKERS = ("CODEX_HOME", "~/.codex/", "$HOME/.codex/", "${HOME}/.codex/")


class LayerKind(StrEnum):
    HOME = "home"  # $CODEX_HOME/config.toml
    PROFILE = "profile"  # $CODEX_HOME/NAME.config.toml for -p NAME
    PROJECT = "project"  # .codex/config.toml of the project (read only when it is trusted)


@dataclass(frozen=True, slots=True)
class TomlDoc:
    """A parsed config file and the line of each dotted key (for related locations)."""

    data: dict[str, object]
    lines: dict[tuple[str, ...], int]
    columns: dict[tuple[str, ...], int] = field(default_factory=dict)

    def position(self, key: tuple[str, ...]) -> tuple[int, int]:
        """Where `key` is written (its nearest written parent, else line 1)."""
        for size in range(len(key), 0, -1):
            if key[:size] in self.lines:
                return self.lines[key[:size]], self.columns.get(key[:size], 1)
        return 1, 1


@dataclass(frozen=True, slots=True)
class LayerError:
    """A config file codex would read that is not TOML: reported, never raised."""

    path: str
    line: int
    message: str


def toml_get(data: object, key: tuple[str, ...]) -> object:
    """The value at a dotted key of a TOML document, or None where any part is missing."""
    for part in key:
        if not isinstance(data, dict) or part not in data:
            return None
        data = data[part]
    return data


@dataclass(frozen=True, slots=True)
class Layer:
    kind: LayerKind
    path: str  # the file (a repository path) or the write's target as written
    doc: TomlDoc
    first_line: int  # file line of the document's line 1 (a here-doc body sits lower)
    written_to: str = ""  # the target as written, when the script writes it before the run
    file: str = ""  # the path for a related location, in the style of the linted file's path
    copied: bool = False  # written_to holds a copy of the repository file ``path``
    certain: bool = True  # False: a project layer codex reads only if the project is trusted

    def line_of(self, key: tuple[str, ...]) -> int:
        return self.first_line + self.doc.lines.get(key, 1) - 1

    def get(self, *key: str) -> object:
        return toml_get(self.doc.data, key)


@dataclass(frozen=True, slots=True)
class LayerValue:
    """A config value some layer sets for a run, and where it says so."""

    value: object
    layer: Layer
    key: tuple[str, ...]
    raw: object = None  # what the file says, when ``value`` is read from it (a permission profile)

    @property
    def said(self) -> str:
        """`key = "value"` as the file says it, for messages."""
        raw = self.value if self.raw is None else self.raw
        return f'{".".join(self.key)} = "{raw}"'

    @property
    def line(self) -> int:
        return self.layer.line_of(self.key)

    @property
    def where(self) -> str:
        return f"{self.layer.path}:{self.line}"


class _KeyScanner:
    """Where each key of a TOML document is written: tomllib gives values but no positions.

    A small scanner over text tomllib has already accepted: `[table]` and `[[array]]` headers,
    dotted and quoted keys, inline tables (`set = { OPENAI_API_KEY = "..." }`, keys recorded at
    their own column), and the strings, arrays and comments it must step over so that text inside
    them is never read as a key. Each key path gets its first (line, column), 1-based.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.at = 0
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.found: dict[tuple[str, ...], tuple[int, int]] = {}

    def position(self, index: int) -> tuple[int, int]:
        from bisect import bisect_right  # only where a config.toml is scanned (~0.3 ms import)

        line = bisect_right(self.starts, index)
        return line, index - self.starts[line - 1] + 1

    def peek(self, ahead: int = 0) -> str:
        index = self.at + ahead
        return self.text[index] if index < len(self.text) else ""

    def blanks(self, newlines: bool = False) -> None:
        while self.at < len(self.text):
            char = self.text[self.at]
            if char in " \t\r" or (newlines and char == "\n"):
                self.at += 1
            elif newlines and char == "#":
                self.skip_comment()
            else:
                return

    def skip_comment(self) -> None:
        end = self.text.find("\n", self.at)
        self.at = len(self.text) if end < 0 else end

    def record(self, path: tuple[str, ...], index: int) -> None:
        for size in range(1, len(path) + 1):
            self.found.setdefault(path[:size], self.position(index))

    def key(self) -> tuple[tuple[str, ...], int]:
        """A dotted key at the cursor: its parts and where it starts."""
        start = self.at
        parts: list[str] = []
        while True:
            self.blanks()
            char = self.peek()
            if char in "\"'":
                end = self.text.find(char, self.at + 1)
                while char == '"' and end > 0 and self.text[end - 1] == "\\":
                    end = self.text.find(char, end + 1)
                end = len(self.text) if end < 0 else end
                raw = self.text[self.at + 1 : end]
                parts.append(_unescape(raw) if char == '"' else raw)
                self.at = end + 1
            else:
                bare = re.compile(r"[A-Za-z0-9_-]*").match(self.text, self.at)
                parts.append(bare.group(0) if bare else "")
                self.at = bare.end() if bare else self.at
            self.blanks()
            if self.peek() != ".":
                return tuple(parts), start
            self.at += 1

    def value(self, path: tuple[str, ...] | None) -> None:
        """Step over one value; an inline table's keys are recorded under `path`."""
        self.blanks()
        text, char = self.text, self.peek()
        if text.startswith(('"""', "'''"), self.at):
            quote = text[self.at : self.at + 3]
            end = text.find(quote, self.at + 3)
            while quote == '"""' and end > 0 and text[end - 1] == "\\":
                end = text.find(quote, end + 1)
            self.at = len(text) if end < 0 else end + 3
            while self.peek() == quote[0]:  # up to two quotes may close the string
                self.at += 1
        elif char in "\"'":
            end = text.find(char, self.at + 1)
            while char == '"' and end > 0 and _escaped(text, end):
                end = text.find(char, end + 1)
            self.at = len(text) if end < 0 else end + 1
        elif char == "{":
            self.at += 1
            while self.at < len(text):
                self.blanks()
                if self.peek() in ("}", ""):
                    self.at += 1
                    return
                if self.peek() == ",":
                    self.at += 1
                    continue
                parts, start = self.key()
                if path is not None:
                    self.record((*path, *parts), start)
                if self.peek() != "=":
                    return
                self.at += 1
                self.value(None if path is None else (*path, *parts))
        elif char == "[":
            self.at += 1
            while self.at < len(text):
                self.blanks(newlines=True)
                if self.peek() in ("]", ""):
                    self.at += 1
                    return
                if self.peek() == ",":
                    self.at += 1
                    continue
                before = self.at
                self.value(None)  # an array's tables are not keys of the document
                if self.at == before:
                    self.at += 1
        else:
            found = re.compile(r"[^,\]}#\n]*").match(text, self.at)
            self.at = found.end() if found and found.end() > self.at else self.at + 1

    def scan(self) -> dict[tuple[str, ...], tuple[int, int]]:
        table: tuple[str, ...] = ()
        while self.at < len(self.text):
            self.blanks(newlines=True)
            if self.at >= len(self.text):
                break
            if self.peek() == "[":
                double = self.peek(1) == "["
                self.at += 2 if double else 1
                table, start = self.key()
                self.record(table, start)
                self.skip_comment()
                continue
            before = self.at
            parts, start = self.key()
            if self.peek() == "=" and parts != ("",):
                self.record((*table, *parts), start)
                self.at += 1
                self.value((*table, *parts))
            if self.at == before:
                self.at += 1
            self.skip_comment()  # the rest of the line: a comment, or nothing
        return self.found


def _escaped(text: str, index: int) -> bool:
    """The character at `index` follows an odd run of backslashes."""
    count = 0
    while index - count - 1 >= 0 and text[index - count - 1] == "\\":
        count += 1
    return count % 2 == 1


def _unescape(raw: str) -> str:
    """A basic-string key as TOML reads it (`"a\\u0062"` is `ab`)."""
    if "\\" not in raw:
        return raw
    import tomllib

    try:
        value = tomllib.loads(f'k = "{raw}"')["k"]
    except tomllib.TOMLDecodeError:
        return raw
    return value if isinstance(value, str) else raw


def key_positions(text: str) -> dict[tuple[str, ...], tuple[int, int]]:
    """The 1-based (line, column) of each key path written in a TOML document tomllib accepted."""
    scanner = _KeyScanner(text)
    try:
        return scanner.scan()
    except (IndexError, ValueError, RecursionError):  # a pointer is best effort, never a crash
        return scanner.found


def parse_toml(text: str, path: str) -> TomlDoc | LayerError:
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"line (\d+)", str(exc))
        return LayerError(path, int(found.group(1)) if found else 1, str(exc))
    except (RecursionError, ValueError) as exc:
        return LayerError(path, 1, f"{type(exc).__name__}: {exc}")
    positions = key_positions(text)
    return TomlDoc(
        data=data,
        lines={key: line for key, (line, _c) in positions.items()},
        columns={key: column for key, (_l, column) in positions.items()},
    )


@lru_cache(maxsize=256)
def _read_cached(path: str, _mtime_ns: int, _size: int) -> TomlDoc | LayerError:
    try:
        with open(path, encoding="utf-8") as file:
            text = file.read()
    except (OSError, UnicodeDecodeError) as exc:
        return LayerError(path, 1, f"cannot read: {exc}")
    return parse_toml(text, path)


def read_toml(path: str | os.PathLike[str]) -> TomlDoc | LayerError | None:
    """A config file of the repository, parsed once per path and mtime; None when absent."""
    st = filereads.stat_noted(path)  # the lint cache: an edit, or creating it, is a miss
    if st is None or not stat.S_ISREG(st.st_mode):
        return None
    return _read_cached(os.fspath(path), st.st_mtime_ns, st.st_size)


# --- where the layers are --------------------------------------------------------------------


def _git_root(start: str) -> str | None:
    folder = start
    while True:
        git = purepaths.join(folder, ".git")
        if filereads.kind_noted(git) in filereads.PRESENT:
            return folder
        up = purepaths.parent(folder)
        if up == folder:
            return None
        folder = up


def snippet_folder(snippet: Snippet) -> str:
    """The linted file's folder, as `Path(snippet.path).parent`."""
    return purepaths.parent(snippet.path)


# The last path's two folders (as `Path(path).parent`, and `os.path.dirname`): `write_bases` is
# asked four times a codex run, always of the same snippet path (a function of the text alone).
_LAST_FOLDERS: list[tuple[str, str, str]] = []


def write_bases(snippet: Snippet, settings: Settings) -> tuple[str, ...]:
    """The folders a script's relative copy sources are read from (guard/engine/writes.py): the
    linted file's folder, then search_roots."""
    filereads.note(filereads.CWD, "")  # as search_roots
    path = snippet.path
    if not _LAST_FOLDERS or _LAST_FOLDERS[0][0] != path:
        _LAST_FOLDERS[:] = [(path, snippet_folder(snippet), os.path.dirname(path) or ".")]
    _path, here, folder = _LAST_FOLDERS[0]
    return _write_bases(here, folder, settings.root, os.getcwd())


@filereads.replaying_cache(maxsize=256)
def _write_bases(here: str, folder: str, config_root: str, cwd: str) -> tuple[str, ...]:
    # Asked for every codex run: one answer (and one tuple object) per folder and run, not one
    # per call (a file holds several runs; a tree holds thousands of files per folder).
    return (here, *_search_roots(folder, config_root, cwd))


def search_roots(snippet: Snippet, settings: Settings) -> list[str]:
    """Where a config file may be read from: the linted file's repository (its git root, else
    the codex-guard config's folder, else the file's folder) and the folder lint runs in."""
    folder = os.path.dirname(snippet.path) or "."  # not pathlib: asked for every codex run
    filereads.note(filereads.CWD, "")
    return list(_search_roots(folder, settings.root, os.getcwd()))


def _real_folder(path: str) -> str:
    """`filereads.real_noted(path)`, once a run per path (and working folder, for a relative
    one): the search roots, the test that a folder is inside them and the walk up to the
    project configs each resolve the linted file's folder (three resolutions, a `lstat` per
    part each, where one serves)."""
    return _real_from(path, "" if path.startswith("/") else os.getcwd())


@filereads.replaying_cache(maxsize=256)
def _real_from(path: str, cwd: str) -> str:
    # `cwd` keys the answer only: a relative path is resolved against the working folder.
    return filereads.real_noted(path)


@filereads.replaying_cache(maxsize=256)
def _search_roots(folder: str, config_root: str, cwd: str) -> tuple[str, ...]:
    # Asked for every codex run of every file: a folder's answer (realpath, the walk up to .git)
    # is the same for all of them.
    here = purepaths.pure(_real_folder(folder))
    roots = [_git_root(here) or here]
    if config_root not in ("", "."):
        roots.append(purepaths.pure(filereads.real_noted(config_root)))
    roots.append(purepaths.pure(filereads.realpath(cwd)))
    return tuple(dict.fromkeys(roots))


def _inside(path: str, root: str) -> bool:
    real = purepaths.pure(_real_folder(path))
    return real == root or purepaths.is_below(real, root)


def _inside_any(path: str, roots: Sequence[str]) -> bool:
    return _inside_roots(path, tuple(roots))


@filereads.replaying_cache(maxsize=256)
def _inside_roots(path: str, roots: tuple[str, ...]) -> bool:
    # Asked for every codex run: the answer (a realpath each) is the same for a folder's runs.
    return any(_inside(path, root) for root in roots)


@filereads.replaying_cache(maxsize=8)
def _real_home(home: str | None) -> str:
    """The user's home, resolved; keyed by $HOME (Path.home() reads it) so a changed HOME counts."""
    filereads.note(filereads.ENV, "HOME")
    user_home = purepaths.pure(os.path.expanduser("~"))  # Path.home()
    return purepaths.pure(filereads.real_noted(user_home))


def _resolve_dir(text: str, bases: Sequence[str], roots: Sequence[str]) -> str | None:
    """A folder named in the script, when it is one of the repository's."""
    text = _ROOT_PREFIX.sub("", text.strip().strip("'\""))
    if not text or "$" in text or "`" in text or text.startswith("~"):
        return None
    if text.startswith("/"):
        candidates = [purepaths.pure(text)]
    else:
        candidates = [purepaths.join(b, text) for b in bases]
    for candidate in candidates:
        if filereads.kind_noted(candidate) == "dir" and _inside_any(candidate, roots):
            return candidate
    return None


def _codex_home_text(snippet: Snippet, command: Command) -> str | None:
    binding = command.env_var("CODEX_HOME")
    if binding is not None:
        return binding.value.text if binding.value is not None else None
    if command.inherits("CODEX_HOME"):
        for name, value, _line in snippet.external_env:
            if name == "CODEX_HOME":
                return value
    return None


@filereads.replaying_cache(maxsize=256)
def _project_candidates(start: str, root: str) -> tuple[tuple[str, str], ...]:
    """Each folder from the run's folder up to the repository root, with the path of the
    project config.toml codex would read there (os.path.isfile per call stays live)."""
    return tuple(
        (folder, purepaths.join(folder, ".codex/config.toml"))
        for folder in _project_dirs_of(start, root)
    )


@filereads.replaying_cache(maxsize=256)
def _project_dirs_of(start: str, root: str) -> tuple[str, ...]:
    """From the run's folder up to the repository root (nearest first), as codex looks."""
    dirs: list[str] = []
    here = purepaths.pure(_real_folder(start))
    while True:
        dirs.append(here)
        git = purepaths.join(here, ".git")
        present = filereads.kind_noted(git) in filereads.PRESENT
        up = purepaths.parent(here)
        if here == root or present or up == here:
            return tuple(dirs)
        if not purepaths.is_below(here, root):
            return tuple(dirs)
        here = up


def _file_layer(
    kind: LayerKind, path: str, root: str, certain: bool, absolute: bool
) -> Layer | LayerError | None:
    doc = read_toml(path)
    if doc is None or isinstance(doc, LayerError):
        return doc
    real = os.path.realpath(path)
    shown = os.path.relpath(real, root) if _inside(path, root) else real
    file = real if absolute else os.path.relpath(real)
    return Layer(kind, shown, doc, 1, certain=certain, file=file)


def _written_kind(target: str, home_text: str | None, profile: str | None) -> LayerKind | None:
    """Which layer a `config.toml` the script writes is, for this run (None: none it reads)."""
    clean = target.strip("'\"")
    name = clean.rstrip("/").rsplit("/", 1)[-1]
    folder = clean.rsplit("/", 1)[0] if "/" in clean else "."
    default_home = any(m in clean for m in _HOME_MARKERS[1:])  # ~/.codex, $HOME/.codex
    in_home = (
        "CODEX_HOME" in clean
        or (home_text is None and default_home)
        or (home_text is not None and folder.rstrip("/") == home_text.strip("'\"").rstrip("/"))
    )
    if name == "config.toml":
        if in_home:
            return LayerKind.HOME
        if folder.endswith(".codex"):
            return LayerKind.PROJECT
        return None
    if profile is not None and name == f"{profile}.config.toml" and in_home:
        return LayerKind.PROFILE
    return None


@dataclass(frozen=True, slots=True)
class Layers:
    """The layers one run reads, lowest precedence first, and the files that failed to parse."""

    layers: tuple[Layer, ...]
    errors: tuple[LayerError, ...]

    def value(
        self, *key: str, kinds: frozenset[LayerKind] | None = None, certain_only: bool = False
    ) -> LayerValue | None:
        """The highest layer's value for `key`; with `certain_only`, among the layers codex
        surely reads (not an untrusted project's): a check that must not let such a layer hide
        what the others say looks at both views."""
        found: LayerValue | None = None
        for layer in self.layers:
            if kinds is not None and layer.kind not in kinds:
                continue
            if certain_only and not layer.certain:
                continue
            value = layer.get(*key)
            if value is not None:
                found = LayerValue(value, layer, key)
        return found


_ORDER = {LayerKind.HOME: 0, LayerKind.PROJECT: 1, LayerKind.PROFILE: 2}


# engine/writes.py's `script_writes`, imported at the first codex run and kept (not at each one:
# a `from` import in a function costs ~8,000 instructions on CPython 3.11).
_SCRIPT_WRITES: list[Callable[[Script, Sequence[str]], tuple[FileWrite, ...]]] = []


def layers_for(
    snippet: Snippet, script: Script, settings: Settings, command: Command, call: CodexCall
) -> Layers:
    """The config layers of the repository and of the script that this run reads."""
    if not _SCRIPT_WRITES:
        from guard.engine.writes import script_writes

        _SCRIPT_WRITES.append(script_writes)
    bases = write_bases(snippet, settings)
    here, roots = bases[0], bases[1:]
    root = roots[0]
    absolute = snippet.path.startswith("/")  # Path.is_absolute
    profile = call.profile.text if call.profile is not None and call.profile.literal else None
    trusted = call.has_flag("--trust")
    found: dict[LayerKind, Layer] = {}
    errors: list[LayerError] = []

    def keep(item: Layer | LayerError | None) -> None:
        if isinstance(item, LayerError):
            errors.append(item)
        elif item is not None:
            found[item.kind] = item

    home_text = _codex_home_text(snippet, command)
    door = door_home(snippet, script, command)
    if door is not None:  # the doors read this machine's home, in the repository or not
        home = door.folder if door.folder and filereads.kind_noted(door.folder) == "dir" else None
    else:
        home = _resolve_dir(home_text, bases, roots) if home_text else None
    if home is not None:
        keep(_file_layer(LayerKind.HOME, purepaths.join(home, "config.toml"), root, True, absolute))
        if profile is not None:
            keep(
                _file_layer(
                    LayerKind.PROFILE,
                    purepaths.join(home, f"{profile}.config.toml"),
                    root,
                    True,
                    absolute,
                )
            )
    start = here
    if call.cd is not None and call.cd.literal:
        start = _resolve_dir(call.cd.text, bases, roots) or here
    if _inside_roots(start, roots):
        home_dir = _real_home(os.environ.get("HOME"))
        for folder, project in _project_candidates(start, root):
            if folder == home_dir:
                break  # ~/.codex is the user's CODEX_HOME, not a project's config
            info = filereads.stat_noted(project)  # created later: the cache must miss
            if info is not None and stat.S_ISREG(info.st_mode):
                keep(_file_layer(LayerKind.PROJECT, project, root, trusted, absolute))
                break
    for write in _SCRIPT_WRITES[0](script, bases):
        if write.command.index >= command.index or write.content is None:
            continue
        kind = _written_kind(write.target, home_text, profile)
        if kind is None:
            continue
        parsed = parse_toml(write.content, write.target)
        if isinstance(parsed, LayerError):
            line = write.content_line + parsed.line - 1
            errors.append(LayerError(snippet.path, line, parsed.message))
            continue
        certain = trusted if kind is LayerKind.PROJECT else True
        if write.source_file is not None:  # a copy of a repository file: point into that file
            source = purepaths.pure(write.source_file)
            real = os.path.realpath(source)
            shown = os.path.relpath(real, root) if _inside(source, root) else real
            file = real if absolute else os.path.relpath(real)
            found[kind] = Layer(
                kind, shown, parsed, 1, written_to=write.target, file=file, copied=True
            )
            continue
        found[kind] = Layer(
            kind,
            snippet.path,
            parsed,
            write.content_line,
            written_to=write.target,
            file=snippet.path,
            certain=certain,
        )
    ordered = tuple(sorted(found.values(), key=lambda layer: _ORDER[layer.kind]))
    return Layers(ordered, tuple(errors))


def layer_span(value: LayerValue) -> Span:
    return Span(value.line, 1, value.line, 1)


NO_LAYERS = Layers((), ())


# Built-in permission profiles (FACTS.md, 0.171.0; a config.toml's `default_permissions` is also
# honoured by 0.169.0, observed: tests/codex/test_config_realcli.py).
PERMISSION_PROFILES = {
    ":danger-full-access": "danger-full-access",
    ":workspace": "workspace-write",
    ":read-only": "read-only",
}


def _layer_sandbox(layer: Layer) -> LayerValue | None:
    """One layer's own say: `default_permissions` wins over `sandbox_mode` in the same file
    (observed on 0.171.0: `default_permissions = ":danger-full-access"` with `sandbox_mode =
    "read-only"` runs danger-full-access, and the other way round read-only)."""
    permissions = layer.get("default_permissions")
    if isinstance(permissions, str):
        mode = PERMISSION_PROFILES.get(permissions, permissions)
        return LayerValue(mode, layer, ("default_permissions",), raw=permissions)
    direct = layer.get("sandbox_mode")
    if isinstance(direct, str):
        return LayerValue(direct, layer, ("sandbox_mode",))
    return None


def sandbox_setting(layers: Layers, profile: str | None) -> LayerValue | None:
    """The sandbox the layers give a run: the highest layer that says one (observed on 0.169.0:
    a profile's `sandbox_mode` beats the home config's `default_permissions` and the other way
    round), from `default_permissions`, `sandbox_mode`, or a legacy `[profiles.NAME]` table
    selected by `-p NAME` or the layer's own `profile = "NAME"` (0.139.0; 0.169.0 refuses it)."""
    found: LayerValue | None = None
    for layer in layers.layers:
        own = _layer_sandbox(layer)
        if own is not None and _overrides(found, own):
            found = own
        selector = layer.get("profile")
        selected = profile or (selector if isinstance(selector, str) else None)
        if selected:
            legacy = layer.get("profiles", selected, "sandbox_mode")
            if isinstance(legacy, str):
                said = LayerValue(legacy, layer, ("profiles", selected, "sandbox_mode"))
                found = said if _overrides(found, said) else found
    return found


# How much each sandbox lets a run do, to compare what two layers say.
_REACH = {"read-only": 0, "workspace-write": 1, "danger-full-access": 2}


def _overrides(found: LayerValue | None, said: LayerValue) -> bool:
    """Does a higher layer's sandbox replace the one the layers below gave? A layer codex may
    not read (an untrusted project's: observed on 0.171.0, a project `sandbox_mode = "read-only"`
    under a home that says danger-full-access runs danger-full-access) may only widen it: it
    must not hide the home's full access, and the full access it sets itself may yet apply."""
    if said.layer.certain or found is None:
        return True
    return _REACH.get(str(said.value), -1) > _REACH.get(str(found.value), -1)
