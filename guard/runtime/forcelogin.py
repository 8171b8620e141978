"""Belt and braces at run time: make codex itself refuse API-key auth.

Observed on the real 0.171.0 binary (tests/codex/test_forced_login.py, throwaway CODEX_HOME, no
network): with ``-c forced_login_method="chatgpt"`` codex refuses to run when the auth it would use
is an API key, with ``ChatGPT login is required, but an API key is currently being used. Logging
out.`` and exit 1, before any request:

* an ``auth_mode: apikey`` auth.json: refused (and the auth.json is removed: "Logging out");
* ``CODEX_API_KEY`` in the environment: refused, even over a ChatGPT auth.json, which codex then
  removes as well (the user has to log in again);
* ``OPENAI_API_KEY`` in the environment: not refused (codex starts with its ChatGPT login or none);
  the env check of the doors stays the only guard for that name;
* the same key in config.toml is respected on 0.171.0 too (upstream #46914 did not reproduce here).

So the exec shim and the PATH shim can pass the flag to every ``codex exec`` they start: codex then
refuses a stored or ``CODEX_API_KEY`` key that codex-guard could not see. The rewrite is a pure
function; the doors decide whether to apply it (setting ``force-chatgpt-login``, default on).
"""

from __future__ import annotations

from collections.abc import Sequence

SETTING = "force-chatgpt-login"
KEY = "forced_login_method"
OVERRIDE = f'{KEY}="chatgpt"'

# Sub-commands whose runs authenticate: `exec`/`e` and its resume/review/fork (all take -c).
_EXEC_WORDS = frozenset({"exec", "e"})


def _exec_index(argv: Sequence[str]) -> int | None:
    """Index of the `exec` word in a codex argv (argv[0] is the program), read with the grammar."""
    from guard.codex.call import Subcommand
    from guard.codex.parse import parse_codex_argv
    from guard.shell.model import Span, Word

    words = [Word(text, True, Span(1, n + 1, 1, n + 1), text) for n, text in enumerate(argv)]
    call = parse_codex_argv(words)
    if call.subcommand not in (
        Subcommand.EXEC,
        Subcommand.RESUME,
        Subcommand.REVIEW,
        Subcommand.FORK,
    ):
        return None
    if "remote" in call.extra:
        return None  # 0.171.0 refuses -c next to --remote: the server holds the auth
    for n, text in enumerate(argv[1:], start=1):
        if text in _EXEC_WORDS:
            return n
    return None


def _already_forced(argv: Sequence[str]) -> bool:
    for n, text in enumerate(argv):
        value = argv[n + 1] if text in ("-c", "--config") and n + 1 < len(argv) else None
        if text.startswith("--config="):
            value = text.partition("=")[2]
        if value is not None and value.replace(" ", "").replace("'", '"') == OVERRIDE:
            return True
    return False


def with_forced_chatgpt_login(argv: Sequence[str], *, enabled: bool = True) -> list[str]:
    """``argv`` with ``-c forced_login_method="chatgpt"`` added to a ``codex exec`` run.

    Added last among the options (before a literal ``--``, else at the end; codex takes flags after
    the prompt), so it is the last ``-c`` of the key and wins over an earlier one (the last ``-c``
    wins, observed on 0.169.0). Anything that is not an exec run, or an argv that already forces
    ChatGPT login, comes back unchanged.
    """
    out = list(argv)
    if not enabled or len(out) < 2 or _already_forced(out):
        return out
    at = _exec_index(out)
    if at is None:
        return out
    try:
        end = out.index("--", at + 1)
    except ValueError:
        end = len(out)
    out[end:end] = ["-c", OVERRIDE]
    return out
