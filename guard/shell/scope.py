"""The shell's state while a script is read in order: variables, exports, aliases, options.

The parser walks the script in execution order and carries one ``State``; a subshell, a
pipeline member or a command substitution works on a copy, so what it sets ends with it (bash
semantics), while a function body works on the caller's state, so its exports leak to the caller.
Nothing here sees tree-sitter nodes: function bodies are stored as opaque objects for the parser.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from guard.shell.model import (
    UNKNOWN_SPAN,
    EnvBinding,
    EnvFileLoad,
    EnvOrigin,
    Span,
    Stdin,
    Word,
)


@dataclass(frozen=True, slots=True)
class Var:
    """One shell variable. Frozen so that copying a ``State`` is a shallow dict copy."""

    value: Word | None  # scalar value; None when it cannot be known statically
    items: tuple[Word, ...] | None = None  # array value, when the variable is an array
    exported: bool = False
    origin: EnvOrigin = EnvOrigin.EXPORT
    span: Span = UNKNOWN_SPAN  # where it was assigned or exported


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
    positional: tuple[Word, ...] | None = None  # $1..; None when unknown (top of a script)
    shell_stdin: Stdin | None = None  # `exec </dev/null` changed the shell's own stdin
    local_names: set[str] | None = None  # names declared `local` in the running function
    removed: set[str] = field(default_factory=set)  # unset / export -n: gone even if inherited

    def copy(self) -> State:
        return State(
            vars=dict(self.vars),
            aliases=dict(self.aliases),
            functions=dict(self.functions),
            env_files=self.env_files,
            allexport=self.allexport,
            job_control=self.job_control,
            errexit_off=self.errexit_off,
            positional=self.positional,
            shell_stdin=self.shell_stdin,
            local_names=None,
            removed=set(self.removed),
        )

    def child_shell(self, env: tuple[EnvBinding, ...], env_files: tuple[EnvFileLoad, ...]) -> State:
        """A new shell process (``bash -c``): only the environment crosses, as exported vars."""
        child = State(env_files=env_files)
        for b in env:
            child.vars[b.name] = Var(b.value, None, True, b.origin, b.span)
        return child

    def assign(self, name: str, var: Var) -> None:
        self.removed.discard(name)
        old = self.vars.get(name)
        if old is not None and old.exported and not var.exported:
            # Assigning to an exported name keeps it exported (and keeps where it was exported).
            var = replace(var, exported=True, origin=old.origin)
        elif self.allexport and not var.exported:
            var = replace(var, exported=True, origin=EnvOrigin.ALLEXPORT)
        self.vars[name] = var

    def export(self, name: str, span: Span, origin: EnvOrigin = EnvOrigin.EXPORT) -> None:
        self.removed.discard(name)
        old = self.vars.get(name)
        if old is None:
            self.vars[name] = Var(None, None, True, origin, span)
        else:
            self.vars[name] = replace(old, exported=True, origin=origin, span=span)

    def unexport(self, name: str) -> None:
        self.removed.add(name)
        old = self.vars.get(name)
        if old is not None:
            self.vars[name] = replace(old, exported=False)

    def unset(self, name: str) -> None:
        self.removed.add(name)
        self.vars.pop(name, None)

    def exported_env(self) -> dict[str, EnvBinding]:
        return {
            name: EnvBinding(name, v.value, v.origin, v.span)
            for name, v in self.vars.items()
            if v.exported
        }
