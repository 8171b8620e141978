"""CG5xx: workspace. Where the run writes, and which Codex home it uses."""

from __future__ import annotations

import os

from guard.codex.call import Subcommand
from guard.engine.configlayers import layer_span
from guard.engine.context import CheckContext, Hit, Invocation
from guard.lazyre import lazy_compile
from guard.lazyre import lazy_re as re
from guard.shell.model import Span, Word

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from collections.abc import Iterator

COMMIT_WORDS = lazy_compile(r"\bgit\s+commit\b|\bcommit\b", re.IGNORECASE)
NEGATION = lazy_compile(r"\b(do\s+not|don'?t|never|no|without|nor)\b[\w\s,]{0,20}$", re.IGNORECASE)
SYSTEM_TMP = ("/tmp", "/var/tmp", "/var/folders", "/private/var/folders")


def _prompt_asks_to_commit(prompt: str) -> bool:
    """A request to commit, not "do not commit"."""
    return any(
        not NEGATION.search(prompt[max(0, m.start() - 30) : m.start()])
        for m in COMMIT_WORDS.finditer(prompt)
    )


def _asks_to_commit(ctx: CheckContext, inv: Invocation) -> bool:
    if _prompt_asks_to_commit(inv.prompt_text):
        return True
    return any(
        c.program == "git" and len(c.argv) > 1 and c.argv[1].text == "commit"
        for c in ctx.commands_after(inv.command)
    )


def _external_tmpdir(ctx: CheckContext, inv: Invocation) -> str | None:
    """TMPDIR from the env around the snippet (a packet's `env`, a step's `env:`) that reaches
    the run; only a literal value counts (`${{ runner.temp }}` is not the workspace)."""
    if not inv.command.inherits("TMPDIR"):
        return None
    values = [v for name, v, _line in ctx.snippet.external_env if name == "TMPDIR"]
    value = values[-1] if values else None  # the innermost level wins
    return value if value and "$" not in value else None


def _tmpdir_in_workspace(ctx: CheckContext, inv: Invocation) -> bool:
    binding = inv.command.env_var("TMPDIR")
    if binding is None:
        value = _external_tmpdir(ctx, inv)
        return value is not None and not value.startswith(SYSTEM_TMP)
    if binding.value is None:
        return False
    value = binding.value.text
    return bool(value) and not value.startswith(SYSTEM_TMP)


def commit_without_tmpdir(ctx: CheckContext) -> Iterator[Hit]:
    """CG501: a workspace-write run that commits, with TMPDIR outside the workspace."""
    for inv in ctx.runs():
        if inv.sandbox != "workspace-write" or inv.call.bypass:
            continue
        if _asks_to_commit(ctx, inv) and not _tmpdir_in_workspace(ctx, inv):
            yield Hit(span=inv.command.span, lane=inv.lane)


def hand_set_codex_home(ctx: CheckContext) -> Iterator[Hit]:
    """CG502: CODEX_HOME set by hand for a codex invocation instead of `caam exec codex P --`."""
    for inv in ctx.invocations:
        if any(w.name == "caam" for w in inv.command.wrappers):
            continue
        binding = inv.command.env_var("CODEX_HOME")
        if binding is not None:
            yield Hit(span=inv.command.span, related=((binding.span, "CODEX_HOME set here"),))
            continue
        if inv.command.inherits("CODEX_HOME") and any(
            name == "CODEX_HOME" for name, _v, _l in ctx.snippet.external_env
        ):
            yield Hit(span=inv.command.span)


def implicit_working_root(ctx: CheckContext) -> Iterator[Hit]:
    """CG503: unattended `codex exec` with no -C: the root is whatever the cwd happens to be."""
    if not ctx.unattended:
        return
    for inv in ctx.runs():
        if inv.call.subcommand not in (Subcommand.EXEC, Subcommand.REVIEW) or inv.call.cd:
            continue
        if "remote" in inv.call.extra:
            continue  # --remote: the working root is the app server's (0.171.0 refuses -C)
        if ctx.cds_before(inv.command):
            continue  # the script chose its cwd on purpose
        yield Hit(span=inv.command.span)


