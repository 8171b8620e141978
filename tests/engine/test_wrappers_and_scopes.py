"""Each rule fires through every wrapper and scope a real script uses, and never on lookalikes.

These run whole scripts through the engine (command model -> codex grammar -> rules), the way
`codex-guard lint` sees a shell file.
"""

from __future__ import annotations

import pytest

from guard.engine import lint_snippet
from guard.settings import Settings
from guard.sources.snippet import RunContext, Snippet

OK = 'codex exec -C "$REPO" -s workspace-write "Implement ag-1." </dev/null'


def rules_of(script: str, context: RunContext = RunContext.SCRIPT, **settings: object) -> set[str]:
    snippet = Snippet(text=script, path="dispatch.sh", context=context)
    return {f.rule for f in lint_snippet(snippet, Settings(**settings))}  # type: ignore[arg-type]


KEY_REACHES_CODEX = {
    "prefix": f"OPENAI_API_KEY=sk-x {OK}",
    "empty value": f"OPENAI_API_KEY= {OK}",
    "export earlier": f"export OPENAI_API_KEY=sk-x\necho start\n{OK}",
    "declare -x": f"declare -x CODEX_API_KEY=k\n{OK}",
    "typeset -x": f"typeset -x OPENAI_API_KEY=k\n{OK}",
    "set -a": f"set -a\nOPENAI_API_KEY=k\nset +a\n{OK}",
    "env K=V": f"env OPENAI_API_KEY=k {OK}",
    "timeout": f"export OPENAI_API_KEY=k\ntimeout 600 {OK}",
    "nohup": f"export OPENAI_API_KEY=k\nnohup {OK} > log 2>&1 &",
    "nice + stdbuf": f"export OPENAI_API_KEY=k\nnice -n 10 stdbuf -oL {OK}",
    "sudo -E": f"export OPENAI_API_KEY=k\nsudo -E {OK}",
    "bash -c": "export OPENAI_API_KEY=k\nbash -c 'codex exec -C /r -s read-only \"p\" </dev/null'",
    "npx": 'OPENAI_API_KEY=k npx -y @openai/codex exec -C . -s read-only "p" </dev/null',
    "caam": 'OPENAI_API_KEY=k caam exec codex pro-2 -- exec -C . -s read-only "p" </dev/null',
    "absolute path": 'OPENAI_API_KEY=k /usr/local/bin/codex exec -C . -s read-only "p" </dev/null',
    "function": f"run() {{ {OK}; }}\nexport OPENAI_API_KEY=k\nrun",
    "array": 'export OPENAI_API_KEY=k\nCMD=(codex exec -C .)\nCMD+=(-s read-only)\n"${CMD[@]}" "p" </dev/null',
    "loop body": f"export OPENAI_API_KEY=k\nfor b in a b; do\n  {OK}\ndone",
    "alias": "export OPENAI_API_KEY=k\nalias cx='codex exec -C . -s read-only'\ncx \"p\" </dev/null",
}


@pytest.mark.parametrize("script", KEY_REACHES_CODEX.values(), ids=KEY_REACHES_CODEX.keys())
def test_api_key_reaches_codex_through_every_wrapper(script: str) -> None:
    assert "CG101" in rules_of(script)


KEY_DOES_NOT_REACH_CODEX = {
    "unset before": f"export OPENAI_API_KEY=k\nunset OPENAI_API_KEY\n{OK}",
    "export -n": f"export OPENAI_API_KEY=k\nexport -n OPENAI_API_KEY\n{OK}",
    "env -u": f"export OPENAI_API_KEY=k\nenv -u OPENAI_API_KEY {OK}",
    "env -i": f'export OPENAI_API_KEY=k\nenv -i PATH="$PATH" HOME="$HOME" {OK}',
    "subshell ended": f"( export OPENAI_API_KEY=k; echo in )\n{OK}",
    "exported after": f"{OK}\nexport OPENAI_API_KEY=k",
    "plain sudo resets env": f"export OPENAI_API_KEY=k\nsudo {OK}",
    "a longer name": f"export OPENAI_API_KEY_FILE=/run/secrets/k\n{OK}",
    "not exported": f"OPENAI_API_KEY=k\n{OK}",
    "another command": f"OPENAI_API_KEY=k python run.py\n{OK}",
}


@pytest.mark.parametrize(
    "script", KEY_DOES_NOT_REACH_CODEX.values(), ids=KEY_DOES_NOT_REACH_CODEX.keys()
)
def test_api_key_that_does_not_reach_codex_is_no_finding(script: str) -> None:
    assert "CG101" not in rules_of(script)


