#!/usr/bin/env bash
# Validator that checks a branch against origin/main. It must fetch, so it needs
# the network -- but it was dispatched read-only: every run FALSE-FAILs on the
# blocked connect(), and the "verdict" is an infrastructure artifact.
set -euo pipefail

REPO="$1"

codex exec -C "$REPO" -s read-only -o /tmp/verdict.txt \
  "Fetch origin/main, then validate the change on this branch against it. Output VERDICT: PASS|FAIL." \
  </dev/null

# ...and a judge that can write to the tree it is judging.
codex exec -C "$REPO" -s workspace-write -o /tmp/verdict-2.txt \
  "Independently validate the change. Output VERDICT: PASS|FAIL with reasons." </dev/null
