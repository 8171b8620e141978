"""The shell's state while a script is read in order: variables, exports, aliases, options.

The parser walks the script in execution order and carries one ``State``; a subshell, a
pipeline member or a command substitution works on a copy, so what it sets ends with it (bash
semantics), while a function body works on the caller's state, so its exports leak to the caller.
Nothing here sees tree-sitter nodes: function bodies are stored as opaque objects for the parser.
"""

from __future__ import annotations

import itertools

from guard.fastclass import dataclass, field, replace
from guard.lazyre import lazy_compile
from guard.shell.model import (
    UNKNOWN_SPAN,
    EnvBinding,
    EnvFileLoad,
    EnvOrigin,
    Span,
    Stdin,
    UnresolvedEnv,
    Word,
)

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from collections.abc import Iterable

EXPORT_KEPT = "export"  # State.posix: bash in posix mode keeps `K=V :`'s K, exported
KEEP = "keep"  # State.posix: dash keeps it as a plain variable
_NAME_RE = lazy_compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
MAX_VALUES = 16  # values one variable may hold where branches meet (the rest are dropped)
MAX_NAMEREF_HOPS = 8  # `declare -n a=b; declare -n b=c; ...`: bash itself stops at a loop
# Words one array value keeps (`a+=("${a[@]}")` doubles it: 30 such lines are 2**30 words). Past
# it the rest is one "any number of words" splat (see ``bounded``), like walk.MAX_ARGS per command.
MAX_ITEMS = 4096


@dataclass(frozen=True, slots=True)
class Var:
    """One shell variable. Frozen so that copying a ``State`` is a shallow dict copy."""

    value: Word | None  # scalar value; None when it cannot be known statically
    items: tuple[Word, ...] | None = None  # array value, when the variable is an array
    exported: bool = False
    origin: EnvOrigin = EnvOrigin.EXPORT
    span: Span = UNKNOWN_SPAN  # where it was assigned or exported
    # Every value the variable takes in turn (a `for k in A B` loop's list, at most
    # MAX_ALTERNATIVES), when ``value`` itself is not one known word. Only names are resolved
    # through it: an export of "$k=x" in the loop exports each of them.
    alts: tuple[Word, ...] | None = None
    # Where paths met with different values (`if ...; then a=x; else a=y; fi`): the branch that
    # gave this value, and the values the variable holds on the other paths (each with its own
    # ``where``; at most MAX_VALUES in all). A command that expands it is walked once per value.
    where: str = ""
    others: tuple[Var, ...] = ()


def bounded(var: Var, name: str) -> Var:
    """``var`` with each array value (its own and its ``others``') cut to MAX_ITEMS words: the
    first MAX_ITEMS - 1 kept, the rest one unknown word written `"${NAME[@]}"`, which the codex
    argv parser reads as an expansion of unknown count (so a command using it is still checked,
    as one whose arguments are not known). ``var`` itself when nothing is over the bound."""
    over = var.items is not None and len(var.items) > MAX_ITEMS
    if not over and not any(o.items is not None and len(o.items) > MAX_ITEMS for o in var.others):
        return var
    others = tuple(bounded(o, name) for o in var.others)
    items = var.items
    if items is not None and over:
        last = items[MAX_ITEMS - 1]
        rest = Word(f"${{{name}[@]}}", False, last.span, f'"${{{name}[@]}}"')
        items = (*items[: MAX_ITEMS - 1], rest)
    return replace(var, items=items, others=others)


_new = object.__new__


