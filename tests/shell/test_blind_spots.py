"""Static blind spots of the shell layer: names and values a script computes before codex runs.

Each case is run twice: under real bash with a recording stand-in `codex` on PATH (it logs the
argv and the forbidden keys it really received), and through the linter. Where the key really
reaches codex the linter must say so (CG101), or say that it cannot tell (CG902, failing closed);
where it does not, the linter stays quiet about it. Never silent.
"""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guard.engine import lint_snippet
from guard.settings import Settings
from guard.shell import parse_script
from guard.shell.model import Command
from guard.sources.snippet import RunContext, Snippet

BASH = shutil.which("bash")
pytestmark = pytest.mark.skipif(BASH is None, reason="needs bash")

RUN = 'codex exec -C . -s read-only "Validate." </dev/null'
RECORDER = """#!/bin/sh
# A stand-in codex: logs its argv and the keys it received, then exits 0.
{
  printf 'ARGV %s\\n' "$*"
  for k in OPENAI_API_KEY CODEX_API_KEY CODEX_HOME; do
    eval "v=\\${$k+set}"
    [ -n "$v" ] && printf 'ENV %s\\n' "$k"
  done
} >> "$CODEX_LOG"
exit 0
"""


@dataclass(frozen=True)
class Ran:
    """What really reached codex under bash."""

    runs: int
    keys: frozenset[str]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("lab")
    (folder / "bin").mkdir()
    codex = folder / "bin" / "codex"
    codex.write_text(RECORDER)
    codex.chmod(0o755)
    (folder / "name.txt").write_text("OPENAI_API_KEY\n")
    return folder


def run_bash(lab: Path, script: str) -> Ran:
    """Run ``script`` under real bash with only the recorder on PATH first and no key inherited."""
    log = lab / "codex.log"
    log.write_text("")
    path = lab / "case.sh"
    path.write_text(script)
    env = {
        "PATH": f"{lab / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(lab),
        "CODEX_LOG": str(log),
    }
    subprocess.run(
        [str(BASH), str(path)],
        cwd=lab,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=20,
        check=False,
    )
    lines = log.read_text().splitlines()
    keys = frozenset(x.split()[1] for x in lines if x.startswith("ENV "))
    return Ran(sum(x.startswith("ARGV ") for x in lines), keys)


def rules_of(script: str, **options: object) -> dict[str, list[str]]:
    snippet = Snippet(text=script, path="dispatch.sh", context=RunContext.SCRIPT)
    found: dict[str, list[str]] = {}
    for f in lint_snippet(snippet, Settings(**options)):  # type: ignore[arg-type]
        found.setdefault(f.rule, []).append(f.message)
    return found


def codex_calls(script: str) -> list[Command]:
    return [c for c in parse_script(script).commands if c.program == "codex"]


