"""The Codex config fixtures (codex_configs/) and what `lint` must say about each one: shared by
the lint tests and the tests that run the same files through the real codex."""

from __future__ import annotations

from pathlib import Path

FIXTURES = Path(__file__).parent / "codex_configs"

# (fixture path, the findings `lint` must give it: rule, severity, line, column)
EXPECTED: dict[str, set[tuple[str, str, int, int]]] = {
    "bad/ci-codex-home/config.toml": {("CG801", "error", 4, 1)},
    "bad/gateway-codex-home/config.toml": {("CG801", "error", 3, 1)},
    "bad/codex-home/worker.config.toml": {("CG803", "error", 4, 1)},
    "bad/perm-codex-home/config.toml": {("CG803", "error", 3, 1)},
    "bad/project/.codex/config.toml": {("CG804", "error", 5, 19), ("CG803", "warning", 8, 1)},
    "bad/env-codex-home/config.toml": {("CG804", "error", 5, 1)},
    "bad/plain-codex-home/config.toml": {("CG802", "info", 1, 1)},
    "bad/broken-codex-home/config.toml": {("CG901", "warning", 2, 32)},
    "good/codex-home/config.toml": set(),
    "good/codex-home/validator.config.toml": set(),
    "good/project/.codex/config.toml": set(),
    "good/env-codex-home/config.toml": set(),
}
NOT_CODEX_CONFIG = ("good/app/config.toml", "good/tool/pyproject.toml")
