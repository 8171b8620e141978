"""Agent pre-tool-use hooks: `codex-guard hook claude|codex` (contracts in HOOKS.md).

This module runs in front of every shell command an agent starts, and most never mention codex. So
its top level imports only `sys` and the quick-reject (guard/reject.py, itself import-free): input
whose strings none can concern codex is answered before even `json` is imported, and a command that
cannot before the shell parser, pydantic, PyYAML, click or the engine (dcg's keyword quick-reject,
made sound: `co''dex`, `$'\\x63odex'` and `${c}dex` all go on to the full check).
"""

from __future__ import annotations

import sys

from guard.reject import KEYWORDS, may_concern_codex, may_run_unseen_text
from guard.runtime.machine import program_words

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ~8 ms on this path
if TYPE_CHECKING:
    from typing import Any, TextIO

AGENTS = ("claude", "codex")
HOOK_PATH = "<hook>"
PARSE_ERROR = "CG901"  # the command could not be read: never "allowed"
# What the hook cannot settle (a command word that may be codex, env from an unseen file, an
# auth.json written with content it cannot read: CG102 below error is only ever that): denied
# under `hook.fail-closed: true`.
UNSETTLED = frozenset({"CG902", "CG103", "CG102"})
__all__ = ["KEYWORDS", "check_command", "denied_findings", "mentions_codex", "run_hook"]


def commands_of(payload: object) -> list[str]:
    """`tool_input.command`, or `tool_input.cmd` (some Codex clients); argv lists are joined.
    A payload that carries both, different, gives both, each checked on its own: which one the
    agent runs is not known here (`{"command": "ls", "cmd": "codex exec --yolo ..."}` was
    allowed), and joined as one script the first could swallow the second (`cat <<E` then a
    codex line: a here-doc's text to the joined script, a run to bash)."""
    if not isinstance(payload, dict):
        return []
    tool_input = payload.get("tool_input")
    if not isinstance(tool_input, dict):
        return []
    found: list[str] = []
    for key in ("command", "cmd"):
        value = tool_input.get(key)
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            import shlex

            found.append(shlex.join(value))
    return found[:1] if len(found) == 2 and found[0] == found[1] else found


def mentions_codex(command: str) -> bool:
    """The sound quick-reject: False only when the command cannot concern codex."""
    return may_concern_codex(command)


def deny_json(reason: str) -> str:
    """`json.dumps` of the deny object, byte for byte, without importing json (~1.5 ms)."""
    return (
        '{"hookSpecificOutput": {"hookEventName": "PreToolUse", "permissionDecision": "deny", '
        f'"permissionDecisionReason": {json_quote(reason)}}}}}'
    )


def json_quote(text: str) -> str:
    """`json.dumps(text)` (ensure_ascii): `"`, `\\` and the short escapes, every other character
    outside printable ASCII as `\\uXXXX` (a surrogate pair above U+FFFF)."""
    out = ['"']
    for c in text:
        if c in _JSON_QUOTED:
            out.append(_JSON_QUOTED[c])
        elif " " <= c <= "~":
            out.append(c)
        else:
            n = ord(c)
            if n > 0xFFFF:
                n -= 0x10000
                out.append(f"\\u{0xD800 | (n >> 10):04x}\\u{0xDC00 | (n & 0x3FF):04x}")
            else:
                out.append(f"\\u{n:04x}")
    out.append('"')
    return "".join(out)


_JSON_QUOTED = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}


def answer_deny(agent: str, reason: str, stdout: TextIO, stderr: TextIO) -> int:
    """Claude: JSON deny, exit 0. Codex: the one deny that holds: JSON deny AND exit 2 + stderr.
    A stdout that is closed or broken cannot carry the JSON: exit 2 with the reason on stderr is
    then the deny, in both agents' contracts (never a traceback, never an exit that allows)."""
    try:
        stdout.write(deny_json(reason) + "\n")
        stdout.flush()
        delivered = True
    except (OSError, ValueError, AttributeError):  # EPIPE, ENOSPC, a closed or absent stdout
        delivered = False
        _silence(stdout)
    if agent == "codex" or not delivered:
        try:
            stderr.write(reason + "\n")
            stderr.flush()
        except (OSError, ValueError, AttributeError):
            _silence(stderr)
        return 2
    return 0


