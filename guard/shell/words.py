"""Quote removal and variable lookups on plain text (no tree-sitter here)."""

from __future__ import annotations

from guard.lazyre import lazy_compile
from guard.lazyre import lazy_re as re
from guard.shell.model import UNKNOWN_SPAN, Word
from guard.shell.scope import State

_UNQ_RE = lazy_compile(r"\\(\n|.)", re.S)
_DQ_RE = lazy_compile(r"\\([$`\"\\\n])")
_ANSI_RE = lazy_compile(
    r"\\(x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{1,4}|U[0-9A-Fa-f]{1,8}|[0-7]{1,3}|c.|.)", re.S
)
_ANSI_SIMPLE = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}
# $NAME, $1, $@ ... and ${NAME}, ${NAME[@]}, ${NAME[0]}: the only forms resolved statically.
_SIMPLE_RE = lazy_compile(r"\$([A-Za-z_][A-Za-z0-9_]*|[0-9]|[@*#?$!-])\Z")
_BRACED_RE = lazy_compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*])(?:\[([^\]]*)\])?\}\Z")
# ${X:-word} ${X-word} ${X:=word} ${X=word}: X's value when known, else the default word.
_DEFAULT_RE = lazy_compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*|[0-9]+)(:?)([-=])(.*)\}\Z", re.S)
# ${X:+word} ${X+word}: the word when X is set (and, with the colon, not empty), else nothing.
_ALTERNATE_RE = lazy_compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*|[0-9]+)(:?)\+(.*)\}\Z", re.S)
# ${X:?message} ${X?message}: X's value (when X is unset the shell stops with the message).
_REQUIRED_RE = lazy_compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*|[0-9]+):?\?.*\}\Z", re.S)
# ${@:N} ${@:N:L} ${A[@]:N} ${A[@]:N:L}: a slice of the fields (what a wrapper function runs:
# `with_timeout() { timeout "$1" "${@:2}"; }`).
_SLICE_RE = lazy_compile(r"\$\{(@|[A-Za-z_][A-Za-z0-9_]*\[@\]):([0-9]+)(?::([0-9]+))?\}\Z")
# ${!v}: the variable whose NAME is v's value (indirect expansion).
_INDIRECT_RE = lazy_compile(r"\$\{!([A-Za-z_][A-Za-z0-9_]*)\}\Z")
# ${X,,} ${X^} ${X@U} ${X:1:2} ${X#p} ${X%%p} ${X/p/r}: an operator bash applies to X's value
# (X a scalar or a positional parameter). The default forms (`${X:-w}`) are _DEFAULT_RE's.
_OPERATOR_RE = lazy_compile(
    r"\$\{([A-Za-z_][A-Za-z0-9_]*|[0-9]+)(,,|,|\^\^|\^|@|:|##|#|%%|%|//|/#|/%|/)(.*)\}\Z", re.S
)
# The offset and length of ${X:OFFSET:LENGTH} when they are plain numbers (a negative offset is
# written `: -2` or `:(-2)`, since `:-` is the default form).
_SUBSTRING_RE = lazy_compile(
    r"\s*(\(\s*-?[0-9]+\s*\)|-?[0-9]+)\s*(?::\s*(\(\s*-?[0-9]+\s*\)|-?[0-9]+)\s*)?\Z"
)
# A pattern the linter matches as bash does: `*`, `?` and plain characters. Brackets, extglob,
# quotes, escapes and expansions in it leave the result unknown.
_PATTERN_UNSAFE = frozenset("[]()|!@+'\"$`\\{}")
# A replacement taken as written: no quotes, escapes, expansions, nor `&` (bash 5.2's
# patsub_replacement puts the matched text there).
_REPLACEMENT_UNSAFE = frozenset("'\"$`\\&")
# $* / ${*} / ${A[*]}: the fields joined with the first character of IFS.
_STAR_RE = lazy_compile(r"\$\*\Z|\$\{(?:\*|[A-Za-z_][A-Za-z0-9_]*\[\*\])\}\Z")
_NAME_RE = lazy_compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
# One brace expansion: {a,b,c} or {1..3} / {a..c}, innermost-free (no nested braces).
_BRACE_RE = lazy_compile(r"\{([^{}]*)\}")
_SEQ_RE = lazy_compile(r"(-?[0-9]+|[A-Za-z])\.\.(-?[0-9]+|[A-Za-z])\Z")
MAX_BRACE_WORDS = 64  # a word that brace-expands to more is left as written
_BRACE_UNSAFE = frozenset("'\"$`\\")