# ------------------------------------------------------------------ the key really reaches codex
KEY_REACHES = {
    # An unset on one path only: the other path keeps the key.
    "or-unset": f"export OPENAI_API_KEY=x\ntrue || unset OPENAI_API_KEY\n{RUN}",
    "and-unset": f"export OPENAI_API_KEY=x\nfalse && unset OPENAI_API_KEY\n{RUN}",
    "if-unset": f"export OPENAI_API_KEY=x\nif false; then unset OPENAI_API_KEY; fi\n{RUN}",
    "elif-unset": (
        "export OPENAI_API_KEY=x\nif false; then unset OPENAI_API_KEY\n"
        f"elif false; then unset OPENAI_API_KEY; fi\n{RUN}"
    ),
    "case-arm-unset": (
        f"export OPENAI_API_KEY=x\ncase a in b) unset OPENAI_API_KEY ;; esac\n{RUN}"
    ),
    "while-body-unset": (
        f"export OPENAI_API_KEY=x\nwhile false; do unset OPENAI_API_KEY; done\n{RUN}"
    ),
    "or-export-n": f"export OPENAI_API_KEY=x\ntrue || export -n OPENAI_API_KEY\n{RUN}",
    # allexport exports what builtins assign.
    "set-a-printf-v": f"set -a\nprintf -v OPENAI_API_KEY %s sk-x\n{RUN}",
    "set-a-read": f"set -a\nread -r OPENAI_API_KEY <<< sk-x\n{RUN}",
    "set-a-read-two": f'set -a\nread -r A OPENAI_API_KEY <<< "a sk-x"\n{RUN}',
    "set-a-default-assign": f"set -a\n: ${{OPENAI_API_KEY:=sk-x}}\n{RUN}",
    "set-a-let": f"set -a\nlet OPENAI_API_KEY=1\n{RUN}",
    "set-a-arith": f"set -a\n(( OPENAI_API_KEY = 1 ))\n{RUN}",
    "set-a-getopts": f"set -a\ngetopts a OPENAI_API_KEY -a\n{RUN}",
    "env-brace": "env OPENAI_API_{KEY,X}=v codex exec -C . -s read-only p </dev/null",
    "local-x-brace": f"f() {{ local -x OPENAI_API_{{KEY,X}}=v; {RUN}; }}\nf",
    "printf-v-then-export": f"printf -v OPENAI_API_KEY %s x\nexport OPENAI_API_KEY\n{RUN}",
    # Namerefs act on their target.
    "nameref-assign-export": f"declare -n ref=OPENAI_API_KEY\nref=x\nexport ref\n{RUN}",
    "nameref-export-value": f"declare -n ref=OPENAI_API_KEY\nexport ref=x\n{RUN}",
    "nameref-declare-x": f"declare -n ref=OPENAI_API_KEY\ndeclare -x ref=x\n{RUN}",
    "nameref-from-var": f"k=OPENAI_API_KEY\ndeclare -n r=$k\nr=x\nexport r\n{RUN}",
    "nameref-first-assignment-targets": (
        f"declare -n ref\nref=OPENAI_API_KEY\nexport ref=1\n{RUN}"
    ),
    "local-nameref-in-function": (f"f() {{ local -n r=$1; export r=v; }}\nf OPENAI_API_KEY\n{RUN}"),
    "exported-name-made-a-nameref": (
        f"export OPENAI_API_KEY=x\ndeclare -n OPENAI_API_KEY=Y\n{RUN}"
    ),
    # Brace expansion in a name.
    "brace-export": f"export OPENAI_API_{{KEY,X}}=v\n{RUN}",
    "brace-declare-x": f"declare -x OPENAI_API_{{KEY,X}}=v\n{RUN}",
    # env splits -S itself.
    "env-S": 'env -S "OPENAI_API_KEY=x codex exec -C . -s read-only Validate." </dev/null',
    "env-S-attached": 'env -S"OPENAI_API_KEY=x codex" exec -C . -s read-only "Validate." </dev/null',
    "env-split-string=": (
        'env --split-string="OPENAI_API_KEY=x codex exec -C . -s read-only p" </dev/null'
    ),
    # Names built from known parts.
    "for-loop-name": f'for k in OPENAI_API_KEY; do export "$k=x"; done\n{RUN}',
    "for-loop-names": f'for k in A OPENAI_API_KEY; do export "$k"=x; done\n{RUN}',
    "concatenated-name": f'k=OPENAI\nexport "${{k}}_API_KEY=x"\n{RUN}',
    "ifs-join": (f'parts=(OPENAI API KEY)\nIFS=_\nn="${{parts[*]}}"\nexport "$n=x"\n{RUN}'),
    "printf-v-dynamic-name": (f'k=OPENAI_API_KEY\nprintf -v "$k" %s x\nexport "$k"\n{RUN}'),
    "indirect-name": f'n=OPENAI_API_KEY\nv=n\nexport "${{!v}}=x"\n{RUN}',
    "env-indirect-name": f'n=OPENAI_API_KEY\nv=n\nenv "${{!v}}=x" {RUN}',
    "function-arg-name": f'f() {{ export "$1=x"; }}\nf OPENAI_API_KEY\n{RUN}',
}


@pytest.mark.parametrize("script", KEY_REACHES.values(), ids=KEY_REACHES.keys())
def test_a_key_that_reaches_codex_under_bash_is_cg101(lab: Path, script: str) -> None:
    ran = run_bash(lab, script)
    assert ran.runs == 1 and "OPENAI_API_KEY" in ran.keys, (script, ran)
    assert "CG101" in rules_of(script), script


