#!/bin/bash
# Nightly cron job: triage every open issue with Codex.
# Written in a hurry: the API key came from the team's .envrc, and the positional
# prompt inherits cron's stdin.
source ~/.config/factory/env.sh

export OPENAI_API_KEY="$(pass show openai/factory)"
REPO=/srv/factory/repo

for issue in $(gh issue list --json number --jq '.[].number'); do
  summary=$(codex exec -C "$REPO" -s read-only "Summarise issue #$issue and propose a label.")
  gh issue comment "$issue" --body "$summary"
done
