"""Codex hook trust: codex runs a hook only when its definition's hash is recorded as trusted.

How codex (0.171.0) decides, read from openai/codex `codex-rs/hooks/src/engine/discovery.rs` and
`codex-rs/config/src/fingerprint.rs`, and checked against the real binary (`codex app-server`,
method `hooks/list`, reports each hook's `key`, `currentHash` and `trustStatus`; see
tests/runtime/test_hook_trust.py):

* key: ``<absolute path of hooks.json>:<event in snake_case>:<group index>:<handler index>``;
* hash: ``sha256:`` + hex SHA-256 of the compact JSON, keys sorted, of the normalized identity
  ``{"event_name", "matcher", "hooks": [handler]}`` where the handler has ``type``, ``command``,
  ``timeout`` (600 when absent), ``async`` (false when absent) and, only when set,
  ``statusMessage``/``additionalContextLimit`` (TOML drops absent values before hashing);
* trust: ``[hooks.state."<key>"] trusted_hash = "<hash>"`` in the user's config.toml; a different
  hash is "modified", none is "untrusted"; ``enabled = false`` disables it. An untrusted hook is
  skipped (silently in ``codex exec``).
* hooks in a project's ``.codex/`` load only when the project itself is trusted
  (``[projects."<root>"] trust_level = "trusted"``; the app server's configWarning says so).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import selectors
import signal
import subprocess
import time
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_TIMEOUT_SEC = 600  # discovery.rs: `timeout_sec.unwrap_or(600).max(1)`
APP_SERVER_TIMEOUT = 20.0

# Claude-style event names in hooks.json -> the snake_case label codex hashes and keys with.
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


class HookTrustError(Exception):
    """The trust record cannot be written safely: the caller prints the manual step instead."""


def event_label(event: str) -> str:
    """``PreToolUse`` -> ``pre_tool_use`` (codex's `hook_event_key_label`)."""
    return _CAMEL.sub("_", event).lower()


def hook_key(source: Path, event: str, group_index: int, handler_index: int) -> str:
    return f"{source}:{event_label(event)}:{group_index}:{handler_index}"


def command_hook_hash(event: str, matcher: str | None, handler: Mapping[str, Any]) -> str:
    """The ``currentHash`` codex computes for one command handler of one matcher group."""
    timeout = handler.get("timeout", handler.get("timeoutSec"))
    normalized: dict[str, Any] = {
        "type": "command",
        "command": str(handler.get("command", "")),
        "timeout": max(int(timeout), 1) if isinstance(timeout, int) else DEFAULT_TIMEOUT_SEC,
        "async": bool(handler.get("async", False)),
    }
    for optional in ("statusMessage", "additionalContextLimit"):
        if handler.get(optional) is not None:
            normalized[optional] = handler[optional]
    identity: dict[str, Any] = {"event_name": event_label(event), "hooks": [normalized]}
    if matcher is not None:
        identity["matcher"] = matcher
    text = json.dumps(identity, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class HookEntry:
    key: str
    current_hash: str
    command: str


def command_hooks(hooks_json: Path, wanted_suffix: str | tuple[str, ...]) -> list[HookEntry]:
    """The command handlers of ``hooks_json`` whose command ends with ``wanted_suffix`` (or one
    of them)."""
    try:
        data = json.loads(hooks_json.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    events = data.get("hooks") if isinstance(data, dict) else None
    if not isinstance(events, dict):
        return []
    found = []
    for event, groups in events.items():
        for g, group in enumerate(groups if isinstance(groups, list) else []):
            if not isinstance(group, dict):
                continue
            matcher = group.get("matcher")
            for h, handler in enumerate(group.get("hooks") or []):
                if not isinstance(handler, dict) or handler.get("type", "command") != "command":
                    continue
                command = str(handler.get("command", ""))
                if command.strip().endswith(wanted_suffix):
                    found.append(
                        HookEntry(
                            key=hook_key(hooks_json, str(event), g, h),
                            current_hash=command_hook_hash(
                                str(event), matcher if isinstance(matcher, str) else None, handler
                            ),
                            command=command,
                        )
                    )
    return found


def hook_source_path(path: Path) -> Path:
    """The absolute path codex puts in the key (it does not resolve symlinks of CODEX_HOME)."""
    return Path(os.path.abspath(path))


def read_config(config: Path) -> dict[str, Any]:
    try:
        with config.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise HookTrustError(f"{config}: cannot read: {exc}") from None


def trust_status(entry: HookEntry, config: Mapping[str, Any]) -> str:
    """trusted | modified | untrusted | disabled, as codex's `hook_trust_status` decides."""
    hooks = config.get("hooks")
    states = hooks.get("state") if isinstance(hooks, dict) else None
    state = states.get(entry.key) if isinstance(states, dict) else None
    if not isinstance(state, dict):
        return "untrusted"
    if state.get("enabled") is False:
        return "disabled"
    recorded = state.get("trusted_hash")
    if recorded is None:
        return "untrusted"
    return "trusted" if recorded == entry.current_hash else "modified"


def project_trusted(config: Mapping[str, Any], root: Path) -> bool:
    projects = config.get("projects")
    entry = projects.get(str(root)) if isinstance(projects, dict) else None
    return isinstance(entry, dict) and entry.get("trust_level") == "trusted"


def _toml_string(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a valid TOML basic string


def trust_snippet(entries: list[HookEntry]) -> str:
    """The config.toml lines that record trust of ``entries`` (also what the user may paste)."""
    return "".join(
        f"\n[hooks.state.{_toml_string(e.key)}]\ntrusted_hash = {_toml_string(e.current_hash)}\n"
        for e in entries
    )


def record_trust(config: Path, entries: list[HookEntry]) -> list[HookEntry]:
    """Record trust of ``entries`` in ``config`` the way codex does; returns those it changed.

    Appends one ``[hooks.state."<key>"]`` table per untrusted entry; an entry recorded with another
    hash ("modified") is not rewritten (that table may hold other keys): HookTrustError says what to
    change. The result is re-read with tomllib before it replaces the file.
    """
    current = read_config(config)
    todo = [e for e in entries if trust_status(e, current) == "untrusted"]
    stale = [e for e in entries if trust_status(e, current) in ("modified", "disabled")]
    if stale:
        keys = ", ".join(e.key for e in stale)
        raise HookTrustError(
            f"{config}: [hooks.state] for {keys} holds another hash or enabled = false; set "
            f"trusted_hash = {_toml_string(stale[0].current_hash)} there by hand"
        )
    if not todo:
        return []
    try:
        before = config.read_text(encoding="utf-8") if config.exists() else ""
    except (OSError, UnicodeDecodeError) as exc:
        raise HookTrustError(f"{config}: cannot read: {exc}") from None
    separator = "" if not before or before.endswith("\n") else "\n"
    after = before + separator + trust_snippet(todo)
    try:
        parsed = tomllib.loads(after)
    except tomllib.TOMLDecodeError as exc:
        raise HookTrustError(f"{config}: adding the trust tables would not parse ({exc})") from None
    if any(trust_status(e, parsed) != "trusted" for e in todo):
        raise HookTrustError(f"{config}: the trust tables did not read back as trusted")
    try:
        config.parent.mkdir(parents=True, exist_ok=True)
        tmp = config.with_name(f".{config.name}.{os.getpid()}.tmp")
        tmp.write_text(after, encoding="utf-8")
        os.replace(tmp, config)
    except OSError as exc:
        raise HookTrustError(f"{config}: cannot write: {exc.strerror}") from None
    return todo


# --- asking the installed codex ----------------------------------------------------------------


def codex_hook_list(codex: str, cwd: Path, env: Mapping[str, str]) -> list[dict[str, Any]] | None:
    """Codex's own view of the hooks for ``cwd`` (``codex app-server``, ``hooks/list``): a list of
    {key, currentHash, trustStatus, command, ...}; None when codex could not be asked."""
    requests = [
        {"id": 1, "method": "initialize", "params": {"clientInfo": {"name": "codex-guard",
                                                                     "version": "1"}}},
        {"method": "initialized"},
        {"id": 2, "method": "hooks/list", "params": {"cwds": [str(cwd)]}},
    ]  # fmt: skip
    try:
        proc = subprocess.Popen(
            [codex, "app-server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL, env=dict(env), cwd=cwd, start_new_session=True,
        )  # fmt: skip
    except OSError:
        return None
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write("".join(json.dumps(r) + "\n" for r in requests).encode())
        proc.stdin.flush()
        return _read_hook_list(proc.stdout, time.monotonic() + APP_SERVER_TIMEOUT)
    except (OSError, ValueError):
        return None
    finally:
        with contextlib.suppress(OSError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _read_hook_list(stream: Any, deadline: float) -> list[dict[str, Any]] | None:
    selector = selectors.DefaultSelector()
    selector.register(stream, selectors.EVENT_READ)
    buffer = b""
    while time.monotonic() < deadline:
        if not selector.select(timeout=max(deadline - time.monotonic(), 0.01)):
            continue
        chunk = os.read(stream.fileno(), 65536)
        if not chunk:
            return None
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            message = json.loads(line) if line.strip() else {}
            if message.get("id") == 2:
                data = (message.get("result") or {}).get("data") or []
                return [h for item in data for h in item.get("hooks", [])]
    return None
