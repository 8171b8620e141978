#!/usr/bin/env bash
# Two-turn worker done right: the first run keeps its session, and the follow-up
# resumes it from the same repo (resume takes neither -C nor -s: the session keeps
# its root and sandbox).
set -euo pipefail

REPO="$1"
TASK="$2"

printf '%s' "$TASK" | codex exec -C "$REPO" -s workspace-write -o /tmp/turn1.txt -

./validate.sh "$REPO" > /tmp/findings.txt

cd "$REPO" && codex exec resume --last -o /tmp/turn2.txt \
  "Address the validator's findings in /tmp/findings.txt, then re-run the tests." </dev/null
