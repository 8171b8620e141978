"""CG1xx: billing and auth. The inviolable rule: subscription, never per-token API billing."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from guard.codex.call import Subcommand
from guard.engine.context import CheckContext, Hit
from guard.findings import Severity
from guard.shell.model import Command, EnvBinding, EnvOrigin, Span
from guard.sources.snippet import RunContext

# What an API-key auth.json looks like (FACTS.md: `codex login --with-api-key` writes
# `"auth_mode": "apikey"` and the key).
APIKEY_AUTH = re.compile(r"\"?auth_mode\"?\s*:\s*\"?apikey|OPENAI_API_KEY\"?\s*:", re.IGNORECASE)


# Subscription auth, never a billing finding whatever the config lists: `CODEX_ACCESS_TOKEN` is
# a ChatGPT/Codex workspace token (FACTS.md, 0.171.0: `codex login --with-access-token`).
SUBSCRIPTION_AUTH_ENV = frozenset({"CODEX_ACCESS_TOKEN"})
WIDE_KEY_MESSAGE = (
    "{key} is set for the whole workflow or job, where every step (and the repository code it "
    "runs) can read it; `billing: api-in-ci` allows the key on the codex step only"
)
WIDE_KEY_FIX = (
    "Move the key from the workflow/job `env:` to the `env:` of the step that runs codex (or the "
    "codex-action step's `openai-api-key` input), as OpenAI's CI advice says."
)

# openai/codex-action hands `openai-api-key` to a loopback API proxy for codex (FACTS.md).
ACTION_KEY_MESSAGE = (
    "the `openai-api-key` input bills every token of this codex-action run to the API account "
    "(billing: subscription)"
)
ACTION_KEY_FIX = (
    "Run codex under the ChatGPT subscription (a self-hosted runner logged in with `codex login`, "
    "or `codex login --with-access-token` from CODEX_ACCESS_TOKEN), or, if this team bills CI to "
    "the API on purpose, set `billing: api-in-ci` in the runner's user config."
)


def _forbidden(ctx: CheckContext) -> set[str]:
    return set(ctx.settings.forbidden_env) - SUBSCRIPTION_AUTH_ENV


def api_keys_allowed_here(ctx: CheckContext) -> bool:
    """`billing: api-in-ci` (a user-config choice at the doors: guard/trust.py) lets a key reach
    codex in a CI step; everywhere else the subscription rule stands."""
    return ctx.settings.billing == "api-in-ci" and ctx.snippet.context is RunContext.CI


def _key_bindings(ctx: CheckContext, command: Command) -> Iterator[EnvBinding]:
    """Forbidden keys in the command's env (the model already dropped what `sudo` resets)."""
    if api_keys_allowed_here(ctx):
        return iter(())  # set on the step's own command line: as narrow as a key gets
    forbidden = _forbidden(ctx)
    return (b for b in command.env if b.name in forbidden)


def _external_keys(ctx: CheckContext, command: Command) -> Iterator[tuple[str, int]]:
    """Forbidden keys set around the snippet (a workflow `env:`, the agent's or the shim's real
    env) that reach the command: not unset, `env -u`'d, `env -i`'d or reset by sudo on the way.
    Under `billing: api-in-ci` in CI only the workflow- and job-wide ones."""
    forbidden = _forbidden(ctx)
    allowed = api_keys_allowed_here(ctx)
    for name, _value, line in ctx.snippet.external_env:
        if allowed and line not in ctx.snippet.wide_env_lines:
            continue
        if name in forbidden and command.env_var(name) is None and command.inherits(name):
            yield name, line


def api_key_in_env(ctx: CheckContext) -> Iterator[Hit]:
    """CG101: a forbidden key is in the environment the codex run gets."""
    for inv in ctx.invocations:
        if inv.call.subcommand in (Subcommand.LOGIN, Subcommand.LOGIN_STATUS):
            continue
        for binding in _key_bindings(ctx, inv.command):
            related = () if binding.origin is EnvOrigin.PREFIX else ((binding.span, "set here"),)
            yield Hit(span=inv.command.span, related=related, params={"key": binding.name})
        action_key = {line for what, _v, line in ctx.snippet.declared if what == "openai-api-key"}
        # The codex-action input first: one finding a line, and it is the one to name.
        keys = sorted(_external_keys(ctx, inv.command), key=lambda k: k[1] not in action_key)
        for name, line in keys:
            where = Span(line, 1, line, 1) if line > 0 else inv.command.span
            wide = api_keys_allowed_here(ctx)
            message = WIDE_KEY_MESSAGE.format(key=name) if wide else None
            if line in action_key:
                message = ACTION_KEY_MESSAGE
            yield Hit(
                span=inv.command.span,
                message=message,
                fix=WIDE_KEY_FIX if wide else (ACTION_KEY_FIX if line in action_key else None),
                related=((where, "set here"),) if line > 0 else (),
                params={"key": name},
            )