# ------------------------------------------------------- the name is unknown: CG902, fail closed
UNRESOLVED = {
    "name-from-a-file": f'k=$(cat name.txt)\nexport "$k=x"\n{RUN}',
    "name-from-input": f'read -r k < name.txt\nexport "$k=sk-x"\n{RUN}',
    "set-a-read-dynamic-name": f'set -a\nk=$(cat name.txt)\nread -r "$k" <<< sk-x\n{RUN}',
    "nameref-to-unknown": f"declare -n ref=$(cat name.txt)\nref=x\nexport ref\n{RUN}",
    "braced-name": f'n=$(cat name.txt)\nexport "${{n}}=x"\n{RUN}',
    "indirect-unknown": f'n=$(cat name.txt)\nv=n\nexport "${{!v}}=x"\n{RUN}',
    "eval-export": f'k=$(cat name.txt)\neval "export $k=x"\n{RUN}',
}


@pytest.mark.parametrize("script", UNRESOLVED.values(), ids=UNRESOLVED.keys())
def test_an_export_of_an_unresolved_name_is_cg902_naming_it(lab: Path, script: str) -> None:
    ran = run_bash(lab, script)
    assert ran.runs == 1 and "OPENAI_API_KEY" in ran.keys, (script, ran)
    found = rules_of(script)
    assert "CG902" in found, script
    assert any("cannot be resolved" in m and "OPENAI_API_KEY" in m for m in found["CG902"])


def test_cg902_for_an_unresolved_name_is_a_warning_under_strict() -> None:
    script = f'export "$1=x"\n{RUN}'
    snippet = Snippet(text=script, path="d.sh", context=RunContext.SCRIPT)
    hits = [f for f in lint_snippet(snippet, Settings(strict=True)) if f.rule == "CG902"]
    assert hits and hits[0].severity.value == "warning"
    assert "`$1`" in hits[0].message and "line 1" in hits[0].message


# --------------------------------------------------- text the linter cannot see is run by a shell
PAYLOAD = base64.b64encode(f"{RUN}\n".encode()).decode()
UNSEEN = {
    "base64-pipe": f"# codex dispatch\necho {PAYLOAD} | base64 -d | bash",
    "echo-e-pipe-sh": f"echo -e '{RUN}' | sh",
    "cat-pipe-sh": f"echo '{RUN}' > run.txt\ncat run.txt | sh -s",
    # (`<(echo TEXT)` of literal text is read: ECHOED below, tests/shell/test_hidden_runners.py)
    "process-substitution": f"echo '{RUN}' > run.txt\nbash <(cat run.txt)",
    "source-process-substitution": f"echo '{RUN}' > run.txt\nsource <(cat run.txt)",
    "dot-process-substitution": f"echo '{RUN}' > run.txt\n. <(cat run.txt)",
    "xargs-env": f"echo 'OPENAI_API_KEY=x {RUN.split(' </')[0]}' | xargs env",
    "xargs-replace": (
        "echo OPENAI_API_KEY=x | xargs -I{} env {} codex exec -C . -s read-only Validate."
    ),
}


@pytest.mark.parametrize("script", UNSEEN.values(), ids=UNSEEN.keys())
def test_a_shell_running_text_the_linter_cannot_see_is_cg902(lab: Path, script: str) -> None:
    assert run_bash(lab, script).runs == 1, script  # codex really ran
    assert "CG902" in rules_of(script), script


ECHOED = {
    "echo": "echo 'OPENAI_API_KEY=x codex exec -C . -s read-only p </dev/null' | bash",
    "echo-n": "echo -n 'OPENAI_API_KEY=x codex exec -C . -s read-only p </dev/null' | sh",
    "printf-lines": (
        "printf '%s\\n' 'export OPENAI_API_KEY=x' 'codex exec -C . -s read-only p </dev/null'"
        " | bash -s"
    ),
    "process-substitution": "bash <(echo 'OPENAI_API_KEY=x codex exec -C . -s read-only p </dev/null')",
    "dot-process-substitution": ". <(echo 'OPENAI_API_KEY=x codex exec -C . -s read-only p </dev/null')",
}


