#!/usr/bin/env bash
# Review every changed file. codex inherits the loop's stdin, so it swallows the
# rest of the list as its <stdin> block: the loop runs once and the other files are
# silently skipped.
set -euo pipefail

REPO="$(git rev-parse --show-toplevel)"

git diff --name-only origin/main... | while read -r file; do
  codex exec -C "$REPO" -s read-only -o "/tmp/review-${file//\//_}.txt" \
    "Review $file for bugs. Output VERDICT: PASS|FAIL."
done
