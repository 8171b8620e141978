"""The click command group (`app`, built in guard/commands/group.py on first use).

Importing a front door's module (guard.commands.lint) does not import click: the plain
`codex-guard lint` command lines are parsed without it (guard/cli.py, `fast_lint_options`).
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    import click

    app: click.Group


def __getattr__(name: str) -> object:
    if name == "app":
        from guard.commands.group import app

        return app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
