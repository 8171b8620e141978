"""The commands git runs that its settings or its environment name, not its argv.

git starts programs of its own: an editor for a commit message, an external diff, an ssh for a
remote, a credential helper, an askpass, an fsmonitor hook, a `!` alias. Which program is a setting
(`-c core.editor=...`, `GIT_CONFIG_COUNT`/`GIT_CONFIG_KEY_n`/`GIT_CONFIG_VALUE_n`,
`GIT_CONFIG_PARAMETERS`, `--config-env`) or an environment variable (`GIT_EDITOR`,
`GIT_SSH_COMMAND`, ...). This is the command model's table of them (wrappers.py peels the `-c
alias.NAME='!TEXT'` of git's argv; this module the rest), read by the walker with the env the git
command really receives (unwrap._git_runs).

Only what git runs where no terminal is (an agent's tool, CI), checked with git 2.39 and a recording
stand-in codex (tests/shell/test_git_runs.py):

- most values run through the shell, as `sh -c 'VALUE "$@"' VALUE ARGS...` (git's
  prepare_shell_cmd): the value is shell text, walked as a nested shell;
- `GIT_SSH` and the askpass programs (`GIT_ASKPASS`, `core.askPass`, `SSH_ASKPASS`) are run as a
  program, not shell text: VALUE is the program word;
- the pager (`GIT_PAGER`, `core.pager`, `pager.<cmd>`, `PAGER`) only runs when stdout is a
  terminal, even under `git -p`: it is walked only where the command has one (`script -c`, tmux);
- the editor runs only for a command that opens one (`commit` without `-m`/`-F`/`--no-edit`,
  `tag -a` without `-m`, `rebase -i`, `-e`/`--edit`, `config --edit`); `VISUAL` needs a `TERM`
  that is not dumb, which a tool's shell may not have: it is read anyway (the sound side).

- a driver `.gitattributes` selects (`diff.<drv>.textconv`, `diff.<drv>.command`,
  `filter.<drv>.clean`/`smudge`/`process`, `merge.<drv>.driver`) runs only for a path the
  attributes name, which are files: it is walked as run, whatever the sub-command (git 2.39 runs
  a clean filter even for `git status`); so are `trailer.<t>.cmd`, `difftool.<t>.cmd`,
  `mergetool.<t>.cmd`, `gpg.program` and `gpg.<format>.program` (a program: `commit -S` or
  `commit.gpgSign` runs it) and `gpg.ssh.defaultKeyCommand`, which options and settings of the
  sub-command's start;
- a remote git reaches by a local path runs its upload-pack or receive-pack as shell text with
  the path after it (`--upload-pack=TEXT`, `clone -u TEXT`, `push --receive-pack TEXT`,
  `archive --exec TEXT`, `remote.<name>.uploadpack`/`receivepack`); an `ext::` URL (an argument,
  `remote.<name>.url`, the base of `url.<base>.insteadOf`) runs its command as a program, when
  the protocol is allowed (`protocol.ext.allow`, GIT_ALLOW_PROTOCOL: walked whether or not;
  where the line allows it, a URL it does not show may be one: CG902);
  `core.gitProxy` runs for a git:// URL;
- an alias of the env's config (GIT_CONFIG_COUNT/KEY/VALUE, GIT_CONFIG_PARAMETERS) is expanded
  here as wrappers._peel_git expands the `-c` ones, chains and `rebase -x` included;
- a file or folder git reads commands from (`include.path`, `includeIf.<cond>.path`,
  GIT_CONFIG_GLOBAL, GIT_CONFIG_SYSTEM: an alias, an editor, a filter there; `core.hooksPath`: the
  hooks of any sub-command but a few that only read) cannot be read at check time (it may not
  exist yet, or change before git runs): what runs there is unknown, CG902 (as `bash "$file"`).

Not walked, as git 2.39 did not run them here: `uploadpack.packObjectsHook` given with `-c` (git
honours it only from a config file: GIT_CONFIG_GLOBAL above), `interactive.diffFilter` with no
terminal.

`git config [--global] KEY VALUE` (and `git config set KEY VALUE`) of a key that holds a command
writes a command every later git of that kind runs, where no check of that later line sees it: the
value is walked as shell text at the `git config` line, as if it ran from there on (the simplest
sound model; `git config alias.st status` and `git config core.editor vim` walk to nothing); of a
key that names a file (`git config include.path FILE`, `core.hooksPath DIR`), CG902.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from guard.fastclass import dataclass
from guard.shell.gitoptions import (
    CLONE_CONFIG,
    PACK_OPTIONS,
    is_runnable_long,
    runnable_options,
    runnable_values,
)
from guard.shell.model import Span, Word

# git's options before its sub-command that take the next word as their value.
GIT_VALUE_OPTS = frozenset({"-c", "-C", "--git-dir", "--work-tree", "--namespace", "--config-env"})

# Settings (lower-case: git's section and key names are case-insensitive) and environment names
# that hold a command, by what runs it. A key here is looked at only when the sub-command runs it.
_EDITOR_ENV = ("GIT_EDITOR",)
_EDITOR_KEYS = ("core.editor",)
_EDITOR_LATE_ENV = ("VISUAL", "EDITOR")
_SEQUENCE_ENV = ("GIT_SEQUENCE_EDITOR",)
_SEQUENCE_KEYS = ("sequence.editor",)
_PAGER_ENV = ("GIT_PAGER",)
_PAGER_KEYS = ("core.pager",)
_DIFF_ENV = ("GIT_EXTERNAL_DIFF",)
_DIFF_KEYS = ("diff.external",)
_SSH_ENV = ("GIT_SSH_COMMAND",)
_SSH_KEYS = ("core.sshcommand",)
_ASKPASS_ENV = ("GIT_ASKPASS",)
_ASKPASS_KEYS = ("core.askpass",)
# A config file git reads beside the repository's own, named by the environment: what it sets
# cannot be known from the command line (`/dev/null` sets nothing).
_CONFIG_FILE_ENV = ("GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM")
# Every name above, and the config-carrying ones: a git command with none of these in its env and
# no `-c`/`--config-env` in its argv runs nothing here (the common case, one pass).
ENV_NAMES = frozenset(
    {
        *_EDITOR_ENV,
        *_EDITOR_LATE_ENV,
        *_SEQUENCE_ENV,
        *_PAGER_ENV,
        "PAGER",
        *_DIFF_ENV,
        *_SSH_ENV,
        "GIT_SSH",
        *_ASKPASS_ENV,
        "SSH_ASKPASS",
        "GIT_CONFIG_COUNT",
        "GIT_CONFIG_PARAMETERS",
        "GIT_ALLOW_PROTOCOL",
        *_CONFIG_FILE_ENV,
    }
)
# Keys whose value is a command (pager.<cmd>, credential.[<url>.]helper and alias.<name> by form).
COMMAND_KEYS = frozenset(
    {
        *_EDITOR_KEYS,
        *_SEQUENCE_KEYS,
        *_PAGER_KEYS,
        *_DIFF_KEYS,
        *_SSH_KEYS,
        "core.fsmonitor",
        "gpg.ssh.defaultkeycommand",
    }
)
# Sub-commands that talk to a remote: ssh, a credential helper or an askpass may run.
_REMOTE_COMMANDS = frozenset(
    {"fetch", "pull", "push", "clone", "ls-remote", "submodule", "remote", "archive"}
    | {"fetch-pack", "send-pack", "request-pull"}
)
_BOOLEANS = frozenset({"true", "false", "yes", "no", "on", "off", "1", "0", ""})


# git's own commands (`git --list-cmds=main,nohelpers`, git 2.39): git runs its command of one of
# these names, never an alias of it (wrappers._peel_git follows the other aliases).
GIT_COMMANDS = frozenset(
    " ".join(
        (
            "add am annotate apply archive bisect blame branch bugreport bundle cat-file",
            "check-attr check-ignore check-mailmap check-ref-format checkout checkout-index",
            "cherry cherry-pick clean clone column commit commit-graph commit-tree config",
            "count-objects credential credential-cache credential-store daemon describe diagnose",
            "diff diff-files diff-index diff-tree difftool fast-export fast-import fetch",
            "fetch-pack filter-branch fmt-merge-msg for-each-ref for-each-repo format-patch fsck",
            "fsck-objects gc get-tar-commit-id grep hash-object help hook http-backend",
            "http-fetch http-push imap-send index-pack init init-db instaweb interpret-trailers",
            "log ls-files ls-remote ls-tree mailinfo mailsplit maintenance merge merge-base",
            "merge-file merge-index merge-octopus merge-one-file merge-ours merge-recursive",
            "merge-recursive-ours merge-recursive-theirs merge-resolve merge-subtree merge-tree",
            "mergetool mktag mktree multi-pack-index mv name-rev notes pack-objects",
            "pack-redundant pack-refs patch-id pickaxe prune prune-packed pull push quiltimport",
            "range-diff read-tree rebase receive-pack reflog remote remote-ext remote-fd",
            "remote-ftp remote-ftps remote-http remote-https repack replace request-pull rerere",
            "reset restore rev-list rev-parse revert rm send-pack shell shortlog show",
            "show-branch show-index show-ref sparse-checkout stage stash status stripspace",
            "submodule subtree switch symbolic-ref tag unpack-file unpack-objects update-index",
            "update-ref update-server-info upload-archive upload-pack var verify-commit",
            "verify-pack verify-tag version whatchanged worktree write-tree",
        )
    ).split()
)


def split_cmdline(text: str) -> list[str]:
    """The words git makes of a (non-`!`) alias's value (git's split_cmdline): split at
    whitespace, `'...'` and `"..."` quote, a backslash outside `'...'` keeps the next character.
    Empty when git refuses the value (an unclosed quote, a backslash at the end)."""
    words: list[str] = []
    part: list[str] = []
    quoted = ""
    k = 0
    while k < len(text):
        c = text[k]
        if not quoted and c.isspace():
            words.append("".join(part))
            part = []
            while k + 1 < len(text) and text[k + 1].isspace():
                k += 1
        elif not quoted and c in "'\"":
            quoted = c
        elif c == quoted:
            quoted = ""
        else:
            if c == "\\" and quoted != "'":
                k += 1
                if k >= len(text):
                    return []
                c = text[k]
            part.append(c)
        k += 1
    if quoted:
        return []
    words.append("".join(part))
    return words


# Settings git runs whatever the sub-command, as far as the command line shows: a driver that
# `.gitattributes` selects (a textconv, a clean/smudge filter, a diff or merge driver: the
# attributes are files, not known here), and commands a sub-command runs on an option or a
# setting of its own (`commit -S` or `commit.gpgSign` runs gpg.program, `--trailer` a trailer
# command). (section, key) of `section.<name>.key`, each run as shell text unless in
# _PROGRAM_DRIVERS; checked with git 2.39 and the recorder (tests/shell/test_git_runs.py).
_DRIVER_KEYS = frozenset(
    {("diff", "textconv"), ("diff", "command"), ("merge", "driver"), ("difftool", "cmd")}
    | {("filter", "clean"), ("filter", "smudge"), ("filter", "process")}
    | {("trailer", "command"), ("trailer", "cmd"), ("gpg", "program"), ("mergetool", "cmd")}
)
# Settings of two parts that run the same way (gpg.ssh.defaultKeyCommand: `commit -S` with no
# user.signingKey runs it, as split words: walked as shell text, which reads them the same).
_ANY_SUB_KEYS = frozenset({"gpg.program", "gpg.ssh.defaultkeycommand"})
_PROGRAM_DRIVERS = frozenset({"gpg"})
_PROGRAM_KEYS = frozenset({"core.askpass", "gpg.program", "core.gitproxy"})
# Settings that name a file or a folder git reads commands from: an included config file (an
# alias, an editor, a filter...), the hooks folder. Its content cannot be known from the command
# line: CG902, fail closed.
_FILE_KEYS = frozenset({"include.path", "core.hookspath"})
# Sub-commands that run no hook (githooks(5): the rest may; a reference-transaction hook runs on
# any ref update): `core.hooksPath` there runs nothing.
_NO_HOOKS = frozenset(
    {"status", "log", "show", "diff", "ls-files", "ls-tree", "cat-file", "rev-parse", "rev-list"}
    | {"blame", "grep", "describe", "shortlog", "config", "version", "help", "for-each-ref"}
    | {"show-ref", "diff-files", "diff-index", "diff-tree", "ls-remote", "whatchanged", "var"}
    | {"check-ignore", "check-attr", "name-rev", "merge-base", "count-objects", "annotate"}
)


def key_kind(key: str) -> str | None:
    """How git uses a setting's value (`key` lower-case): "shell" (shell text it runs),
    "program" (a program it runs), "file" (a file or folder it reads settings or hooks from),
    or None (no command)."""
    if key in _PROGRAM_KEYS:
        return "program"
    if key in COMMAND_KEYS or key.startswith(("alias.", "pager.")):
        return "shell"
    if key in _FILE_KEYS or (key.startswith("includeif.") and key.endswith(".path")):
        return "file"
    section, _, rest = key.partition(".")
    name = rest.rpartition(".")[2]
    if section == "credential" and name == "helper":
        return "shell"
    if "." in rest and (section, name) in _DRIVER_KEYS:
        return "program" if section in _PROGRAM_DRIVERS else "shell"
    if section == "remote" and name in ("uploadpack", "receivepack") and "." in rest:
        return "shell"
    return None


def is_command_key(key: str) -> bool:
    """A setting whose value git runs as a command, or reads commands from (`key` lower-case)."""
    return key_kind(key) is not None


@dataclass(frozen=True, slots=True)
class GitRun:
    """One command git runs: `body` the shell text (or, `program`, the program word), `args` the
    words after it (the body's $0, $1...), `kind` the setting or variable it came from."""

    kind: str
    body: Word
    args: tuple[Word, ...] = ()
    program: bool = False  # run as a program (GIT_SSH, askpass), not as shell text
    elsewhere: bool = False  # the value was set on another line (an export): pin it to git's


def git_runs(
    argv: Sequence[Word], env: Mapping[str, Word | None], tty: bool, alias_seen: bool
) -> list[GitRun]:
    """What `git ...` (argv, git at argv[0]) runs beyond its own sub-command, given the env it
    receives (a name's value None: set, value unknown) and whether it runs on a terminal.
    `alias_seen`: wrappers.peel already walks a `-c alias.NAME='!TEXT'` of this line."""
    if not may_run(argv, env):
        return []  # `git status`, `git commit -m "$MSG"`: the common case, one pass
    config, i = _config(argv, env)
    span = argv[0].span
    lines = (span.line, argv[-1].span.end_line)
    runs: list[GitRun] = []
    if not alias_seen and (expanded := _expand_aliases(argv, env, config, i)) is not None:
        # `GIT_CONFIG_KEY_0=alias.a GIT_CONFIG_VALUE_0=b ... git a`: an alias of the env's; what
        # it expands to is read as peel reads a `-c` alias (`!TEXT`, `rebase -x TEXT`...).
        argv, alias_seen = _peeled_runs(expanded, lines, runs)
        config, i = _config(argv, env)
    sub = argv[i].text if i < len(argv) else ""
    rest = argv[i + 1 :]
    if sub == "clone":
        # `git clone -c KEY=VALUE`: the new repository's setting, under the line's own `-c`
        config = {**_clone_config(rest), **config}

    def first(names: Sequence[str], keys: Sequence[str]) -> tuple[str, Word] | None:
        """The value git uses: the first name or key set (env before config, as git reads)."""
        for name in names:
            value = env.get(name)
            if value is not None:
                return name, value
        for key in keys:
            if key in config:
                return key, config[key]
        return None

    def shell(found: tuple[str, Word] | None, args: tuple[Word, ...] = ()) -> None:
        if found is not None:
            runs.append(_shell_run(f"git {found[0]}", found[1], args, lines))

    if sub == "rebase" and _opens_todo(rest):
        found = first(_SEQUENCE_ENV, _SEQUENCE_KEYS) or first(_EDITOR_ENV, _EDITOR_KEYS)
        shell(found or first(_EDITOR_LATE_ENV, ()), (_unknown("todo", span),))
    elif _opens_editor(sub, rest):
        found = first(_EDITOR_ENV, _EDITOR_KEYS) or first(_EDITOR_LATE_ENV, ())
        shell(found, (_unknown("message", span),))
    if tty and not any(w.text in ("-P", "--no-pager") for w in argv[1:i]):
        found = first(_PAGER_ENV, ())
        own = config.get(f"pager.{sub.lower()}")
        if found is None and own is not None and own.text.lower() not in _BOOLEANS:
            found = (f"pager.{sub.lower()}", own)
        shell(found or first((), _PAGER_KEYS) or first(("PAGER",), ()))
    if sub == "grep" and _opens_default_pager(rest):
        # `git grep -O`: the files found, opened in git_pager(1): GIT_PAGER, core.pager, PAGER
        # (builtin/grep.c; git 2.39 with a recording stand-in, no terminal)
        found = first(_PAGER_ENV, _PAGER_KEYS) or first(("PAGER",), ())
        shell(found, (_unknown("files", span),))
    if _runs_external_diff(sub, rest):
        found = first(_DIFF_ENV, _DIFF_KEYS)
        shell(found, tuple(_unknown(f"diff_arg{k}", span) for k in range(7)))
    if sub in _REMOTE_COMMANDS or sub == "credential":
        if sub != "credential":
            found = first(_SSH_ENV, _SSH_KEYS)
            if found is not None:
                shell(found, _ssh_args(span))
            elif (ssh := env.get("GIT_SSH")) is not None:
                runs.append(_program_run("git GIT_SSH", ssh, _ssh_args(span), lines))
        for key, value in config.items():
            if key.startswith("credential.") and key.endswith(".helper"):
                # `!TEXT` and an absolute path run through the shell; any other NAME is git's
                # own `git credential-NAME`.
                text = value.text.lstrip()
                if text.startswith("!"):
                    value = _tail(value, value.text.index("!") + 1)
                if text.startswith(("!", "/")):
                    shell((key, value), (_word("get", span),))
        found = first(_ASKPASS_ENV, _ASKPASS_KEYS) or first(("SSH_ASKPASS",), ())
        if found is not None:
            prompt = (_unknown("prompt", span),)
            runs.append(_program_run(f"git {found[0]}", found[1], prompt, lines))
    monitor = config.get("core.fsmonitor")
    if monitor is not None and monitor.text.lower() not in _BOOLEANS:
        shell(("core.fsmonitor", monitor), (_unknown("version", span), _unknown("token", span)))
    builtin = sub.lower() in GIT_COMMANDS  # git runs its own command, never an alias of it
    alias = config.get(f"alias.{sub.lower()}") if sub and not alias_seen and not builtin else None
    if alias is not None and alias.text.lstrip().startswith("!"):
        # `GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=alias.x GIT_CONFIG_VALUE_0='!codex ...' git x`
        value = _tail(alias, alias.text.index("!") + 1)
        shell((f"alias.{sub.lower()}", value), tuple(rest))
    runs.extend(_driver_runs(config, env, sub, span, lines))
    if sub in _REMOTE_COMMANDS or sub in ("ls-remote", "upload-archive"):
        runs.extend(_remote_runs(config, env, sub, rest, span, lines))
    if sub == "config":
        runs.extend(_config_write(rest, Span(span.line, span.column, lines[1], span.end_column)))
    return runs


# argv words that may make a git command run one of its own (the gate of git_runs): a setting,
# a config write, a remote's upload-pack or receive-pack (`-u`, also in a cluster), an ext:: URL,
# a clone's setting (`-qc`, `--config`).
_MARKS = ("-c", "--config-env", "--upload-pack", "--receive-pack", "--exec", "ext::")


def may_run(argv: Sequence[Word], env: Mapping[str, object]) -> bool:
    """Cheap: may `git ...` run a command of a setting's or an option's (git_runs may find one)?
    False for `git status`, `git commit -m "$MSG"`: no such name in its env, no such word."""
    if not ENV_NAMES.isdisjoint(env):
        return True
    for w in argv[1:]:
        t = w.text
        if t.startswith(_MARKS) or t == "config":
            return True
        if t[:1] == "-" and t[1:2] != "-" and ("u" in t or "c" in t):
            return True
        name = t.partition("=")[0]
        if is_runnable_long(name, PACK_OPTIONS) or is_runnable_long(name, CLONE_CONFIG):
            return True
    return False


def _expand_aliases(
    argv: Sequence[Word], env: Mapping[str, Word | None], config: dict[str, Word], i: int
) -> tuple[Word, ...] | None:
    """argv with the aliases of its sub-command expanded, git's way (a chain, each alias's
    words standing for its name, a loop or a `!` alias ending it), when the env's config
    (GIT_CONFIG_COUNT/KEY/VALUE, GIT_CONFIG_PARAMETERS, --config-env) gives one; None when it
    expands nothing (wrappers._peel_git already expanded the `-c` ones)."""
    out = tuple(argv)
    seen: set[str] = set()
    for _ in range(16):  # git stops a loop itself ("alias loop detected")
        if i >= len(out):
            break
        name = out[i].text.lower()
        value = config.get(f"alias.{name}")
        if name in GIT_COMMANDS or name in seen or value is None:
            break
        if value.text.lstrip().startswith("!"):
            break  # git_runs walks it, with the words after it
        words = split_cmdline(value.text)
        if not words:
            break
        seen.add(name)
        out = (*out[:i], *(_part(value, w) for w in words), *out[i + 1 :])
        config, i = _config(out, env)
    return out if seen else None


def _peeled_runs(
    argv: tuple[Word, ...], lines: tuple[int, int], runs: list[GitRun]
) -> tuple[tuple[Word, ...], bool]:
    """What wrappers._peel_git reads of an expanded argv (a `-c alias.b='!TEXT'` the alias
    gave, `rebase -x TEXT`, `submodule foreach TEXT`, `bisect run CMD...`), added to runs; the
    argv as it expanded it, and whether a `!` alias was walked."""
    from guard.shell.wrappers import Peeled, _peel_git

    out = Peeled(argv)
    argv, at = _peel_git(argv, out)
    for body, args in ((out.body, out.body_args), *out.more_bodies):
        if body:
            run = GitRun(out.body_kind, body[0], args, elsewhere=_elsewhere(body[0], lines))
            runs.append(run)
    if at is not None:
        runs.append(_program_run("git bisect run", argv[at], tuple(argv[at + 1 :]), lines))
    return argv, out.body_kind == "git alias"


def _driver_runs(
    config: Mapping[str, Word],
    env: Mapping[str, Word | None],
    sub: str,
    span: Span,
    lines: tuple[int, int],
) -> list[GitRun]:
    """The settings git may run whatever the sub-command (_DRIVER_KEYS: which of them runs is
    up to `.gitattributes` or options), walked as run; and the files and folders the command
    line names for git to read commands from (an included config file, GIT_CONFIG_GLOBAL, the
    hooks folder): their content is unknown, so what runs is (CG902)."""
    runs: list[GitRun] = []
    for key, value in config.items():
        kind = key_kind(key)
        if key == UNKNOWN_KEY:
            runs.append(_unknown_run("git -c", value, span, lines))  # what it sets is unknown
            continue
        if kind == "file":
            hooks = key == "core.hookspath"
            if value.text != "/dev/null" and not (hooks and sub.lower() in _NO_HOOKS):
                runs.append(_unknown_run(f"git {key}", value, span, lines))
            continue
        section, _, rest = key.partition(".")
        driver = "." in rest and (section, rest.rpartition(".")[2]) in _DRIVER_KEYS
        if not driver and key not in _ANY_SUB_KEYS:
            continue
        args: tuple[Word, ...] = ()
        if key.endswith(".textconv"):
            args = (_unknown("file", span),)
        elif key.startswith("diff.") and key.endswith(".command"):
            args = tuple(_unknown(f"diff_arg{k}", span) for k in range(7))
        if kind == "program":
            runs.append(_program_run(f"git {key}", value, args, lines))
        else:
            runs.append(_shell_run(f"git {key}", value, args, lines))
    for name in _CONFIG_FILE_ENV:
        file = env.get(name)
        if name in env and (file is None or file.text != "/dev/null"):
            runs.append(_unknown_run(f"git {name}", file, span, lines))
    return runs


def _remote_runs(
    config: Mapping[str, Word],
    env: Mapping[str, Word | None],
    sub: str,
    rest: Sequence[Word],
    span: Span,
    lines: tuple[int, int],
) -> list[GitRun]:
    """What a sub-command that reaches a repository runs of its options and settings: the
    upload-pack or receive-pack it starts for a local repository, shell text with the path
    after it (`--upload-pack=TEXT`, `-u TEXT`, `--receive-pack`, `--exec`,
    `remote.<name>.uploadpack`), the command of an `ext::` URL (run as a program: its argv,
    `% ` a space in a word), a `core.gitProxy` for a git:// URL."""
    runs: list[GitRun] = []
    path = (_unknown("repo", span),)
    for word, at in runnable_values(rest, runnable_options(sub)):
        value = _tail(word, at) if at else word
        runs.append(_shell_run(f"git {sub} --upload-pack", value, path, lines))
    urls = [w for w in rest if w.text.startswith("ext::")]
    for key, value in config.items():
        section, _, tail = key.partition(".")
        name = tail.rpartition(".")[2]
        if section == "remote" and name in ("uploadpack", "receivepack") and "." in tail:
            runs.append(_shell_run(f"git {key}", value, path, lines))
        elif section == "remote" and name in ("url", "pushurl") and "." in tail:
            urls.append(value)
        elif section == "url" and name in ("insteadof", "pushinsteadof"):
            # `url.ext::TEXT.insteadOf=NAME`: the base is the key's, its case as given
            base = tail.rpartition(".")[0]
            if base.startswith("ext::"):
                urls.append(Word(base, value.literal, value.span, base))
    if _ext_allowed(config, env):
        # `-c protocol.ext.allow=always clone "$URL"`: a URL the line does not show may be one
        unknown = [w for w in (*rest, *urls) if not w.literal]
        if unknown:
            runs.append(_unknown_run("git ext::", unknown[0], span, lines))
    for url in urls:
        if url.text.startswith("ext::"):
            words = _ext_words(url)
            if words:
                runs.append(_program_run("git ext::", words[0], words[1:], lines))
    proxy = config.get("core.gitproxy")
    if proxy is not None:
        host = (_unknown("host", span), _unknown("port", span))
        runs.append(_program_run("git core.gitProxy", proxy, host, lines))
    return runs


def _ext_allowed(config: Mapping[str, Word], env: Mapping[str, Word | None]) -> bool:
    """The line allows the ext:: transport (off by default): GIT_ALLOW_PROTOCOL naming it (or
    unknown), else `protocol.ext.allow` or `protocol.allow` set to always or user."""
    if "GIT_ALLOW_PROTOCOL" in env:
        listed = env["GIT_ALLOW_PROTOCOL"]
        return listed is None or not listed.literal or "ext" in listed.text.split(":")
    found = config.get("protocol.ext.allow") or config.get("protocol.allow")
    return found is not None and (not found.literal or found.text.lower() in ("always", "user"))


def _ext_words(url: Word) -> tuple[Word, ...]:
    """The argv of an `ext::` URL's command (git-remote-ext): words split at spaces, `% ` a
    space and `%%` a `%` in a word, `%s`/`%S` the service's name, `%G...`/`%V...` words git
    keeps for itself."""
    words: list[str] = []
    part: list[str] = []
    keep = True
    text = url.text[5:]
    k = 0
    while k < len(text):
        c = text[k]
        if c == " ":
            if part and keep:
                words.append("".join(part))
            part, keep = [], True
        elif c == "%" and k + 1 < len(text):
            k += 1
            e = text[k]
            if e in " %":
                part.append(e)
            elif e in "sS":
                part.append("git-upload-pack" if e == "S" else "upload-pack")
            elif e in "GV":
                keep = False
        else:
            part.append(c)
        k += 1
    if part and keep:
        words.append("".join(part))
    return tuple(_part(url, w) for w in words)


def _unknown_run(kind: str, value: Word | None, span: Span, lines: tuple[int, int]) -> GitRun:
    """What git runs of a file or a folder the command line names (its content unknown): the
    walker's unresolvable body, CG902 (as `bash "$file"`)."""
    at = value.span if value is not None else span
    body = _unknown("config_file", at)
    return GitRun(kind, body, elsewhere=value is not None and _elsewhere(value, lines))


# The key of a `-c` setting the line does not show (`-c "$K=$V"`): no key git takes is spelled so.
UNKNOWN_KEY = "?"
_KNOWN_KEY = frozenset("$`")


def _config(argv: Sequence[Word], env: Mapping[str, Word | None]) -> tuple[dict[str, Word], int]:
    """The settings this git reads from its env and its `-c`/`--config-env` options (later wins;
    keys lower-case), and where its sub-command is in argv."""
    config: dict[str, Word] = {}
    params = env.get("GIT_CONFIG_PARAMETERS")
    if params is not None:
        for item in _split_parameters(params.text):
            key, eq, value = item.partition("=")
            if eq:
                config[key.lower()] = Word(value, params.literal, params.span, value)
    count = env.get("GIT_CONFIG_COUNT")
    if count is not None and count.text.isdigit():
        for k in range(min(int(count.text), 64)):
            key_word = env.get(f"GIT_CONFIG_KEY_{k}")
            value_word = env.get(f"GIT_CONFIG_VALUE_{k}")
            if key_word is not None and value_word is not None:
                config[key_word.text.lower()] = value_word
    i = 1
    while i < len(argv):
        word = argv[i].text
        given: Word | None = None
        if word in GIT_VALUE_OPTS and i + 1 < len(argv):
            given = argv[i + 1] if word in ("-c", "--config-env") else None
            pair = word
            i += 2
        elif word.startswith("--config-env="):
            given, pair = argv[i], "--config-env"
            i += 1
        elif word.startswith("-"):
            i += 1
            continue
        else:
            break
        if given is None:
            continue
        text = given.text if pair == "-c" else given.text.removeprefix("--config-env=")
        key, eq, value = text.partition("=")
        if not given.literal and (not eq or not _KNOWN_KEY.isdisjoint(key)):
            config[UNKNOWN_KEY] = given  # `-c "$K=$V"`: any setting, an alias of the sub-command
            continue
        if not eq:
            continue
        if pair == "-c":
            config[key.lower()] = _tail(given, len(given.text) - len(value))
        else:
            # `--config-env=KEY=ENVNAME`: the value is that variable's
            from_env = env.get(value)
            if from_env is not None:
                config[key.lower()] = from_env
    return config, i


def _opens_default_pager(rest: Sequence[Word]) -> bool:
    """`git grep -O` (`--open-files-in-pager`) with no command of its own: git's pager."""
    bare: list[Word] = []
    runnable_values(rest, runnable_options("grep"), bare)
    return bool(bare)


def _clone_config(rest: Sequence[Word]) -> dict[str, Word]:
    """The settings `git clone -c KEY=VALUE` (`--config`) writes into the new repository, as
    _config reads a `git -c`: keys lower-case, a value git cannot be known to read unknown."""
    config: dict[str, Word] = {}
    for word, at in runnable_values(rest, CLONE_CONFIG):
        text = word.text[at:]
        key, eq, value = text.partition("=")
        if not word.literal and (not eq or not _KNOWN_KEY.isdisjoint(key)):
            config[UNKNOWN_KEY] = word
        elif eq:
            config[key.lower()] = _tail(word, len(word.text) - len(value))
    return config


def _split_parameters(text: str) -> list[str]:
    """GIT_CONFIG_PARAMETERS: `'key'='value'` items, shell single-quoted, blank-separated."""
    import shlex

    try:
        return shlex.split(text, posix=True)
    except ValueError:
        return []


def _tail(word: Word, at: int) -> Word:
    """The part of `word` from character `at` of its text, with its column where it starts in the
    file when the raw word shows it on one line (`-c core.editor='codex ...'`)."""
    text = word.text[at:]
    span = word.span
    raw = word.raw or ""
    found = raw.find(text) if text else -1
    if found > 0 and "\n" not in raw[:found]:
        span = Span(span.line, span.column + found, span.end_line, span.end_column)
    raw_tail = raw[found:] if found >= 0 else text
    return Word(text, word.literal, span, raw_tail)


def _part(word: Word, text: str) -> Word:
    """A word git makes of part of `word` (an alias's words, an ext:: URL's), at its column in
    the file when the raw word shows it on one line."""
    span = word.span
    raw = word.raw or ""
    at = raw.find(text) if text else -1
    if at > 0 and "\n" not in raw[:at]:
        span = Span(span.line, span.column + at, span.end_line, span.end_column)
    return Word(text, word.literal, span, text)


def _word(text: str, span: Span) -> Word:
    return Word(text, True, span, text)


def _unknown(name: str, span: Span) -> Word:
    """A word git passes that the linter cannot know (a file name, a host)."""
    return Word(f"${{{name}}}", False, span, f"${{{name}}}")


def _ssh_args(span: Span) -> tuple[Word, ...]:
    """What git hands its ssh: `-o SendEnv=GIT_PROTOCOL HOST "git-upload-pack 'PATH'"` (the
    host unknown; the remote command git's own, which runs nothing of the script's)."""
    return (
        _word("-o", span),
        _word("SendEnv=GIT_PROTOCOL", span),
        _unknown("ssh_host", span),
        _word("git-upload-pack 'repo'", span),
    )


def _elsewhere(value: Word, lines: tuple[int, int]) -> bool:
    """The value was written on a line outside the git command (an earlier `export`)."""
    return not lines[0] <= value.span.line <= lines[1]


def _shell_run(kind: str, value: Word, args: tuple[Word, ...], lines: tuple[int, int]) -> GitRun:
    """git runs `sh -c 'VALUE "$@"' VALUE ARGS...` (VALUE alone with no ARGS)."""
    text = value.text + (' "$@"' if args else "")
    body = Word(text, value.literal, value.span, value.raw or value.text)
    name = Word(value.text, value.literal, value.span, value.raw)
    return GitRun(kind, body, (name, *args), elsewhere=_elsewhere(value, lines))


def _program_run(kind: str, value: Word, args: tuple[Word, ...], lines: tuple[int, int]) -> GitRun:
    """git runs VALUE as a program (`GIT_SSH`, askpass): argv VALUE ARGS (a host, a prompt)."""
    return GitRun(
        kind,
        Word('"$0" "$@"', True, value.span, '"$0" "$@"'),
        (value, *args),
        program=True,
        elsewhere=_elsewhere(value, lines),
    )


def _has_option(words: Sequence[Word], longs: Sequence[str], letters: str) -> bool:
    """An option among `words` before `--`: a long one (`--message`, `--message=x`) or a short
    letter alone or in a cluster (`-m`, `-am`, `-mx`: the letters before a value)."""
    for w in words:
        t = w.text
        if t == "--":
            return False
        if t.startswith("--"):
            if t.partition("=")[0] in longs:
                return True
        elif t.startswith("-") and len(t) > 1 and any(c in letters for c in t[1:]):
            return True
    return False


def _opens_editor(sub: str, rest: Sequence[Word]) -> bool:
    """The sub-command opens the editor (on a file of git's): a commit message, a tag message,
    `--edit`, `git config --edit`."""
    if sub in ("commit", "merge", "tag", "add", "pull", "revert", "cherry-pick", "notes") and any(
        w.text in ("-e", "--edit") for w in rest
    ):
        return True
    if sub == "commit":
        message = ("--message", "--file", "--reuse-message", "--no-edit", "--fixup")
        return not _has_option(rest, message, "mFC")
    if sub == "tag":
        annotated = _has_option(rest, ("--annotate", "--sign", "--local-user"), "asu")
        listing = _has_option(rest, ("--list", "--delete", "--verify"), "ldv")
        return annotated and not listing and not _has_option(rest, ("--message", "--file"), "mF")
    if sub == "config":
        return any(w.text in ("-e", "--edit", "edit") for w in rest)
    if sub == "notes" and rest and rest[0].text in ("add", "append", "edit"):
        return rest[0].text == "edit" or not _has_option(rest[1:], ("--message", "--file"), "mFC")
    return False


def _opens_todo(rest: Sequence[Word]) -> bool:
    """`git rebase -i` / `--interactive` / `--edit-todo`: the sequence editor opens the todo."""
    return _has_option(rest, ("--interactive", "--edit-todo"), "i")


def _runs_external_diff(sub: str, rest: Sequence[Word]) -> bool:
    """`git diff` runs the external diff unless told not to; log, show and the rest only with
    `--ext-diff`."""
    if any(w.text == "--no-ext-diff" for w in rest):
        return False
    if sub == "diff":
        return True
    return any(w.text == "--ext-diff" for w in rest)


# `git config` options that take the next word as their value.
_CONFIG_VALUE_OPTS = frozenset(
    {"-f", "--file", "--blob", "--type", "--default", "--comment", "--value", "-t"}
)
_CONFIG_ACTIONS = frozenset(
    {"--get", "--get-all", "--get-regexp", "--unset", "--unset-all", "--list", "-l", "-e"}
    | {"--edit", "--rename-section", "--remove-section", "--get-urlmatch", "--get-color"}
    | {"--get-colorbool", "get", "list", "unset", "edit", "rename-section", "remove-section"}
)


def _config_write(rest: Sequence[Word], span: Span) -> list[GitRun]:
    """`git config [opts] KEY VALUE`, `git config set KEY VALUE`: a key that holds a command, set
    to VALUE, runs VALUE in later git commands (module docstring): walked here, as from then on."""
    words: list[Word] = []
    i = 0
    while i < len(rest):
        t = rest[i].text
        if t in _CONFIG_ACTIONS:
            return []  # a read, an unset, an edit: no value written
        if t in _CONFIG_VALUE_OPTS:
            i += 2
            continue
        if t.startswith("-") and t != "-":
            i += 1
            continue
        words.append(rest[i])
        i += 1
    if words and words[0].text == "set":
        words = words[1:]
    if len(words) < 2:
        return []
    key = words[0].text.lower()
    value = words[1]
    kind = key_kind(key)
    if kind is None:
        return []
    lines = (span.line, span.end_line)
    if kind == "file":
        # `git config include.path FILE`, `core.hooksPath DIR`: later gits read commands there
        if value.text == "/dev/null":
            return []
        return [_unknown_run(f"git config {key}", value, span, lines)]
    text = value.text.lstrip()
    if key.startswith("alias.") or (key.startswith("credential.") and key.endswith(".helper")):
        if not text.startswith("!"):
            return []  # `alias.st status`: another git sub-command; a helper git names itself
        value = _tail(value, value.text.index("!") + 1)
    elif (key == "core.fsmonitor" or key.startswith("pager.")) and text.lower() in _BOOLEANS:
        return []  # `pager.log false`, `core.fsmonitor true`: no command
    if kind == "program":
        return [_program_run(f"git config {key}", value, (), lines)]
    return [_shell_run(f"git config {key}", value, (), lines)]