MENTIONS_ONLY = {
    "comment": "# OPENAI_API_KEY=k codex exec --yolo 'p'\necho done",
    "echo": 'echo "run: OPENAI_API_KEY=k codex exec --yolo \\"p\\""',
    "printf": "printf '%s\\n' 'codex login --with-api-key'",
    "commit message": 'git commit -m "stop using codex exec --yolo; drop OPENAI_API_KEY"',
    "grep pattern": "grep -rn 'codex exec -s danger-full-access' scripts/",
    "here-doc to cat": "cat > NOTES.md <<'EOF'\nOPENAI_API_KEY=k codex exec --yolo \"p\"\nEOF",
    "string never run": "HELP='codex login --with-api-key'\necho \"$HELP\"",
    "command -v": "command -v codex >/dev/null || echo 'install codex'",
}


@pytest.mark.parametrize("script", MENTIONS_ONLY.values(), ids=MENTIONS_ONLY.keys())
def test_text_that_only_mentions_codex_is_never_a_finding(script: str) -> None:
    assert rules_of(script, strict=True) == set()


STDIN_HANGS = {
    "foreground": 'codex exec -C . -s read-only "p"',
    "command substitution": 'out=$(codex exec -C . -s read-only -o v.txt "p")',
    "pipeline": 'codex exec -C . -s read-only -o v.txt "p" | tee log',
    "background pipeline (bash)": 'codex exec -C . -s read-only -o v.txt "p" | tee log &',
    "dup stdin in background": 'codex exec -C . -s read-only "p" <&0 &',
    "job control on": 'set -m\ncodex exec -C . -s read-only "p" &',
    "function in foreground": 'f() { codex exec -C . -s read-only "$1"; }\nf "p"',
}


@pytest.mark.parametrize("script", STDIN_HANGS.values(), ids=STDIN_HANGS.keys())
def test_positional_prompt_with_an_idle_stdin_is_cg201(script: str) -> None:
    assert "CG201" in rules_of(script)


STDIN_SAFE = {
    "dev null": 'codex exec -C . -s read-only "p" </dev/null',
    "background simple": 'codex exec -C . -s read-only "p" &',
    "background subshell": '( codex exec -C . -s read-only "p" ) &',
    "background group": '{ codex exec -C . -s read-only "p"; } &',
    "background function": 'f() { codex exec -C . -s read-only "$1"; }\nf "p" &',
    "background in loop": 'for b in a b; do codex exec -C . -s read-only "$b" & done\nwait',
    "nohup background": 'nohup codex exec -C . -s read-only "p" > log 2>&1 &',
    "xargs": "xargs -I{} codex exec -C . -s read-only '{}' < beads.txt",
    "stdin prompt": "printf '%s' \"$P\" | codex exec -C . -s read-only -",
    "here-doc prompt": "codex exec -C . -s read-only - <<'EOF'\nDo it.\nEOF",
    "here-doc prompt then pipe": "codex exec -C . -s read-only -o v - <<'EOF' | tee log\nDo it.\nEOF",
}


@pytest.mark.parametrize("script", STDIN_SAFE.values(), ids=STDIN_SAFE.keys())
def test_stdin_that_reaches_eof_is_not_cg201(script: str) -> None:
    assert "CG201" not in rules_of(script)


def test_background_pipeline_is_safe_under_dash_but_not_bash() -> None:
    script = 'codex exec -C . -s read-only -o v.txt "p" | tee log &'
    dash = Snippet(text=script, path="d.sh", dialect="sh")
    assert "CG201" not in {f.rule for f in lint_snippet(dash, Settings())}
    assert "CG201" in rules_of(script)


def test_cg201_is_an_error_where_stdin_is_known_idle_and_a_warning_in_a_plain_script() -> None:
    script = 'codex exec -C . -s read-only "p"'
    severity = {
        ctx: {
            f.rule: f.severity.value
            for f in lint_snippet(Snippet(text=script, path="x.sh", context=ctx), Settings())
        }["CG201"]
        for ctx in (RunContext.SCRIPT, RunContext.CI, RunContext.AGENT)
    }
    assert severity == {
        RunContext.SCRIPT: "warning",
        RunContext.CI: "error",
        RunContext.AGENT: "error",
    }


def test_the_skills_recommended_forms_are_clean() -> None:
    script = (
        "#!/usr/bin/env bash\n"
        "set -euo pipefail\n"
        'codex login status 2>&1 | grep -q "Logged in using ChatGPT" || exit 1\n'
        'test -z "${OPENAI_API_KEY:-}" || { echo "ABORT: API key set" >&2; exit 1; }\n'
        'printf \'%s\' "$TASK_PROMPT" | codex exec -C "$REPO" -s workspace-write -o out/last.txt -\n'
        "codex exec -C \"$REPO\" -s read-only -o verdict.txt - <<'EOF'\n"
        "Independently validate the change on this branch. Output VERDICT: PASS|FAIL + reasons.\n"
        "EOF\n"
        'cd "$REPO" && codex exec resume --last -o out/follow.txt "Fix the test." </dev/null\n'
    )
    assert rules_of(script, strict=True) == set()


