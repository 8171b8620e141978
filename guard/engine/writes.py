"""What a command writes to a file, and with what: one reading for every writer.

The billing check (an API key written into Codex's `auth.json`) and the config-layer reading (a
`config.toml` the script writes before it starts codex) both ask the same question of the command
model, so it is answered once here instead of one pattern per tool. A target is known from a `>`
redirect, `tee FILE`, `cp`/`mv`/`install SRC DST`, `dd of=DST` or a Python `open(PATH, "w")`; the
content from `echo`/`printf` words (quote pieces joined as the shell joins them), a here-doc or
here-string, the command that pipes into `tee`/`cat`/`dd`, or a repository file that `cp` copies.
"""

from __future__ import annotations

import os

from guard import purepaths
from guard.fastclass import dataclass, replace
from guard.lazyre import lazy_compile
from guard.lazyre import lazy_re as re
from guard.shell.model import Command, Script, StdinKind, Word

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from collections.abc import Sequence

COPIERS = frozenset({"cp", "mv", "install", "ln"})
# In-place editors: what they leave in the file depends on its old content, never known here.
SED_IN_PLACE = lazy_compile(r"^(-[a-zA-Z]*i\S*|--in-place(=.*)?)$")
PERL_IN_PLACE = lazy_compile(r"^-[a-zA-Z]*i")
SED_SCRIPT_OPTIONS = frozenset({"-e", "-f", "--expression", "--file"})
PERL_CODE_OPTIONS = frozenset({"-e", "-E"})
PYTHONS = lazy_compile(r"^python(\d+(\.\d+)?)?$", needs=("python",))
# `open("…/auth.json", "w")`, `Path("…").write_text(`, `open(p, "wb")` with the path spelled out.
PY_OPEN = lazy_compile(r"""open\(\s*(?P<q>['"])(?P<path>[^'"]+)(?P=q)\s*,\s*(?P=q)?[wax]""")
PY_WRITE_TEXT = lazy_compile(
    r"""Path\(\s*(?P<q>['"])(?P<path>[^'"]+)(?P=q)\s*\)\s*\.\s*write_(text|bytes)\("""
)
PRINTF_SPEC = lazy_compile(r"%[-+ #0-9.]*[sdbqic]")


@dataclass(frozen=True, slots=True)
class FileWrite:
    """One file a command writes: its target as written, and its content when it is known."""

    target: str
    content: str | None  # None: unknown (a copy of a file we cannot read, a decoder's output)
    command: Command
    content_line: int  # the file line where the content starts (a here-doc body's first line)
    # False when the content holds text the shell fills in at run time (`"$AUTH_JSON"`, a
    # here-doc's `$VAR`) or code that computes it: what is known of it is not all of it.
    complete: bool = True
    source_file: str | None = None  # the repository file a copy came from, when it was read


def _echo_text(argv: tuple[Word, ...]) -> str:
    words = [w.text for w in argv[1:]]
    while words and re.fullmatch(r"-[neE]+", words[0]):
        words.pop(0)
    return " ".join(words)


def _printf_text(argv: tuple[Word, ...]) -> str:
    """printf's output, near enough: each `%s`-like spec takes the next argument in turn."""
    words = [w.text for w in argv[1:]]
    if words and words[0] == "--":
        words.pop(0)
    if not words:
        return ""
    fmt, args = words[0], iter(words[1:])
    text = PRINTF_SPEC.sub(lambda _m: next(args, ""), fmt)
    return " ".join([text, *args]).replace("\\n", "\n")


def _feeder(script: Script, command: Command) -> Command | None:
    """The pipeline member right before ``command`` (`echo … | tee f`)."""
    position = command.context.pipeline_position
    if not command.context.in_pipeline or position == 0:
        return None
    before = [
        c
        for c in script.commands
        if c.index < command.index
        and c.context.in_pipeline
        and c.context.pipeline_position == position - 1
    ]
    return before[-1] if before else None


def produced_text(script: Script, command: Command, bases: Sequence[str] = ()) -> str | None:
    """What ``command`` prints, when that is readable from its words, its input or the
    repository files it reads (`cat ak.json`, `dd if=ak.json`)."""
    program = command.program
    if program == "echo":
        return _echo_text(command.argv)
    if program == "printf" and not any(w.text == "-v" for w in command.argv[1:2]):
        return _printf_text(command.argv)
    if program in ("cat", "tee", "dd"):
        operands = _file_operands(command)
        if not operands:
            return input_text(script, command, bases)
        if program != "tee":
            return _operand_text(operands, bases)
    return None


