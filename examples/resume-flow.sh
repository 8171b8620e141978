#!/usr/bin/env bash
# Two-turn worker: implement, then address the validator's findings in the same
# session. The first turn is --ephemeral, so there is no session to resume, and
# the resume passes flags that `codex exec resume` does not take.
set -euo pipefail

REPO="$1"
TASK="$2"

printf '%s' "$TASK" | codex exec --ephemeral -C "$REPO" -s workspace-write -o /tmp/turn1.txt -

./validate.sh "$REPO" > /tmp/findings.txt

codex exec resume --last -C "$REPO" -s workspace-write \
  "Address the validator's findings in /tmp/findings.txt, then re-run the tests." </dev/null