def _silence(stream: TextIO) -> None:
    """Point a dead stream's descriptor at /dev/null, so that the interpreter's own flush at exit
    does not fail again (and turn the exit code into 120 with a message)."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


def run_hook(agent: str, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    """Read one pre-tool-use JSON object, answer allow (exit 0, silent) or deny in the contract.

    Never raises: the console script calls this before its own crash handler is set up, and an
    agent shows a hook's traceback to its model. An unexpected error denies (fail closed).
    """
    try:
        return _answer(agent, stdin, stdout, stderr)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        reason = f"codex-guard hook: internal error: {_first_line(exc)}"
        return answer_deny(agent, reason, stdout, stderr)


def _answer(agent: str, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    try:
        raw = stdin.read()
    except (OSError, UnicodeDecodeError) as exc:
        return _bad_input(agent, f"cannot read the hook input: {exc}", None, stdout, stderr)
    if _nothing_to_check(raw):
        return 0  # the hottest path: not even json was imported
    _load_site()
    try:
        payload: Any = read_payload(raw) if raw.strip() else None
    except ValueError as exc:
        return _bad_input(agent, f"the hook input is not JSON ({exc})", None, stdout, stderr)
    if not isinstance(payload, dict):
        return _bad_input(
            agent, "the hook input is empty or not a JSON object", None, stdout, stderr
        )
    cwd = payload.get("cwd") if isinstance(payload.get("cwd"), str) else None
    checks: list[tuple[str, bool]] = []  # (command, unseen) of each that needs the slow path
    for command in commands_of(payload):
        unseen = not mentions_codex(command)
        machine, scripts = program_words(command, cwd) if unseen else ((), ())
        if not unseen or machine or scripts or may_run_unseen_text(command):
            checks.append((command, unseen and not machine))
    if not checks:
        return 0  # the hot path: nothing heavy was imported
    return _check(agent, checks, cwd, stdout, stderr)


def read_payload(raw: str) -> Any:
    """`json.loads(raw)`: read here when the text keeps to what an agent sends (objects, arrays,
    strings without `\\u` escapes or control characters, integers, true/false/null), else by
    json itself (its value, or its error message for the stderr line)."""
    try:
        value, end = _json_value(raw, _json_skip(raw, 0), 0)
        if _json_skip(raw, end) == len(raw):
            return value
    except Exception:  # _NotPlain, or anything unforeseen: json decides, exactly
        pass
    import json

    return json.loads(raw, parse_int=_json_int)


def _json_int(digits: str) -> int | float:
    """An integer as json reads it; one longer than Python converts (4300 digits by default, a
    guard against slow conversions, not a JSON limit) as the float an agent's JavaScript reads:
    valid JSON is never "not JSON" (which lets the command through, fail open)."""
    try:
        return int(digits)
    except ValueError:
        return float(digits)


class _NotPlain(Exception):
    """The text holds something the small reader leaves to json (or is not JSON)."""


_JSON_SPACE = " \t\n\r"
_JSON_CONSTANTS = {"true": True, "false": False, "null": None}
_JSON_DEPTH = 200  # deeper than any payload; json itself answers deeper texts


def _json_skip(text: str, i: int) -> int:
    n = len(text)
    while i < n and text[i] in _JSON_SPACE:
        i += 1
    return i


def _json_value(text: str, i: int, depth: int) -> tuple[Any, int]:
    """The value starting at `i` (no whitespace before it) and the index after it."""
    c = text[i : i + 1]
    if c == '"':
        return _json_plain_string(text, i + 1)
    if depth > _JSON_DEPTH:
        raise _NotPlain
    if c == "{":
        obj: dict[str, Any] = {}
        i = _json_skip(text, i + 1)
        if text[i : i + 1] == "}":
            return obj, i + 1
        while True:
            if text[i : i + 1] != '"':
                raise _NotPlain
            key, i = _json_plain_string(text, i + 1)
            i = _json_skip(text, i)
            if text[i : i + 1] != ":":
                raise _NotPlain
            obj[key], i = _json_value(text, _json_skip(text, i + 1), depth + 1)
            i = _json_skip(text, i)
            c = text[i : i + 1]
            if c == "}":
                return obj, i + 1
            if c != ",":
                raise _NotPlain
            i = _json_skip(text, i + 1)
    if c == "[":
        items: list[Any] = []
        i = _json_skip(text, i + 1)
        if text[i : i + 1] == "]":
            return items, i + 1
        while True:
            item, i = _json_value(text, i, depth + 1)
            items.append(item)
            i = _json_skip(text, i)
            c = text[i : i + 1]
            if c == "]":
                return items, i + 1
            if c != ",":
                raise _NotPlain
            i = _json_skip(text, i + 1)
    for word, constant in _JSON_CONSTANTS.items():
        if text.startswith(word, i):
            return constant, i + len(word)
    return _json_integer(text, i)


def _json_integer(text: str, i: int) -> tuple[int, int]:
    """`-?(0|[1-9][0-9]*)` not followed by a fraction or exponent (json reads those as float)."""
    start = i
    if text[i : i + 1] == "-":
        i += 1
    digits = i
    while i < len(text) and text[i] in "0123456789":
        i += 1
    if i == digits or (text[digits] == "0" and i - digits > 1) or i - digits > 100:
        raise _NotPlain
    if text[i : i + 1] in (".", "e", "E"):
        raise _NotPlain
    return int(text[start:i]), i


def _json_plain_string(text: str, i: int) -> tuple[str, int]:
    """The string body from `i` (after its quote) when it has no `\\u` escape and no control
    character (json refuses those raw), and the index after its closing quote."""
    end = text.find('"', i)
    if end < 0:
        raise _NotPlain
    if "\\" not in text[i:end]:
        body = text[i:end]
        after = end + 1
    else:
        decoded, after = _json_string(text, i)
        if decoded is None or "\\u" in text[i:after]:
            raise _NotPlain
        body = decoded
    if not _NO_CONTROL.isdisjoint(text[i:after]):
        raise _NotPlain
    return body, after


_NO_CONTROL = frozenset(chr(n) for n in range(0x20))


def _load_site() -> None:
    """Under `python -S` (guard/hookmain.py, the installed hook's entry point) site-packages are
    not on sys.path yet: the check needs them (PyYAML, tree-sitter, pydantic), and the user's
    site folder where codex-guard was installed with `pip install --user`. In a plain venv the
    folders `site.main()` would add are added directly (guard/runtime/sitepaths.py)."""
    from guard.runtime.sitepaths import add_venv_site_packages

    add_venv_site_packages()


def _nothing_to_check(raw: str) -> bool:
    """An object none of whose strings can concern codex cannot hold a command that does.

    Every JSON string in the text (keys and values, unescaped here without importing json) is
    judged as a whole command line, the command among them. Text that is not an object, or whose
    strings do not read cleanly, takes the full path, so a broken input still gets its stderr line.
    """
    text = raw.strip()
    if not (text.startswith("{") and text.endswith("}")):
        return False
    strings = _json_strings(text)
    if strings is None or any(may_concern_codex(s) or may_run_unseen_text(s) for s in strings):
        return False
    # No codex word anywhere; but a program word may be codex under another name on this
    # machine (a link made in an earlier call). `commands_of` reads only the values of `command`
    # and `cmd` keys: each value (or list item) after such a key, wherever it is, is judged, its
    # relative paths against every `cwd` value and the process's own folder.
    ends: list[int] = []
    _json_strings(text, ends)
    commands: list[str] = []
    folders: list[str] = []
    key = ""
    for string, end in zip(strings, ends, strict=True):
        if _next_char(text, end) == ":":
            key = string
        elif key in ("command", "cmd"):
            commands.append(string)
            if " " in string or "\t" in string:  # an argv item: one word (`/tmp/my dir/cx`)
                commands.append("'" + string.replace("'", "'\\''") + "'")
        elif key == "cwd":
            folders.append(string)
    return not any(any(program_words(c, None, bases=folders)) for c in commands)


_JSON_ESCAPES = {
    '"': '"',
    "\\": "\\",
    "/": "/",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
}


def _next_char(text: str, i: int) -> str:
    """The first character at or after `i` that is not JSON whitespace ("" at the end)."""
    n = len(text)
    while i < n and text[i] in " \t\r\n":
        i += 1
    return text[i] if i < n else ""


# The control characters json allows nowhere (tab, line feed and carriage return are blanks
# between tokens, and never raw inside a string: _json_strings checks each string for those).
_JSON_CONTROLS = _NO_CONTROL - frozenset("\t\n\r")


def _json_strings(text: str, ends: list[int] | None = None) -> list[str] | None:
    """The decoded strings of a JSON text, in order; None when one is malformed. `ends` gets
    the index after each string's closing quote."""
    out: list[str] = []
    if not _JSON_CONTROLS.isdisjoint(text):
        return None  # json allows no other control character anywhere, raw in a string or not
    i = text.find('"')
    while i >= 0:
        end = text.find('"', i + 1)
        if end < 0:
            return None
        body = text[i + 1 : end]
        if not _NO_CONTROL.isdisjoint(body):
            return None  # a raw line break or tab inside a string: json.loads refuses it
        if "\\" not in body:
            out.append(body)
            if ends is not None:
                ends.append(end + 1)
            i = text.find('"', end + 1)
            continue
        decoded, after = _json_string(text, i + 1)
        if decoded is None:
            return None
        out.append(decoded)
        if ends is not None:
            ends.append(after)
        i = text.find('"', after)
    return out


def _json_string(text: str, i: int) -> tuple[str | None, int]:
    """Decode one string body from `i` (after its quote): (text, index after the closing quote)."""
    parts: list[str] = []
    n = len(text)
    while i < n:
        c = text[i]
        if c == '"':
            return "".join(parts), i + 1
        if c in _NO_CONTROL:
            return None, n  # raw inside a string: not JSON
        if c != "\\":
            parts.append(c)
            i += 1
            continue
        e = text[i + 1 : i + 2]
        if e in _JSON_ESCAPES:
            parts.append(_JSON_ESCAPES[e])
            i += 2
        elif e == "u" and _is_hex(text[i + 2 : i + 6]):
            parts.append(chr(int(text[i + 2 : i + 6], 16)))  # a lone surrogate half is kept
            i += 6
        else:
            return None, n
    return None, n


def _is_hex(digits: str) -> bool:
    return len(digits) == 4 and all(c in "0123456789abcdefABCDEF" for c in digits)


def _bad_input(agent: str, why: str, cwd: str | None, stdout: TextIO, stderr: TextIO) -> int:
    """Fail open with one clear stderr line, unless the config says `hook.fail-closed: true`."""
    fail_closed = False
    try:
        from guard.runtime.settings_load import load_runtime_settings

        settings = load_runtime_settings(cwd or None)
        fail_closed = settings.hook_fail_closed
    except Exception as exc:
        stderr.write(f"codex-guard hook: config error: {_first_line(exc)}\n")
        fail_closed = True
    if fail_closed:
        return answer_deny(agent, f"codex-guard hook: {why} (hook.fail-closed)", stdout, stderr)
    stderr.write(f"codex-guard hook: {why}; allowing (fail open)\n")
    return 0


def _first_line(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def _check(
    agent: str, checks: list[tuple[str, bool]], cwd: str | None, stdout: TextIO, stderr: TextIO
) -> int:
    """The slow path, for each (command, unseen): the command mentions codex, or (`unseen`) has
    no codex word but hands a shell text that only exists when it runs, which matters under
    `hook.fail-closed` alone. Denied when any is; deny on errors unless `hook.on-error: allow`."""
    if _bundle_root is not None:  # the installed hook (guard/hookmain.py): code from the bundle
        from guard.runtime.codebundle import install

        install(_bundle_root)
    from guard.runtime.report import reason_text
    from guard.runtime.settings_load import extra_setting, load_runtime_settings

    _enter(cwd)
    try:
        settings = load_runtime_settings(cwd or None)
    except Exception as exc:
        reason = f"codex-guard hook: config error: {_first_line(exc)}; denying (fail closed)"
        return answer_deny(agent, reason, stdout, stderr)
    denying = []
    for command, unseen in checks:
        if unseen and not settings.hook_fail_closed:
            continue
        machine, scripts = program_words(command, cwd)
        try:
            findings = check_command(
                command, settings, unseen_text=unseen, codex_programs=machine,
                codex_scripts=scripts,
            )  # fmt: skip
        except Exception as exc:
            if extra_setting(settings, "hook.on-error", "deny") == "allow":
                stderr.write(f"codex-guard hook: internal error: {_first_line(exc)}; allowing\n")
                continue
            reason = f"codex-guard hook: internal error while checking: {_first_line(exc)}"
            return answer_deny(agent, reason, stdout, stderr)
        denying.extend(denied_findings(findings, settings))
    if not denying:
        return 0
    return answer_deny(agent, reason_text(denying), stdout, stderr)


def _enter(cwd: str | None) -> None:
    """Work from the folder the agent runs the command in (the payload's `cwd`), which need not
    be the hook's own: a relative path in the command (`CODEX_HOME=ch3`, `cd sub`) is that
    folder's. One that is gone leaves the hook where it is."""
    import os

    if cwd:
        try:  # noqa: SIM105 -- not contextlib.suppress: the hook's path does not import it
            os.chdir(cwd)
        except (OSError, ValueError):
            pass


def denied_findings(findings: list[Any], settings: Any) -> list[Any]:
    """What the hook and `check` refuse on: findings at or over `hook.deny-on` (error), a parse
    error (CG901: the command was not fully read), and under `hook.fail-closed: true` what the
    check cannot settle (CG902, CG103, CG102) at any severity."""
    from guard.runtime.report import at_or_over
    from guard.runtime.settings_load import extra_setting

    floor = {id(f) for f in at_or_over(findings, extra_setting(settings, "hook.deny-on", "error"))}
    unsettled = UNSETTLED if settings.hook_fail_closed else frozenset()
    return [f for f in findings if id(f) in floor or f.rule == PARSE_ERROR or f.rule in unsettled]


def check_command(
    command: str,
    settings: Any,
    environ: Any = None,
    unseen_text: bool = False,
    codex_programs: tuple[str, ...] = (),
    codex_scripts: tuple[str, ...] = (),
) -> list[Any]:
    """The findings for one command line as an agent's Bash tool runs it (RunContext.AGENT).

    The hook runs with the agent's own environment, which the Bash tool's commands inherit: a
    forbidden key set there reaches the codex the command starts (unless the command unsets it).
    `codex_programs` are its program words that are codex on this machine, `codex_scripts` those
    that are a script naming codex (machine.py). Under `hook.fail-closed`, what the check cannot
    settle beyond lint's rules is added (unsettled.py).
    """
    import os

    from guard.engine.api import lint_snippet
    from guard.sources.snippet import RunContext, Snippet

    env = os.environ if environ is None else environ
    inherited = tuple((key, "", 0) for key in settings.forbidden_env if key in env)
    snippet = Snippet(
        command,
        HOOK_PATH,
        context=RunContext.AGENT,
        external_env=inherited,
        unseen_text=unseen_text,
        codex_programs=frozenset(codex_programs),
        posix="POSIXLY_CORRECT" in env,  # bash starts in posix mode (State.posix)
    )
    findings = lint_snippet(snippet, settings)
    if settings.hook_fail_closed:
        findings += _unsettled(snippet, settings, findings, frozenset(codex_scripts))
    return findings


def _unsettled(
    snippet: Any, settings: Any, findings: list[Any], scripts: frozenset[str]
) -> list[Any]:
    """CG902 for codex seen through an unknown command and for shell text that cannot be seen,
    on lines the rules have not already reported CG902 for."""
    from guard.runtime.unsettled import UNSETTLED_RULE, unsettled_findings
    from guard.shell import parse_script

    script = parse_script(snippet.text)
    if snippet.codex_programs:
        from guard.shell.copies import read_as_codex

        script = read_as_codex(script, snippet.codex_programs)
    reported = {f.location.line for f in findings if f.rule == UNSETTLED_RULE}
    return [
        f
        for f in unsettled_findings(script, settings, HOOK_PATH, scripts)
        if f.location.line not in reported
    ]


# The package folder whose guard modules the slow path may take from the code bundle
# (guard/runtime/codebundle.py); set by `main` for the installed hook only.
_bundle_root: str | None = None


def main(bundle_root: str | None = None) -> int:
    """`hookmain.py claude|codex`. With `bundle_root`, the slow path imports the guard modules of
    that package folder from the code bundle, and writes it again after answering when it
    imported modules the bundle did not hold."""
    global _bundle_root
    agent = sys.argv[1] if len(sys.argv) > 1 else ""
    if agent not in AGENTS:
        sys.stderr.write("usage: codex-guard hook claude|codex < pre-tool-use.json\n")
        return 2
    _bundle_root = bundle_root
    code = run_hook(agent, sys.stdin, sys.stdout, sys.stderr)
    if "guard.runtime.codebundle" in sys.modules:  # the slow path ran: keep its code for the next
        try:
            from guard.runtime.codebundle import save_loaded_modules

            save_loaded_modules()
        except Exception:  # the answer is out; a bundle not written costs the next run only
            pass
    return code
