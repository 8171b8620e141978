"""CG3xx: sandbox and lanes. The sandbox is the blast radius of model-generated commands."""

from __future__ import annotations

from guard.codex.call import SandboxSource, Subcommand
from guard.engine.configlayers import layer_span, parse_toml, write_bases
from guard.engine.context import CheckContext, Hit, Invocation
from guard.engine.lanes import needs_network
from guard.findings import Severity
from guard.lazyre import lazy_compile
from guard.lazyre import lazy_re as re
from guard.shell.model import Span

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    from guard.engine.writes import FileWrite
    from guard.shell.model import Script

# What each lane may run under (RULES.md CG3xx).
LANE_SANDBOXES: dict[str, frozenset[str]] = {
    "worker": frozenset({"workspace-write"}),
    "validator": frozenset({"read-only"}),
    "net-validator": frozenset({"danger-full-access"}),
}
ORDER = {"read-only": 0, "workspace-write": 1, "danger-full-access": 2}
# Text an outsider controls in a GitHub workflow (zizmor's template-injection sources).
UNTRUSTED = lazy_compile(
    r"github\.event\.(issue\.(body|title)|comment\.body|review\.body|review_comment\.body"
    r"|pull_request\.(title|body|head\.ref|head\.label)|head_commit\.message|discussion\.(title|body)"
    r"|pages\.[^}]*\.page_name|commits\.[^}]*\.message)"
    r"|github\.head_ref|\binputs\.[A-Za-z_]",
    needs=("github.", "inputs."),
)


def _effective(inv: Invocation) -> str:
    """The sandbox the run really gets: codex exec defaults to read-only (FACTS.md)."""
    if inv.call.bypass:
        return "danger-full-access"
    return inv.sandbox or "read-only"


def implicit_sandbox(ctx: CheckContext) -> Iterator[Hit]:
    """CG301: `codex exec` with no sandbox said anywhere: it runs read-only by default."""
    for inv in ctx.runs():
        if "remote" in inv.call.extra:
            continue  # --remote: the sandbox is the app server's (0.171.0 refuses -s with it)
        if (
            inv.call.subcommand is not Subcommand.EXEC
            or inv.sandbox_source is not SandboxSource.NONE
        ):
            continue
        if inv.layer_sandbox is not None:
            continue  # a config.toml layer of the repository says it (CG303 reads it too)
        yield Hit(span=inv.command.span)


def lane_sandbox_mismatch(ctx: CheckContext) -> Iterator[Hit]:
    """CG302: the sandbox is wider than the lane allows, or too narrow to do its work."""
    for inv in ctx.runs():
        if inv.lane not in LANE_SANDBOXES or inv.call.subcommand is not Subcommand.EXEC:
            continue
        if inv.sandbox is None and inv.sandbox_source is not SandboxSource.NONE:
            continue  # said, but not statically known (`-s "$MODE"`)
        sandbox = _effective(inv)
        allowed = LANE_SANDBOXES[inv.lane]
        if sandbox in allowed:
            continue
        if inv.lane == "net-validator" and inv.lane_source == "inferred":
            continue  # CG304 speaks for inferred network validators
        wider = ORDER[sandbox] > max(ORDER[a] for a in allowed)
        word = inv.call.sandbox_word or inv.call.bypass_word
        yield Hit(
            span=inv.command.span,
            related=((word.span, "sandbox set here"),) if word else (),
            related_files=_layer_related(inv),
            lane=inv.lane,
            params={
                "sandbox": sandbox,
                "lane": inv.lane,
                "how": "wider than" if wider else "too narrow for",
                "needs": ", ".join(sorted(allowed)),
            },
        )


def _layer_related(inv: Invocation) -> tuple[tuple[str, Span, str], ...]:
    """The config line that set the run's sandbox, when a config.toml layer did."""
    setting = inv.layer_sandbox
    if setting is None or inv.sandbox_source is not SandboxSource.CONFIG_LAYER:
        return ()
    return ((setting.layer.file, layer_span(setting), f"{setting.key[-1]} set here"),)