def _operand_text(operands: Sequence[Word], bases: Sequence[str]) -> str | None:
    """The files `cat A B` or `dd if=A` read, joined, when each is a readable repository file
    named by a literal word; None when any is not."""
    texts: list[str] = []
    for word in operands:
        name = word.text[3:] if word.text.startswith("if=") else word.text
        read = _read_repo_file(name, bases) if word.literal and name != "-" else None
        if read is None:
            return None
        texts.append(read[1])
    return "".join(texts)


def _file_operands(command: Command) -> list[Word]:
    if command.program == "dd":
        return [w for w in command.argv[1:] if w.text.startswith("if=")]
    if command.program == "tee":
        return []
    return [w for w in command.argv[1:] if not w.text.startswith("-")]


def _copied_file(command: Command, bases: Sequence[str]) -> str | None:
    """The repository file `cat FILE` or `dd if=FILE` reads, when it is one readable file."""
    if command.program not in ("cat", "dd", "tee"):
        return None
    operands = _file_operands(command)
    if not operands and command.stdin.kind is StdinKind.FILE and command.stdin.source:
        read = _read_repo_file(command.stdin.source, bases)  # `cat < FILE`
        return read[0] if read is not None else None
    if command.program == "tee" or len(operands) != 1 or not operands[0].literal:
        return None
    name = operands[0].text
    read = _read_repo_file(name[3:] if name.startswith("if=") else name, bases)
    return read[0] if read is not None else None


def input_text(script: Script, command: Command, bases: Sequence[str] = ()) -> str | None:
    stdin = command.stdin
    if stdin.kind in (StdinKind.HEREDOC, StdinKind.HERESTRING):
        return stdin.source or ""
    if stdin.kind is StdinKind.PIPE:
        feeder = _feeder(script, command)
        return produced_text(script, feeder, bases) if feeder is not None else None
    if stdin.kind is StdinKind.FILE and stdin.source:
        read = _read_repo_file(stdin.source, bases)  # `cat < ak.json`, `tee f < ak.json`
        return read[1] if read is not None else None
    return None


def _content_line(command: Command) -> int:
    stdin = command.stdin
    if stdin.kind is StdinKind.HEREDOC and stdin.span is not None:
        return stdin.span.line + 1  # the body starts on the line after `<<EOF`
    return command.span.line


def _read_repo_file(path: str, bases: Sequence[str]) -> tuple[str, str] | None:
    """The content of a copied file when it is a plain file of the repository (relative paths
    tried from the script's folder, then the repository root: where a script is usually run)."""
    if "$" in path or path.startswith("~"):
        return None
    if path.startswith("/"):
        candidates = [purepaths.pure(path)]
    else:  # `str(Path(b) / path)` each (fspath: a caller may still hand Path folders)
        candidates = [purepaths.join(os.fspath(b), path) for b in bases]
    from guard import filereads

    for candidate in candidates:
        filereads.note(filereads.FILE, candidate)  # the lint cache re-checks what was copied
        try:
            if os.path.isfile(candidate) and os.stat(candidate).st_size < 1_000_000:
                with open(candidate, encoding="utf-8", errors="replace") as file:
                    return candidate, file.read()
        except OSError:
            continue
    return None


def _copy_writes(command: Command, bases: Sequence[str]) -> list[FileWrite]:
    operands = [w for w in command.argv[1:] if not w.text.startswith("-")]
    if command.program == "install":
        # `install -m 600 SRC DST`: option values are operands to a plain scan; drop mode-like ones.
        operands = [
            w for w in operands if not re.fullmatch(r"[0-7]{3,4}|[ugoa]*[-+=][rwxXst]*", w.text)
        ]
    if len(operands) < 2:
        return []
    source = operands[-2].text if len(operands) == 2 else None
    read = _read_repo_file(source, bases) if source else None
    if read is None:
        return [FileWrite(operands[-1].text, None, command, command.span.line)]
    return [FileWrite(operands[-1].text, read[1], command, 1, source_file=read[0])]


