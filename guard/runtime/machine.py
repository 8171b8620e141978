"""Program words that are, on this machine, codex under another name.

A link made in an earlier hook call (`ln -s "$(command -v codex)" /tmp/cx`) leaves a command line
with no codex word in it: `/tmp/cx exec --yolo p`, `./bin/agent exec ...`, or a bare `cx` found on
PATH. The hook and `check` already read this machine (CODEX_HOME's auth.json), so they resolve
the words that can be programs and read each whose real file is codex's launcher as codex:

- its real path's name is `codex`, a native `codex-<arch>-...` binary, or `codex.js` of the
  `@openai/codex` package;
- it is the same file as a `codex` on PATH, or a copy of one (same size, same first and last
  few KB).

Cheap by design, since the hook runs this on lines with no codex word: stat and realpath only,
at most 4 KB read twice from a file whose size is already that of a codex, and only for words
that can be programs (a path anywhere in the line; a bare name where a command starts, after a
program that may run its arguments, or before a codex sub-command word). Nothing is cached across
calls: a link made since is seen at once. Only `os` is imported (loaded by the interpreter).
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the hook's hot path imports this module
if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

# Quotes dropped, characters that end a command made line breaks, those that end a word blanks.
_SPLIT = {
    **{ord(c): None for c in "'\"\\"},
    **{ord(c): "\n" for c in ";&|()`{}"},
    **{ord(c): " " for c in "<>$"},
}
# A bare word before one of these may be codex carried by a command codex-guard does not know.
_CODEX_LINE_WORDS = frozenset(
    {"exec", "e", "login", "resume", "review", "fork", "--yolo", "-s", "--sandbox", "-c"}
)
_NATIVE_PREFIXES = ("codex-x86_64-", "codex-aarch64-")
_SAMPLE = 4096  # bytes compared at each end of a candidate copy
_SCRIPT_MAX = 64 * 1024  # a wrapper script is small: larger files are not read for a mention
CODEX = "codex"
SCRIPT = "script"
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._+-@")


def codex_program_words(
    command: str,
    cwd: str | None,
    env: Mapping[str, str] | None = None,
    bases: Sequence[str] = (),
) -> tuple[str, ...]:
    """The words of `command` (quotes removed, as the command model writes them) that name a
    program which, on this machine, is codex; empty when there are none. A relative path is
    read against `cwd` (the process's own when None), each of `bases`, and the folders the line
    changes to."""
    return program_words(command, cwd, env, bases)[0]


def program_words(
    command: str,
    cwd: str | None,
    env: Mapping[str, str] | None = None,
    bases: Sequence[str] = (),
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the words that are codex, the words that are a small script whose text past its `#!`
    line names codex or a forbidden key: what such a script starts cannot be settled here)."""
    environ = os.environ if env is None else env
    segments = _segments(command)
    candidates = _candidates(command, segments)
    if not candidates:
        return (), ()
    folders = [*_relative_bases(segments, cwd), *bases]
    path_dirs = _path_dirs(segments, environ.get("PATH", os.defpath))
    home = environ.get("HOME", "")
    known = _KnownCodex(environ.get("PATH", os.defpath))
    found: list[str] = []
    scripts: list[str] = []
    for word in candidates:
        for path in _files_for(word, folders, path_dirs, home):
            kind = known.kind(path)
            if kind == CODEX:
                found.append(word)
                break
            if kind == SCRIPT:
                scripts.append(word)
    return tuple(found), tuple(w for w in scripts if w not in found)


def _segments(command: str) -> list[list[str]]:
    """The line's simple commands as lists of words, quotes removed (`"/tmp/my dir/cx"` is one
    word, `co'd'ex` one word, `$'\\x2ftmp/cx'` decoded); `$(` starts a command list at its `(`.
    With an unclosed quote the blunt split (quotes dropped, every blank a break) is added."""
    blunt = [w for part in command.translate(_SPLIT).split("\n") if (w := part.split())]
    if not any(c in command for c in "'\"\\$"):
        return blunt  # nothing quoted: the blunt split is the shell's
    segments, closed = _quoted_segments(command)
    return segments if closed else segments + blunt


def _quoted_segments(command: str) -> tuple[list[list[str]], bool]:
    """A quote-aware split of the line; and whether every quote was closed."""
    from guard.reject import ansi_c

    segments: list[list[str]] = [[]]
    word: list[str] = []
    started = False
    quote = ""
    i, n = 0, len(command)
    while i < n:
        c = command[i]
        if quote == "'":
            if c == "'":
                quote = ""
            else:
                word.append(c)
        elif quote == '"':
            if c == '"':
                quote = ""
            elif c == "\\" and i + 1 < n and command[i + 1] in '"\\$`':
                i += 1
                word.append(command[i])
            else:
                word.append(c)
        elif c in "'\"":
            quote, started = c, True
        elif c == "$" and command.startswith("$'", i):
            decoded, end = ansi_c(command, i + 2)
            word.append(decoded)
            started = True
            i = end
            continue
        elif c == "\\" and i + 1 < n:
            i += 1
            if command[i] != "\n":
                word.append(command[i])
                started = True
        elif c in " \t<>$;&|()`{}\n":
            if started:
                segments[-1].append("".join(word))
                word, started = [], False
            if c in ";&|()`{}\n" and segments[-1]:
                segments.append([])
        else:
            word.append(c)
            started = True
        i += 1
    if started:
        segments[-1].append("".join(word))
    return [s for s in segments if s], quote == ""


def _candidates(command: str, segments: list[list[str]] | None = None) -> list[str]:
    from guard.reject import _KEEP_COMMAND_POSITION, _MAY_RUN_ARGS

    names_known = not (
        "alias" in command or "function" in command or "()" in command.replace(" ", "")
    )
    out: list[str] = []
    for words in _segments(command) if segments is None else segments:
        head = 0
        while head < len(words) and (
            words[head] in _KEEP_COMMAND_POSITION or _is_assignment(words[head])
        ):
            head += 1
        runs_args = (
            not names_known or head >= len(words) or words[head].rsplit("/", 1)[-1] in _MAY_RUN_ARGS
        )
        for i, word in enumerate(words):
            if "/" in word:
                out.append(word.split("=", 1)[1] if _is_assignment(word) else word)
            elif (
                i == head
                or (runs_args and i > head)
                or (i + 1 < len(words) and words[i + 1] in _CODEX_LINE_WORDS)
            ) and _is_name(word):
                out.append(word)
    return list(dict.fromkeys(w for w in out if w and not w.endswith("/")))


def _is_assignment(word: str) -> bool:
    name, eq, _ = word.partition("=")
    return bool(eq) and bool(name) and name.replace("_", "a").isalnum() and not name[0].isdigit()


def _is_name(word: str) -> bool:
    return not word.startswith("-") and not word.isdigit() and all(c in _NAME_CHARS for c in word)


def _relative_bases(segments: list[list[str]], cwd: str | None) -> list[str]:
    """Where a relative path may be read from: the cwd, and every literal folder the line
    changes to (`cd /tmp && ./cx exec ...`)."""
    base = cwd or _getcwd()
    folders = [base] if base else []
    for words in segments:
        for i, word in enumerate(words[:-1]):
            if word in ("cd", "pushd"):
                target = words[i + 1] if not words[i + 1].startswith("-") else words[-1]
                folders.append(os.path.join(base or "/", target))
    return folders


def _getcwd() -> str:
    try:
        return os.getcwd()
    except OSError:
        return ""


def _path_dirs(segments: list[list[str]], path_env: str) -> list[str]:
    """PATH's folders, and the literal folders of a `PATH=...` the line itself sets."""
    dirs = path_env.split(os.pathsep)
    for words in segments:
        for word in words:
            if word.startswith("PATH="):
                dirs = [d for d in word[5:].split(os.pathsep) if d] + dirs
    return list(dict.fromkeys(d or "." for d in dirs))


def _files_for(word: str, folders: list[str], path_dirs: list[str], home: str) -> list[str]:
    """The files the word may run: a path against each base, a bare name on PATH."""
    if "/" not in word:
        for folder in path_dirs:
            candidate = f"{folder}/{word}"
            try:
                os.stat(candidate)
            except (OSError, ValueError):
                continue
            return [candidate]  # the first match is what the shell runs (a folder is no match)
        return []
    if word.startswith("~/") and home:
        return [f"{home}/{word[2:]}"]
    if word.startswith("/"):
        return [word]
    return [f"{folder}/{word}" for folder in folders]


class _KnownCodex:
    """The `codex` programs on PATH, found once per call (never cached across calls)."""

    def __init__(self, path_env: str) -> None:
        self.path_env = path_env
        self._files: list[tuple[str, os.stat_result]] | None = None

    def files(self) -> list[tuple[str, os.stat_result]]:
        if self._files is None:
            self._files = []
            for folder in dict.fromkeys(self.path_env.split(os.pathsep)):
                candidate = f"{folder or '.'}/codex"
                try:
                    st = os.stat(candidate)  # most folders have none: no realpath for them
                    real = os.path.realpath(candidate)
                except (OSError, ValueError):
                    continue
                if st.st_size > 0 and all(r != real for r, _ in self._files):
                    self._files.append((real, st))
        return self._files

    def is_codex(self, path: str) -> bool:
        return self.kind(path) == CODEX

    def kind(self, path: str) -> str | None:
        """CODEX, SCRIPT (a small script that names codex), or None."""
        try:
            st = os.stat(path)
            # realpath (slow, in Python) only for a link: a file's own name is its real name
            linked = _is_link(os.lstat(path)) or path.endswith("codex.js")
            real = os.path.realpath(path) if linked else path
        except (OSError, ValueError):
            return None
        if not _is_regular(st):
            return None
        if _launcher_name(real):
            return CODEX
        for known, kst in self.files():
            if (st.st_dev, st.st_ino) == (kst.st_dev, kst.st_ino):
                return CODEX
            if st.st_size == kst.st_size and _same_ends(real, known, st.st_size):
                return CODEX
        if st.st_size <= _SCRIPT_MAX and _script_names_codex(real):
            return SCRIPT
        return None


def _script_names_codex(path: str) -> bool:
    """A `#!` script whose first 4 KB, past the `#!` line, name codex or a forbidden key
    (`exec codex "$@"`); codex-guard itself is no mention."""
    ends = _ends(path, _SAMPLE)
    if ends is None or not ends[0].startswith(b"#!"):
        return False
    from guard.reject import KEYWORDS

    body = ends[0].partition(b"\n")[2].lower()
    body = body.replace(b"codex-guard", b"").replace(b"codex_guard", b"")
    return any(k.encode() in body for k in KEYWORDS)


def _is_regular(st: os.stat_result) -> bool:
    import stat  # loaded by `os` already

    return stat.S_ISREG(st.st_mode)


def _is_link(st: os.stat_result) -> bool:
    import stat

    return stat.S_ISLNK(st.st_mode)


def _launcher_name(real: str) -> bool:
    name = real.rsplit("/", 1)[-1]
    if name == "codex" or name.startswith(_NATIVE_PREFIXES):
        return True
    return name == "codex.js" and "/@openai/codex/" in real


def _same_ends(a: str, b: str, size: int) -> bool:
    """The first and last few KB of two files of `size` bytes are equal (a copy of codex)."""
    mine = _ends(a, size)
    return mine is not None and mine == _ends(b, size)


def _ends(path: str, size: int) -> tuple[bytes, bytes] | None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return None
    try:
        head = os.read(fd, _SAMPLE)
        tail = os.pread(fd, _SAMPLE, max(0, size - _SAMPLE)) if size > _SAMPLE else b""
        return head, tail
    except OSError:
        return None
    finally:
        os.close(fd)
