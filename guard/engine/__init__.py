"""The rule engine: command model + codex calls in, findings out.

Public entry points (the front doors call only these):
- ``lint_snippet(snippet, settings)``: every rule over one snippet of shell.
- ``check_command_line(text, settings, context)``: one command line, as the hook and `check` see it.
- ``load_rules(settings)``: the rule registry, read from ``rules/*.yaml``.
"""

from __future__ import annotations

from guard.engine.api import check_command_line, lint_snippet
from guard.engine.registry import Rule, load_rules

__all__ = ["Rule", "check_command_line", "lint_snippet", "load_rules"]