@pytest.mark.parametrize("script", ECHOED.values(), ids=ECHOED.keys())
def test_literal_text_echoed_into_a_shell_is_read_as_shell(lab: Path, script: str) -> None:
    ran = run_bash(lab, script)
    assert ran.runs == 1 and "OPENAI_API_KEY" in ran.keys, (script, ran)
    found = rules_of(script)
    assert "CG101" in found and "CG902" not in found, (script, found)


def test_unseen_script_is_reported_even_where_nothing_else_names_codex() -> None:
    script = "# nightly dispatch for the codex fleet\ncurl -fsSL https://example.com/run.sh | bash"
    assert "CG902" in rules_of(script)
    (cmd,) = [c for c in parse_script(script).commands if c.program == "bash"]
    assert cmd.unseen_script == "pipe"


# ------------------------------------------------------------ what does NOT reach codex: silent
CLEAN = {
    "unset-on-every-path": (
        "export OPENAI_API_KEY=x\nif true; then unset OPENAI_API_KEY\n"
        f"else unset OPENAI_API_KEY; fi\n{RUN}"
    ),
    "case-catch-all-unset": f"export OPENAI_API_KEY=x\ncase a in *) unset OPENAI_API_KEY ;; esac\n{RUN}",
    "unset-left-of-or": f"export OPENAI_API_KEY=x\nunset OPENAI_API_KEY || exit 1\n{RUN}",
    "unset-in-known-for": (
        "export OPENAI_API_KEY=x CODEX_API_KEY=y\n"
        f'for k in OPENAI_API_KEY CODEX_API_KEY; do unset "$k"; done\n{RUN}'
    ),
    "unset-through-nameref": (
        f"export OPENAI_API_KEY=x\ndeclare -n ref=OPENAI_API_KEY\nunset ref\n{RUN}"
    ),
    "nameref-not-exported": f"declare -n ref=OPENAI_API_KEY\nref=x\n{RUN}",
    "read-without-set-a": f"read -r OPENAI_API_KEY <<< sk-x\n{RUN}",
    "default-assign-without-set-a": f": ${{OPENAI_API_KEY:=sk-x}}\n{RUN}",
    "set-a-mapfile": f"set -a\nmapfile OPENAI_API_KEY < /dev/null\n{RUN}",
    "brace-prefix-is-a-command": "OPENAI_API_{KEY,X}=v codex exec -C . -s read-only p </dev/null",
    "env-S-unsets": (
        "export OPENAI_API_KEY=x\n"
        'env -S "-u OPENAI_API_KEY codex exec -C . -s read-only Validate." </dev/null'
    ),
    "xargs-appends-after-codex": (
        "echo OPENAI_API_KEY=x | xargs env codex exec -C . -s read-only Validate."
    ),
    "other-names-in-a-loop": f'for k in A B; do export "$k=x"; done\n{RUN}',
    "unknown-name-then-keys-unset": (
        f'k=$(cat name.txt)\nexport "$k=x"\nunset OPENAI_API_KEY CODEX_API_KEY\n{RUN}'
    ),
    "unknown-name-env-i": f'k=$(cat name.txt)\nexport "$k=x"\nenv -i PATH="$PATH" {RUN}',
    "unknown-name-env-u": (
        f'k=$(cat name.txt)\nexport "$k=x"\nenv -u OPENAI_API_KEY -u CODEX_API_KEY {RUN}'
    ),
    "unknown-name-after-codex": f'{RUN}\nk=$(cat name.txt)\nexport "$k=x"',
    "indirect-command-word": f"c=codex\nv=c\n${{!v}} {RUN.split(' ', 1)[1]}",
}


@pytest.mark.parametrize("script", CLEAN.values(), ids=CLEAN.keys())
def test_a_key_that_does_not_reach_codex_is_no_finding(lab: Path, script: str) -> None:
    ran = run_bash(lab, script)
    assert "OPENAI_API_KEY" not in ran.keys, (script, ran)
    found = rules_of(script)
    assert "CG101" not in found and "CG902" not in found, (script, found)


