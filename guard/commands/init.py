"""`codex-guard init`: a commented `.codex-guard.yaml` to start from (never over one)."""

from __future__ import annotations

from pathlib import Path

import click

CONFIG_NAME = ".codex-guard.yaml"

# Every key below is one guard/config.py validates; the defaults are the linter's own, so the file
# changes nothing until a line is uncommented. Keys that loosen a guard are not offered (CG905).
TEMPLATE = """\
# codex-guard configuration (`codex-guard explain CG201` for any rule; docs/rules.md for all).
# Every line is commented out: as written, this file changes nothing.

# Rule ids or prefixes to check (empty: every rule) and to skip.
# select: ["CG2", "CG3"]
# ignore: ["CG503"]

# Severity per rule id: error | warning | info.
# severity:
#   CG301: error

# Rules to skip in some files (gitignore-style globs).
# per-file-ignores:
#   "scripts/dev/*.sh": ["CG503"]

# Paths not linted at all (gitignore-style), besides .gitignore.
# exclude: ["vendor/", "generated/"]

# The codex-cli version your machines run (its grammar table decides CG903).
# codex-version: "0.169.0"

# Lowest severity that fails `codex-guard lint` (exit 1): error | warning | info.
# fail-on: warning

# Strict profile: CG104 on, CG902 as a warning, fail closed on what cannot be settled.
# strict: false

# The repository a codex run may touch (-C, --add-dir, -o must stay inside; CG504).
# workspace: "."

# Lanes by script name (worker | validator | net-validator | interactive): the sandbox a lane
# needs is checked by CG302.
# lanes:
#   "scripts/validate-*.sh": validator

# Codex profiles (-p NAME) and the sandbox each one sets in your ~/.codex/config.toml (CG301).
# profile-sandboxes:
#   ci: read-only

# Folders with your own rules (one YAML per rule, as in rules/).
# rules: ["policy/"]
"""


@click.command("init")
@click.argument("folder", required=False, default=".", type=click.Path(file_okay=False))
def init_command(folder: str) -> int:
    """Write a commented .codex-guard.yaml in FOLDER (default: here); never overwrite one."""
    target = Path(folder) / CONFIG_NAME
    try:
        with target.open("x", encoding="utf-8") as handle:  # "x": fails if it exists, no race
            handle.write(TEMPLATE)
    except FileExistsError:
        click.echo(f"codex-guard init: {target} already exists; not overwritten", err=True)
        return 2
    except OSError as exc:
        click.echo(f"codex-guard init: {target}: {exc.strerror or exc}", err=True)
        return 2
    click.echo(f"wrote {target}")
    return 0


COMMANDS: tuple[click.Command, ...] = (init_command,)