def _python_writes(command: Command) -> list[FileWrite]:
    words = [w.text for w in command.argv[1:]]
    if "-c" not in words or words.index("-c") + 1 >= len(words):
        return []
    code = words[words.index("-c") + 1]
    targets = [m.group("path") for m in PY_OPEN.finditer(code)]
    targets += [m.group("path") for m in PY_WRITE_TEXT.finditer(code)]
    return [FileWrite(t, code, command, command.span.line) for t in targets]


def _complete(write: FileWrite) -> FileWrite:
    """Mark what the shell or a program still fills in at run time."""
    command, content = write.command, write.content
    if content is None or write.source_file is not None:
        return write  # unknown, or a repository file's own text (no shell expands it)
    dynamic = PYTHONS.match(command.program) is not None or "$" in content or "`" in content
    dynamic = dynamic or any(not w.literal for w in command.argv[1:])
    return replace(write, complete=not dynamic)


def file_writes(script: Script, command: Command, bases: Sequence[str]) -> list[FileWrite]:
    """Every file ``command`` writes; ``bases`` are the folders relative copy sources are read
    from, in order."""
    return [_complete(w) for w in _file_writes(script, command, bases)]


def _file_writes(script: Script, command: Command, bases: Sequence[str]) -> list[FileWrite]:
    writes: list[FileWrite] = []
    program = command.program
    target = command.stdout_redirect
    # `cat ak.json > F`, `dd if=ak.json of=F`: a repository file's own text, which no shell expands.
    source = _copied_file(command, bases)
    if target and target != "/dev/null":
        content = produced_text(script, command, bases)
        writes.append(
            FileWrite(
                target,
                content,
                command,
                _content_line(command),
                source_file=source if content is not None else None,
            )
        )
    if program == "tee":
        for word in command.argv[1:]:
            if not word.text.startswith("-"):
                content = input_text(script, command, bases)
                writes.append(
                    FileWrite(
                        word.text,
                        content,
                        command,
                        _content_line(command),
                        source_file=source if content is not None else None,
                    )
                )
    elif program == "dd":
        for word in command.argv[1:]:
            if word.text.startswith("of="):
                content = produced_text(script, command, bases)
                writes.append(
                    FileWrite(
                        word.text[3:],
                        content,
                        command,
                        _content_line(command),
                        source_file=source if content is not None else None,
                    )
                )
    elif program in COPIERS:
        writes.extend(_copy_writes(command, bases))
    elif PYTHONS.match(program):
        writes.extend(_python_writes(command))
    elif program in ("sed", "gsed", "perl"):
        writes.extend(_in_place_writes(command))
    return writes


def _in_place_writes(command: Command) -> list[FileWrite]:
    """`sed -i EXPR FILE...`, `perl -pi -e EXPR FILE...`: each FILE is rewritten with text that
    depends on what it held, so the content is unknown (None)."""
    perl = command.program == "perl"
    words = command.argv[1:]
    if not any((PERL_IN_PLACE if perl else SED_IN_PLACE).match(w.text) for w in words):
        return []
    takes_value = PERL_CODE_OPTIONS if perl else SED_SCRIPT_OPTIONS
    files: list[Word] = []
    script_given = perl  # perl's code comes with -e; sed's is its first operand unless -e/-f
    i = 0
    while i < len(words):
        text = words[i].text
        if text in takes_value:
            script_given = True
            i += 2
            continue
        if text.startswith("-") and text != "-":
            script_given = script_given or text.startswith(("--expression=", "--file="))
            i += 1
            continue
        if script_given:
            files.append(words[i])
        script_given = True
        i += 1
    return [FileWrite(w.text, None, command, command.span.line) for w in files]


# The last script's writes: every codex run of a snippet asks for them (one entry is enough: the
# engine lints one snippet at a time).
_LAST: list[tuple[Script, tuple[str, ...], tuple[FileWrite, ...]]] = []


def script_writes(script: Script, bases: Sequence[str]) -> tuple[FileWrite, ...]:
    key = tuple(bases)
    if _LAST and _LAST[0][0] is script and _LAST[0][1] == key:
        return _LAST[0][2]
    writes = tuple(w for c in script.commands for w in file_writes(script, c, key))
    _LAST[:] = [(script, key, writes)]
    return writes


def target_name(target: str) -> str:
    """The file name a target ends in, quotes and trailing slashes dropped."""
    return target.strip("'\"").rstrip("/").rsplit("/", 1)[-1]
