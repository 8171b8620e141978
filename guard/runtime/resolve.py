"""What `codex-guard exec -- ARGV` really starts, read with the command model that `lint` uses.

`codex-guard exec -- env OPENAI_API_KEY=x codex exec ...` runs `env`, and `env` runs codex with the
key: checking ARGV as if it were codex and then exec'ing `argv[0]` lets any wrapper through. So the
argv's wrappers are peeled with ``guard.shell.wrappers.peel`` (the very loop the linter's parser
uses), and the run is allowed only when:
- what is left is codex (the word `codex`, or a path whose last part is `codex`);
- every wrapper is one whose whole effect the model knows (ALLOWED_WRAPPERS): none runs a shell
  string, an interpreter, another user (sudo), a container, a remote host or a list of commands;
- `env` is given only what the model applies exactly (`K=V`, `-u K`, `-i`);
and what is exec'd is the same chain with every program word pinned to the absolute path that was
checked, so no PATH lookup by a wrapper can pick another program. The env checked is the env codex
itself receives: the real env with the `env` wrapper's changes applied, in order.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from guard.runtime import locate
from guard.shell.model import UNKNOWN_WRAPPER, Span, Word
from guard.shell.wrappers import EnvOp, Peeled, basename, peel

# Wrappers that change nothing codex receives but its priority, timing, session, buffering or the
# env ops the model records (`env`): their effect is known exactly. `path` is the model's record of
# codex named by a path (`/opt/codex/bin/codex`).
ALLOWED_WRAPPERS = frozenset(
    {"env", "timeout", "nohup", "nice", "ionice", "stdbuf", "setsid", "time", "command", "path"}
)
# What each refused kind of wrapper should be told instead.
_SHELL_HINT = "put codex-guard inside the string: {kind} 'codex-guard exec -- codex exec ...'"
_HINTS = {
    "sudo": "run codex-guard under it instead: sudo codex-guard exec -- codex exec ...",
    "doas": "run codex-guard under it instead: doas codex-guard exec -- codex exec ...",
    "docker": "run codex-guard inside the container: docker run ... codex-guard exec -- codex ...",
    "podman": "run codex-guard inside the container: podman run ... codex-guard exec -- codex ...",
    "xargs": "let xargs start codex-guard: xargs ... codex-guard exec -- codex exec ...",
    "parallel": "let parallel start codex-guard: parallel ... codex-guard exec -- codex exec ...",
    "npx": "install codex and run it by name or path: codex-guard exec -- codex exec ...",
    "caam": "it runs the codex on PATH: put the PATH shim (codex-guard install-shim) before it",
}
_ENV_SWITCHES = frozenset({"-i", "--ignore-environment", "-", "--"})


class NotCodex(Exception):
    """The argv does not resolve to codex through known wrappers: refuse, with this line."""


class ProgramNotFound(Exception):
    """A program word of the chain is not on PATH (or not executable): exit 127."""


@dataclass(frozen=True, slots=True)
class Resolved:
    argv: list[str]  # as given
    exec_argv: list[str]  # what execve gets: every program word an absolute path
    codex: str  # the absolute path of the codex that was checked
    codex_index: int  # where the codex word is in the argv
    codex_args: list[str]  # codex's own arguments (after its word)
    env_ops: tuple[EnvOp, ...]  # the `env` wrapper's changes, in order
    wrappers: tuple[str, ...]  # the wrappers' names, outermost first ("path" excluded)

    @property
    def wrapped(self) -> bool:
        return bool(self.wrappers)

    def codex_env(self, env: Mapping[str, str]) -> dict[str, str]:
        """The env codex receives when the chain is exec'd with `env`."""
        return apply_env_ops(env, self.env_ops)

    def set_in_argv(self) -> tuple[str, ...]:
        """Names the argv itself sets (`env K=V`): no repair of the real env removes them."""
        return tuple(op.name for op in self.env_ops if op.kind == "set")

    def lint_argv(self) -> list[str]:
        """The command line as the engine reads it: wrappers as written, the codex word `codex`."""
        words = list(self.argv)
        words[self.codex_index] = "codex"
        return words


def apply_env_ops(env: Mapping[str, str], ops: tuple[EnvOp, ...]) -> dict[str, str]:
    result = dict(env)
    for op in ops:
        if op.kind == "clear":
            result.clear()
        elif op.kind == "unset":
            result.pop(op.name, None)
        elif op.kind == "set" and op.value is not None:
            result[op.name] = op.value.text
        else:  # an op whose effect is not exact (sudo, env files, docker): never allowed here
            raise NotCodex(f"cannot tell the environment codex would get ({op.kind})")
    return result


def _words(argv: list[str]) -> tuple[Word, ...]:
    # One word per argv element; the span's column is the element's index + 1, so a wrapper
    # record (which keeps its head's span) says where its head is.
    return tuple(Word(text, True, Span(1, i + 1, 1, i + 1), text) for i, text in enumerate(argv))


def _check_env_args(args: tuple[str, ...]) -> None:
    """`env` with anything but K=V, -u K and -i (`-C DIR`, `-S STRING`, ...) is not modelled."""
    i = 0
    while i < len(args):
        arg = args[i]
        if arg in ("-u", "--unset"):
            i += 2
            continue
        known = (
            arg in _ENV_SWITCHES
            or arg.startswith("--unset=")
            or (arg.startswith("-u") and len(arg) > 2)
            or (not arg.startswith("-") and "=" in arg)
        )
        if not known:
            raise NotCodex(
                f"`env {arg}` is not supported by codex-guard exec: use only K=V, -u K and -i"
            )
        i += 1