def _layer_full_access(inv: Invocation) -> Hit | None:
    """danger-full-access reached through a config.toml layer: CG303 at the run, related at the
    config line. A project layer codex reads only when the project is trusted is a warning
    unless the run says `--trust`."""
    setting = inv.layer_sandbox
    if setting is None or setting.value != "danger-full-access":
        return None
    if not (inv.is_run or inv.call.subcommand is Subcommand.INTERACTIVE):
        return None  # `codex exec --help`, `codex mcp ...`: nothing runs under the sandbox
    if inv.sandbox_source not in (SandboxSource.NONE, SandboxSource.CONFIG_LAYER):
        return None  # -s, -c or the bypass flag decide the sandbox, not the layer
    where = setting.layer
    said = f"{setting.said} ({setting.where})"
    if where.copied:
        said = f"{setting.said} ({setting.where}, copied to {where.written_to})"
    elif where.written_to:
        said = f"{setting.said} (written to {where.written_to}, line {setting.line})"
    trust = (
        ""
        if where.certain
        else (" once the project is trusted (`--trust`, or trust stored in the user config)")
    )
    return Hit(
        span=inv.command.span,
        severity=None if where.certain else Severity.WARNING,
        message=f"{said} removes the sandbox of this codex run{trust}, on a host that is not "
        "declared externally sandboxed: model-generated commands run with your full rights",
        related_files=((where.file, layer_span(setting), f"{setting.key[-1]} set here"),),
        lane=inv.lane,
        params={"flag": said},
    )


def unsandboxed_host_full_access(ctx: CheckContext) -> Iterator[Hit]:
    """CG303: danger-full-access or the bypass flag on a host not declared sandboxed."""
    if ctx.settings.sandboxed_host:
        return
    for inv in ctx.invocations:
        if not inv.call.reaches_model:
            continue  # `codex exec --yolo --help` prints help and runs nothing
        layered = _layer_full_access(inv)
        if layered is not None:
            yield layered
            continue
        if inv.sandbox_source is SandboxSource.CONFIG_LAYER:
            continue  # a layer's sandbox on something that runs nothing (`codex exec --help`)
        if not inv.full_access:
            continue
        word = inv.call.bypass_word if inv.call.bypass else inv.call.sandbox_word
        what = word.text if word else "danger-full-access"
        yield Hit(
            span=word.span if word else inv.command.span, lane=inv.lane, params={"flag": what}
        )
    yield from _config_writes_full_access(ctx)


CODEX_CONFIG_PATH = lazy_compile(r"(CODEX_HOME\}?|\.codex)/([\w.-]+\.)?config\.toml[\"']?$")
_CODEX_CONFIG = CODEX_CONFIG_PATH
_FULL = frozenset({"danger-full-access", ":danger-full-access"})


def _sets_full_access(data: object) -> bool:
    """`sandbox_mode` / `default_permissions` full access at the top or in any `[profiles.X]`."""
    if not isinstance(data, dict):
        return False
    if data.get("sandbox_mode") in _FULL or data.get("default_permissions") in _FULL:
        return True
    profiles = data.get("profiles")
    return isinstance(profiles, dict) and any(_sets_full_access(p) for p in profiles.values())


# engine/writes.py's `script_writes`, imported at the first snippet and kept (not at each one: a
# `from` import in a function costs ~8,000 instructions on CPython 3.11).
_SCRIPT_WRITES: list[Callable[[Script, Sequence[str]], tuple[FileWrite, ...]]] = []


def _config_writes_full_access(ctx: CheckContext) -> Iterator[Hit]:
    """A command that writes full access into a Codex config.toml (`~/.codex/config.toml`,
    `$CODEX_HOME/NAME.config.toml`, a project `.codex/config.toml`) with no codex run after it
    here: every later run that reads the file is unsandboxed (a run after it in the same script
    is judged on the layer it reads)."""
    if not _SCRIPT_WRITES:
        from guard.engine.writes import script_writes

        _SCRIPT_WRITES.append(script_writes)
    for write in _SCRIPT_WRITES[0](ctx.script, write_bases(ctx.snippet, ctx.settings)):
        if write.content is None or not _CODEX_CONFIG.search(write.target.strip()):
            continue
        if any(inv.command.index > write.command.index for inv in ctx.invocations):
            continue
        doc = parse_toml(write.content, write.target)
        if _sets_full_access(getattr(doc, "data", None)):
            yield Hit(
                span=write.command.span,
                message=f"writes a danger-full-access sandbox into Codex's config "
                f"({write.target}): every codex run that reads it runs with your full rights",
            )


def network_validator_false_fail(ctx: CheckContext) -> Iterator[Hit]:
    """CG304: a validator that needs the network, under a sandbox that blocks connect()."""
    for inv in ctx.runs():
        if inv.lane not in ("validator", "net-validator") or not needs_network(inv.prompt_text):
            continue
        sandbox = _effective(inv)
        if sandbox in ("read-only", "workspace-write"):
            yield Hit(span=inv.command.span, lane=inv.lane, params={"sandbox": sandbox})


