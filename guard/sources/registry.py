"""Every source kind, registered once (pre-commit's `all_languages` style).

A kind's module is imported the first time a file of that kind gets past the keyword reject: a
run over workflows never compiles the Markdown, Python or Makefile readers' patterns (about a
dozen modules and 13 ms of start-up that a workflow lint does not use).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping

from guard.sources.base import Source
from guard.sources.detect import (
    AZURE,
    BITBUCKET,
    BUILDKITE,
    CIRCLECI,
    CODEX_CONFIG,
    DOCKERFILE,
    EXPECT,
    GITLAB,
    GO,
    JAVASCRIPT,
    JUSTFILE,
    LEFTHOOK,
    LINT_STAGED,
    MAKEFILE,
    MARKDOWN,
    PACKAGE_JSON,
    PACKET,
    PRE_COMMIT,
    PYTHON,
    SHELL,
    TASKFILE,
    WORKFLOW,
)

# kind -> the module of guard.sources whose `extract` reads it
SOURCE_MODULES: dict[str, str] = {
    SHELL: "shell",
    WORKFLOW: "workflow",
    MARKDOWN: "markdown",
    MAKEFILE: "makefile",
    DOCKERFILE: "dockerfile",
    JUSTFILE: "justfile",
    GITLAB: "gitlab",
    PYTHON: "python",
    JAVASCRIPT: "javascript",
    GO: "golang",
    EXPECT: "expect",
    PACKET: "packet",
    CODEX_CONFIG: "codexconfig",
    PACKAGE_JSON: "packagejson",
    LINT_STAGED: "packagejson:extract_lint_staged",
    LEFTHOOK: "lefthook",
    # one reader, a spec per system: `module:function`
    CIRCLECI: "ciyaml:extract_circleci",
    BITBUCKET: "ciyaml:extract_bitbucket",
    AZURE: "ciyaml:extract_azure",
    BUILDKITE: "ciyaml:extract_buildkite",
    TASKFILE: "ciyaml:extract_taskfile",
    PRE_COMMIT: "ciyaml:extract_pre_commit",
}


class _Sources(Mapping[str, Source]):
    """kind -> its source's `extract`, the module imported on first use."""

    def __init__(self, modules: Mapping[str, str]) -> None:
        self._modules = dict(modules)
        self._loaded: dict[str, Source] = {}

    def __getitem__(self, kind: str) -> Source:
        loaded = self._loaded.get(kind)
        if loaded is None:
            name, _, function = self._modules[kind].partition(":")
            module = importlib.import_module(f"guard.sources.{name}")
            loaded = self._loaded[kind] = getattr(module, function or "extract")
        return loaded

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __len__(self) -> int:
        return len(self._modules)


SOURCES: Mapping[str, Source] = _Sources(SOURCE_MODULES)