def unquote_bare(text: str) -> str:
    """Backslash removal outside quotes; a backslash-newline disappears."""
    if "\\" not in text:
        return text
    return _UNQ_RE.sub(lambda m: "" if m.group(1) == "\n" else m.group(1), text)


def unquote_double(text: str) -> str:
    """Backslash removal inside double quotes (only before $ ` " \\ and newline)."""
    if "\\" not in text:
        return text
    return _DQ_RE.sub(lambda m: "" if m.group(1) == "\n" else m.group(1), text)


def _ansi_one(m: re.Match[str]) -> str:
    esc = m.group(1)
    head = esc[0]
    try:
        if head in "xuU" and len(esc) > 1:
            return chr(int(esc[1:], 16))
        if head in "01234567":
            return chr(int(esc, 8) & 0xFF)
    except (ValueError, OverflowError):
        return esc
    if head == "c" and len(esc) == 2:
        return chr(ord(esc[1]) & 0x1F)
    return _ANSI_SIMPLE.get(esc, "\\" + esc)


def unquote_ansi_c(raw: str) -> str:
    """``$'...'``: the body with its C escapes decoded."""
    body = raw[2:-1] if raw.startswith("$'") and raw.endswith("'") and len(raw) >= 3 else raw
    return _ANSI_RE.sub(_ansi_one, body)


def lookup(raw: str, st: State) -> tuple[list[Word], bool] | None:
    """Resolve a ``$X`` / ``${X}`` / ``${A[@]}`` / ``$1`` / ``$@`` written as ``raw``.

    Returns the value's words and whether they are separate fields (arrays, ``$@``); None when
    the value is not known statically.
    """
    if raw.startswith("${"):  # the default, slice and indirect forms all start so
        d = _DEFAULT_RE.match(raw)
        if d is not None:
            return _with_default(d, st)
        alt = _ALTERNATE_RE.match(raw) if "+" in raw else None
        if alt is not None:
            return _alternate(alt, st)
        req = _REQUIRED_RE.match(raw) if "?" in raw else None
        if req is not None:
            return lookup("${" + req.group(1) + "}", st)
        sl = _SLICE_RE.match(raw) if ":" in raw else None
        if sl is not None:
            return _slice(sl, st)
        ind = _INDIRECT_RE.match(raw)
        if ind is not None:
            return _indirect(ind.group(1), st)
        op = _OPERATOR_RE.match(raw)
        if op is not None:
            return _operator(op, st)
    m = _SIMPLE_RE.match(raw)
    index: str | None = None
    if m is not None:
        name = m.group(1)
    else:
        m = _BRACED_RE.match(raw)
        if m is None:
            return None
        name, index = m.group(1), m.group(2)
    if name in ("@", "*"):
        if st.positional is None:
            return None
        return list(st.positional), True
    if name.isdigit():
        n = int(name)
        if n == 0:
            return ([st.arg0], False) if st.arg0 is not None else None
        if st.positional is None:
            return None
        if n > len(st.positional):
            return [], False
        return [st.positional[n - 1]], False
    if st.namerefs and name in st.namerefs:
        name = st.target(name)
    var = st.vars.get(name)
    if var is None:
        return None
    if index is None:
        if var.value is not None:
            return [var.value], False
        if var.items is not None:
            return list(var.items[:1]), False
        return None
    if index in ("@", "*"):
        if var.items is not None:
            return list(var.items), True
        if var.value is not None:
            return [var.value], False
        return None
    if index.isdigit() and var.items is not None:
        k = int(index)
        return ([var.items[k]] if k < len(var.items) else []), False
    return None


# `$(command -v codex)`, `$(which codex)`, `` `type -P codex` ``: the path of the program it
# names, so running the result runs that program (when it is not found, the run just fails).
_PATH_LOOKUP_RE = lazy_compile(
    r"(?:\$\(|`)\s*(?:command\s+-v|which|type\s+-[pP])\s+([A-Za-z0-9_][A-Za-z0-9_.+-]*)\s*(?:\)|`)\Z"
)


