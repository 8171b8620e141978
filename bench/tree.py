"""A mixed source tree for the scale benchmarks: many projects, few files mention codex.

    python bench/tree.py OUT_DIR --files 10000 [--seed 7]

The tree is a monorepo (one `.git` folder at the top) of projects of about 100 files each, spread
over nested folders; each project has its own `.codex-guard.yaml` (config per folder) and
`.gitignore`. A file is, by weight: a dispatch shell script from generate.py (15%), a plain shell
script without codex (15%), a GitHub workflow (10%, most without codex), Markdown (15%), Python
(15%), and files no reader takes (JSON, text, C: 30%). Deterministic from the seed.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from generate import script  # bench/ is a folder of scripts, not a package

PROJECT_FILES = 100
FOLDERS_PER_PROJECT = 5

PLAIN_SHELL = """#!/usr/bin/env bash
set -euo pipefail
for f in "$@"; do
  wc -l "$f" | awk '{{print $1}}'
done
echo "step {n} done"
"""
WORKFLOW = """name: build {n}
on: [push]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: make test-{n}
"""
WORKFLOW_CODEX = """name: review {n}
on: [pull_request]
jobs:
  review:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: codex exec -s read-only "review change {n}"
"""
MARKDOWN = """# Notes {n}

Run the tests with:

```sh
make test
```

The `codex` tool is mentioned here in prose only.
"""
PYTHON = """import subprocess


def step_{n}() -> int:
    return subprocess.run(["make", "test-{n}"], check=False).returncode
"""
OTHER = ('{{"n": {n}}}\n', "plain text {n}\n", "int f{n}(void) {{ return {n}; }}\n")
OTHER_SUFFIXES = (".json", ".txt", ".c")
CONFIG = "exclude: [build/]\nignore: [CG402]\n"


def _file(rng: random.Random, n: int, folder: Path) -> Path:
    roll = rng.random()
    if roll < 0.15:
        path = folder / f"dispatch_{n}.sh"
        path.write_text(script(rng, path.name, target_lines=rng.randint(30, 60)), encoding="utf-8")
    elif roll < 0.30:
        path = folder / f"tool_{n}.sh"
        path.write_text(PLAIN_SHELL.format(n=n), encoding="utf-8")
    elif roll < 0.40:
        workflows = folder.parent / ".github" / "workflows"
        workflows.mkdir(parents=True, exist_ok=True)
        path = workflows / f"w{n}.yml"
        template = WORKFLOW_CODEX if rng.random() < 0.1 else WORKFLOW
        path.write_text(template.format(n=n), encoding="utf-8")
    elif roll < 0.55:
        path = folder / f"notes_{n}.md"
        path.write_text(MARKDOWN.format(n=n), encoding="utf-8")
    elif roll < 0.70:
        path = folder / f"mod_{n}.py"
        path.write_text(PYTHON.format(n=n), encoding="utf-8")
    else:
        pick = rng.randrange(len(OTHER))
        path = folder / f"data_{n}{OTHER_SUFFIXES[pick]}"
        path.write_text(OTHER[pick].format(n=n), encoding="utf-8")
    return path


def generate_tree(out_dir: Path, files: int, seed: int = 7) -> int:
    """Write ``files`` files (config and ignore files not counted) under ``out_dir``."""
    rng = random.Random(seed)
    (out_dir / ".git").mkdir(parents=True, exist_ok=True)
    for n in range(files):
        project = out_dir / f"p{n // PROJECT_FILES:04d}"
        if n % PROJECT_FILES == 0:
            project.mkdir(parents=True, exist_ok=True)
            (project / ".codex-guard.yaml").write_text(CONFIG, encoding="utf-8")
            (project / ".gitignore").write_text("*.log\n", encoding="utf-8")
        folder = project / f"d{rng.randrange(FOLDERS_PER_PROJECT)}" / "src"
        folder.mkdir(parents=True, exist_ok=True)
        _file(rng, n, folder)
    return files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--files", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    print(f"{generate_tree(args.out_dir, args.files, args.seed)} files in {args.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
