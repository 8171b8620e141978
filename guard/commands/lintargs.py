"""The plain `codex-guard lint` command lines, parsed without click.

Importing click costs about 27 ms of CPU (with `inspect` and `uuid` under it), a tenth of a lint
of 1,000 workflows. Most runs use a handful of options, so those are parsed here; any other token
(help, `--`, `-`, a misspelt or other option, a value click would refuse or convert) makes
`fast_lint_options` return None and click parses the whole line as before, errors and all.
tests/lint/test_fast_front.py holds this parser to click's on generated command lines.
"""

from __future__ import annotations

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the lint start-up does not import typing
if TYPE_CHECKING:
    from typing import Any


# What click gives each parameter of `lint` that is not on the command line (guard/commands/
# lintcli.py declares the same defaults; the test above compares them).
LINT_DEFAULTS: dict[str, Any] = {
    "paths": (),
    "output_format": "text",
    "text_style": "full",
    "select": (),
    "extend_select": (),
    "ignore": (),
    "fail_on": None,
    "exit_zero": False,
    "strict": False,
    "config_file": None,
    "jobs": 0,
    "color": "auto",
    "no_cache": False,
    "kind": None,
    "fix": False,
    "diff": False,
    "stdin_filename": None,
    "statistics": False,
    "output_file": None,
    "quiet": False,
}
_FLAGS = {
    "--no-cache": "no_cache",
    "--quiet": "quiet",
    "-q": "quiet",
    "--exit-zero": "exit_zero",
    "--strict": "strict",
    "--statistics": "statistics",
}
_CHOICES: dict[str, tuple[str, tuple[str, ...]]] = {
    "--format": ("output_format", ("text", "json", "sarif", "github")),
    "--output-format": ("text_style", ("full", "concise")),
    "--fail-on": ("fail_on", ("error", "warning", "info")),
    "--color": ("color", ("auto", "always", "never")),
}
_JOBS = ("--jobs", "-j")


def fast_lint_options(args: list[str]) -> dict[str, Any] | None:
    """`lint`'s parameters for `args` (the words after `lint`), as click would give them, or
    None when the line holds anything this parser leaves to click."""
    options = dict(LINT_DEFAULTS)
    paths: list[str] = []
    i = 0
    while i < len(args):
        word = args[i]
        i += 1
        if not word.startswith("-"):
            if not word:
                return None
            paths.append(word)
            continue
        if word in _FLAGS:
            options[_FLAGS[word]] = True
            continue
        name, equals, value = word.partition("=")
        if not equals and word.startswith("-j") and len(word) > 2:
            name, value, equals = "-j", word[2:], "="  # `-j2`
        if name not in _CHOICES and name not in _JOBS:
            return None
        if not equals:
            if i >= len(args):
                return None  # click: the option requires an argument
            value = args[i]
            i += 1
        elif name == "-j" and word.startswith("-j="):
            return None  # click reads `-j=2` as the value `=2`
        if name in _JOBS:
            if not (value.isascii() and value.isdigit()):
                return None
            options["jobs"] = int(value)
            continue
        key, allowed = _CHOICES[name]
        if value not in allowed:
            return None
        options[key] = value
    options["paths"] = tuple(paths)
    return options
