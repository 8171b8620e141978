"""What the builtins that assign variables by NAME do to the shell's state (no tree-sitter here).

``printf -v NAME``, ``read NAME...``, ``getopts OPTSTRING NAME``, ``let NAME=...`` and
``(( NAME = ... ))`` assign a variable named by a word; under ``set -a`` that exports it, so the
billing rules must see it. A ``for`` loop's variable takes each word of its list in turn.
"""

from __future__ import annotations

from guard.fastclass import replace
from guard.lazyre import lazy_compile
from guard.shell.model import EnvOrigin, Span, Word
from guard.shell.scope import Var
from guard.shell.wrappers import is_name

MAX_ALTERNATIVES = 16  # values a variable may take that are tracked (a `for` loop's list)
_GLOB_CHARS = frozenset("*?[")

# Builtins that change the shell's variables, exports or options: a statement made of anything
# else cannot change what a later command's environment holds.
STATE_BUILTINS = frozenset(
    {
        "unset",
        "export",
        "declare",
        "typeset",
        "local",
        "readonly",
        "read",
        "printf",
        "set",
        "shopt",
        "source",
        ".",
        "eval",
        "alias",
        "unalias",
        "shift",
        "exec",
        "mapfile",
        "readarray",
        "getopts",
        "let",
        "builtin",
        "command",
        "trap",
        "disown",
    }
)

# `(( ... ))` statement nodes, and the names an arithmetic expression assigns (`K = 1`,
# `K += 2`, `K++`, `--K`).
ARITH_STATEMENTS = frozenset(
    {"binary_expression", "unary_expression", "postfix_expression", "parenthesized_expression"}
)
_ARITH_ASSIGN_RE = lazy_compile(
    r"(?<![\w$])([A-Za-z_]\w*)\s*(?:(?:[-+*/%&|^]|<<|>>)?=(?!=)|\+\+|--)"
    r"|(?:\+\+|--)\s*([A-Za-z_]\w*)"
)
_SIMPLE_REF_RE = lazy_compile(r'"?\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?"?\Z')
_READ_VALUE_OPTS = frozenset("adinNptu")
_BLANKS_RE = lazy_compile(r"[ \t]+")


def arith_assigned(text: str) -> list[str]:
    """The variables an arithmetic expression assigns."""
    return [m.group(1) or m.group(2) for m in _ARITH_ASSIGN_RE.finditer(text)]


def names_of(w: Word, vars_: dict[str, Var]) -> list[str] | None:
    """The variable names a word in a name position stands for; None when unknown (a ``$k``
    from a ``for`` loop stands for each word of the loop's list)."""
    if w.literal:
        return [w.text] if is_name(w.text) else []
    m = _SIMPLE_REF_RE.match(w.raw or "")
    var = vars_.get(m.group(1)) if m is not None else None
    if var is not None and var.alts:
        return [a.text for a in var.alts if is_name(a.text)]
    return None


def printf_target(words: list[Word]) -> Word | None:
    """The NAME of `printf -v NAME FORMAT ...` (also `-vNAME`)."""
    for i, w in enumerate(words[1:3], start=1):
        if w.text == "-v" and i + 1 < len(words):
            return words[i + 1]
        if w.text.startswith("-v") and w.literal and len(w.text) > 2:
            return Word(w.text[2:], True, w.span, w.raw)
        if w.text == "--":
            break
    return None


_PRINTF_PART = lazy_compile(r"%(?P<conv>[sqd%])|\\(?P<esc>[nt\\])|(?P<other>[%\\])")
_PRINTF_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\"}


def printf_value(words: list[Word]) -> Word | None:
    """What `printf -v NAME FORMAT ARGS...` assigns, when the format is literal and uses only
    %s, %q, %d and %% once per argument (`printf -v cmd 'codex exec -C %q -' "$dir"`); None
    when it cannot be known. A %q of a word the linter cannot resolve stays that word."""
    i = next((k for k, w in enumerate(words[1:4], start=1) if w.text.startswith("-v")), None)
    if i is None:
        return None
    first = i + (2 if words[i].text == "-v" else 1)
    if first < len(words) and words[first].text == "--":
        first += 1
    if first >= len(words) or not words[first].literal:
        return None
    fmt, args = words[first], words[first + 1 :]
    out: list[str] = []
    literal = True
    used = 0
    pos = 0
    for m in _PRINTF_PART.finditer(fmt.text):
        out.append(fmt.text[pos : m.start()])
        pos = m.end()
        conv, esc = m.group("conv"), m.group("esc")
        if m.group("other") is not None:
            return None  # a width, a flag, another conversion or escape: not modelled
        if esc is not None:
            out.append(_PRINTF_ESCAPES[esc])
        elif conv == "%":
            out.append("%")
        else:
            arg = args[used] if used < len(args) else Word("", True, fmt.span)
            used += 1
            literal = literal and arg.literal
            if conv == "q" and arg.literal:
                quoted = _bash_q(arg.text)
                if quoted is None:
                    return None
                out.append(quoted)
            else:
                out.append(arg.text)
    out.append(fmt.text[pos:])
    if used != len(args):
        return None  # the format is used again for the rest: not modelled
    return Word("".join(out), literal, fmt.span, fmt.raw)


