"""Every source kind, registered once (pre-commit's `all_languages` style)."""

from __future__ import annotations

from guard.sources import (
    codexconfig,
    dockerfile,
    gitlab,
    golang,
    javascript,
    justfile,
    makefile,
    markdown,
    packet,
    python,
    shell,
    workflow,
)
from guard.sources.base import Source
from guard.sources.detect import (
    CODEX_CONFIG,
    DOCKERFILE,
    GITLAB,
    GO,
    JAVASCRIPT,
    JUSTFILE,
    MAKEFILE,
    MARKDOWN,
    PACKET,
    PYTHON,
    SHELL,
    WORKFLOW,
)

SOURCES: dict[str, Source] = {
    SHELL: shell.extract,
    WORKFLOW: workflow.extract,
    MARKDOWN: markdown.extract,
    MAKEFILE: makefile.extract,
    DOCKERFILE: dockerfile.extract,
    JUSTFILE: justfile.extract,
    GITLAB: gitlab.extract,
    PYTHON: python.extract,
    JAVASCRIPT: javascript.extract,
    GO: golang.extract,
    PACKET: packet.extract,
    CODEX_CONFIG: codexconfig.extract,
}
