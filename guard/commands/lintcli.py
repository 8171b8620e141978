"""The click commands `lint`, `rules` and `explain` (their work is in guard/commands/lint.py).

guard/cli.py parses the plain `codex-guard lint` command lines itself (`fast_lint_options`) and
calls `run_lint` without importing click; everything else (help, errors, every other option)
comes here. `LINT_DEFAULTS` are the values click gives an option that is not on the command
line: tests/lint/test_fast_front.py holds both parsers to the same options.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from guard.commands.lint import RULE_PATTERN, run_lint
from guard.sources.detect import ALL_KINDS


@click.command("lint")
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "sarif", "github"]),
    default="text",
    show_default=True,
)
@click.option(
    "--output-format",
    "text_style",
    type=click.Choice(["full", "concise"]),
    default="full",
    show_default=True,
    help="Text output: `full` shows the source line under each finding, `concise` one line.",
)
@click.option(
    "--select", multiple=True, help="Comma list of rule ids or prefixes to check (CG2,CG101)."
)
@click.option("--extend-select", multiple=True, help="Rule ids or prefixes added to the selection.")
@click.option("--ignore", multiple=True, help="Comma list of rule ids or prefixes to skip.")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    default=None,
    help="Lowest severity that fails the run (default: config, else warning).",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even with findings (2 still on errors).")
@click.option("--strict", is_flag=True, help="Strict profile: fail closed on what is unsure.")
@click.option(
    "--config", "config_file", type=click.Path(dir_okay=False), help="Config file for all paths."
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=0),
    default=0,
    help="Worker processes (0 = one per CPU; 1 = none). A run of more than 64 files shares its "
    "full checks with a forked copy of this process; the pool starts once the run shows work for "
    "it: files the keyword reject answers from their text never need one.",
)
@click.option(
    "--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True
)
@click.option("--no-cache", is_flag=True, help="Do not read or write the content-hash cache.")
@click.option(
    "--kind",
    type=click.Choice(ALL_KINDS),
    default=None,
    help="Read every file named on the command line as this kind (folders still go by name).",
)
@click.option("--fix", is_flag=True, help="Apply the safe fixes in place, then report the rest.")
@click.option("--diff", is_flag=True, help="Print the safe fixes as a diff; change nothing.")
@click.option(
    "--stdin-filename",
    default=None,
    help="With the path `-`: the name stdin's content is linted as (kind, config, report).",
)
@click.option("--statistics", is_flag=True, help="Print how many findings each rule has.")
@click.option(
    "--output-file", type=click.Path(dir_okay=False), default=None, help="Write the report here."
)
@click.option("--quiet", "-q", is_flag=True, help="Only the findings: no summary, no progress.")
def lint_command(**options: Any) -> int:
    """Lint scripts, workflows, Makefiles, Dockerfiles and Markdown for codex dispatch mistakes."""
    return run_lint(**options)


@click.command("rules")
@click.option(
    "--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text"
)
@click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None)
def rules_command(output_format: str, config_file: str | None) -> int:
    """List every rule: id, name, severity, summary."""
    import json

    from guard.docs import rules_table

    rules = _load_rules_or_none(config_file)
    if rules is None:
        return 2
    if output_format == "json":
        rows = [
            {"id": r.id, "name": r.name, "severity": r.severity.value, "summary": r.summary}
            for r in rules.values()
        ]
        click.echo(json.dumps(rows, indent=2))
    elif output_format == "markdown":
        click.echo(rules_table(rules), nl=False)
    else:
        width = max((len(r.name) for r in rules.values()), default=4)
        for rule in rules.values():
            summary = " ".join(rule.summary.split())
            click.echo(f"{rule.id}  {rule.name:<{width}}  {rule.severity.value:<7}  {summary}")
    return 0


def _load_rules_or_none(config_file: str | None) -> dict[str, Any] | None:
    from guard.config import ConfigError, ConfigResolver
    from guard.engine.registry import RuleFileError, load_rules

    try:
        resolver = ConfigResolver(Path(config_file) if config_file else None)
        return dict(load_rules(resolver.settings_for(Path(".")).rules_dirs))
    except (ConfigError, RuleFileError) as exc:
        click.echo(str(exc), err=True)
        return None


@click.command("explain")
@click.argument("rule_id")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), default=None)
def explain_command(rule_id: str, config_file: str | None) -> int:
    """Print a rule's full documentation: summary, rationale, fix, examples."""
    from guard.docs import rule_doc

    rules = _load_rules_or_none(config_file)
    if rules is None:
        return 2
    wanted = rule_id.strip().upper()
    by_name = {r.name: r for r in rules.values()}
    rule = rules.get(wanted) or by_name.get(rule_id.strip())
    family = [r for r in rules.values() if r.id.startswith(wanted)] if rule is None else []
    if rule is None and family and RULE_PATTERN.match(wanted):
        from guard.docs import family_doc

        click.echo(family_doc(wanted, family), nl=False)  # `explain CG2`: the family
        return 0
    if rule is None:
        click.echo(f"codex-guard: unknown rule {rule_id!r} (see `codex-guard rules`)", err=True)
        return 2
    click.echo(rule_doc(rule, heading="#"), nl=False)
    return 0


COMMANDS: tuple[click.Command, ...] = (lint_command, rules_command, explain_command)