def _pasted_sources(ctx: CheckContext, inv: Invocation) -> list[tuple[str, int]]:
    """Untrusted template expressions masked out of the command's own lines, or followed by
    the shell from an earlier line into its prompt (`T="${{ ...title }}"`, then `"... $T"`)."""
    if not ctx.snippet.expressions:
        return []
    # Here, not at the top: workflow.py imports `re`, which the hook's path never loads.
    from guard.sources.workflow import expression_mask

    span = inv.command.span
    return [
        (expression, line)
        for line, expression in ctx.snippet.expressions
        if _outsider_text(ctx, expression)
        and (span.line <= line <= span.end_line or expression_mask(expression) in inv.prompt_text)
    ]


def _pasted_event_text(ctx: CheckContext, inv: Invocation) -> bool:
    """An event's outsider text (an issue body, a PR title, a branch name) is pasted into the
    shell text of the prompt (not of an `-o` path: RULES.md, "when it reaches a codex prompt").
    Not `inputs.*`: in a composite action they are often a path or a flag its caller chose,
    and a read-only lane is flagged only for text an outsider surely wrote."""
    from guard.sources.workflow import expression_mask  # (see _pasted_sources)

    return any(
        "inputs." not in expression and expression_mask(expression) in inv.prompt_text
        for expression, _line in _pasted_sources(ctx, inv)
    )


def _untrusted_sources(ctx: CheckContext, inv: Invocation) -> list[tuple[str, int]]:
    """Untrusted expressions reaching the prompt: pasted in, or through an env var."""
    found: list[tuple[str, int]] = []
    text = inv.command.text + "\n" + inv.prompt_text
    for match in _outsider_text(ctx, text):
        found.append((match, inv.command.span.line))
    found += _pasted_sources(ctx, inv)
    for name, value, line in ctx.snippet.external_env:
        if _outsider_text(ctx, value) and re.search(rf"\$\{{?{re.escape(name)}\b", text):
            found.append((f"{name} ({value.strip()})", line))
    return found


def _outsider_text(ctx: CheckContext, text: str) -> list[str]:
    """The outsider-written expressions in text; `inputs.*` only where the workflow's
    triggers let an outsider write it (Snippet.outsider_inputs)."""
    if UNTRUSTED.search(text) is None:
        return []  # most texts: the hinted search answers without the regex
    found = [m.group(0) for m in UNTRUSTED.finditer(text)]
    if ctx.snippet.outsider_inputs:
        return found
    return [what for what in found if not what.startswith("inputs.")]


def _holds_secrets(ctx: CheckContext, inv: Invocation) -> bool:
    env_values = [v for _n, v, _l in ctx.snippet.external_env]
    env_values += [b.value.text for b in inv.command.env if b.value is not None]
    return any("secrets." in v for v in env_values)


def untrusted_prompt_wide_sandbox(ctx: CheckContext) -> Iterator[Hit]:
    """CG305: outsider text is the prompt of a lane that can write, reach out or hold secrets."""
    for inv in ctx.runs():
        sources = _untrusted_sources(ctx, inv)
        if not sources:
            continue
        sandbox = _effective(inv)
        if sandbox == "read-only" and not _holds_secrets(ctx, inv):
            if not (ctx.snippet.expressions_in_shell and _pasted_event_text(ctx, inv)):
                continue
            # The text is the runner's shell's before it is codex's prompt: `"; curl ... | sh"`
            # in a PR title runs on the runner, outside any sandbox codex is given.
            sandbox = "read-only, but the `${{ }}` text is pasted into the shell that starts it"
        related = tuple(
            (Span(line, 1, line, 1), f"untrusted text: {what}") for what, line in sources
        )
        yield Hit(
            span=inv.command.span,
            severity=Severity.ERROR if inv.full_access else None,
            related=related,
            params={"sandbox": sandbox, "source": sources[0][0]},
        )


def config_layer_errors(ctx: CheckContext) -> Iterator[Hit]:
    """CG901 (from the parse_error check): a config.toml layer a run reads is not TOML. codex
    refuses to start with it, and its sandbox and provider could not be checked."""
    seen: set[tuple[str, int]] = set()
    for inv in ctx.runs():
        for error in inv.layers.errors:
            if (error.path, error.line) in seen:
                continue
            seen.add((error.path, error.line))
            first = error.message.splitlines()[0] if error.message else "not TOML"
            yield Hit(
                span=inv.command.span,
                message=f"{error.path}:{error.line}: config.toml this codex run reads is not "
                f"valid TOML ({first}): its sandbox and provider could not be checked",
                related_files=((error.path, Span(error.line, 1, error.line, 1), "not TOML"),),
            )