@dataclass(slots=True)
class State:
    """Everything a later command's meaning depends on, at one point of the script."""

    vars: dict[str, Var] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    # name -> the parser's own record of the definition (opaque here on purpose)
    functions: dict[str, object] = field(default_factory=dict)
    env_files: tuple[EnvFileLoad, ...] = ()
    allexport: bool = False  # set -a
    job_control: bool = False  # set -m
    errexit_off: bool = False  # set +e
    xtrace: bool = False  # set -x: bash expands $PS4 before each command (sinks.traced)
    # How an assignment before a POSIX special builtin (`K=V :`, `K=V eval ...`) outlives it:
    # "" not at all (bash), "export" kept and exported (bash in posix mode, and `sh`, which may
    # be that bash), "keep" kept as a plain variable (dash). Checked with bash 5.2 and dash.
    posix: str = ""
    positional: tuple[Word, ...] | None = None  # $1..; None when unknown (top of a script)
    arg0: Word | None = None  # $0 when known (`bash -c BODY NAME ...`); a function keeps it
    shell_stdin: Stdin | None = None  # `exec </dev/null` changed the shell's own stdin
    # What the shell's descriptors above 2 read (`exec 3<&0`, `exec 3< list`), where known.
    # Replaced, never changed in place: copies of the State share it.
    shell_fds: dict[str, Stdin] = field(default_factory=dict)
    local_names: set[str] | None = None  # names declared `local` in the running function
    removed: set[str] = field(default_factory=set)  # unset / export -n: gone even if inherited
    # `declare -n ref=TARGET`: assignments, exports and unsets of ref act on TARGET ("" when the
    # target is not known statically; None for `declare -n ref` with no target yet: the first
    # assignment names it).
    namerefs: dict[str, str | None] = field(default_factory=dict)
    # Names with the integer attribute (`declare -i n`, `local -i`, `typeset -i`): bash
    # evaluates each value assigned to one as arithmetic (sinks.integer_value).
    integers: set[str] = field(default_factory=set)
    # Exports of names that could not be resolved, in order (see UnresolvedEnv).
    unresolved: tuple[UnresolvedEnv, ...] = ()
    conditional: bool = False  # on one path of a branch only (see ``branch``)
    # "exit" or "return" once this path has run one (or called a function that always exits):
    # it does not fall through, so where paths meet (``meet``) its values drop out.
    stopped: str = ""

    def copy(self) -> State:
        # Slot by slot on a bare instance: a call of __init__ with 19 keywords (and its
        # default-factory tests) cost more than the containers' copies (a pipeline member, a
        # `$(...)`, each side of a branch copies the State). Every field is set here (a test
        # reads them all on a copy).
        other: State = _new(State)
        other.vars = dict(self.vars)
        other.aliases = dict(self.aliases)
        other.functions = dict(self.functions)
        other.env_files = self.env_files
        other.allexport = self.allexport
        other.job_control = self.job_control
        other.errexit_off = self.errexit_off
        other.xtrace = self.xtrace
        other.posix = self.posix
        other.positional = self.positional
        other.arg0 = self.arg0
        other.shell_stdin = self.shell_stdin
        other.shell_fds = self.shell_fds
        # A subshell of a function is still that call (a `local` there is the call's; an
        # unset there of one of its locals shows the caller's value): its own copy.
        other.local_names = set(self.local_names) if self.local_names is not None else None
        other.removed = set(self.removed)
        other.namerefs = dict(self.namerefs)
        other.integers = set(self.integers)
        other.unresolved = self.unresolved
        other.conditional = self.conditional
        other.stopped = self.stopped
        return other

    def branch(self) -> State:
        """A copy for one path of a conditional (``join`` merges it back); unlike ``copy`` it
        is still the same function call, so a `local` declared on the path stays local."""
        other = self.copy()
        other.local_names = self.local_names
        other.conditional = True
        return other

    def absorb(self, other: State) -> None:
        """Become ``other`` in place (callers hold a reference to this State); whether this
        state is itself on a conditional path does not change."""
        self.vars = other.vars
        self.aliases = other.aliases
        self.functions = other.functions
        self.env_files = other.env_files
        self.allexport = other.allexport
        self.job_control = other.job_control
        self.errexit_off = other.errexit_off
        self.xtrace = other.xtrace
        self.posix = other.posix
        self.positional = other.positional
        self.arg0 = other.arg0
        self.shell_stdin = other.shell_stdin
        self.shell_fds = other.shell_fds
        self.local_names = other.local_names
        self.removed = other.removed
        self.namerefs = other.namerefs
        self.integers = other.integers
        self.unresolved = other.unresolved

    def target(self, name: str) -> str:
        """The variable ``name`` stands for: itself, or a nameref's target ("" when unknown)."""
        if not self.namerefs:
            return name  # the common case, on every assignment
        for _ in range(MAX_NAMEREF_HOPS):
            if name not in self.namerefs:
                return name
            name = self.namerefs[name] or ""
            if not name:
                return ""
        return ""

    def export_unresolved(self, name: str, span: Span) -> None:
        """An export of a name the linter cannot resolve: it may be any name at all."""
        self.unresolved = (*self.unresolved, UnresolvedEnv(name, span))

    def join(self, other: State) -> None:
        """Where two paths meet (the two sides of `a || b`, an `if`'s branches, a `case`'s arms,
        a loop that may not run): keep what EITHER path may have put in the environment. A name
        is removed only when both paths removed it; a variable set on one path only is kept; where
        both set it the exported one (else ``other``, the later path) wins, as a sequential walk
        would. Options and aliases: what either path turned on."""
        mine_vars = self.vars
        for name, theirs in other.vars.items():
            mine = mine_vars.get(name)
            if mine is not theirs and (mine is None or not mine.exported or theirs.exported):
                mine_vars[name] = theirs
        self.removed &= other.removed
        for name in list(self.removed):
            if name in self.vars and self.vars[name].exported:
                self.removed.discard(name)
        self.aliases.update(other.aliases)
        self.functions.update(other.functions)
        self.namerefs.update(other.namerefs)
        self.integers |= other.integers
        seen = set(self.env_files)
        self.env_files = (*self.env_files, *(f for f in other.env_files if f not in seen))
        known = set(self.unresolved)
        self.unresolved = (*self.unresolved, *(u for u in other.unresolved if u not in known))
        self.allexport = self.allexport or other.allexport
        self.job_control = self.job_control or other.job_control
        self.errexit_off = self.errexit_off or other.errexit_off
        self.xtrace = self.xtrace or other.xtrace
        if other.posix and self.posix != EXPORT_KEPT:  # either path may have turned it on
            self.posix = other.posix
        if other.shell_stdin is not None:
            self.shell_stdin = other.shell_stdin
        if other.shell_fds is not self.shell_fds:
            self.shell_fds = {**self.shell_fds, **other.shell_fds}
        if other.positional is not None:
            self.positional = other.positional
        if other.arg0 is not None:
            self.arg0 = other.arg0

    def child_shell(
        self,
        env: tuple[EnvBinding, ...],
        env_files: tuple[EnvFileLoad, ...],
        unresolved: tuple[UnresolvedEnv, ...] = (),
    ) -> State:
        """A new shell process (``bash -c``): only the environment crosses, as exported vars."""
        child = State(env_files=env_files, unresolved=unresolved, conditional=self.conditional)
        for b in env:
            child.vars[b.name] = Var(b.value, None, True, b.origin, b.span)
        return child

    def assign(self, name: str, var: Var) -> None:
        if name in self.namerefs and self.namerefs[name] is None:
            # `declare -n ref; ref=K`: the first assignment gives the reference its target.
            value = var.value
            known = value is not None and value.literal and _NAME_RE.match(value.text)
            self.namerefs[name] = value.text if known and value is not None else ""
            return
        ref, name = name, self.target(name)
        if not name:
            if self.allexport or var.exported:
                self.export_unresolved(f"{ref} (a nameref)", var.span)
            return
        self.removed.discard(name)
        if name == "POSIXLY_CORRECT" and self.posix != KEEP:
            # bash turns posix mode on when it is set (dash has no such mode); it stays on here
            # even if unset again (bash invoked as sh would keep it)
            self.posix = EXPORT_KEPT
        old = self.vars.get(name)
        if old is not None and old.exported and not var.exported:
            # Assigning to an exported name keeps it exported (and keeps where it was exported).
            var = replace(var, exported=True, origin=old.origin)
        elif self.allexport and not var.exported:
            var = replace(var, exported=True, origin=EnvOrigin.ALLEXPORT)
        self.vars[name] = bounded(var, name)

    def export(self, name: str, span: Span, origin: EnvOrigin = EnvOrigin.EXPORT) -> None:
        ref, name = name, self.target(name)
        if not name:
            self.export_unresolved(f"{ref} (a nameref)", span)
            return
        self.removed.discard(name)
        old = self.vars.get(name)
        if old is None:
            self.vars[name] = Var(None, None, True, origin, span)
        else:
            self.vars[name] = replace(old, exported=True, origin=origin, span=span)

    def unexport(self, name: str) -> None:
        name = self.target(name)
        if not name:
            return  # through a nameref to an unknown variable: nothing known is removed
        self._removed_after(name)
        self.removed.add(name)
        old = self.vars.get(name)
        if old is not None:
            self.vars[name] = replace(old, exported=False)

    def unset(self, name: str) -> None:
        name = self.target(name)
        if not name:
            return  # through a nameref to an unknown variable: nothing known is removed
        self._removed_after(name)
        self.removed.add(name)
        self.vars.pop(name, None)
        self.integers.discard(name)  # (the attribute goes with the variable)

    def _removed_after(self, name: str) -> None:
        if name and self.unresolved:
            self.unresolved = tuple(
                replace(u, removed_after=(*u.removed_after, name))
                if name not in u.removed_after
                else u
                for u in self.unresolved
            )

    def exported_env(self) -> dict[str, EnvBinding]:
        return {
            name: EnvBinding(name, v.value, v.origin, v.span)
            for name, v in self.vars.items()
            if v.exported
        }


