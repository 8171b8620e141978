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
PACKET = "packet"
CODEX_CONFIG = "codex-config"
PACKAGE_JSON = "package-json"
# every kind a reader exists for, in the order `--kind` lists them
ALL_KINDS = (
    SHELL, WORKFLOW, GITLAB, MARKDOWN, MAKEFILE, DOCKERFILE, JUSTFILE, PYTHON, JAVASCRIPT, GO,
    PACKET, CODEX_CONFIG, PACKAGE_JSON,
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
MARKDOWN_SUFFIXES = frozenset({".md", ".markdown", ".mdx"})
MAKEFILE_NAMES = frozenset({"makefile", "gnumakefile"})
JUSTFILE_NAMES = frozenset({"justfile", ".justfile"})
JAVASCRIPT_SUFFIXES = frozenset({".js", ".mjs", ".cjs", ".ts", ".mts", ".cts", ".tsx"})
PACKET_SUFFIXES = (".packet.yaml", ".packet.yml", ".packet.json")
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
    if (
        not suffix
        and lower in GIT_HOOK_NAMES
        and posixpath.basename(posixpath.dirname(posix))
        in (
            ".husky",
            ".githooks",
            "githooks",
        )
    ):
        return SHELL  # husky's hooks have no shebang: husky runs them with `sh -e`
    if lower.endswith(PACKET_SUFFIXES):
        return PACKET
    if lower == "package.json":
        return PACKAGE_JSON  # its `scripts`: what npm, yarn, pnpm and bun run with `sh -c`
    if suffix in (".yml", ".yaml"):
        if lower in (".gitlab-ci.yml", ".gitlab-ci.yaml"):
            return GITLAB
        if "/.github/workflows/" in f"/{posix}" or lower in ("action.yml", "action.yaml"):
            return WORKFLOW
        return None
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
    if is_codex_config(posix):
        return CODEX_CONFIG
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
    """PACKET for a YAML or JSON file whose head says `kind: codex-packet`."""
    if may_be_packet(path) and PACKET_KIND.search(head):
        return PACKET
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
    return SHELL if interpreter in SHELL_INTERPRETERS else None


def detect_kind(path: str, head: bytes | None = None) -> str | None:
    kind = kind_by_name(path)
    if kind is None and head is not None:
        kind = kind_by_content(path, head) or kind_by_shebang(head)
    return kind
