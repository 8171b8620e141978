"""Which billing will codex use? `auth_mode` in auth.json, else `codex login status`, cached.

FACTS.md: `codex login --with-api-key` writes `"auth_mode": "apikey"`, a ChatGPT login writes
`"auth_mode": "chatgpt"`; `codex login status` prints its answer on STDERR (after a possible
`WARNING: proceeding...` line under a temp CODEX_HOME) and exits 0 for an API key too, so the text
is what counts. Starting codex costs ~0.17 s and 45 MiB: the shim reads the file, and caches the
fallback's answer keyed by the auth file's path, mtime and size, so the hot path starts no process.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path

from guard import settings
from guard.fastclass import dataclass
from guard.runtime.fasthash import sha256_hex
from guard.runtime.private import read_private, write_private

LOGIN_STATUS_TIMEOUT = 20.0
CHATGPT_LINE = "Logged in using ChatGPT"
APIKEY_MARKERS = ("API key configured", "Logged in using an API key", "Logged in using API key")
NOT_LOGGED_IN = "Not logged in"


@dataclass(frozen=True, slots=True)
class LoginAnswer:
    ok: bool  # subscription billing confirmed
    mode: str  # chatgpt | apikey | none | unknown
    source: str  # "auth_mode: chatgpt in PATH" or "codex login status: ..."
    cached: bool = False


def codex_home(env: Mapping[str, str]) -> Path:
    home = env.get("CODEX_HOME")
    if home:
        return Path(home).expanduser()
    return Path(env.get("HOME") or os.path.expanduser("~")) / ".codex"


def auth_file(env: Mapping[str, str]) -> Path:
    return codex_home(env) / "auth.json"


class AuthFileError(Exception):
    """auth.json exists but cannot be read as a file: the login cannot be settled (refuse)."""


def read_auth_bytes(path: Path) -> bytes | None:
    """auth.json's bytes; None when there is none. Opened non-blocking and read only when it is a
    regular file: a FIFO (or a device) in its place would hang the shim, and `codex login status`
    would hang on it too, so it raises AuthFileError instead."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise AuthFileError(f"{path} cannot be opened ({exc.strerror})") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise AuthFileError(f"{path} is not a regular file")
        chunks = []
        while chunk := os.read(fd, 1 << 16):
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise AuthFileError(f"{path} cannot be read ({exc.strerror})") from None
    finally:
        os.close(fd)


def read_auth_mode(path: Path) -> str | None:
    """`auth_mode` from auth.json; None when the file is missing, unreadable or says nothing."""
    try:
        return read_auth_mode_strict(path)
    except AuthFileError:
        return None


def read_auth_mode_strict(path: Path) -> str | None:
    """`auth_mode` from auth.json; None when the file is missing or says nothing.

    Raises AuthFileError when it is there and cannot be read (not a regular file, no permission).
    """
    raw = read_auth_bytes(path)
    if raw is None:
        return None
    import json  # only when there is an auth.json: json costs the hook ~1.5 ms

    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict):
        return None
    mode = data.get("auth_mode")
    if isinstance(mode, str) and mode:
        return mode.lower()
    # Older auth.json files carry no auth_mode: a bare key means API billing.
    if data.get("OPENAI_API_KEY") and not data.get("tokens"):
        return "apikey"
    return None