MENTIONS = [
    "echo 'export \"$k=x\"; codex exec -C . -s read-only p'",
    '# for k in OPENAI_API_KEY; do export "$k=x"; done; codex exec ...',
    "grep -n 'base64 -d | bash' notes.md  # codex dispatch notes",
    "echo \"never: env -S 'OPENAI_API_KEY=x codex exec p'\"",
    "printf '%s\\n' 'declare -n ref=OPENAI_API_KEY; export ref; codex exec p'",
    "cat <<'EOF'\nbash <(curl https://x) && codex exec p\nEOF",
]


@pytest.mark.parametrize("script", MENTIONS)
def test_text_that_only_mentions_these_forms_stays_silent(script: str) -> None:
    assert rules_of(script) == {}


# ------------------------------------------------------------------------ the model, directly
def test_the_model_names_the_unresolved_export_and_where() -> None:
    (cmd,) = codex_calls(f'x=1\nexport "$NAME=v"\n{RUN}')
    (u,) = cmd.env_unresolved
    assert u.name == "$NAME" and u.span.line == 2 and u.removed_after == ()


def test_an_export_through_a_nameref_to_an_unknown_target_names_the_reference() -> None:
    (cmd,) = codex_calls(f'declare -n ref="$1"\nexport ref=v\n{RUN}')
    assert [u.name for u in cmd.env_unresolved] == ["ref (a nameref)"]


def test_an_unset_after_the_unresolved_export_is_remembered_in_order() -> None:
    (cmd,) = codex_calls(f'unset OPENAI_API_KEY\nexport "$N=v"\nunset CODEX_API_KEY\n{RUN}')
    (u,) = cmd.env_unresolved
    assert u.removed_after == ("CODEX_API_KEY",)  # the first unset came before it


def test_unresolved_names_cross_into_bash_c_and_end_with_a_subshell() -> None:
    (inner,) = codex_calls(f"export \"$N=v\"\nbash -c '{RUN}'")
    assert [u.name for u in inner.env_unresolved] == ["$N"]
    (after,) = codex_calls(f'( export "$N=v" )\n{RUN}')
    assert after.env_unresolved == ()


def test_a_branch_keeps_exports_but_not_one_sided_unsets() -> None:
    (cmd,) = codex_calls(f"if c; then export CODEX_HOME=/h; else unset OPENAI_API_KEY; fi\n{RUN}")
    assert cmd.env_var("CODEX_HOME") is not None
    assert "OPENAI_API_KEY" not in cmd.env_removed


def test_values_set_in_one_branch_still_resolve_the_command_word() -> None:
    cmds = codex_calls('if [ -x /opt/codex ]; then C=/opt/codex; else C=codex; fi\n"$C" exec p')
    # One command a value C may hold, each saying its branch (the last assigned first).
    assert [(c.program, c.branch) for c in cmds] == [
        ("codex", "the `if` at line 1 takes its else-branch"),
        ("codex", "the `if` at line 1 takes its then-branch"),
    ]


def test_brace_expansion_in_unset_removes_both_names() -> None:
    (cmd,) = codex_calls(f"export OPENAI_API_KEY=x\nunset OPENAI_API_{{KEY,X}}\n{RUN}")
    assert cmd.env_var("OPENAI_API_KEY") is None


def test_brace_expansion_is_bash_only() -> None:
    (cmd,) = [
        c
        for c in parse_script("export OPENAI_API_{KEY,X}=v\ncodex exec p", dialect="sh").commands
        if c.program == "codex"
    ]
    assert cmd.env_var("OPENAI_API_KEY") is None


def test_indirect_expansion_resolves_through_a_known_name() -> None:
    (cmd,) = codex_calls('real=codex\nv=real\n"${!v}" exec p')
    assert cmd.argv[1].text == "exec"
    dyn = parse_script('"${!v}" exec p').dynamic_commands
    assert len(dyn) == 1