def _writes_auth_json(command: Command) -> bool:
    targets = [command.stdout_redirect or ""]
    if command.program == "tee":
        targets += [w.text for w in command.argv[1:]]
    return any(t.rstrip("'\"").endswith("auth.json") for t in targets)


def api_key_login(ctx: CheckContext) -> Iterator[Hit]:
    """CG102: `codex login --with-api-key`, or an API-key auth.json written by hand."""
    if api_keys_allowed_here(ctx):
        return  # `billing: api-in-ci`: an API-key login on a CI step is the billing chosen
    for inv in ctx.invocations:
        if inv.call.subcommand is Subcommand.LOGIN and inv.call.with_api_key:
            yield Hit(span=inv.command.span)
    for command in ctx.script.commands:
        if not _writes_auth_json(command):
            continue
        body = command.text + (command.stdin.source or "")
        if APIKEY_AUTH.search(body):
            yield Hit(
                span=command.span,
                message="writes an API key into Codex's auth.json: codex will bill every "
                "token to the API account",
            )


def _file_sets_key(path: Path, keys: tuple[str, ...]) -> str | None:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    for key in keys:
        if re.search(rf"^\s*(export\s+)?{re.escape(key)}\s*=", text, re.MULTILINE):
            return key
    return None


def _keys_unset_between(ctx: CheckContext, after: int, before: int) -> bool:
    """Every forbidden key is unset after the env file is loaded and before the run."""
    unset = {u.name for u in ctx.script.unsets if after <= u.span.line <= before}
    return set(ctx.settings.forbidden_env) <= unset


def env_file_injection(ctx: CheckContext) -> Iterator[Hit]:
    """CG103: env loaded from a file the linter cannot see through, before a codex run."""
    base = Path(ctx.snippet.path).parent
    for inv in ctx.runs():
        for load in inv.command.env_files:
            if _keys_unset_between(ctx, load.span.line, inv.command.span.line):
                continue
            key = (
                _file_sets_key(base / load.path, ctx.settings.forbidden_env)
                if load.literal
                else None
            )
            if key:
                yield Hit(
                    span=inv.command.span,
                    severity=Severity.ERROR,
                    message=f"{load.path} sets {key}, and it is loaded into this codex run's "
                    "environment: codex bills every token to the API account",
                    related=((load.span, "loaded here"),),
                    params={"key": key, "path": load.path},
                )
            else:
                yield Hit(
                    span=inv.command.span,
                    related=((load.span, "loaded here"),),
                    params={"path": load.path},
                )


# An auth gate: the login status read for the subscription line (its exit status is 0 for an
# API-key login too: FACTS.md), an empty-key test, or codex-guard itself in front.
AUTH_GATE = re.compile(
    r"Logged in using ChatGPT|\bcodex-guard\b"
    r"|-[zn]\s+\"?\$\{?(OPENAI_API_KEY|CODEX_API_KEY)\b|\$\{(OPENAI_API_KEY|CODEX_API_KEY):[+?]"
)


def _gated_before(ctx: CheckContext, line: int) -> bool:
    first = ctx.snippet.line_offset + 1
    lines = ctx.snippet.text.splitlines()[: max(0, line - first)]
    return any(AUTH_GATE.search(x) for x in lines if not x.lstrip().startswith("#"))


def no_auth_gate(ctx: CheckContext) -> Iterator[Hit]:
    """CG104 (strict): an unattended dispatch starts codex with no auth gate before it."""
    for inv in ctx.runs():
        if ctx.snippet.context.value == "runtime" or _gated_before(ctx, inv.command.span.line):
            continue
        yield Hit(span=inv.command.span)
        return  # one finding a snippet: the gate belongs at the top
