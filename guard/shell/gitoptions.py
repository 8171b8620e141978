"""Where a git command's arguments hold the value of an option whose value git runs (`git rebase
-x TEXT`, `git clone -uTEXT`, `git fetch --upload-pack=TEXT`), read as git's option parser
(parse-options.c) reads them: long options by a unique prefix, short ones alone or in a
cluster, and the values of the other options skipped where the table knows them."""

from __future__ import annotations

from guard.fastclass import dataclass

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: this module is on the hook's import path
if TYPE_CHECKING:
    from collections.abc import Sequence

    from guard.shell.model import Word


@dataclass(frozen=True, slots=True)
class RunnableOptions:
    """One git command's options whose value git runs, and what its parser needs besides."""

    longs: tuple[str, ...]  # long options whose value git runs
    shorts: str = ""  # short letters whose value git runs
    short_values: str = ""  # short letters that take a value (the rest of the word or the next)
    short_optional: str = ""  # short letters whose value is only ever the rest of the word
    long_values: frozenset[str] = frozenset()  # other long options whose value is the next word
    # A long option is also taken by a prefix of at least this many characters (git takes a
    # unique one; an ambiguous one fails, so taking it too only errs towards a finding); 0: not
    # at all (filter-branch is a shell script reading its options whole).
    abbreviated_from: int = 4
    attached_only: bool = False  # the value is never the next word (`git grep -O`)


_PACK = ("--upload-pack", "--receive-pack", "--exec")
PACK_OPTIONS = RunnableOptions(_PACK, abbreviated_from=3)
# clone and ls-remote take `-u` for --upload-pack (also in a cluster: `-qu TEXT`, `-uTEXT`)
_PACK_OPTIONS_U = RunnableOptions(_PACK, shorts="u", abbreviated_from=3)

# `git clone -c KEY=VALUE` (`--config`, a unique prefix from `--co`; `-qc`, `-cKEY=VALUE`): a
# setting of the new repository, in effect "before the remote history is fetched or any files
# checked out" (git-clone(1)); git 2.39 with a recording stand-in starts a `-c core.sshCommand`
# given so to reach an ssh remote. Its other short options that take a value: -o -b -u -j.
CLONE_CONFIG = RunnableOptions(
    ("--config",),
    shorts="c",
    short_values="obuj",
    long_values=frozenset(
        {"--origin", "--branch", "--upload-pack", "--template", "--reference", "--depth"}
        | {"--reference-if-able", "--separate-git-dir", "--shallow-since", "--shallow-exclude"}
        | {"--jobs", "--server-option", "--filter", "--bundle-uri", "--ref-format"}
    ),
)

RUNNABLE_OPTIONS = {
    "clone": _PACK_OPTIONS_U,
    "ls-remote": _PACK_OPTIONS_U,
    # after each commit it picks (options may follow the operands, as git reads them)
    "rebase": RunnableOptions(
        ("--exec",),
        shorts="x",
        short_values="sXC",
        short_optional="rS",
        long_values=frozenset({"--onto", "--strategy", "--strategy-option", "--whitespace"}),
    ),
    "difftool": RunnableOptions(("--extcmd",), shorts="x", short_values="t"),
    # the pager it opens the files it finds in: `-O[CMD]`, a value only attached
    "grep": RunnableOptions(
        ("--open-files-in-pager",), shorts="O", short_values="efABCm", attached_only=True
    ),
    "filter-branch": RunnableOptions(
        (
            *("--tree-filter", "--index-filter", "--msg-filter", "--commit-filter"),
            *("--env-filter", "--parent-filter", "--tag-name-filter", "--setup"),
        ),
        short_values="d",
        abbreviated_from=0,
    ),
}


def runnable_options(sub: str) -> RunnableOptions:
    """The table's entry for `sub`; a command that reaches a repository and is not listed
    takes the pack options (`git fetch --upload-pack=TEXT`)."""
    return RUNNABLE_OPTIONS.get(sub, PACK_OPTIONS)


def is_runnable_long(name: str, options: RunnableOptions) -> bool:
    """`name` (before any `=`) is one of the long options, or a prefix git may take for one."""
    if name in options.longs:
        return True
    least = options.abbreviated_from
    return bool(least) and len(name) >= least and any(o.startswith(name) for o in options.longs)


def runnable_values(
    words: Sequence[Word], options: RunnableOptions, bare: list[Word] | None = None
) -> list[tuple[Word, int]]:
    """Each value of a runnable option among `words` (before `--`): the word that holds it and
    where in its text the value begins (0: the whole word, the one after the option). `bare`,
    when given, gets each word that gives an attached-only option no value (`git grep -O`:
    git's pager then)."""
    found: list[tuple[Word, int]] = []
    k = 0
    while k < len(words):
        t = words[k].text
        if t == "--":
            break
        if t.startswith("--"):
            name, eq, _ = t.partition("=")
            if is_runnable_long(name, options):
                if eq:
                    found.append((words[k], len(name) + 1))
                elif not options.attached_only and k + 1 < len(words):
                    found.append((words[k + 1], 0))
                    k += 1
                elif options.attached_only and bare is not None:
                    bare.append(words[k])
            elif not eq and name in options.long_values:
                k += 1
        elif t.startswith("-") and len(t) > 1:
            for j, c in enumerate(t[1:], 2):
                if c in options.shorts:
                    if j < len(t):
                        found.append((words[k], j))
                    elif not options.attached_only and k + 1 < len(words):
                        found.append((words[k + 1], 0))
                        k += 1
                    elif options.attached_only and bare is not None:
                        bare.append(words[k])
                    break
                if c in options.short_values:
                    k += 1 if j == len(t) else 0  # its value: the next word, or the rest
                    break
                if c in options.short_optional:
                    break
        k += 1
    return found
