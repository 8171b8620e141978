"""Codex's own config files as a source: `.codex/config.toml`, a Codex home's `config.toml` and
its `NAME.config.toml` profile layers (guard/sources/detect.py decides which files those are).

A config file holds no shell. The source checks that it is TOML (stdlib tomllib; a syntax error
is CG901 at its line and column, as codex itself refuses the file with `Error loading
config.toml: PATH:LINE:COL`, FACTS.md) and hands the document to the CG8xx checks
(guard/engine/checks/codexconfig.py) as one fact, with the role the file plays. The checks judge
it with the settings (`sandboxed-host`, `billing`, `forbidden-env`), which a source cannot see.
"""

from __future__ import annotations

import posixpath

from guard.fastenum import StrEnum
from guard.lazyre import lazy_compile
from guard.sources.base import SourceError
from guard.sources.snippet import Snippet, SourceFact

# The rule id of the fact that carries the document: not a rule, so never reported itself.
CONFIG_DOCUMENT = "codex-config"


class ConfigRole(StrEnum):
    HOME = "home"  # $CODEX_HOME/config.toml: every run under that home reads it
    PROFILE = "profile"  # $CODEX_HOME/NAME.config.toml: layered on it by `-p NAME` (FACTS.md)
    PROJECT = "project"  # a project's .codex/config.toml: read when the project is trusted


def config_role(path: str) -> tuple[ConfigRole, str]:
    """The role a detected config file plays, and the profile name of a `NAME.config.toml`."""
    posix = path.replace("\\", "/")
    name = posixpath.basename(posix)
    if name != "config.toml" and name.endswith(".config.toml"):
        return ConfigRole.PROFILE, name[: -len(".config.toml")]
    folder = posixpath.basename(posixpath.dirname(posix))
    # `.codex/config.toml` inside a repository is the project's layer; a Codex home in a
    # repository is a folder named for it (`ci/codex-home`), which a script points CODEX_HOME at.
    return (ConfigRole.PROJECT if folder == ".codex" else ConfigRole.HOME), ""


_WHERE = lazy_compile(r"\(at line (\d+), column (\d+)\)")


def _end(text: str) -> tuple[int, int]:
    """Where the document ends (tomllib says "at end of document" with no line)."""
    lines = text.split("\n")
    return len(lines), len(lines[-1]) + 1


def _syntax_error(text: str) -> SourceError | None:
    import tomllib

    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _WHERE.search(message)
        line, column = (int(found.group(1)), int(found.group(2))) if found else _end(text)
        reason = _WHERE.sub("", message).replace("(at end of document)", "").strip()
        return SourceError(
            f"not valid TOML, so codex refuses to start with it: {reason}", line, column
        )
    except RecursionError:
        return SourceError("too deeply nested to analyse (recursion limit)")
    except ValueError as exc:
        return SourceError(f"not valid TOML: {type(exc).__name__}")
    return None


# Top-level keys no other tool's config.toml is likely to have (FACTS.md "config.toml keys", and
# the CG8xx checks' CODEX_KEYS less the words any tool uses: `model`, `profiles`, `permissions`).
CODEX_ONLY_KEYS = frozenset(
    {
        "model_provider",
        "model_providers",
        "forced_login_method",
        "preferred_auth_method",
        "sandbox_mode",
        "sandbox_workspace_write",
        "default_permissions",
        "approval_policy",
        "shell_environment_policy",
    }
)


def _has_codex_keys(document: dict[str, object]) -> bool:
    """A key only Codex reads, at the top or in a `[profiles.NAME]` table."""
    if CODEX_ONLY_KEYS.intersection(document):
        return True
    profiles = document.get("profiles")
    if not isinstance(profiles, dict):
        return False
    return any(isinstance(p, dict) and CODEX_ONLY_KEYS.intersection(p) for p in profiles.values())


def _other_tools_config(text: str, path: str) -> bool:
    """A `codex/config.toml` whose keys are not Codex's: the config of a package or app that is
    merely named codex (`model = "Salesforce/codegen-350M-mono"` and a `[training]` table). Only
    for a folder named plain `codex`: `.codex/` and a `*codex*home*` folder are Codex's by name."""
    import tomllib

    folder = posixpath.basename(posixpath.dirname(path.replace("\\", "/"))).lower()
    if folder != "codex":
        return False
    return not _has_codex_keys(tomllib.loads(text))  # valid TOML: _syntax_error has read it


def extract(text: str, path: str) -> list[Snippet]:
    error = _syntax_error(text)
    if error is not None:
        raise error  # the lint driver reports it as CG901 at the line codex would name
    if _other_tools_config(text, path):
        return []
    role, profile = config_role(path)
    document = SourceFact(
        CONFIG_DOCUMENT, 1, message=text, params=(("role", role.value), ("profile", profile))
    )
    return [Snippet(text="", path=path, facts=(document,))]