# `$(echo codex)`, `` `printf '%s' codex` ``: a printer of literal words (no expansion, no
# redirection, no second command in it), whose output is the substitution's text.
_PRINTER_SUBST_RE = lazy_compile(r"(?:\$\(|`)\s*(echo|printf)\s+([^`()$;|&<>]*?)\s*(?:\)|`)\Z")
_PRINTED_UNSAFE = frozenset("*?[]{}~#!\n")  # globs, braces, ~, comments: bash may change them


def printed_by(text: str) -> str | None:
    """The text a `$(echo WORDS)` / `$(printf FORMAT WORDS)` substitution gives (its trailing
    newlines removed, as bash does), when the words are literal and the format plain: `%s`,
    `%s\\n`, or a format with no argument and no directive (``printf_format_text``); else None."""
    m = _PRINTER_SUBST_RE.match(text.strip())
    if m is None or any(c in _PRINTED_UNSAFE for c in m.group(2)):
        return None
    import shlex  # here: only a printer substitution gets this far

    try:
        args = shlex.split(m.group(2), comments=False, posix=True)
    except ValueError:
        return None
    printed = _echoed(args) if m.group(1) == "echo" else _printf_plain(args)
    return printed.rstrip("\n") if printed is not None else None


def _echoed(args: list[str]) -> str | None:
    if args[:1] == ["-n"]:
        args = args[1:]
    if any(a.startswith("-") for a in args[:1]) or any("\\" in a for a in args):
        return None  # -e / -E, and escapes the linter does not decode here
    return " ".join(args)


def _printf_plain(args: list[str]) -> str | None:
    if not args:
        return None
    fmt, rest = args[0], args[1:]
    if fmt in ("%s", "%s\\n") and all("\\" not in a for a in rest):
        return ("\n" if fmt == "%s\\n" else "").join(rest)  # the format repeats for each word
    return None if rest else printf_format_text(fmt)


# The escapes every printf decodes in its format the same way (POSIX; bash and dash agree), that
# give printable text: `\143` (one to three octal digits), `\\`, `\n`, `\t`. `\x63`, `\u...`,
# `\e` are bash's only (dash prints them as they are): a format with one is not folded.
_PRINTF_ESCAPES = {"\\": "\\", "n": "\n", "t": "\t"}
_OCTAL = frozenset("01234567")


def printf_format_text(fmt: str) -> str | None:
    """What `printf FORMAT` prints with no argument when the format has no directive but `%%`:
    its escapes decoded (`printf '\\143odex'` prints `codex`). None for any other directive, an
    escape the shells decode differently, or a byte that is not printable ASCII (or a tab or a
    newline)."""
    if "%" not in fmt and "\\" not in fmt:
        return fmt
    out: list[str] = []
    i = 0
    while i < len(fmt):
        c = fmt[i]
        i += 1
        if c == "%":
            if fmt[i : i + 1] != "%":
                return None
            out.append("%")
            i += 1
        elif c != "\\":
            out.append(c)
        elif fmt[i : i + 1] in _OCTAL:
            n = 1
            while n < 3 and fmt[i + n : i + n + 1] in _OCTAL:
                n += 1
            char = chr(int(fmt[i : i + n], 8))
            if not (char.isprintable() and char.isascii()) and char not in "\t\n":
                return None  # NUL (bash drops it), a control or a non-ASCII byte
            out.append(char)
            i += n
        elif fmt[i : i + 1] in _PRINTF_ESCAPES:
            out.append(_PRINTF_ESCAPES[fmt[i]])
            i += 1
        else:
            return None
    return "".join(out)


def path_lookup(text: str) -> str | None:
    """The program a `$(command -v NAME)`-style substitution looks up, else None."""
    m = _PATH_LOOKUP_RE.match(text.strip())
    return m.group(1) if m is not None else None