@dataclass(slots=True)
class Frame:
    """One running function call, as bash's dynamic scoping sees it: the names it made local
    (``State.local_names`` of its body), the prefix assignments of its call (`K=V f`), and the
    caller's variables (and removed names) from before the call. An `unset` (or `export -n`)
    of a name local to it, from it or from a function it called, does not take the name out
    of the environment: what the caller had shows again (checked with bash 5.2)."""

    names: set[str]
    prefixed: dict[str, Var]
    saved: dict[str, Var]
    removed: frozenset[str]
    gone: set[str] = field(default_factory=set)  # locals and prefixes unset by name from here on

    def restored(self, local_names: set[str] | None) -> set[str]:
        """The names the call's return puts back as the caller had them."""
        return (self.names | (local_names or set()) | set(self.prefixed)) - self.gone

    def below(self, name: str, local: bool) -> Var | None:
        """What an unset of the frame's ``name`` shows: under a local, its call's prefix
        assignment if one is left, else the caller's variable (None: the caller had none)."""
        if local and name in self.prefixed:
            return self.prefixed[name]
        return self.saved.get(name)


def preset(values: tuple[tuple[str, str, int, str], ...], exported: bool = False) -> State:
    """The state a snippet starts in when its source already knows some variables (a Makefile's
    `CODEX ?= codex`, a Dockerfile's `ARG`, a justfile's `{{sandbox}}`): each (name, value, file
    line, how the file writes it) is one value the variable may hold; a name given several times
    holds each of them, as after a branch (at most MAX_VALUES), the first being the one a command
    sees by default, and a finding on one of them says which ("when `SANDBOX` is `x` (line 3)").
    They are plain shell variables, not exported (the source hands the environment separately),
    unless ``exported``: the values are the environment the shell starts with (a CI step's env),
    exported to what it runs (EnvOrigin.EXTERNAL)."""
    origin = EnvOrigin.EXTERNAL if exported else EnvOrigin.EXPORT
    st = State()
    grouped: dict[str, list[Var]] = {}
    for name, value, line, shown in values:
        if not _NAME_RE.match(name):
            continue
        span = Span(line, 1, line, 1)
        options = grouped.setdefault(name, [])
        if len(options) < MAX_VALUES and all(o.value and o.value.text != value for o in options):
            where = f"the file sets `{shown}` to `{value}` (line {line})"
            # `-C ${CURDIR} --json`: words around a reference the source does not know.
            word = Word(value, "$" not in value, span, value if "$" not in value else f'"{value}"')
            options.append(Var(word, exported=exported, origin=origin, span=span, where=where))
    for name, options in grouped.items():
        if len(options) == 1:
            st.vars[name] = replace(options[0], where="")
        else:
            st.vars[name] = replace(options[0], others=tuple(options[1:]))
    return st


