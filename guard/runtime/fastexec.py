"""The warm path of `codex-guard exec` and the PATH shim: a run that was checked and allowed, with
every input of that decision unchanged, is exec'd without loading the rules, the models or the
config again.

The full check (``execshim.run_exec``) remembers an allowed run here. The entry holds the facts it
was decided on, and each one is compared in full on the next run (the file name is only a checksum
of the first ones), so a changed fact is a miss, never a wrong answer:
- the argv, the cwd, the exec options, the real stdin's state;
- every config file that could apply (each `.codex-guard.yaml|yml` and `pyproject.toml` from the
  cwd up, `--config`, and the user config), by path, size and mtime;
- the environment the checks read: PATH, HOME, CODEX_HOME, TMPDIR, XDG_CACHE_HOME and every
  CODEX_GUARD_* by value, and whether each forbidden key is set;
- codex-guard's own code and rule files, the codex executable it resolves to and the package.json
  that says its version, the auth file, and where every argument that names an existing path
  really points (symlinks), by size and mtime.
- the whole environment, by a sha256 of every name and value (the values are never stored).
Refusals are never remembered: they take the full path, and say why, every time. Entries live in
a private folder (see ``guard.runtime.private``: 0700, entries 0600, owner and mode checked on
read, no symlink followed), and what an entry may do is checked before it is replayed: it may only
remove forbidden keys (asked for with --scrub-env), set TMPDIR (--set-tmpdir) and give codex
/dev/null (--close-stdin), and the env it would exec must hold no forbidden key; else it is a miss.

Only the standard library's cheapest modules are imported here (no json, hashlib, dataclasses,
typing or pathlib): this is what a warm run pays on top of Python's own start-up.
"""

from __future__ import annotations

import marshal
import os
import sys
import zlib

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs ms on this path
if TYPE_CHECKING:
    from collections.abc import Mapping

    from guard.runtime.execopts import ExecOptions

VERSION = "fastexec-4"
# guard.settings.DEFAULT_FORBIDDEN_ENV, restated so the warm path need not import the settings (a
# test keeps the two equal): never replayed into codex's env, whatever an entry says.
DEFAULT_FORBIDDEN = ("OPENAI_API_KEY", "CODEX_API_KEY")
ENV_FACTS = ("PATH", "HOME", "CODEX_HOME", "TMPDIR", "XDG_CACHE_HOME", "XDG_CONFIG_HOME")
CONFIG_NAMES = (".codex-guard.yaml", ".codex-guard.yml", "pyproject.toml")
MAX_ENTRIES = 2000


def _stamp(path: str) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return f"{path}\0-"
    return f"{path}\0{st.st_size}\0{st.st_mtime_ns}"