def test_parse_error_never_hides_billing_or_full_access() -> None:
    script = 'echo "unterminated\nOPENAI_API_KEY=k codex exec --yolo -C . "p" </dev/null\n'
    found = rules_of(script)
    assert {"CG101", "CG303"} <= found


def test_unknown_flag_depends_on_the_target_version() -> None:
    script = 'codex exec --full-auto -C . "p" </dev/null'
    assert "CG903" in rules_of(script)
    assert "CG903" not in rules_of(script, codex_version="0.139.0")


def test_top_level_options_before_exec_are_read() -> None:
    assert "CG303" in rules_of('codex -s danger-full-access exec -C . "p" </dev/null')
    # exec's own -s wins over the top-level one (FACTS.md)
    assert "CG303" not in rules_of(
        'codex -s danger-full-access exec -s read-only -C . "p" </dev/null'
    )
    assert "CG903" not in rules_of('codex -a never exec -s read-only -C . "p" </dev/null')
    assert "CG903" in rules_of('codex exec -a never -s read-only -C . "p" </dev/null')


def test_docs_examples_only_raise_what_is_wrong_wherever_it_runs() -> None:
    """A README fence is run by a person at a terminal: no stdin or lane noise, but billing,
    full access and flags the CLI rejects are wrong there too."""
    doc = RunContext.DOC
    assert rules_of('codex exec "explain this repo"', doc) == set()
    assert rules_of('codex exec --yolo "fix it"', doc) == {"CG303"}
    assert rules_of('OPENAI_API_KEY=k codex exec -s read-only "p"', doc) == {"CG101"}
    assert rules_of('codex exec -s read-only --full-auto "p"', doc) == {"CG903"}


def test_a_cd_inside_command_substitution_does_not_choose_the_root() -> None:
    moved = 'cd "$REPO"\ncodex exec -s read-only "p" </dev/null'
    not_moved = 'DIR="$(cd "$(dirname "$0")" && pwd)"\ncodex exec -s read-only "p" </dev/null'
    subshell = '( cd "$REPO" && make )\ncodex exec -s read-only "p" </dev/null'
    assert "CG503" not in rules_of(moved)
    assert "CG503" in rules_of(not_moved)
    assert "CG503" in rules_of(subshell)


def test_resume_last_after_a_cd_in_a_subshell_still_runs_from_the_old_cwd() -> None:
    script = (
        'codex exec -C "$REPO" -s workspace-write "Start." </dev/null\n'
        '( cd "$REPO" && git log -1 )\n'
        'codex exec resume --last "Continue." </dev/null\n'
    )
    assert "CG403" in rules_of(script)
    assert "CG403" not in rules_of(script.replace("( cd", "cd").replace(" )\n", "\n"))


@pytest.mark.parametrize(
    ("script", "raised"),
    [
        ('cd "$REPO"\ncodex exec -C "$REPO" -s workspace-write "a" </dev/null\n', False),
        ('codex exec -C "$REPO" -s workspace-write "a" </dev/null\ncd "$REPO"\n', False),
        ('codex exec -C "$REPO" -s workspace-write "a" </dev/null\n', True),
        ('codex exec -C . -s workspace-write "a" </dev/null\n', False),
        ('codex exec -C . -s workspace-write "a" </dev/null\ncd /tmp\n', True),
        (
            '(cd api && codex exec -C /srv/api -s workspace-write "a" </dev/null) &\n'
            'codex exec -C . -s read-only "b" </dev/null\n',
            False,
        ),
    ],
)
def test_resume_last_runs_where_the_resumed_run_recorded_its_session(
    script: str, raised: bool
) -> None:
    found = rules_of(script + 'codex exec resume --last "Continue." </dev/null\n')
    assert ("CG403" in found) is raised


def test_exec_cd_before_resume_is_the_resumes_root() -> None:
    first = 'codex exec -C /repo -s workspace-write "a" </dev/null\n'
    same = first + 'codex exec -C /repo resume --last "b" </dev/null\n'
    other = first + 'codex exec -C /other resume --last "b" </dev/null\n'
    assert "CG403" not in rules_of(same)
    assert "CG403" in rules_of(other)
    assert "CG402" not in rules_of(same)  # exec's own -C, given before `resume`, is accepted
