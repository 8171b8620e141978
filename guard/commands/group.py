"""The click command group. Each front door lives in its own module and is registered here once."""

from __future__ import annotations

import click

from guard import __version__
from guard.commands import init, lintcli, runtime


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="codex-guard")
def app() -> None:
    """Policy linter, exec shim and agent hook for `codex exec` dispatch commands."""


for command in (*lintcli.COMMANDS, *runtime.COMMANDS, *init.COMMANDS):
    app.add_command(command)
