"""`exec`, `install-shim`, `hook`, `check`, `verdict`, `doctor`: the runtime front doors."""

from __future__ import annotations

import click

COMMANDS: tuple[click.Command, ...] = ()
