"""The realistic workflows bench/gen_workflows.py writes for the benchmark, for tests to read."""

from __future__ import annotations

import importlib.util
import random
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def generated_workflows(count: int, *, seed: int, codex_every: int) -> Iterator[str]:
    """`count` workflows from the bench's generator; every `codex_every`-th one runs codex."""
    spec = importlib.util.spec_from_file_location("gen", ROOT / "bench" / "gen_workflows.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    rng = random.Random(seed)
    for index in range(count):
        yield gen.workflow(rng, with_codex=index % codex_every == 0)