def _tree_stamp(folder: str, suffixes: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return [f"{folder}\0-"]
    for entry in entries:
        if entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
            found.extend(_tree_stamp(entry.path, suffixes))
        elif entry.name.endswith(suffixes):
            found.append(_stamp(entry.path))
    return found


def code_stamp(rules_dirs: list[str]) -> list[str]:
    """codex-guard's code and every rule file: an upgrade or an edited rule is a miss."""
    package = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    shipped = os.path.join(package, "_rules")
    rules = shipped if os.path.isdir(shipped) else os.path.join(os.path.dirname(package), "rules")
    stamps = _tree_stamp(package, (".py",))
    for folder in (rules, *rules_dirs):
        stamps.extend(_tree_stamp(folder, (".yaml", ".yml")))
    return stamps


def config_stamps(cwd: str, explicit: str | None) -> list[str]:
    """Every config file that could apply, from the cwd up (guard.config.find_config's search)."""
    stamps = [_stamp(os.path.join(cwd, explicit))] if explicit else []
    folder = cwd
    while True:
        stamps.extend(
            _stamp(path)
            for name in CONFIG_NAMES
            if os.path.exists(path := os.path.join(folder, name))
        )
        parent = os.path.dirname(folder)
        if parent == folder:
            return stamps
        folder = parent


def user_config_stamp(env: Mapping[str, str]) -> str:
    """The user config, the base of every door's settings (guard.config.user_config_path)."""
    xdg = env.get("XDG_CONFIG_HOME", "")
    if not (xdg and os.path.isabs(xdg)):
        xdg = os.path.join(env.get("HOME") or os.path.expanduser("~"), ".config")
    return _stamp(os.path.join(xdg, "codex-guard", "config.yaml"))


def auth_stamp(env: Mapping[str, str]) -> str:
    """The auth file the login check reads (guard.runtime.auth.auth_file)."""
    home = env.get("CODEX_HOME") or os.path.join(
        env.get("HOME") or os.path.expanduser("~"), ".codex"
    )
    return _stamp(os.path.join(home, "auth.json"))


def _digest(path: str) -> str:
    """A config file by content, not mtime: `touch -d` can put an edited file's mtime back."""
    from guard.runtime.fasthash import sha256_hex

    try:
        with open(path, "rb") as handle:
            return f"{path}\0{sha256_hex(handle.read(1 << 20))}"
    except OSError:
        return f"{path}\0-"


def codex_config_facts(env: Mapping[str, str], cwd: str, argv: list[str]) -> list[str]:
    """Every Codex config layer a run may read, by content: `$CODEX_HOME/config.toml` and its
    `NAME.config.toml` profiles (the home of the env and any `CODEX_HOME=` word of the argv), and
    `.codex/config.toml` from the working folder (cwd and `-C DIR`) up. A provider with a bearer
    token, an env_key or a sandbox written there since is a miss, never a replay."""
    homes = [env.get("CODEX_HOME") or os.path.join(env.get("HOME") or "~", ".codex")]
    homes += [word.partition("=")[2] for word in argv if word.startswith("CODEX_HOME=")]
    # `env HOME=DIR codex ...`: with CODEX_HOME unset codex reads DIR/.codex (engine/doorhome.py)
    homes += [os.path.join(word[5:], ".codex") for word in argv if word.startswith("HOME=")]
    found: list[str] = []
    for home in homes:
        home = os.path.join(cwd, os.path.expanduser(home))
        try:
            names = sorted(e.name for e in os.scandir(home) if e.name.endswith("config.toml"))
        except OSError:
            names = []
        found.append(f"home\0{home}\0{len(names)}")
        found.extend(_digest(os.path.join(home, name)) for name in names)
    starts = [cwd]
    for i, word in enumerate(argv):
        if word in ("-C", "--cd") and i + 1 < len(argv):
            starts.append(os.path.join(cwd, argv[i + 1]))
        elif word.startswith("--cd="):
            starts.append(os.path.join(cwd, word[5:]))
    for start in starts:
        folder = os.path.abspath(start)
        while True:
            project = os.path.join(folder, ".codex", "config.toml")
            if os.path.exists(project):
                found.append(_digest(project))
            parent = os.path.dirname(folder)
            if parent == folder:
                break
            folder = parent
    return found


def path_facts(argv: list[str], cwd: str) -> list[str]:
    """Where each argument that names an existing path really points (CG504 follows links)."""
    facts: list[str] = []
    for arg in argv[1:]:
        value = arg.partition("=")[2] if arg.startswith("--") and "=" in arg else arg
        candidate = os.path.join(cwd, value)
        if value and os.path.lexists(candidate):
            facts.append(f"{value}\0{os.path.realpath(candidate)}")
    return facts


def env_digest(env: Mapping[str, str]) -> str:
    """A sha256 of the whole environment: any added, removed or changed variable is a miss."""
    from guard.runtime.fasthash import sha256_hex

    data = "\0".join(sorted(f"{k}={v}" for k, v in env.items()))
    return f"env-sha256={sha256_hex(data.encode('utf-8', 'surrogateescape'))}"


def env_facts(env: Mapping[str, str], forbidden: list[str]) -> list[str]:
    names = sorted({*ENV_FACTS, *(k for k in env if k.startswith("CODEX_GUARD"))})
    facts = [f"{name}={env.get(name, chr(0))}" for name in names]
    facts += [f"{key}?{key in env}" for key in forbidden]  # set or not; the value is never kept
    facts.append(env_digest(env))
    return facts


def primary_key(opts: ExecOptions, argv: list[str], cwd: str, stdin_state: str) -> list[str]:
    return [VERSION, sys.executable, cwd, opts.key(), stdin_state, "\0".join(argv)]


def _entry_path(primary: list[str], env: Mapping[str, str]) -> str:
    from guard.cachedir import cache_dir

    checksum = zlib.crc32("\n".join(primary).encode("utf-8", "surrogateescape"))
    return os.path.join(cache_dir("fastexec", env), f"{checksum:08x}.marshal")


def _facts(
    argv: list[str],
    env: Mapping[str, str],
    cwd: str,
    opts: ExecOptions,
    forbidden: list[str],
    rules_dirs: list[str],
    executable: str,
) -> list[str]:
    from guard.runtime.locate import manifests

    return [
        *config_stamps(cwd, opts.config),
        user_config_stamp(env),
        *env_facts(env, forbidden),
        *code_stamp(rules_dirs),
        _stamp(os.path.realpath(executable)),
        *(_stamp(m) for m in manifests(executable)),  # its version: the flags it takes
        auth_stamp(env),
        *path_facts(argv, cwd),
        *codex_config_facts(env, cwd, argv),
    ]


def remember(
    opts: ExecOptions,
    argv: list[str],
    env: Mapping[str, str],
    cwd: str,
    stdin_state: str,
    decision: dict[str, object],
) -> None:
    """Keep an allowed run's decision: `decision` holds `forbidden`, `rules_dirs`, `executable`,
    `env_remove` and `env_set` (the repairs to its env: no env is stored), `devnull` (stdin
    repaired) and `lines` (what it printed on stderr)."""
    primary = primary_key(opts, argv, cwd, stdin_state)
    facts = _facts(
        argv,
        env,
        cwd,
        opts,
        list(decision["forbidden"]),  # type: ignore[call-overload]
        list(decision["rules_dirs"]),  # type: ignore[call-overload]
        str(decision["executable"]),
    )
    entry = {"primary": primary, "facts": facts, **decision}
    path = _entry_path(primary, env)
    from guard.runtime.private import write_private

    try:
        data = marshal.dumps(entry)
    except ValueError:
        return  # no warm path next time; the check itself stands
    if write_private(path, data):
        _prune(os.path.dirname(path))


def _prune(folder: str) -> None:
    try:
        names = os.listdir(folder)
    except OSError:
        return
    if len(names) < MAX_ENTRIES:
        return
    for name in names[: len(names) // 2]:
        try:  # noqa: SIM105 - contextlib is one more import on the warm path
            os.unlink(os.path.join(folder, name))
        except OSError:
            pass


def recall(
    opts: ExecOptions, argv: list[str], env: Mapping[str, str], cwd: str, stdin_state: str
) -> dict[str, object] | None:
    """The remembered decision, if every fact it was made on still holds; else None."""
    from guard.runtime.private import read_private

    primary = primary_key(opts, argv, cwd, stdin_state)
    try:
        data = read_private(_entry_path(primary, env))
        if data is None:
            return None
        entry = marshal.loads(data)
        if not isinstance(entry, dict) or entry.get("primary") != primary:
            return None
        facts = _facts(
            argv,
            env,
            cwd,
            opts,
            list(entry["forbidden"]),
            list(entry["rules_dirs"]),
            str(entry["executable"]),
        )
    except (OSError, EOFError, ValueError, TypeError, KeyError):
        return None
    return entry if entry.get("facts") == facts else None


def _str_list(value: object) -> list[str] | None:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    return None


def replay_env(
    entry: dict[str, object], opts: ExecOptions, env: Mapping[str, str]
) -> dict[str, str] | None:
    """The env a remembered run would exec, or None when the entry asks for more than a full
    check could have decided: removing anything but a forbidden key, setting anything but TMPDIR,
    a repair not asked for, or an env that still holds a forbidden key."""
    forbidden = _str_list(entry.get("forbidden"))
    remove = _str_list(entry.get("env_remove"))
    to_set = entry.get("env_set")
    if forbidden is None or remove is None or not isinstance(to_set, dict):
        return None
    keys = {*DEFAULT_FORBIDDEN, *forbidden}
    if remove and (not opts.scrub_env or not keys.issuperset(remove)):
        return None
    if to_set and (not opts.set_tmpdir or set(to_set) != {"TMPDIR"}):
        return None
    if not all(isinstance(v, str) for v in to_set.values()):
        return None
    if entry.get("devnull") not in (False, True) or (entry["devnull"] and not opts.close_stdin):
        return None
    if _str_list(entry.get("lines")) is None or not isinstance(entry.get("executable"), str):
        return None
    final = dict(env)
    for name in remove:
        final.pop(name, None)
    final.update(to_set)
    if any(key in final for key in keys):
        return None
    return final


# guard.runtime.forcelogin.OVERRIDE, restated so the warm path does not import the grammar.
FORCED_LOGIN = ("-c", 'forced_login_method="chatgpt"')


def replay_args(entry: dict[str, object], argv: list[str]) -> list[str] | None:
    """The argv a remembered run execs: `argv` itself, or `argv` with the one forced-login
    override inserted (all the full check ever adds); anything else is a miss."""
    args = _str_list(entry.get("args"))
    if args is None:
        return None
    if args == argv:
        return args
    for at in range(1, len(args) - 1):
        if tuple(args[at : at + 2]) == FORCED_LOGIN and args[:at] + args[at + 2 :] == argv:
            return args
    return None


def fast_exec(opts: ExecOptions, argv: list[str]) -> int | None:
    """Exec a remembered allowed run; None when there is none (the caller runs the full check)."""
    if opts.dry_run or opts.help or not argv:
        return None
    from guard.runtime.locate import resolve_command
    from guard.runtime.stdin import StdinState, classify_stdin, give_devnull

    state = classify_stdin(0)
    if state is StdinState.CLOSED:
        return None  # the full path repairs a closed fd 0
    try:
        cwd = os.getcwd()
    except OSError:
        return None  # a deleted cwd: the full path says so
    executable = resolve_command(argv[0], os.environ.get("PATH"))
    entry = recall(opts, argv, os.environ, cwd, state.value)
    if entry is None or executable is None or executable != entry["executable"]:
        return None
    env = replay_env(entry, opts, os.environ)
    args = replay_args(entry, argv)
    if env is None or args is None:
        return None
    for line in entry["lines"]:  # type: ignore[attr-defined]
        print(line, file=sys.stderr)
    if entry["devnull"]:
        give_devnull(0)
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execve(executable, args, env)
    except OSError:
        return None  # gone since: the full path says why
    return 127  # not reached


def exec_fast_main(args: list[str]) -> int | None:
    """`codex-guard exec ...` when its decision is remembered; None sends it to the full check."""
    from guard.runtime.execopts import UsageError, parse_exec_args

    try:
        opts, argv = parse_exec_args(args)
    except UsageError:
        return None  # the full path reports it
    try:
        return fast_exec(opts, argv)
    except Exception:  # any surprise here is a miss: the full check decides
        return None