def _workspace_root(ctx: CheckContext) -> str | None:
    declared = [value for what, value, _line in ctx.snippet.declared if what == "workspace"]
    if declared:  # a packet's own `workspace`, resolved from the packet's folder
        return declared[0]
    if ctx.settings.workspace:
        return os.path.normpath(os.path.join(ctx.settings.root, ctx.settings.workspace))
    return None


def _escapes(path: str, base: str, root: str | None) -> bool:
    """Does `path` (relative to `base`) leave the workspace? A symlink is followed where it
    exists: `-C ./link` out of the workspace escapes as surely as `-C ../elsewhere`."""
    joined = os.path.normpath(path if path.startswith("/") else os.path.join(base, path))
    if root is None:
        return not path.startswith("/") and (joined == ".." or joined.startswith("../"))
    from guard import filereads

    # The lint cache: a link made or moved is a miss.
    real_joined = filereads.real_noted(joined)
    real_root = filereads.real_noted(root)
    if os.path.lexists(joined):
        return not _inside(real_joined, real_root)
    return not _inside(joined, root)


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _is_filesystem_root(text: str) -> bool:
    return text.startswith("/") and os.path.normpath(text) in ("/", "//")


def _root_made_writable(inv: Invocation) -> Iterator[Hit]:
    """`--add-dir /` or `sandbox_workspace_write.writable_roots` holding `/`: the whole
    filesystem writable (observed on 0.169.0: banner `workspace-write [workdir, /tmp, $TMPDIR, /]`),
    whatever workspace is declared."""
    for word in inv.call.add_dirs:
        if word.literal and _is_filesystem_root(word.text):
            yield _root_hit(word.span, "--add-dir /")
    said = inv.call.config_value("sandbox_workspace_write.writable_roots")
    if said is not None:
        roots, word = said
        if _holds_root(roots):  # an exact "/" element: no expansion made it
            yield _root_hit(word.span, f"-c {word.text}")
        return  # the override replaces whatever a config layer said
    layered = inv.layers.value("sandbox_workspace_write", "writable_roots")
    if layered is None or not _holds_root(layered.value):
        # An untrusted project's roots must not hide the `/` a layer codex surely reads gives.
        layered = inv.layers.value("sandbox_workspace_write", "writable_roots", certain_only=True)
    if layered is not None and _holds_root(layered.value):
        yield Hit(
            span=inv.command.span,
            message=f"writable_roots in {layered.where} holds `/`: the sandbox makes the "
            "whole filesystem writable, outside any workspace",
            related_files=((layered.layer.file, layer_span(layered), "writable_roots"),),
            params={"flag": "writable_roots", "path": "/", "where": "the workspace"},
        )


def _holds_root(roots: object) -> bool:
    return isinstance(roots, list) and any(
        isinstance(r, str) and _is_filesystem_root(r) for r in roots
    )


def _root_hit(span: Span, what: str) -> Hit:
    return Hit(
        span=span,
        message=f"`{what}` makes the whole filesystem writable to this codex run (`/` is a "
        "writable root), outside any workspace",
        params={"flag": what, "path": "/", "where": "the workspace"},
    )


def path_escape(ctx: CheckContext) -> Iterator[Hit]:
    """CG504: -C, --add-dir, -o or --output-schema resolving outside the declared workspace,
    and `/` made writable."""
    root = _workspace_root(ctx)
    for inv in ctx.runs():
        call = inv.call
        yield from _root_made_writable(inv)
        base = root or "."
        if call.cd is not None and call.cd.literal:
            if _escapes(call.cd.text, base, root):
                yield _escape_hit("-C", call.cd, root)
                continue
            base = os.path.normpath(os.path.join(base, call.cd.text))
        named: list[tuple[str, Word | None]] = [
            ("-o", call.output_last_message),
            ("--output-schema", call.output_schema),
            *(("--add-dir", w) for w in call.add_dirs if not _is_filesystem_root(w.text)),
        ]
        for flag, word in named:
            if word is not None and word.literal and _escapes(word.text, base, root):
                yield _escape_hit(flag, word, root)


def _escape_hit(flag: str, word: Word, root: str | None) -> Hit:
    where = f"the workspace {root}" if root else "the workspace"
    return Hit(span=word.span, params={"flag": flag, "path": word.text, "where": where})