_Q_SPECIAL = frozenset(" \t'\"\\|&;()<>!{}*[?]^$`")


def _bash_q(text: str) -> str | None:
    """`printf %q`'s quoting in bash: a backslash before each special character ('' for the
    empty word); None for control characters (bash writes those as $'...')."""
    if not text:
        return "''"
    if any(ord(c) < 32 or ord(c) == 127 for c in text):
        return None
    quoted = "".join("\\" + c if c in _Q_SPECIAL else c for c in text)
    return "\\" + quoted if quoted[0] in "~#" else quoted


def read_targets(words: list[Word]) -> list[Word]:
    """The variables `read [opts] NAME...` assigns (REPLY when none is named; an array given
    with -a is never exported, so it is left out)."""
    i, n = 1, len(words)
    array = False
    while i < n:
        t = words[i].text
        if t == "--":
            i += 1
            break
        if not t.startswith("-") or t == "-" or not words[i].literal:
            break
        letters = t[1:]
        for k, letter in enumerate(letters):
            if letter in _READ_VALUE_OPTS:
                array = array or letter == "a"
                if k == len(letters) - 1:
                    i += 1  # the value is the next word
                break
        i += 1
    names = words[i:]
    if array:
        return []
    if not names:
        return [Word("REPLY", True, words[0].span, "REPLY")]
    return list(names)


def read_delimiter(options: list[Word]) -> str | None:
    """The delimiter of `read -d DELIM` (`-d ''`, `-rd ''`: NUL, the whole input), given as
    a word of its own after options of no value; None when there is none (or it is unknown)."""
    for k, w in enumerate(options):
        t = w.text
        if t == "--" or not t.startswith("-"):
            return None
        if t.endswith("d") and set(t[1:-1]) <= {"r", "s"} and k + 1 < len(options):
            value = options[k + 1]
            return value.text if value.literal else None
    return None


def read_values(words: list[Word], line: str, names: int) -> list[str] | None:
    """What `read [-r] [NAME...]` assigns from the input line ``line`` (default IFS): each
    name a field, the last the rest; REPLY (no name) the whole line. None when an option other
    than -r/-s is given, or a backslash (without -r) would need decoding."""
    options = list(words[1 : len(words) - names] if names else words[1:])
    if read_delimiter(options) is not None:
        # `read -r -d '' NAME`: the caller cut ``line`` at the delimiter; its value is no option
        at = next(k for k, w in enumerate(options) if w.text[:1] == "-" and w.text[-1:] == "d")
        del options[at + 1]
        if names > 1:
            return None  # fields split at newlines too: not modelled
    letters = "".join(w.text[1:] for w in options if w.text != "--")
    if any(not w.literal or not w.text.startswith("-") for w in options):
        return None
    if set(letters) - {"r", "s", "d"} or ("\\" in line and "r" not in letters):
        return None
    if not names:
        return [line]
    stripped = line.strip(" \t")  # IFS's blanks, not Python's idea of white space
    if not stripped:
        return [""] * names
    if names == 1:
        return [stripped]  # (re's maxsplit 0 would mean no limit)
    fields = _BLANKS_RE.split(stripped, names - 1)
    return fields + [""] * (names - len(fields))


def mapfile_items(words: list[Word], text: str) -> tuple[Word, list[str]] | None:
    """`mapfile [-t] [ARRAY]` / `readarray`: the array (MAPFILE when none is named) and the
    lines it gets from ``text`` (each with its newline unless -t); None for other options."""
    args = words[1:]
    name = args[-1] if args and not args[-1].text.startswith("-") else None
    options = args[:-1] if name is not None else args
    if any(w.text not in ("-t", "--") for w in options):
        return None
    if name is None:
        name = Word("MAPFILE", True, words[0].span, "MAPFILE")
    lines = text.split("\n")
    ends = [True] * (len(lines) - 1) + [False]
    if lines[-1] == "":
        lines, ends = lines[:-1], ends[:-1]
    trim = any(w.text == "-t" for w in options)
    return name, [ln if trim or not end else ln + "\n" for ln, end in zip(lines, ends, strict=True)]


def loop_var(values: list[Word], span: Span, name: str = "") -> Var:
    """A `for` variable: one known word is its value; several are the values it takes in turn
    (at most MAX_ALTERNATIVES): each is a value the body runs with (``Var.others``, so a command
    that expands it is checked once per value, its message naming the value), and the list
    resolves names such as `export "$k=x"` in the body (``alts``)."""
    # A glob (`for f in prompts/*.md`) stands for file names the linter does not list.
    known = all(v.literal and not _GLOB_CHARS.intersection(v.text) for v in values)
    if len(values) == 1 and known:
        return Var(values[0], None, False, EnvOrigin.EXPORT, span)
    if not values or len(values) > MAX_ALTERNATIVES or not known:
        return Var(None, None, False, EnvOrigin.EXPORT, span)
    turns = [
        Var(v, None, False, EnvOrigin.EXPORT, span, where=_turn_label(span, name, v))
        for v in values
    ]
    return replace(turns[0], alts=tuple(values), others=tuple(turns[1:]))


def _turn_label(span: Span, name: str, value: Word) -> str:
    """One turn of a `for` loop, as a finding's message names it."""
    return f"the `for` at line {span.line} sets `{name}` to `{value.text}`"