def meet(st: State, paths: list[State], labels: list[str] | None = None) -> None:
    """``st`` becomes the join of ``paths`` (in source order), where they meet again. With
    ``labels`` (one a path: "the `if` at line 3 takes its then-branch"), a variable the paths
    left with different values keeps them all (``Var.others``), each saying its branch."""
    if not paths:
        return
    live = [k for k, path in enumerate(paths) if not path.stopped]
    if live and len(live) < len(paths):
        # `*) exit 1 ;;`, `else die "..."`: a path that exits never reaches what follows.
        paths = [paths[k] for k in live]
        labels = [labels[k] for k in live] if labels else None
    stopped = "" if live else paths[0].stopped
    values = _branch_values(paths, labels) if labels else {}
    joined = paths[0] if paths[0] is not st else st.branch()
    for path in paths[1:]:
        joined.join(path)
    st.absorb(joined)
    for name, options in values.items():
        var = st.vars.get(name)
        if var is None:
            continue
        key = _value_key(var)
        primary = next((o for o in options if _value_key(o) == key), None)
        if primary is None:
            continue
        rest = tuple(o for o in options if o is not primary)[: MAX_VALUES - 1]
        st.vars[name] = replace(var, where=primary.where, others=rest)
    st.stopped = stopped


def _value_key(var: Var) -> tuple[object, ...]:
    """What a command sees of a variable's value (not where it was set)."""
    value = (var.value.text, var.value.literal) if var.value is not None else None
    items = tuple((w.text, w.literal) for w in var.items) if var.items is not None else None
    return value, items