def _with_default(m: re.Match[str], st: State) -> tuple[list[Word], bool] | None:
    name, colon, default = m.group(1), m.group(2), m.group(4)
    known = lookup("${" + name + "}", st)
    if known is not None and known[0]:
        value = known[0][0]
        if not (colon and value.literal and value.text == ""):
            return known
    found = path_lookup(default[1:-1] if default[:1] == '"' == default[-1:] else default)
    if found is not None:
        return [Word(found, True, UNKNOWN_SPAN, default)], False  # `${X:-$(command -v codex)}`
    if "$" in default or "`" in default:
        return None  # stays as written: `${REPO:-$HOME/r}` says more than `$HOME/r`
    if default[:1] == default[-1:] and default[:1] in ("'", '"') and len(default) >= 2:
        default = default[1:-1]
    return [Word(unquote_bare(default), True, UNKNOWN_SPAN, default)], False


def may_be_empty(raw: str, st: State) -> bool:
    """May the expansion written ``raw`` give nothing here (unquoted, then no word at all)? Its
    value is not known, or it is ``${X:+word}`` / ``${X+word}`` with X not known."""
    alt = _ALTERNATE_RE.match(raw) if raw.startswith("${") and "+" in raw else None
    if alt is None:
        return lookup(raw, st) is None
    known = lookup("${" + alt.group(1) + "}", st)
    return known is None or not known[0] or not known[0][0].literal


def _alternate(m: re.Match[str], st: State) -> tuple[list[Word], bool] | None:
    """``${X:+word}`` / ``${X+word}``: nothing when X is known to be unset (or, with the colon,
    empty); else the word, as ``_with_default`` takes the default when X is not known (the
    walk also reads the command without it: ``may_vanish``). None when the word expands."""
    name, colon, word = m.group(1), m.group(2), m.group(3)
    if name in st.removed and name not in st.vars:
        return [], False  # `unset X; ${X:+echo} codex ...` runs codex
    known = lookup("${" + name + "}", st)
    if known is not None and known[0]:
        value = known[0][0]
        if colon and value.literal and value.text == "":
            return [], False  # `X=; ${X:+echo} codex ...` runs codex
    if "$" in word or "`" in word:
        return None
    if word[:1] == word[-1:] and word[:1] in ("'", '"') and len(word) >= 2:
        word = word[1:-1]
    return [Word(unquote_bare(word), True, UNKNOWN_SPAN, word)], False


def _slice(m: re.Match[str], st: State) -> tuple[list[Word], bool] | None:
    """``${@:N:L}`` counts from $1 at N=1 (N=0 starts with $0, not known here); an array's
    ``${A[@]:N:L}`` from index N."""
    source, offset, length = m.group(1), int(m.group(2)), m.group(3)
    whole = lookup("$@" if source == "@" else "${" + source + "}", st)
    if whole is None:
        return None
    if source == "@":
        if offset == 0:
            return None
        offset -= 1
    fields = whole[0][offset:]
    return (fields if length is None else fields[: int(length)]), True


def _indirect(name: str, st: State) -> tuple[list[Word], bool] | None:
    """``${!v}``: v's value names the variable to expand (unknown unless v's value is known)."""
    var = st.vars.get(st.target(name) if st.namerefs else name)
    if var is None or var.value is None or not var.value.literal:
        return None
    target = var.value.text
    if _NAME_RE.match(target) is None:
        return None  # `${!v}` with v="a[1]" or "1": left as written
    return lookup("${" + target + "}", st)


def _operator(m: re.Match[str], st: State) -> tuple[list[Word], bool] | None:
    """``${X,,}``, ``${X:1}``, ``${X#x}``...: the operator applied to X's known literal value
    (`c=CODEX; ${c,,} exec` runs codex); unknown when X is, or the operator is not modelled."""
    known = lookup("${" + m.group(1) + "}", st)
    if known is None or known[1] or len(known[0]) != 1 or not known[0][0].literal:
        return None
    value = known[0][0]
    result = apply_operator(value.text, m.group(2), m.group(3))
    if result is None:
        return None
    return [Word(result, True, value.span, value.raw)], False


def apply_operator(value: str, op: str, arg: str) -> str | None:
    """What bash's ``${X<op><arg>}`` gives for X=``value``; None when it is not modelled."""
    if op in (",,", ",", "^^", "^"):
        return _case(value, op) if arg == "" else None  # `${X^^[a-c]}`: a pattern, not modelled
    if op == "@":
        return _transform(value, arg)
    if op == ":":
        return _substring(value, arg)
    if op in ("#", "##", "%", "%%"):
        return _remove(value, op, arg)
    return _substitute(value, op, arg)