def parse_login_status(text: str) -> str:
    """The mode a `codex login status` output states: chatgpt | apikey | none | unknown."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith(CHATGPT_LINE):
            return "chatgpt"
        if any(stripped.startswith(m) for m in APIKEY_MARKERS):
            return "apikey"
        if stripped.startswith(NOT_LOGGED_IN):
            return "none"
    return "unknown"


def _status_line(text: str) -> str:
    """The line that carries the status (not the WARNING line a temp CODEX_HOME adds)."""
    for line in text.splitlines():
        stripped = line.strip()
        for marker in APIKEY_MARKERS:
            if stripped.startswith(marker):
                # codex prints part of the key (`API key configured - sk-pro***abcd`): never echo it
                return marker
        if stripped.startswith((CHATGPT_LINE, NOT_LOGGED_IN)):
            return stripped
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[-1] if lines else "no output"


def run_login_status(codex: str, env: Mapping[str, str]) -> tuple[str, str]:
    """(mode, status line) from the real binary; stdin is /dev/null so it can never hang."""
    import subprocess  # only on a cache miss: the hot path starts no process

    try:
        proc = subprocess.run(
            [codex, "login", "status"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            env=dict(env),
            timeout=LOGIN_STATUS_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return "unknown", f"could not run `{codex} login status`: {type(exc).__name__}"
    text = proc.stderr.decode("utf-8", "replace") + "\n" + proc.stdout.decode("utf-8", "replace")
    return parse_login_status(text), _status_line(text)


def cache_dir(env: Mapping[str, str]) -> Path:
    return settings.cache_dir("auth", env)


def cache_key(path: Path, codex: str) -> str:
    """The auth file's path, mtime and size (and which codex answered): any login rewrites it."""
    try:
        st = path.stat()
        stamp = f"{st.st_mtime_ns}:{st.st_size}"
    except OSError:
        stamp = "missing"
    raw = f"{path.resolve() if path.exists() else path}\0{stamp}\0{os.path.realpath(codex)}"
    return sha256_hex(raw.encode())[:32]


def _read_cache(entry: Path) -> LoginAnswer | None:
    """A cached answer, only from a private cache file (guard.runtime.private)."""
    raw = read_private(str(entry))
    if raw is None:
        return None
    import json

    try:
        data = json.loads(raw.decode("utf-8"))
        return LoginAnswer(
            ok=bool(data["ok"]), mode=str(data["mode"]), source=str(data["source"]), cached=True
        )
    except (ValueError, KeyError, TypeError):
        return None


def _write_cache(entry: Path, answer: LoginAnswer) -> None:
    import json

    payload = {"ok": answer.ok, "mode": answer.mode, "source": answer.source}
    # A read-only or foreign cache only costs the next run one `login status`.
    write_private(str(entry), json.dumps(payload).encode("utf-8"))


def check_login(
    codex: str, env: Mapping[str, str], use_cache: bool = True, store: bool = True
) -> LoginAnswer:
    """Is this codex, with this env, going to bill the ChatGPT subscription?"""
    path = auth_file(env)
    try:
        mode = read_auth_mode_strict(path)
    except AuthFileError as exc:
        return LoginAnswer(False, "unknown", str(exc))
    if mode == "chatgpt":
        return LoginAnswer(True, "chatgpt", f"auth_mode: chatgpt in {path}")
    if mode == "apikey":
        return LoginAnswer(False, "apikey", f"auth_mode: apikey in {path}")
    entry = cache_dir(env) / f"{cache_key(path, codex)}.json"
    if use_cache:
        cached = _read_cache(entry)
        if cached is not None:
            return cached
    status_mode, line = run_login_status(codex, env)
    answer = LoginAnswer(status_mode == "chatgpt", status_mode, f"codex login status: {line}")
    if store and status_mode != "unknown":  # a timeout or a crash is not worth keeping
        _write_cache(entry, answer)
    return answer


def login_message(answer: LoginAnswer) -> str:
    """The CG102-shaped message for a login that is not the ChatGPT subscription."""
    if answer.mode == "apikey":
        return (
            f"codex is logged in with an API key ({answer.source}): every token is billed to "
            "the API account"
        )
    if answer.mode == "none":
        return (
            f"codex is not logged in with ChatGPT ({answer.source}): log in on the subscription "
            "before dispatching"
        )
    return (
        f"cannot confirm that codex is logged in using ChatGPT ({answer.source}): "
        "refusing rather than risk API billing"
    )