def _branch_values(paths: list[State], labels: list[str]) -> dict[str, list[Var]]:
    """Each variable the paths left with different values: its values, one per path (and per
    value a path itself inherited from an inner branch); ``meet`` keeps MAX_VALUES of them."""
    first = paths[0].vars
    names = {n for path in paths[1:] for n, v in path.vars.items() if first.get(n) is not v}
    names.update(n for path in paths[1:] for n in first if n not in path.vars)
    out: dict[str, list[Var]] = {}
    for name in names:
        options: list[Var] = []
        seen: set[tuple[object, ...]] = set()
        for path, label in zip(paths, labels, strict=True):
            var = path.vars.get(name) or Var(None)  # unset on this path: its value is unknown
            for value in (var, *var.others):
                key = _value_key(value)
                if key in seen:
                    continue
                seen.add(key)
                where = f"{label} and {value.where}" if value.where else label
                options.append(replace(value, where=where, others=()))
        if len(options) > 1:
            out[name] = options
    return out


def forks(st: State, names: Iterable[str]) -> list[tuple[State, str]]:
    """The states something that expands ``names`` is evaluated in, one per combination of
    the values they hold after branches (``Var.others``), each with the branches it takes
    (at most MAX_VALUES); [] when every name holds one value. The first is ``st`` itself."""
    choices: list[tuple[str, list[Var]]] = []
    for name in dict.fromkeys(names):
        var = st.vars.get(st.target(name) if st.namerefs else name)
        if var is not None and var.others:
            choices.append((name, [var, *var.others]))
    if not choices:
        return []
    out: list[tuple[State, str]] = []
    for combo in itertools.islice(itertools.product(*(vs for _, vs in choices)), MAX_VALUES):
        fork = st.copy() if out else st
        for (name, values), value in zip(choices, combo, strict=True):
            if fork is not st:
                fork.vars[name] = replace(values[0], value=value.value, items=value.items,
                                          where="", others=())  # fmt: skip
        kept = [v.where for (_, vs), v in zip(choices, combo, strict=True) if v is not vs[0]]
        first = [v.where for (_, vs), v in zip(choices, combo, strict=True) if v is vs[0]]
        out.append((fork, _combined_where(kept, first)))
    return out


_CHOICE_RE = lazy_compile(r" (?:takes|runs|matches|skips) ")
_NO_CHANGE_RE = lazy_compile(r" (?:runs no iteration|runs no branch|matches no pattern|skips its)")


def _combined_where(specific: list[str], primary: list[str]) -> str:
    """The branches a combination of values takes. A variable's first value names only the
    first path that gave it (it may hold on others too): its branches give way where they
    contradict a branch another variable's value names (`the loop at line 4 runs no
    iteration` against `the loop at line 4 runs its body and ...`)."""
    choices: list[tuple[str, bool]] = []
    for where, primary_value in [*((w, False) for w in specific), *((w, True) for w in primary)]:
        for part in where.split(" and the ") if where else ():
            part = part if part.startswith("the ") else "the " + part
            # A path that left the value alone (`runs no iteration`) names where a value from
            # before held: it holds on the other choices of that construct too, so it gives way.
            choices.append((part, primary_value or _NO_CHANGE_RE.search(part) is not None))
    parts: list[str] = []
    constructs: set[str] = set()
    for yields in (False, True):
        for part, weak in choices:
            if weak != yields:
                continue
            construct = _CHOICE_RE.split(part, maxsplit=1)[0]
            if part in parts or (yields and construct in constructs):
                continue
            parts.append(part)
            constructs.add(construct)
    return " and ".join(parts)


def both_wheres(first: str, second: str) -> str:
    """The branches two choices take together ("" when neither was a branch)."""
    if not first or not second or first == second:
        return first or second
    return f"{first} and {second}"


def with_values(options: list[Var]) -> Var:
    """One variable holding ``options`` (the first is its value; each says its ``where``):
    duplicates dropped, at most MAX_VALUES kept."""
    seen: set[tuple[object, ...]] = set()
    kept: list[Var] = []
    for option in options:
        key = _value_key(option)
        if key not in seen:
            seen.add(key)
            kept.append(replace(option, others=()))
    if len(kept) == 1:
        return replace(kept[0], where="")
    return replace(kept[0], others=tuple(kept[1:MAX_VALUES]))
