"""CG103: env loaded from a file before a codex run is a warning; an error when the file is in
the repo and sets a forbidden key."""

from __future__ import annotations

from pathlib import Path

from guard.engine import lint_snippet
from guard.settings import Settings
from guard.sources.snippet import Snippet

SCRIPT = 'set -a\n. ./{name}\nset +a\ncodex exec -C . -s read-only "p" </dev/null\n'


def _cg103(tmp_path: Path, name: str) -> list[str]:
    script = tmp_path / "run.sh"
    text = SCRIPT.format(name=name)
    found = lint_snippet(Snippet(text=text, path=str(script)), Settings())
    return [f.severity.value for f in found if f.rule == "CG103"]


def test_env_file_in_the_repo_that_sets_the_key_is_an_error(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DEBUG=1\nexport OPENAI_API_KEY=sk-live\n")
    assert _cg103(tmp_path, ".env") == ["error"]


def test_env_file_that_sets_no_key_or_cannot_be_seen_is_a_warning(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DEBUG=1\nOPENAI_API_KEY_FILE=/run/secrets/k\n")
    assert _cg103(tmp_path, ".env") == ["warning"]
    assert _cg103(tmp_path, "missing.env") == ["warning"]