# ------------------------------------------- property: whatever bash hands codex, lint reports
STATEMENTS = [
    "export OPENAI_API_KEY=x",
    "unset OPENAI_API_KEY",
    "true || unset OPENAI_API_KEY",
    "false || unset OPENAI_API_KEY",
    "true && unset OPENAI_API_KEY",
    "if true; then unset OPENAI_API_KEY; fi",
    "if false; then unset OPENAI_API_KEY; else :; fi",
    "case x in y) unset OPENAI_API_KEY ;; esac",
    "case x in *) unset OPENAI_API_KEY ;; esac",
    "export -n OPENAI_API_KEY",
    "set -a",
    "set +a",
    "read -r OPENAI_API_KEY <<< v",
    "printf -v OPENAI_API_KEY %s v",
    "declare -n ref=OPENAI_API_KEY",
    "ref=v",
    "export ref",
    "unset ref",
    "k=OPENAI_API_KEY",
    'export "$k=v"',
    'export "$(cat name.txt)=v"',
    "while false; do unset OPENAI_API_KEY; done",
    "export OPENAI_API_{KEY,X}=v",
]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(st.lists(st.sampled_from(STATEMENTS), min_size=1, max_size=6))
def test_whenever_bash_hands_codex_the_key_lint_says_so(lab: Path, body: list[str]) -> None:
    script = "\n".join([*body, RUN])
    ran = run_bash(lab, script)
    if "OPENAI_API_KEY" in ran.keys:
        found = rules_of(script)
        assert "CG101" in found or "CG902" in found, script


def test_an_unset_on_one_path_does_not_clear_an_env_file_load() -> None:
    load = "set -a\n. ./.env\nset +a\n"
    assert "CG103" in rules_of(f"{load}true || unset OPENAI_API_KEY CODEX_API_KEY\n{RUN}")
    assert "CG103" not in rules_of(f"{load}unset OPENAI_API_KEY CODEX_API_KEY\n{RUN}")
    unsets = parse_script("if c; then unset OPENAI_API_KEY; fi\nunset CODEX_API_KEY").unsets
    assert [u.name for u in unsets] == ["CODEX_API_KEY"]


def test_a_glob_in_a_for_list_is_not_a_known_value() -> None:
    (cmd,) = codex_calls('for f in prompts/*.md; do codex exec -C . -s read-only "$f"; done')
    assert not cmd.argv[-1].literal


HOME_REACHES = {
    "nameref": f"declare -n h=CODEX_HOME\nexport h=/tmp/h\n{RUN}",
    "for-loop": f'for k in CODEX_HOME; do export "$k=/tmp/h"; done\n{RUN}',
    "brace": f"export CODEX_{{HOME,X}}=/tmp/h\n{RUN}",
    "env-S": 'env -S "CODEX_HOME=/tmp/h codex exec -C . -s read-only Validate." </dev/null',
    "one-sided-unset": f'export CODEX_HOME=/tmp/h\n[ -n "$CI" ] && unset CODEX_HOME\n{RUN}',
}


@pytest.mark.parametrize("script", HOME_REACHES.values(), ids=HOME_REACHES.keys())
def test_a_hand_set_codex_home_that_reaches_codex_is_cg502(lab: Path, script: str) -> None:
    ran = run_bash(lab, script)
    assert ran.runs == 1 and "CODEX_HOME" in ran.keys, (script, ran)
    assert "CG502" in rules_of(script), script


# bash removes a backslash-newline before it splits words; tree-sitter-bash reads two words there.
CONTINUED = {
    "in-the-command-word": "co\\\ndex exec -C . -s read-\\\nonly p </dev/null",
    "in-a-flag": "codex ex\\\nec -C . -s read-only \\\n  p </dev/null",
}


@pytest.mark.parametrize("script", CONTINUED.values(), ids=CONTINUED)
def test_a_line_continuation_inside_a_word_joins_it_as_bash_does(lab: Path, script: str) -> None:
    log = lab / "codex.log"
    assert run_bash(lab, script).runs == 1
    (argv_line,) = [x for x in log.read_text().splitlines() if x.startswith("ARGV ")]
    (call,) = codex_calls(script)
    assert [w.text for w in call.argv[1:]] == argv_line.split()[1:]
    assert "CG903" not in rules_of(script)  # `ec` or `only` alone would be rejected flags
