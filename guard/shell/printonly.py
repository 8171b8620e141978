"""Function bodies that only print: a second call of one is not walked again.

Dispatch scripts call a logging helper (`log() { printf '[%s] %s\\n' "$(date +%T)" "$*" >&2; }`)
before and after every step; walking its body at each call was a tenth of a shell lint. A body
qualifies only when no call of it can do anything the walk models but print: each of its commands
is one of PRINTERS (by a literal name), it assigns nothing outside `local`, expands only plain
`$name` / `${name}` (no `${x:=v}`, `${x@P}`, `${!x}`), redirects only by duplicating a descriptor
or to /dev/null, and has no pipeline, loop, test or arithmetic. What a call's words are then
changes only what is printed, never what runs: the call site's own command is still emitted, and
the caller (functions._call) walks the body anyway where the call's context could make its
output matter (a pipeline, a redirected stdout) or where a function or alias shadows a printer.
"""

from __future__ import annotations

from guard.lazyre import lazy_compile
from guard.shell.parser import Node, _Src

# Commands a qualifying body may run: they print, or change only the call's own positional
# parameters (`shift`). `printf -v` assigns a variable: printf's first word must be a quoted
# literal format (so no call can make it `-v`).
PRINTERS = frozenset({"echo", "printf", "date", "true", ":", "shift"})
_LEAF_TYPES = frozenset(
    {"word", "number", "raw_string", "string_content", "ansi_c_string", "comment"}
)
_QUOTED_FORMATS = frozenset({"raw_string", "string"})
# `>&2`, `1>&2`, `2>&1`, `>&-`; `>/dev/null`, `2>/dev/null`, `&>/dev/null`.
_HARMLESS_REDIRECT_RE = lazy_compile(rb"(?:[0-9]*[<>]&[0-9-]+|(?:[0-9]*|&)>>?\s*/dev/null)")
# A name `local` may declare: lower case, as a function's own variables are; the shell's own
# (PS4, IFS, PATH, BASH_ENV...) are upper case, and a call that sets one changes what runs.
_OWN_NAME_RE = lazy_compile(rb"[a-z_][a-z0-9_]*")
_PLAIN_EXPANSION_RE = lazy_compile(
    rb"\$(?:[A-Za-z_][A-Za-z0-9_]*|[0-9*@#?]|\{(?:[A-Za-z_][A-Za-z0-9_]*|[0-9*@#])\})"
)


def prints_only(body: Node, src: _Src) -> tuple[str, ...] | None:
    """The command names a function body runs, when it only prints (see the module's text);
    None when a call of it could do more."""
    names: list[str] = []
    if body.type != "compound_statement" or not _node_ok(body, src, names):
        return None
    return tuple(names)


def _node_ok(node: Node, src: _Src, names: list[str]) -> bool:
    t = node.type
    if t in _LEAF_TYPES:
        return True
    if t in ("compound_statement", "list", "string", "concatenation", "command_substitution"):
        if any(k.type == "&" for k in node.children):
            return False  # a background job: `$!` and `wait` see it
        return all(_node_ok(k, src, names) for k in node.named_children)
    if t in ("simple_expansion", "expansion"):
        return _PLAIN_EXPANSION_RE.fullmatch(src.b, node.start_byte, node.end_byte) is not None
    if t == "command":
        return _command_ok(node, src, names)
    if t == "redirected_statement":
        body = node.child_by_field_name("body")
        redirects = [k for k in node.named_children if k != body]
        return (
            body is not None
            and all(_redirect_ok(r, src) for r in redirects)
            and _node_ok(body, src, names)
        )
    if t == "declaration_command":
        return _local_ok(node, src, names)
    return False


def _command_ok(node: Node, src: _Src, names: list[str]) -> bool:
    name_node = node.child_by_field_name("name")
    if name_node is None or name_node.named_child_count != 1:
        return False
    word = name_node.named_children[0]
    name = src.text(word)
    if word.type != "word" or name not in PRINTERS:
        return False
    args = [k for k in node.named_children if k != name_node]
    if any(k.type == "file_redirect" for k in args):
        if not all(_redirect_ok(k, src) for k in args if k.type == "file_redirect"):
            return False
        args = [k for k in args if k.type != "file_redirect"]
    if name == "printf" and not _plain_format(args, src):
        return False
    names.append(name)
    return all(_node_ok(k, src, names) for k in args)


def _plain_format(args: list[Node], src: _Src) -> bool:
    """printf's first word is a quoted literal that is not an option (`printf -v NAME` assigns)."""
    if not args or args[0].type not in _QUOTED_FORMATS:
        return False
    fmt = args[0]
    if fmt.type == "string" and any(k.type != "string_content" for k in fmt.named_children):
        return False
    return not src.text(fmt).strip("'\"").startswith("-")


def _redirect_ok(node: Node, src: _Src) -> bool:
    if node.type != "file_redirect":
        return False
    return _HARMLESS_REDIRECT_RE.fullmatch(src.b, node.start_byte, node.end_byte) is not None


def _local_ok(node: Node, src: _Src, names: list[str]) -> bool:
    """`local NAME` / `local NAME=VALUE` with no option: the name is the call's own (functions.
    _call restores it), and VALUE expands as the other words do."""
    if src.b[node.start_byte : node.start_byte + 6] != b"local ":
        return False
    for k in node.named_children:
        if k.type == "variable_assignment":
            name = k.child_by_field_name("name")
        else:
            name = k if k.type == "variable_name" else None
        if name is None:
            return False  # an option (`local -n`), or a word bash would read as one
        if not _OWN_NAME_RE.fullmatch(src.b, name.start_byte, name.end_byte):
            return False  # `local PS4=...`, `local IFS`: a name the shell itself reads
        if k.type != "variable_assignment":
            continue
        value = k.child_by_field_name("value")
        if value is not None and not _node_ok(value, src, names):
            return False
    return True