def _refuse_wrapper(name: str, argv0: str) -> NotCodex:
    hint = _HINTS.get(name, "run codex-guard exec -- codex ... from inside it")
    return NotCodex(
        f"`{argv0}` starts codex through `{name}`, which codex-guard cannot check: {hint}"
    )


def _check_peeled(peeled: Peeled, argv: list[str]) -> None:
    if peeled.body:
        kind = peeled.body_kind
        if kind in ("eval", "trap", "ssh"):
            hint = "run codex-guard exec -- codex ... directly, or inside the remote command"
        else:
            hint = _SHELL_HINT.format(kind=kind)
        raise NotCodex(
            f"`{argv[0]}` runs a shell string ({kind}): codex-guard exec starts codex and nothing "
            f"else; {hint}"
        )
    if peeled.lookup_only:
        raise NotCodex("`command -v` looks codex up and runs nothing: nothing to check")
    for wrapper in peeled.wrappers:
        if wrapper.name == UNKNOWN_WRAPPER:  # `my-launcher codex exec ...`: it runs, not codex
            program = wrapper.args[0] if wrapper.args else argv[0]
            raise NotCodex(
                f"`{program}` is not codex: codex-guard exec starts codex and nothing else "
                "(codex-guard exec -- codex exec ...)"
            )
        if wrapper.name not in ALLOWED_WRAPPERS:
            raise _refuse_wrapper(wrapper.name, argv[0])
        if wrapper.name == "env":
            _check_env_args(wrapper.args)
    final = peeled.argv
    if not final or not _is_codex_word(final[0].text):
        program = final[0].text if final else argv[0]
        raise NotCodex(
            f"`{program}` is not codex: codex-guard exec starts codex and nothing else "
            "(codex-guard exec -- codex exec ...)"
        )


def _check_positions(peeled: Peeled, argv: list[str]) -> None:
    """Every word the model left must be the argv element its span names: a wrapper that
    rebuilt words (`env -S STRING` splits one into several) leaves nothing to pin, so refuse."""
    indexes = [word.span.column - 1 for word in peeled.argv]
    for n, (word, index) in enumerate(zip(peeled.argv, indexes, strict=True)):
        # the codex word itself may be a launcher the model renamed `codex` (`/opt/x/codex`)
        moved = not 0 <= index < len(argv) or (
            argv[index] != word.text
            and (n > 0 or not (basename(argv[index]) == "codex" or _is_codex_word(argv[index])))
        )
        if moved or (n > 0 and index != indexes[n - 1] + 1):
            raise NotCodex(
                "`env -S` is not supported by codex-guard exec: it rebuilds the command from "
                "a string, so what runs cannot be pinned; give codex's words as separate arguments"
            )


def _is_codex_word(text: str) -> bool:
    """`codex` (the model names a path launcher `/x/codex` `codex` too), or a path into an npm
    install of `@openai/codex` (its `bin/codex.js`, which `.bin/codex` links to)."""
    if text == "codex":
        return True
    return "/" in text and os.path.isfile(text) and locate.installed_version(text) is not None


def _pin_wrapper(word: str, path_env: str | None) -> str:
    """The absolute path of a wrapper program, found on the caller's PATH.

    A wrapper named by a path must be the same file PATH finds for its name: `./env` or
    `/tmp/x/timeout` could be any program that calls itself a wrapper.
    """
    name = basename(word)
    found = locate.resolve_first(name, path_env)
    if found is None:
        raise ProgramNotFound(f"{word}: command not found on PATH")
    if "/" in word:
        try:
            same = os.path.samefile(word, found)
        except OSError:
            same = False
        if not same:
            raise NotCodex(
                f"`{word}` is not the `{name}` on PATH ({found}): codex-guard exec runs only "
                "known wrappers"
            )
    return os.path.abspath(found)


def _pin_codex(word: str, codex_path_env: str) -> str:
    found = locate.resolve_command(word, codex_path_env)
    if found is None:
        if "/" in word:
            raise ProgramNotFound(f"{word}: no such executable")
        raise ProgramNotFound(f"{word}: command not found on PATH")
    return os.path.abspath(found)


def resolve(argv: list[str], env: Mapping[str, str]) -> Resolved:
    """Peel `argv`, check what it runs, pin every program word. Raises NotCodex or
    ProgramNotFound; `env` is the env the chain is exec'd with (after any repair)."""
    peeled = peel(_words(argv))
    _check_peeled(peeled, argv)
    _check_positions(peeled, argv)
    codex_index = peeled.argv[0].span.column - 1
    env_ops = tuple(peeled.env_ops)
    codex_env = apply_env_ops(env, env_ops)
    exec_argv = list(argv)
    path_env = env.get("PATH", os.defpath)
    names: list[str] = []
    for wrapper in peeled.wrappers:
        index = wrapper.span.column - 1
        if wrapper.name == "path" and index == codex_index:
            continue  # codex named by a path: pinned below
        # Every other program word is pinned, `node` of `node .../codex.js` included: execve of a
        # bare name would run a file of that name in the current folder.
        exec_argv[index] = _pin_wrapper(argv[index], path_env)
        names.append(wrapper.name)
    # codex itself is looked up as the last wrapper would: on the PATH of the env it receives.
    codex = _pin_codex(argv[codex_index], codex_env.get("PATH", os.defpath))
    exec_argv[codex_index] = codex
    return Resolved(
        argv=list(argv),
        exec_argv=exec_argv,
        codex=codex,
        codex_index=codex_index,
        codex_args=list(argv[codex_index + 1 :]),
        env_ops=env_ops,
        wrappers=tuple(names),
    )
