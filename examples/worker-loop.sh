#!/usr/bin/env bash
# Factory worker loop: take the next ready bead, hand it to a Codex worker on the
# ChatGPT subscription, record the result. Runs unattended under the orchestrator.
set -euo pipefail

REPO="${REPO:-$HOME/src/flywheel}"
OUT="$REPO/.factory/out"
mkdir -p "$OUT" "$REPO/.tmp"

# Billing gate: a worker must never run on a per-token API key.
unset OPENAI_API_KEY CODEX_API_KEY
if ! codex login status 2>&1 | grep -q "Logged in using ChatGPT"; then
  echo "ABORT: codex is not logged in with ChatGPT" >&2
  exit 1
fi

# git inside the sandbox needs a temp dir it can write to.
export TMPDIR="$REPO/.tmp"

while bead="$(bd ready --limit 1 --format id)" && [[ -n "$bead" ]]; do
  prompt="$(bd show "$bead" --format prompt)"
  if printf '%s' "$prompt" | codex exec -C "$REPO" -s workspace-write \
      --json -o "$OUT/$bead.last.txt" - > "$OUT/$bead.events.jsonl"; then
    bd close "$bead" --evidence "$OUT/$bead.last.txt"
  else
    status=$?
    echo "worker failed on $bead (exit $status); leaving it open" >&2
    bd comment "$bead" "codex exited $status"
    break
  fi
done
