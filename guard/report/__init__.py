"""Reports: one module per output format, registered once in `FORMATS`.

Every renderer takes the finished `LintResult` (findings already sorted) and the rule registry, and
returns the whole text to print; none of them writes anything itself. `lint` prints through the
streaming form (`streams()`): the same text in pieces, a finding at a time, so the parent never
holds the rendered report (its memory does not grow with the report beyond the findings).
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: a lint imports typing for nothing else
if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping
    from typing import Protocol

    from guard.engine.registry import Rule
    from guard.findings import LintResult

    class Renderer(Protocol):
        def __call__(
            self, result: LintResult, rules: Mapping[str, Rule], *, color: bool
        ) -> str: ...

    class StreamRenderer(Protocol):
        def __call__(
            self, result: LintResult, rules: Mapping[str, Rule], *, color: bool
        ) -> Iterator[str]: ...


def streams() -> dict[str, StreamRenderer]:
    """Format name -> streaming renderer: `"".join(stream(...)) == render(...)`."""
    return {name: stream_of(name) for name in FORMAT_NAMES}


def stream_of(name: str) -> StreamRenderer:
    """The streaming renderer of one format (only its module is imported)."""
    if name == "text":
        from guard.report import text

        return text.stream
    if name == "json":
        from guard.report import json

        return json.stream
    if name == "sarif":
        from guard.report import sarif

        return sarif.stream
    if name == "github":
        from guard.report import github

        return github.stream
    raise KeyError(name)


def renderers() -> dict[str, Renderer]:
    """Format name -> renderer. Imported on demand: only the chosen format's module is needed."""
    from guard.report import github, json, sarif, text

    return {
        "text": text.render,
        "json": json.render,
        "sarif": sarif.render,
        "github": github.render,
    }


FORMAT_NAMES = ("text", "json", "sarif", "github")
