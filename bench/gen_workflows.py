"""Write a corpus of realistic GitHub workflows for the workflow benchmark (bench_workflows.py).

As in real repositories most workflows never mention codex: CI for Node, Python, Go and Docker
projects (checkout, setup actions, caches, matrices, `${{ }}` expressions, secrets, multi-line
`run: |` blocks, `if:` conditions, service containers, release and lint jobs). A share of them
(`--codex-share`, default 5%) also runs codex: a `codex exec` step (some with the mistakes the
linter exists for) or an `openai/codex-action` step. Deterministic from the seed.

    python bench/gen_workflows.py OUT_DIR [--files 1000] [--seed 7] [--codex-share 0.05]
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

NODE = ("18", "20", "22")
PYTHON = ("3.10", "3.11", "3.12")
GO = ("1.21", "1.22")
OSES = ("ubuntu-latest", "macos-latest", "windows-latest")


def _on(rng: random.Random) -> list[str]:
    choice = rng.randrange(4)
    if choice == 0:
        return ["on: [push, pull_request]"]
    if choice == 1:
        return [
            "on:",
            "  push:",
            "    branches: [ main ]",
            "  pull_request:",
            "    branches: [ main ]",
        ]
    if choice == 2:
        return [
            "on:",
            "  workflow_dispatch:",
            "  schedule:",
            f"    - cron: '{rng.randrange(60)} 3 * * 1'",
        ]
    return ["on:", "  push:", "    tags: [ 'v*' ]"]


def _node_job(rng: random.Random) -> list[str]:
    versions = ", ".join(rng.sample(NODE, 2))
    return [
        "  test:",
        "    runs-on: ${{ matrix.os }}",
        "    strategy:",
        "      fail-fast: false",
        "      matrix:",
        f"        node: [ {versions} ]",
        f"        os: [ {', '.join(rng.sample(OSES, 2))} ]",
        "    steps:",
        "      - uses: actions/checkout@v4",
        "      - uses: actions/setup-node@v4",
        "        with:",
        "          node-version: ${{ matrix.node }}",
        "          cache: npm",
        "      - run: npm ci",
        "      - name: Lint",
        "        run: npm run lint -- --max-warnings=0",
        "      - name: Test",
        "        run: |",
        "          npm test -- --coverage",
        '          echo "coverage done for node ${{ matrix.node }}"',
        "      - uses: actions/upload-artifact@v4",
        "        if: always()",
        "        with:",
        "          name: coverage-${{ matrix.os }}-${{ matrix.node }}",
        "          path: coverage/",
    ]


def _python_job(rng: random.Random) -> list[str]:
    return [
        "  tests:",
        "    runs-on: ubuntu-latest",
        "    strategy:",
        "      matrix:",
        f"        python-version: [ {', '.join(repr(v) for v in PYTHON)} ]",
        "    env:",
        "      PIP_DISABLE_PIP_VERSION_CHECK: '1'",
        f"      PYTEST_ADDOPTS: '-q -n {rng.randrange(1, 5)}'",
        "    steps:",
        "      - uses: actions/checkout@v4",
        "      - name: Set up Python ${{ matrix.python-version }}",
        "        uses: actions/setup-python@v5",
        "        with:",
        "          python-version: ${{ matrix.python-version }}",
        "      - name: Install",
        "        run: |",
        "          python -m pip install --upgrade pip",
        "          pip install -e '.[test]'",
        "      - name: Test",
        "        run: pytest --cov=src --cov-report=xml",
        "      - name: Upload coverage",
        "        uses: codecov/codecov-action@v4",
        "        with:",
        "          token: ${{ secrets.CODECOV_TOKEN }}",
    ]


def _go_job(rng: random.Random) -> list[str]:
    return [
        "  build:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - uses: actions/checkout@v4",
        "      - uses: actions/setup-go@v5",
        "        with:",
        f"          go-version: '{rng.choice(GO)}'",
        "      - name: Build",
        "        run: go build -v ./...",
        "      - name: Test",
        "        run: go test -race -coverprofile=coverage.out ./...",
        "      - name: Vet",
        "        run: |",
        "          go vet ./...",
        '          test -z "$(gofmt -l .)"',
    ]


def _docker_job(rng: random.Random) -> list[str]:
    image = rng.choice(("api", "web", "worker"))
    return [
        "  docker:",
        "    runs-on: ubuntu-latest",
        "    needs: [ test ]"
        if rng.random() < 0.3
        else "    permissions: { contents: read, packages: write }",
        "    if: github.event_name == 'push'",
        "    steps:",
        "      - uses: actions/checkout@v4",
        "      - uses: docker/setup-buildx-action@v3",
        "      - uses: docker/login-action@v3",
        "        with:",
        "          registry: ghcr.io",
        "          username: ${{ github.actor }}",
        "          password: ${{ secrets.GITHUB_TOKEN }}",
        "      - name: Tag",
        "        id: meta",
        "        run: |",
        '          echo "tag=ghcr.io/${{ github.repository }}/'
        + image
        + ':${GITHUB_SHA::7}" >> "$GITHUB_OUTPUT"',
        "      - uses: docker/build-push-action@v6",
        "        with:",
        "          push: true",
        "          tags: ${{ steps.meta.outputs.tag }}",
    ]


def _release_job(rng: random.Random) -> list[str]:
    return [
        "  release:",
        "    runs-on: ubuntu-latest",
        "    steps:",
        "      - uses: actions/checkout@v4",
        "        with:",
        "          fetch-depth: 0",
        "      - name: Changelog",
        "        run: |",
        '          git log --oneline "$(git describe --tags --abbrev=0 HEAD^)"..HEAD > notes.md',
        "          cat notes.md",
        "      - name: Publish",
        "        env:",
        "          GH_TOKEN: ${{ secrets.GITHUB_TOKEN }}",
        '        run: gh release create "${{ github.ref_name }}" --notes-file notes.md',
        "      - name: Notify",
        "        if: failure()",
        f'        run: ./scripts/notify.sh "${{{{ job.status }}}}" {rng.randrange(100)}',
    ]


def _codex_job(rng: random.Random) -> list[str]:
    """A job that runs codex: right or with one of the usual mistakes."""
    if rng.random() < 0.3:
        return [
            "  review:",
            "    runs-on: ubuntu-latest",
            "    steps:",
            "      - uses: actions/checkout@v4",
            "      - uses: openai/codex-action@v1",
            "        with:",
            "          openai-api-key: ${{ secrets.OPENAI_API_KEY }}",
            "          prompt-file: .github/codex/review.md",
            "          sandbox: read-only",
        ]
    flags = ['-C "$GITHUB_WORKSPACE"', f"-s {rng.choice(('read-only', 'workspace-write'))}"]
    if rng.random() < 0.3:
        flags.append("--full-auto")
    tail = "- < prompt.md" if rng.random() < 0.6 else '"review the diff"'
    job = [
        "  codex:",
        "    runs-on: ubuntu-latest",
    ]
    if rng.random() < 0.4:
        job += ["    env:", "      OPENAI_API_KEY: ${{ secrets.OPENAI_API_KEY }}"]
    return [
        *job,
        "    steps:",
        "      - uses: actions/checkout@v4",
        "      - run: npm i -g @openai/codex",
        "      - name: Review",
        "        run: |",
        "          codex login status",
        f"          codex exec {' '.join(flags)} {tail}",
    ]


JOBS = (_node_job, _python_job, _go_job, _docker_job, _release_job)


def workflow(rng: random.Random, with_codex: bool) -> str:
    lines = [f"name: {rng.choice(('CI', 'Build', 'Test', 'Release', 'Nightly'))}", *_on(rng)]
    if rng.random() < 0.4:
        lines += ["env:", "  FORCE_COLOR: '1'", "  CI: true"]
    lines.append("jobs:")
    for make in rng.sample(JOBS, rng.randrange(1, 4)):
        lines += make(rng)
    if with_codex:
        lines += _codex_job(rng)
    return "\n".join(lines) + "\n"


def write_corpus(out: Path, files: int, seed: int, codex_share: float) -> int:
    """Write `files` workflows under OUT/<n>/.github/workflows/; return how many mention codex."""
    rng = random.Random(seed)
    codex_count = 0
    for index in range(files):
        with_codex = rng.random() < codex_share
        codex_count += with_codex
        folder = out / f"repo{index // 10:03d}" / ".github" / "workflows"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"wf{index:04d}.yml").write_text(workflow(rng, with_codex), encoding="utf-8")
    return codex_count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--codex-share", type=float, default=0.05)
    args = parser.parse_args()
    count = write_corpus(args.out, args.files, args.seed, args.codex_share)
    print(f"{args.files} workflows in {args.out}, {count} mention codex")


if __name__ == "__main__":
    main()
