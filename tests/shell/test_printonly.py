"""A function whose body only prints (guard/shell/printonly.py) is walked at its first call only:
later calls add their call site and nothing else. What makes that safe is tested here: each
script runs under real bash with a recording stand-in codex, and where a later call could run
codex (a printer shadowed by a function, `printf -v` feeding a command word, output
piped to a shell) the lint must still see it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from guard.engine.api import lint_snippet
from guard.settings import Settings
from guard.shell import parse_script
from guard.shell import parser as syntax
from guard.shell.printonly import prints_only
from guard.sources.snippet import RunContext, Snippet
from tests.shell.recording import key_lab, run_in_lab

BASH = shutil.which("bash")
LOG = 'log() { printf \'[%s] %s\\n\' "$(date +%T)" "$*" >&2; }'


def _body_prints_only(text: str) -> tuple[str, ...] | None:
    b = text.encode()
    definition = syntax._parse_bytes(b).root_node.named_children[0]
    return prints_only(definition.child_by_field_name("body"), syntax._Src(b, 0, 0, {}, None))


@pytest.mark.parametrize(
    "body",
    [
        LOG,
        'log() { local level=$1; shift; echo "[$level] ${*}" 1>&2; }',
        'say() { echo "$*" 2>/dev/null; true && echo `date` >&-; }',
    ],
)
def test_bodies_that_only_print(body: str) -> None:
    assert _body_prints_only(body)


@pytest.mark.parametrize(
    "body",
    [
        "f() { printf -v CMD '%s' \"$1\"; }",  # assigns
        'f() { printf "$1" x; }',  # a call could make the format `-v`
        'f() { echo "${x:=codex}"; }',  # assigns
        'f() { echo "${x@P}"; }',  # prompt expansion runs $(...) in the value
        'f() { echo "$((a))"; }',  # arithmetic runs $(...) in subscripts
        'f() { echo hi > "$1"; }',  # writes a file the call names
        "f() { echo hi >&log.txt; }",  # `>&WORD` is a file
        "f() { echo hi | tee x; }",
        "f() { echo hi & }",  # $! and wait see it
        "f() { x=1; echo; }",
        "f() { local -n ref=$1; }",
        "f() { local PS4=$1; echo; }",  # a name the shell reads: under `set -x` it runs
        'f() { "$@"; }',
        "f() { echo $(codex exec p); }",
        "f() { [[ -n $1 ]] && echo; }",
        "f() { echo; return 0; }",
        "f() ( echo hi )",
    ],
)
def test_bodies_that_do_more(body: str) -> None:
    assert not _body_prints_only(body)


def test_a_repeated_call_adds_only_its_call_site() -> None:
    script = parse_script(f"{LOG}\nlog one\nlog two\nlog three\n")
    programs = [c.program for c in script.commands]
    assert programs.count("log") == 3
    assert programs.count("printf") == 1  # the first call's body; the others add nothing


def _rules(script: str) -> set[str]:
    snippet = Snippet(text=script, path="dispatch.sh", context=RunContext.SCRIPT)
    return {f.rule for f in lint_snippet(snippet, Settings())}


YOLO = "codex exec --yolo -C . p </dev/null"
# A later call of a print-only function that does run codex under bash.
CASES = {
    "printer-shadowed-by-function": (  # the prefix reaches codex only through this call
        "say() { printf '%s\\n' \"$*\"; }\nsay one\n"
        "printf() { codex exec -s read-only -C . p </dev/null; }\nOPENAI_API_KEY=sk say two",
        "CG101",
    ),
    "printf-v-sets-the-program": (
        "pick() { printf -v PROG '%s' \"$1\"; }\npick echo\npick codex\n"
        "$PROG exec --yolo -C . p </dev/null",
        "CG303",
    ),
    "traced-call-sets-ps4": (  # under `set -x` each echo expands the call's PS4
        'set -x\nsay() { echo "$*"; }\nsay one\n'
        "trace() { local PS4=$1; echo; }\ntrace '+ '\ntrace '$(co\"\"dex exec --yolo -C . p </dev/null)'",
        "CG303",
    ),
    "output-piped-to-a-shell": (  # what a function prints is not read: bash's input is unknown
        "say() { echo \"$*\"; }\nsay one\nsay 'codex exec --yolo -C . p </dev/null' | bash",
        "CG902",
    ),
}


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return key_lab(tmp_path_factory.mktemp("printonly"))


@pytest.mark.skipif(BASH is None, reason="needs bash")
@pytest.mark.parametrize("name", sorted(CASES))
def test_a_later_call_that_runs_codex_is_seen(lab: Path, name: str) -> None:
    script, rule = CASES[name]
    ran = run_in_lab(lab, script, str(BASH))  # bash really runs it (with the key for CG101)
    assert ("KEY" in ran) if rule == "CG101" else ("--yolo" in ran)
    assert rule in _rules(script)
