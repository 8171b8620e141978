"""What kind of file is this? By name, extension, then shebang (only for files with no suffix)."""

from __future__ import annotations

import posixpath
import re

SHELL = "shell"
WORKFLOW = "workflow"
MARKDOWN = "markdown"
MAKEFILE = "makefile"
DOCKERFILE = "dockerfile"
JUSTFILE = "justfile"
GITLAB = "gitlab"
PYTHON = "python"
JAVASCRIPT = "javascript"
GO = "go"
EXPECT = "expect"  # a Tcl program of expect(1): `*.exp`, or an `expect` shebang
PACKET = "packet"
CODEX_CONFIG = "codex-config"
PACKAGE_JSON = "package-json"
LINT_STAGED = "lint-staged"  # `.lintstagedrc[.json|.yaml|.yml]`: commands lint-staged runs
LINT_STAGED_NAMES = frozenset(
    {".lintstagedrc", ".lintstagedrc.json", ".lintstagedrc.yaml", ".lintstagedrc.yml"}
)
# CI systems and task runners with shell in YAML (guard/sources/ciyaml.py)
CIRCLECI = "circleci"
BITBUCKET = "bitbucket"
AZURE = "azure"
BUILDKITE = "buildkite"
TASKFILE = "taskfile"
PRE_COMMIT = "pre-commit"
LEFTHOOK = "lefthook"  # guard/sources/lefthook.py: the shell lefthook runs on git hooks
LEFTHOOK_NAMES = frozenset(
    stem + suffix
    for stem in ("lefthook", ".lefthook", "lefthook-local", ".lefthook-local")
    for suffix in (".yml", ".yaml", ".json", ".jsonc", ".toml")
)
CI_YAML_KINDS = frozenset({CIRCLECI, BITBUCKET, AZURE, BUILDKITE, TASKFILE, PRE_COMMIT})
# every kind a reader exists for, in the order `--kind` lists them
ALL_KINDS = (
    SHELL, WORKFLOW, GITLAB, CIRCLECI, BITBUCKET, AZURE, BUILDKITE, TASKFILE, PRE_COMMIT,
    MARKDOWN, MAKEFILE, DOCKERFILE, JUSTFILE, PYTHON, JAVASCRIPT, GO, PACKET, CODEX_CONFIG,
    PACKAGE_JSON, LINT_STAGED, LEFTHOOK, EXPECT,
)  # fmt: skip

