"""Write a corpus of realistic codex dispatch scripts for the lint benchmark.

Each script is about 60 lines of bash of the kind fleets of `codex exec` workers are started with:
a shebang and `set -euo pipefail`, settings and exports, helper functions, an auth gate, loops
(`for`, `while read`), here-doc prompts piped into `codex exec ... -`, command arrays
(`CMD=(codex ...); CMD+=(...); "${CMD[@]}"`), `[[ ]]` tests, `$(( ))`, `case`, and `codex exec`
calls with varied flags: mostly right, some with the mistakes the linter exists for (a positional
prompt with no `</dev/null`, an exported OPENAI_API_KEY, `--ephemeral` on a resumed run,
`resume --last`). Deterministic from the seed; every script passes `bash -n`.

    python bench/generate.py OUT_DIR [--files 1000] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable
from pathlib import Path

MODELS = ("gpt-5-codex", "gpt-5.1-codex", "o4-mini", "gpt-5")
SANDBOXES = ("read-only", "workspace-write", "workspace-write", "danger-full-access")
PROJECTS = ("api", "billing", "web", "infra", "ledger", "search", "mobile", "docs")
TASK_WORDS = ("fix the flaky test in", "add logging to", "refactor", "document", "review",
              "write unit tests for", "remove dead code from", "type-annotate")  # fmt: skip
FILES = ("src/main.py", "src/db.py", "lib/auth.ts", "cmd/server/main.go", "app/models.rb")

Block = list[str]


def _task(rng: random.Random) -> str:
    return f"{rng.choice(TASK_WORDS)} {rng.choice(FILES)}"


# (how often, flag) for the flags a call may carry besides its root and sandbox.
OPTIONAL_FLAGS = (
    (0.6, '-m "$MODEL"'),
    (0.3, "--json"),
    (0.5, '-o "$OUT_DIR/last-$RANDOM.md"'),
    (0.15, "--output-schema schema/verdict.json"),
    (0.2, "--skip-git-repo-check"),
    (0.15, "-c model_reasoning_effort=high"),
    (0.1, "--ephemeral"),
    (0.1, '--add-dir "$OUT_DIR"'),
    (0.05, "--yolo"),
    (0.04, "--full-auto"),  # removed in 0.169.0: a CG903 the corpus should carry
)


def _codex_flags(rng: random.Random) -> str:
    """A plausible flag set for one `codex exec` call."""
    flags: list[str] = []
    if rng.random() < 0.85:
        flags.append('-C "$REPO"')
    if rng.random() < 0.8:
        flags.append(f"-s {rng.choice(SANDBOXES)}")
    elif rng.random() < 0.3:
        flags.append('-c sandbox_mode="workspace-write"')
    flags += [flag for chance, flag in OPTIONAL_FLAGS if rng.random() < chance]
    rng.shuffle(flags)
    return " ".join(flags)


def _prompt_call(rng: random.Random, indent: str = "") -> Block:
    """A codex exec call with one of the prompt forms (here-doc, </dev/null, bare, file)."""
    flags = _codex_flags(rng)
    form = rng.randrange(5)
    if form == 0:
        return [
            f"{indent}codex exec {flags} - <<'EOF'",
            f"You are a worker on the {rng.choice(PROJECTS)} repository.",
            f"Task: {_task(rng)}.",
            "Run the tests before you finish and summarise what changed.",
            "EOF",
        ]
    if form == 1:
        return [f'{indent}codex exec {flags} "{_task(rng)}" </dev/null']
    if form == 2:  # the CG201 mistake: a positional prompt with the script's stdin
        return [f'{indent}codex exec {flags} "{_task(rng)}"']
    if form == 3:
        return [f'{indent}codex exec {flags} - < "$PROMPT_FILE"']
    return [f"{indent}printf '%s\\n' \"{_task(rng)}\" | codex exec {flags} -"]


# --- sections: each template returns the lines of one block --------------------------------------


def _header(rng: random.Random, name: str) -> Block:
    shebang = rng.choice(("#!/usr/bin/env bash", "#!/bin/bash", "#!/usr/bin/env bash"))
    lines = [shebang, f"# {name}: dispatch codex workers for the {rng.choice(PROJECTS)} repo",
             "set -euo pipefail"]  # fmt: skip
    if rng.random() < 0.4:
        lines.append("IFS=$'\\n\\t'")
    return lines


_SETTINGS: tuple[Callable[[random.Random], Block], ...] = (
    lambda r: ['JOBS_FILE="${JOBS_FILE:-tasks.txt}"'],
    lambda r: ["export GIT_PAGER=cat"],
    lambda r: ['SCHEMA="${SCHEMA:-schema/verdict.json}"'],
    lambda r: ['LOG_DIR="${LOG_DIR:-./logs}"', 'mkdir -p "$LOG_DIR"'],
    lambda r: [f"MAX_JOBS={r.randint(2, 8)}"],
    lambda r: ['export TMPDIR="$REPO/.tmp"', 'mkdir -p "$TMPDIR"'],
    lambda r: [f'export CODEX_HOME="$HOME/.codex-{r.choice(("worker", "judge", "ci"))}"'],
    lambda r: ['export OPENAI_API_KEY="${OPENAI_API_KEY:-}"'],  # CG101 mistake
    lambda r: ['readonly STAMP="$(date +%Y%m%d-%H%M%S)"'],
    lambda r: ["declare -a TASKS=()", "declare -A RESULTS=()"],
    lambda r: ["unset OPENAI_API_KEY CODEX_API_KEY"],
    lambda r: ["export RUST_LOG=warn", "export NO_COLOR=1"],
    lambda r: ["trap 'rm -rf \"$OUT_DIR\"' EXIT"],
    lambda r: [f"DEADLINE=$(( $(date +%s) + {r.randint(1, 12)} * 3600 ))"],
    lambda r: [f"RETRIES={r.randint(1, 4)}"],
)


def _base_settings(r: random.Random) -> Block:
    """Names every script defines, so `set -u` never trips on what the body uses."""
    return [
        f'REPO="${{REPO:-$HOME/src/{r.choice(PROJECTS)}}}"',
        f'MODEL="${{MODEL:-{r.choice(MODELS)}}}"',
        r.choice(('OUT_DIR="$(mktemp -d)"', 'OUT_DIR="${OUT_DIR:-./out}"')),
        'PROMPT_FILE="${PROMPT_FILE:-prompts/task.md}"',
        f'MODE="${{1:-{r.choice(("worker", "validator", "review"))}}}"',
        "total=0",
        "failed=0",
    ]


def _fn_worker(r: random.Random) -> Block:
    return ["run_worker() {", '  local task="$1"', *_prompt_call(r, "  "), "}"]


def _fn_validator(r: random.Random) -> Block:
    return [
        "run_validator() {",
        '  local target="$1"',
        '  codex exec -C "$REPO" -s read-only --output-schema schema/verdict.json \\',
        '    -o "$OUT_DIR/verdict-$target.json" "Validate $target and output a VERDICT" </dev/null',
        "}",
    ]


def _fn_build_cmd(r: random.Random) -> Block:
    return [
        "build_cmd() {",
        f'  CMD=(codex exec -C "$REPO" -m "$MODEL" -s {r.choice(SANDBOXES)})',
        '  if [[ "${1:-}" == json ]]; then',
        "    CMD+=(--json)",
        "  fi",
        '  CMD+=(-o "$OUT_DIR/last.md")',
        "}",
    ]


_FUNCTIONS: tuple[Callable[[random.Random], Block], ...] = (
    _fn_worker,
    _fn_validator,
    _fn_build_cmd,
    lambda r: [
        "require_login() {",
        "  if ! codex login status 2>&1 | grep -q 'Logged in using ChatGPT'; then",
        '    die "codex is not logged in with ChatGPT"',
        "  fi",
        "}",
    ],
    lambda r: [
        "count_lines() {",
        "  local n=0",
        '  while IFS= read -r _; do n=$((n + 1)); done < "$1"',
        '  echo "$n"',
        "}",
    ],
    lambda r: [
        "with_retry() {",
        "  local tries=0",
        '  until "$@"; do',
        "    tries=$((tries + 1))",
        f"    (( tries >= {r.randint(2, 5)} )) && return 1",
        "    sleep $((tries * 2))",
        "  done",
        "}",
    ],
    lambda r: [
        "slugify() {",
        '  local s="${1,,}"',
        '  s="${s//[^a-z0-9]/-}"',
        '  printf "%s" "${s:0:40}"',
        "}",
    ],
    lambda r: [
        "check_clean() {",
        '  [[ -z "$(git -C "$REPO" status --porcelain)" ]] || die "worktree is dirty"',
        "}",
    ],
)


_AUTH: tuple[Callable[[random.Random], Block], ...] = (
    lambda r: [
        "codex login status 2>&1 | grep -q 'Logged in using ChatGPT' || {",
        '  echo "log in with ChatGPT first" >&2',
        "  exit 1",
        "}",
    ],
    lambda r: [
        'if [[ -n "${OPENAI_API_KEY:-}" || -n "${CODEX_API_KEY:-}" ]]; then',
        '  die "refusing to run with an API key in the environment"',
        "fi",
    ],
    lambda r: ["codex login status >/dev/null 2>&1 || die 'not logged in'"],
    lambda r: ["# auth: relies on the runtime shim in front of codex"],
    lambda r: ["printenv OPENAI_API_KEY | codex login --with-api-key"],  # CG102 mistake
)


def _body_for(r: random.Random) -> Block:
    return [
        f"for task in {' '.join(r.sample(('lint', 'tests', 'docs', 'types', 'deps'), 3))}; do",
        '  log "dispatching $task"',
        *_prompt_call(r, "  "),
        "  total=$((total + 1))",
        "done",
    ]


def _body_while(r: random.Random) -> Block:
    redirect = r.choice((" </dev/null", "", " </dev/null"))
    return [
        "while IFS= read -r line; do",
        '  [[ -z "$line" || "$line" == \\#* ]] && continue',
        f'  codex exec -C "$REPO" -s workspace-write "$line"{redirect}',
        "done < tasks.txt",
    ]


def _body_case(r: random.Random) -> Block:
    return [
        'case "$MODE" in',
        "  worker)",
        f'    codex exec -C "$REPO" -s workspace-write -m "$MODEL" "{_task(r)}" </dev/null',
        "    ;;",
        "  validator|judge)",
        '    codex exec -C "$REPO" -s read-only -o "$OUT_DIR/verdict.md" - < "$PROMPT_FILE"',
        "    ;;",
        "  *)",
        '    die "unknown mode: $MODE"',
        "    ;;",
        "esac",
    ]


def _body_array(r: random.Random) -> Block:
    return [
        f'CMD=(codex exec -C "$REPO" -s {r.choice(SANDBOXES)})',
        'CMD+=(-m "$MODEL")',
        '[[ -n "${JSON:-}" ]] && CMD+=(--json)',
        f'"${{CMD[@]}}" "{_task(r)}" </dev/null',
    ]


def _body_heredoc(r: random.Random) -> Block:
    return [
        f"cat <<'EOF' | codex exec -C \"$REPO\" -s {r.choice(SANDBOXES)} -",
        f"Review the last commit of the {r.choice(PROJECTS)} service.",
        "List every risky change; do not edit files.",
        "EOF",
    ]


def _body_resume(r: random.Random) -> Block:
    eph = " --ephemeral" if r.random() < 0.4 else ""  # CG401 mistake when resumed below
    return [
        f'codex exec -C "$REPO" -s workspace-write{eph} "{_task(r)}" </dev/null',
        'cd "$REPO"',
        'codex exec resume --last "continue and run the tests" </dev/null',
    ]


def _body_background(r: random.Random) -> Block:
    return [
        "pids=()",
        f"for i in $(seq 1 {r.randint(2, 6)}); do",
        '  codex exec -C "$REPO" -s workspace-write -o "$OUT_DIR/w$i.md" \\',
        f'    "{_task(r)} (shard $i)" &',
        '  pids+=("$!")',
        "done",
        'for pid in "${pids[@]}"; do wait "$pid" || failed=$((failed + 1)); done',
    ]


def _body_verdict(r: random.Random) -> Block:
    return [
        'if grep -q "^VERDICT: PASS" "$OUT_DIR/verdict.md" 2>/dev/null; then',
        '  log "validator passed"',
        "else",
        "  failed=$((failed + 1))",
        "fi",
    ]


def _body_json(r: random.Random) -> Block:
    return [
        f'codex exec --json -C "$REPO" -s read-only "{_task(r)}" </dev/null \\',
        '  | jq -r \'select(.type == "item.completed") | .item.text\' > "$OUT_DIR/events.txt"',
    ]


def _body_scrape(r: random.Random) -> Block:
    return [f'summary="$(codex exec -s read-only "Summarise {r.choice(FILES)}" </dev/null)"',
            'echo "$summary" | tee -a "$OUT_DIR/summary.txt" >/dev/null']  # fmt: skip


def _body_math(r: random.Random) -> Block:
    return [
        f"budget=$(( {r.randint(10, 90)} * 60 ))",
        "if (( total > 0 && failed * 2 > total )); then",
        '  log "more than half failed ($failed/$total)"',
        "fi",
    ]


def _body_review(r: random.Random) -> Block:
    return [f'codex exec review --base {r.choice(("main", "develop"))} -o "$OUT_DIR/review.md"'
            " </dev/null"]  # fmt: skip


def _body_timeout(r: random.Random) -> Block:
    return [
        f'timeout {r.randint(5, 60)}m codex exec -C "$REPO" -s workspace-write \\',
        '  -o "$OUT_DIR/t.md" \\',
        f'  "{_task(r)}" </dev/null || log "timed out"',
    ]


def _body_test(r: random.Random) -> Block:
    return ['[[ -f "$REPO/AGENTS.md" ]] || log "no AGENTS.md in $REPO"',
            '[[ -d "$REPO/.git" ]] || die "$REPO is not a git repo"']  # fmt: skip


_BODY: tuple[Callable[[random.Random], Block], ...] = (
    _body_for, _body_while, _body_case, _body_array, _body_heredoc, _body_resume,
    _body_background, _body_verdict, _body_json, _body_scrape, _body_math, _body_review,
    _body_timeout, _body_test,
    lambda r: _prompt_call(r),
)  # fmt: skip

_FOOTER: tuple[Callable[[random.Random], Block], ...] = (
    lambda r: ['log "done: $total dispatched, $failed failed"', "exit $(( failed > 0 ))"],
    lambda r: ['echo "finished at $(date)"'],
    lambda r: ["(( failed == 0 ))"],
)


def script(rng: random.Random, name: str, target_lines: int = 60) -> str:
    """One dispatch script of about ``target_lines`` lines."""
    lines = _header(rng, name)
    lines += ["", *_base_settings(rng)]
    for make in rng.sample(_SETTINGS, rng.randint(3, 6)):
        lines += make(rng)
    lines += ["", "log() { printf '[%s] %s\\n' \"$(date +%T)\" \"$*\" >&2; }",
              'die() { log "error: $*"; exit 1; }']  # fmt: skip
    for make in rng.sample(_FUNCTIONS, rng.randint(1, 3)):
        lines += ["", *make(rng)]
    lines += ["", *rng.choice(_AUTH)(rng)]
    footer = rng.choice(_FOOTER)(rng)
    unused: list[Callable[[random.Random], Block]] = []
    while len(lines) + len(footer) < target_lines - 3:
        if not unused:  # every template once before any repeats, for variety
            unused = list(_BODY)
            rng.shuffle(unused)
        lines += ["", *unused.pop()(rng)]
    lines += ["", *footer]
    return "\n".join(lines) + "\n"


def generate(out_dir: Path, files: int = 1000, seed: int = 7) -> list[Path]:
    """Write ``files`` scripts into ``out_dir`` (created); the same seed gives the same corpus."""
    out_dir.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    paths: list[Path] = []
    for n in range(files):
        name = f"dispatch-{n:05d}.sh"
        path = out_dir / name
        path.write_text(script(rng, name, target_lines=rng.randint(52, 68)), encoding="utf-8")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    paths = generate(args.out_dir, args.files, args.seed)
    print(f"wrote {len(paths)} scripts to {args.out_dir}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
