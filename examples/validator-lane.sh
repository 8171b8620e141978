#!/usr/bin/env bash
# Offline validator lane: an independent judge with a read-only sandbox and a
# schema-constrained verdict file. Author != judge.
set -euo pipefail

REPO="$1"
BEAD="$2"
VERDICT_DIR="$REPO/.factory/verdicts"
mkdir -p "$VERDICT_DIR"

test -z "${OPENAI_API_KEY:-}" || { echo "ABORT: API key set" >&2; exit 1; }

codex exec -C "$REPO" -s read-only \
  --output-schema "$REPO/.factory/verdict.schema.json" \
  -o "$VERDICT_DIR/$BEAD.json" \
  - <<PROMPT
You are an INDEPENDENT VALIDATOR. Author != judge.
BEAD: $BEAD
Re-run the cited commands on the actual artifacts. Do not read the evidence and agree.
Return the verdict object: {"verdict": "PASS" | "FAIL", "reasons": [...]}.
PROMPT

jq -e '.verdict == "PASS"' "$VERDICT_DIR/$BEAD.json" > /dev/null