SHELL_SUFFIXES = frozenset({".sh", ".bash", ".zsh", ".ksh", ".dash"})
SHELL_NAMES = frozenset(
    {".bashrc", ".bash_profile", ".bash_login", ".profile", ".zshrc", ".zprofile", ".kshrc"}
)
SHELL_INTERPRETERS = frozenset({"sh", "bash", "zsh", "ksh", "dash", "mksh", "ash"})
# Git's hook names (githooks(5)): in a husky folder, or one `core.hooksPath` names by convention,
# a file of this name is a shell script git runs, with or without a shebang.
GIT_HOOK_NAMES = frozenset(
    {
        "applypatch-msg", "pre-applypatch", "post-applypatch", "pre-commit", "pre-merge-commit",
        "prepare-commit-msg", "commit-msg", "post-commit", "pre-rebase", "post-checkout",
        "post-merge", "pre-push", "pre-receive", "update", "post-receive", "post-update",
        "push-to-checkout", "pre-auto-gc", "post-rewrite", "sendemail-validate",
        "fsmonitor-watchman", "reference-transaction",
    }
)  # fmt: skip
GIT_HOOK_FOLDERS = (".husky", ".githooks", "githooks")
LEFTHOOK_SCRIPT_FOLDERS = (".lefthook", ".lefthook-local")  # lefthook's default source_dir(_local)
# Git runs a hook with stdin on /dev/null (hook.c, pick_next_hook: `cp->no_stdin = 1`) but for
# these, which it feeds a finite stream (the refs, the rewritten commits) and then closes.
GIT_HOOKS_FED_STDIN = frozenset(
    {"pre-push", "pre-receive", "post-receive", "post-rewrite", "reference-transaction"}
)
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdx"})
MAKEFILE_NAMES = frozenset({"makefile", "gnumakefile"})
JUSTFILE_NAMES = frozenset({"justfile", ".justfile"})
JAVASCRIPT_SUFFIXES = frozenset({".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".tsx"})
PACKET_SUFFIXES = (".packet.yaml", ".packet.yml", ".packet.json")
# YAML files a CI system or task runner reads, by name (lower-cased) ...
YAML_NAMES = {
    ".gitlab-ci.yml": GITLAB,
    ".gitlab-ci.yaml": GITLAB,
    "bitbucket-pipelines.yml": BITBUCKET,
    "bitbucket-pipelines.yaml": BITBUCKET,
    "azure-pipelines.yml": AZURE,
    "azure-pipelines.yaml": AZURE,
    ".azure-pipelines.yml": AZURE,
    ".azure-pipelines.yaml": AZURE,
    "buildkite.yml": BUILDKITE,
    "buildkite.yaml": BUILDKITE,
    ".buildkite.yml": BUILDKITE,
    ".buildkite.yaml": BUILDKITE,
    "taskfile.yml": TASKFILE,
    "taskfile.yaml": TASKFILE,
    "taskfile.dist.yml": TASKFILE,
    "taskfile.dist.yaml": TASKFILE,
    ".pre-commit-config.yaml": PRE_COMMIT,
    ".pre-commit-config.yml": PRE_COMMIT,
}
# ... and by the folder they sit in (lower-cased). A dotted folder holds its system's YAML at any
# depth (`.azure-pipelines/templates/steps.yml`, `.buildkite/pipelines/deploy.yml`: the files
# `template:` and `buildkite-agent pipeline upload` name), as `.github/workflows/` and
# `.gitlab/ci/` do; a plain-named folder only right in it, or in its `templates/`.
YAML_FOLDERS = {
    ".azure-pipelines": AZURE,
    "azure-pipelines": AZURE,
    ".buildkite": BUILDKITE,
    "buildkite": BUILDKITE,
}
# `.circleci/`: `config.yml`, and the configs a setup workflow continues with (dynamic config:
# `continue_config.yml` the path-filtering orb's default, any name `continuation/continue` takes)
CIRCLECI_FOLDER = ".circleci"
# Names that start as a system's own (the file name without `.yml`, lower-cased, then `-`, `.`
# or `_`): a second pipeline (`azure-pipelines-release.yml`, `azure-pipelines.pr.yml`), a
# Taskfile that `includes:` names (`Taskfile.docker.yml`, `Taskfile_linux.yml`)
NAME_PREFIX_KINDS = tuple(
    (stem + sep, kind)
    for stem, kind in (
        ("azure-pipelines", AZURE),
        (".azure-pipelines", AZURE),
        ("taskfile", TASKFILE),
    )
    for sep in "-._"
)
NAME_PREFIXES = tuple(prefix for prefix, _kind in NAME_PREFIX_KINDS)
# Names GitLab's `include:` files go by: `ci/build.gitlab-ci.yml`, anything under `.gitlab/ci/`
GITLAB_SUFFIXES = (".gitlab-ci.yml", ".gitlab-ci.yaml")
# A name other tools use too: Buildkite's, unless its content makes it a packet (kind_by_content)
BUILDKITE_GENERIC = frozenset({"pipeline.yml", "pipeline.yaml"})
# A YAML or JSON file whose top level says `kind: codex-packet` (PACKETS.md), at the start of a line
# (YAML) or as a JSON member: a packet by content, whatever its name.
PACKET_KIND = re.compile(
    rb'(?m)^kind:[ \t]*["\']?codex-packet["\']?[ \t]*(#.*)?$|"kind"\s*:\s*"codex-packet"'
)


def kind_by_name(path: str) -> str | None:
    """The kind a path's name alone decides, or None (then a shebang may still decide)."""
    posix = path.replace("\\", "/")
    name = posixpath.basename(posix)
    lower = name.lower()
    suffix = posixpath.splitext(lower)[1]
    if suffix in SHELL_SUFFIXES or lower in SHELL_NAMES or lower.endswith(".bashrc"):
        return SHELL
    if is_git_hook(posix):
        return SHELL  # husky's hooks have no shebang: husky runs them with `sh -e`
    if lower.endswith(PACKET_SUFFIXES):
        return PACKET
    if lower == "package.json":
        return PACKAGE_JSON  # its `scripts`: what npm, yarn, pnpm and bun run with `sh -c`
    if lower in LINT_STAGED_NAMES:
        return LINT_STAGED  # JSON or YAML: glob -> the commands run on the staged files
    if lower in LEFTHOOK_NAMES:
        return LEFTHOOK  # `lefthook.yml`, `.lefthook-local.json`...: the hooks' commands
    if suffix in (".yml", ".yaml"):
        return _yaml_kind(posix, lower)
    if suffix in MARKDOWN_SUFFIXES:
        return MARKDOWN
    if lower in MAKEFILE_NAMES or suffix == ".mk":
        return MAKEFILE
    if lower in ("dockerfile", "containerfile") or lower.startswith("dockerfile."):
        return DOCKERFILE
    if suffix in (".dockerfile", ".containerfile"):
        return DOCKERFILE
    if lower in JUSTFILE_NAMES or suffix == ".just":
        return JUSTFILE
    if suffix == ".py":
        return PYTHON
    if suffix in JAVASCRIPT_SUFFIXES and not lower.endswith(".d.ts"):
        return JAVASCRIPT
    if suffix == ".go":
        return GO
    if suffix == ".exp":
        return EXPECT
    if is_codex_config(posix):
        return CODEX_CONFIG
    return None


def is_git_hook(path: str) -> bool:
    """A file named as a git hook in a folder a hook manager keeps them in (`.husky/pre-commit`,
    `.githooks/commit-msg`): git runs it, with or without a shebang."""
    posix = path.replace("\\", "/")
    name = posixpath.basename(posix)
    return (
        name in GIT_HOOK_NAMES
        and "." not in name
        and posixpath.basename(posixpath.dirname(posix)) in GIT_HOOK_FOLDERS
    )


def git_hook_stdin(path: str) -> tuple[bool, str | None]:
    """The stdin git gives a hook in a hook manager's folder, as Snippet.closed_stdin and
    Snippet.stdin_stream: /dev/null, or the stream it feeds the hooks of GIT_HOOKS_FED_STDIN;
    for a lefthook script (`.lefthook/pre-commit/check.sh`) a reader at EOF or a PTY, as
    lefthook runs every job without `use_stdin: true` (guard/sources/lefthook.py); (False, None)
    for any other file."""
    if is_lefthook_script(path):
        return True, None
    if not is_git_hook(path):
        return False, None
    return hook_stdin(posixpath.basename(path.replace("\\", "/")))


def is_lefthook_script(path: str) -> bool:
    """A file in a hook's folder of lefthook's default `source_dir` or `source_dir_local`
    (`.lefthook/pre-commit/check.sh`, `.lefthook-local/pre-push/x`): a script lefthook runs."""
    folders = posixpath.dirname(path.replace("\\", "/")).split("/")
    return len(folders) >= 2 and folders[-2] in LEFTHOOK_SCRIPT_FOLDERS and folders[-1] != ""


def hook_stdin(name: str) -> tuple[bool, str | None]:
    """(closed_stdin, stdin_stream) of the git hook `name`."""
    if name in GIT_HOOKS_FED_STDIN:
        return False, f"what git feeds the {name} hook"
    return True, None


def _yaml_kind(posix: str, lower: str) -> str | None:
    rooted = f"/{posix}"
    if "/.github/workflows/" in rooted or lower in ("action.yml", "action.yaml"):
        return WORKFLOW
    if "/.gitlab/ci/" in rooted or lower.endswith(GITLAB_SUFFIXES):
        return GITLAB
    kind = YAML_NAMES.get(lower)
    if kind is not None:
        return kind
    stem = posixpath.splitext(lower)[0]
    if stem.startswith(NAME_PREFIXES):  # `azure-pipelines-release.yml`, `Taskfile.docker.yml`
        return next(k for prefix, k in NAME_PREFIX_KINDS if stem.startswith(prefix))
    folders = posixpath.dirname(posix).lower().split("/")
    if folders[-1] == CIRCLECI_FOLDER:
        return CIRCLECI
    for depth, folder in enumerate(reversed(folders)):
        kind = YAML_FOLDERS.get(folder)
        if kind is not None and (
            folder.startswith(".") or depth == 0 or (depth == 1 and folders[-1] == "templates")
        ):
            return kind
    return None


def is_codex_config(posix: str) -> bool:
    """`config.toml` or a `NAME.config.toml` profile layer sitting right in a Codex home: a folder
    named `.codex` (a project's, or ~/.codex), `codex`, or one whose name says codex home
    (`ci/codex-home`, `CODEX_HOME`). A `config.toml` anywhere else (a `codex-guard/` checkout
    included), or a pyproject.toml, is some other tool's."""
    name = posixpath.basename(posix)
    if name != "config.toml" and not (name.endswith(".config.toml") and len(name) > 12):
        return False
    folder = posixpath.basename(posixpath.dirname(posix)).lower()
    return folder in (".codex", "codex") or ("codex" in folder and "home" in folder)


def needs_head(path: str) -> bool:
    """Only a file with no suffix can be a script by shebang alone (`bin/dispatch`)."""
    name = posixpath.basename(path.replace("\\", "/"))
    return "." not in name.lstrip(".")


def may_be_packet(path: str) -> bool:
    """A YAML or JSON file that its content may make a packet (`kind: codex-packet`)."""
    lower = path.lower()
    return lower.endswith((".yaml", ".yml", ".json"))


def kind_by_content(path: str, head: bytes) -> str | None:
    """PACKET for a YAML or JSON file whose head says `kind: codex-packet`; else BUILDKITE for a
    `pipeline.yml` (a name other tools use too: its reader finds nothing in a file of theirs)."""
    if may_be_packet(path) and PACKET_KIND.search(head):
        return PACKET
    if posixpath.basename(path.replace("\\", "/")).lower() in BUILDKITE_GENERIC:
        return BUILDKITE
    return None


def kind_by_shebang(head: bytes) -> str | None:
    line = head.split(b"\n", 1)[0]
    if not head.startswith(b"#!") or b"\0" in line:  # bash's binary test: a NUL in line one
        return None
    first = line.decode("utf-8", "replace")
    words = first[2:].split()
    if not words:
        return None
    interpreter = words[0].rsplit("/", 1)[-1]
    if interpreter == "env":
        rest = [w for w in words[1:] if not w.startswith("-") and "=" not in w]
        interpreter = rest[0].rsplit("/", 1)[-1] if rest else ""
    if interpreter.startswith("python"):
        return PYTHON
    if interpreter == "expect":
        return EXPECT
    return SHELL if interpreter in SHELL_INTERPRETERS else None


def detect_kind(path: str, head: bytes | None = None) -> str | None:
    kind = kind_by_name(path)
    if kind is None and head is not None:
        kind = kind_by_content(path, head) or kind_by_shebang(head)
    return kind
