"""docs/rules.md and the README's rule table are generated from rules/*.yaml: fail when stale.

Regenerate with `python -m guard.docs` (this test only compares; it never rewrites).
"""

from __future__ import annotations

from pathlib import Path

from guard.docs import TABLE_END, TABLE_START, generated, readme_with_table, rules_table
from guard.engine.registry import load_rules

REPO_ROOT = Path(__file__).resolve().parents[1]


def test_generated_docs_are_fresh() -> None:
    stale = [
        str(path.relative_to(REPO_ROOT))
        for path, text in generated(REPO_ROOT).items()
        if not path.is_file() or path.read_text(encoding="utf-8") != text
    ]
    assert not stale, f"stale: {', '.join(stale)}; run `python -m guard.docs`"


def test_every_rule_is_documented() -> None:
    docs = (REPO_ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    for rule in load_rules().values():
        assert f"### {rule.id}\n" in docs
        assert f"`{rule.name}`" in docs


def test_readme_table_is_inserted_or_replaced() -> None:
    rules = load_rules()
    fresh = readme_with_table("# x\n\nintro\n", rules)
    assert fresh.startswith("# x\n\nintro\n\n## Rules\n\n" + TABLE_START)
    assert fresh.rstrip().endswith(TABLE_END)
    again = readme_with_table(fresh.replace(rules_table(rules), "old table\n"), rules)
    assert again == fresh
    assert readme_with_table(again, rules) == again
