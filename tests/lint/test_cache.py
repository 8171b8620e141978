"""The content-hash cache: same answers warm as cold, invalidated by content, config and code."""

from __future__ import annotations

import os
from pathlib import Path

from conftest import console, make_repo, write


def test_cache_hits_change_nothing_and_misses_on_every_input(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    env.pop("CODEX_GUARD_NO_CACHE", None)
    repo = make_repo(tmp_path / "r", {"run.sh": 'codex exec -C . -s read-only "x"\n'})
    cold = console("lint", "--format", "json", cwd=repo, env=env)
    entries = list((tmp_path / "cache" / "codex-guard" / "lint").rglob("*.json"))
    assert len(entries) == 1
    warm = console("lint", "--format", "json", cwd=repo, env=env)
    assert warm.out == cold.out and warm.code == cold.code
    uncached = console("lint", "--format", "json", "--no-cache", cwd=repo, env=env)
    assert uncached.out == cold.out

    write(repo / "run.sh", 'codex exec -C . -s read-only "x" </dev/null\n')  # content
    fixed = console("lint", "--format", "json", cwd=repo, env=env)
    assert "CG201" not in {f["rule"] for f in fixed.json()["findings"]}

    write(repo / "run.sh", 'codex exec -C . -s read-only "x"\n')
    write(repo / ".codex-guard.yaml", "ignore: [CG201]\n")  # settings
    ignored = console("lint", "--format", "json", cwd=repo, env=env)
    assert "CG201" not in {f["rule"] for f in ignored.json()["findings"]}

    off = {**env, "CODEX_GUARD_NO_CACHE": "1"}
    before = len(list((tmp_path / "cache").rglob("*.json")))
    write(repo / "other.sh", "codex exec -s read-only y\n")
    console("lint", cwd=repo, env=off)
    assert len(list((tmp_path / "cache").rglob("*.json"))) == before


def test_code_fingerprint_follows_the_rules(tmp_path: Path) -> None:
    from guard.sources.cache import code_fingerprint

    rules = tmp_path / "rules"
    rules.mkdir()
    before = code_fingerprint([str(rules)])
    (rules / "CG990-team.yaml").write_text("id: CG990\n")
    assert code_fingerprint([str(rules)]) != before