def _case(value: str, op: str) -> str:
    if op == ",,":
        return value.lower()
    if op == "^^":
        return value.upper()
    head = value[:1].lower() if op == "," else value[:1].upper()
    return head + value[1:]


def _transform(value: str, arg: str) -> str | None:
    """``${X@U}``, ``${X@u}``, ``${X@L}`` (bash 5.1); the quoting forms are not modelled."""
    if arg == "U":
        return value.upper()
    if arg == "L":
        return value.lower()
    if arg == "u":
        return value[:1].upper() + value[1:]
    return None


def _number(text: str) -> int:
    return int(text.strip().strip("()").strip())


def _substring(value: str, arg: str) -> str | None:
    """``${X:OFFSET}`` / ``${X:OFFSET:LENGTH}``: a negative offset counts from the end (and one
    before the start gives nothing); a negative length is where to stop, from the end."""
    m = _SUBSTRING_RE.match(arg)
    if m is None:
        return None
    size = len(value)
    start = _number(m.group(1))
    if start < 0:
        start += size
        if start < 0:
            return ""
    if start > size:
        return ""
    if m.group(2) is None:
        return value[start:]
    length = _number(m.group(2))
    end = start + length if length >= 0 else size + length
    if end < start:
        return None  # bash: "substring expression < 0", the command is not run
    return value[start:end]


