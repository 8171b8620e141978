"""`lint`, `rules`, `explain`: the static front door (owned by the lint/report work)."""

from __future__ import annotations

import click

COMMANDS: tuple[click.Command, ...] = ()