def _pattern(pattern: str) -> re.Pattern[str] | None:
    """A glob of `*`, `?` and plain characters as a regular expression; None for others."""
    if any(c in _PATTERN_UNSAFE for c in pattern):
        return None
    parts = [".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern]
    return re.compile("".join(parts), re.S)


def _remove(value: str, op: str, arg: str) -> str | None:
    """``${X#p}`` / ``${X##p}``: the shortest / longest prefix matching p removed; ``%`` and
    ``%%`` the same for a suffix."""
    pat = _pattern(arg)
    if pat is None:
        return None
    cuts = range(len(value) + 1)
    if op in ("##", "%"):
        cuts = range(len(value), -1, -1)
    for cut in cuts:
        if op[0] == "#" and pat.fullmatch(value[:cut]):
            return value[cut:]
        if op[0] == "%" and pat.fullmatch(value[cut:]):
            return value[:cut]
    return value


def _substitute(value: str, op: str, arg: str) -> str | None:
    """``${X/p/r}`` (the first longest match), ``${X//p/r}`` (each), ``${X/#p/r}`` (at the
    start), ``${X/%p/r}`` (at the end); no ``/r`` deletes the match."""
    pattern, _slash, replacement = arg.partition("/")
    pat = _pattern(pattern)
    if pat is None or any(c in _REPLACEMENT_UNSAFE for c in replacement):
        return None
    if pattern == "":
        return value
    size = len(value)
    out: list[str] = []
    pos = 0
    while pos <= size:
        starts = [0] if op == "/#" else range(pos, size + 1)
        found = _longest(value, pat, starts, at_end=op == "/%")
        if found is None:
            break
        start, end = found
        if end == start:
            return None  # an empty match (a lone `*` on an empty rest): not modelled
        out.append(value[pos:start] + replacement)
        pos = end
        if op != "//":
            break
    out.append(value[pos:])
    return "".join(out)


def _longest(
    value: str, pat: re.Pattern[str], starts: range | list[int], at_end: bool
) -> tuple[int, int] | None:
    """The first start at which ``pat`` matches, with its longest match (ending at the end
    of ``value`` when ``at_end``)."""
    size = len(value)
    for start in starts:
        ends = [size] if at_end else range(size, start - 1, -1)
        for end in ends:
            if pat.fullmatch(value[start:end]):
                return start, end
    return None


def ifs_chars(st: State) -> str | None:
    """IFS's characters (bash's default when it is unset); None when IFS is not known."""
    var = st.vars.get("IFS")
    if var is None:
        return DEFAULT_IFS
    if var.value is None or not var.value.literal:
        return None
    return var.value.text


DEFAULT_IFS = " \t\n"
_IFS_BLANKS = frozenset(DEFAULT_IFS)


def ifs_split(text: str, ifs: str) -> list[str]:
    """Bash's field splitting of an unquoted expansion's text at the characters of ``ifs``:
    blanks in IFS are trimmed at the ends and a run of them is one separator; each other IFS
    character ends a field (`a__b` gives `a`, ``, `b`), taking the blanks around it with it; a
    separator at the end makes no empty field. An empty IFS does not split."""
    if not ifs:
        return [text] if text else []
    blanks = _IFS_BLANKS.intersection(ifs)
    fields: list[str] = []
    current: list[str] = []
    i, n = 0, len(text)
    while i < n and text[i] in blanks:
        i += 1
    while i < n:
        c = text[i]
        if c not in ifs:
            current.append(c)
            i += 1
            continue
        i += 1
        while i < n and text[i] in blanks:
            i += 1
        if c in blanks and i < n and text[i] in ifs:
            i += 1  # `a _b` with IFS=" _": the blanks and the `_` are one separator
            while i < n and text[i] in blanks:
                i += 1
        fields.append("".join(current))
        current = []
    if current:
        fields.append("".join(current))
    return fields


def joins_with_ifs(raw: str) -> bool:
    """``$*`` / ``${A[*]}``: a quoted expansion that joins its fields with IFS's first char."""
    return "*" in raw and _STAR_RE.match(raw) is not None


def ifs_separator(st: State) -> str | None:
    """The first character of IFS (a space when IFS is unset); None when IFS is unknown."""
    var = st.vars.get("IFS")
    if var is None:
        return " "
    if var.value is None or not var.value.literal:
        return None
    return var.value.text[:1]


def brace_expand(text: str) -> list[str] | None:
    """Bash brace expansion of an unquoted word: ``A_{KEY,X}=v`` -> ``A_KEY=v A_X=v``.

    None when the word has no brace expansion, or expands to more than MAX_BRACE_WORDS words.
    Only plain text is expanded: a word with quotes, ``$`` or backslashes is left to the caller.
    """
    if "{" not in text or any(c in _BRACE_UNSAFE for c in text):
        return None
    words = [text]
    changed = False
    for _ in range(MAX_BRACE_WORDS):
        nxt: list[str] = []
        grew = False
        for w in words:
            parts = _brace_once(w)
            if parts is None:
                nxt.append(w)
            else:
                nxt.extend(parts)
                grew = True
            if len(nxt) > MAX_BRACE_WORDS:
                return None
        words = nxt
        if not grew:
            break
        changed = True
    return words if changed else None


def _brace_once(word: str) -> list[str] | None:
    """Expand the first brace group of ``word`` that bash would expand (a list with a comma,
    or a sequence); None when there is none."""
    for m in _BRACE_RE.finditer(word):
        body = m.group(1)
        head, tail = word[: m.start()], word[m.end() :]
        if "," in body:
            return [head + item + tail for item in body.split(",")]
        seq = _SEQ_RE.match(body)
        if seq is not None:
            items = _sequence(seq.group(1), seq.group(2))
            if items is not None:
                return [head + item + tail for item in items]
    return None


def _sequence(lo: str, hi: str) -> list[str] | None:
    if lo.lstrip("-").isdigit() and hi.lstrip("-").isdigit():
        a, b = int(lo), int(hi)
        if abs(b - a) >= MAX_BRACE_WORDS:
            return None
        step = 1 if b >= a else -1
        return [str(k) for k in range(a, b + step, step)]
    if len(lo) == 1 and len(hi) == 1 and lo.isalpha() and hi.isalpha():
        a, b = ord(lo), ord(hi)
        if abs(b - a) >= MAX_BRACE_WORDS:
            return None
        step = 1 if b >= a else -1
        return [chr(k) for k in range(a, b + step, step)]
    return None


def default_assignment(raw: str) -> tuple[str, bool] | None:
    """``${K:=v}`` -> ("K", True), ``${K=v}`` -> ("K", False): the name the expansion assigns
    when K is unset (True: or empty); None for any other expansion."""
    m = _DEFAULT_RE.match(raw)
    if m is None or m.group(3) != "=" or not _NAME_RE.match(m.group(1)):
        return None
    return m.group(1), bool(m.group(2))
