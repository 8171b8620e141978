"""Values the line itself makes known, which bash computes before it runs the command word: a
`bash -c` body's $0 and $1 (the words after the body), a parameter-expansion operator on a
known value (`${c,,}`, `${c:1}`, `${c#x}`, `${c/y/d}`), `read`/`mapfile` from a literal
here-string, `$(echo codex)`, and field splitting at a known IFS (`IFS=_; $c`).

Each bypass is first run under real bash with a recording stand-in codex (what codex really
gets: its argv, and whether an API key reached it); then `codex-guard check` must refuse it with
the rule a plain `codex ...` line gets. Look-alikes whose value is not codex, or whose codex run
is clean, stay allowed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from guard.engine.run import run_rules
from guard.settings import Settings
from guard.shell.builtins import read_values
from guard.shell.model import UNKNOWN_SPAN, Word
from guard.shell.words import apply_operator, ifs_split, printed_by
from guard.sources.snippet import RunContext, Snippet

RECORDER = """#!/bin/sh
for a in "$@"; do printf '%s ' "$a"; done >> "$LOG"
echo "key=${OPENAI_API_KEY-unset}" >> "$LOG"
"""
YOLO = "exec --yolo -C . p key=unset"
KEYED = "exec -s read-only -C . p key=sk"

# (command, what codex gets under bash, the rule `check` refuses it with)
BYPASSES = [
    # a `bash -c` body's positional parameters are the words after it
    (
        "OPENAI_API_KEY=sk bash -c '\"$1\" exec -s read-only -C . p </dev/null' x codex",
        KEYED,
        "CG101",
    ),
    (
        "OPENAI_API_KEY=sk bash -c '\"$0\" exec -s read-only -C . p </dev/null' codex",
        KEYED,
        "CG101",
    ),
    ("OPENAI_API_KEY=sk sh -c '$2 exec -s read-only -C . p </dev/null' sh x codex", KEYED, "CG101"),
    ("bash -c '\"$@\" --yolo -C . p </dev/null' _ codex exec", YOLO, "CG303"),
    ("bash -c 'c=$1; $c exec --yolo -C . p </dev/null' _ codex", YOLO, "CG303"),
    ("timeout 5 bash -c '\"$1\" exec --yolo -C . p </dev/null' _ codex", YOLO, "CG303"),
    # parameter-expansion operators on a known value
    ("c=CODEX; ${c,,} exec --yolo -C . p </dev/null", YOLO, "CG303"),
    ("c=Codex; ${c,} exec --yolo -C . p </dev/null", YOLO, "CG303"),
    ("c=Codex; ${c@L} exec --yolo -C . p </dev/null", YOLO, "CG303"),
    ("c=xcodex; ${c:1} exec --yolo -C . p </dev/null", YOLO, "CG303"),
    ("c=xcodexy; ${c:1:5} exec --yolo -C . p </dev/null", YOLO, "CG303"),
    ("c=xcodex; ${c: -5} exec --yolo -C . p </dev/null", YOLO, "CG303"),
    ("c=xcodex; ${c#x} exec --yolo -C . p </dev/null", YOLO, "CG303"),
    ("c=/opt/bin/codex; ${c##*/} exec --yolo -C . p </dev/null", YOLO, "CG303"),
    ("c=codexx; ${c%x} exec --yolo -C . p </dev/null", YOLO, "CG303"),
    ("c=codex.sh; ${c%.*} exec --yolo -C . p </dev/null", YOLO, "CG303"),
    ("c=coyex; ${c/y/d} exec --yolo -C . p </dev/null", YOLO, "CG303"),
    ('c=co_de_x; "${c//_/}" exec --yolo -C . p </dev/null', YOLO, "CG303"),
    ("c=xodex; ${c/#x/c} exec --yolo -C . p </dev/null", YOLO, "CG303"),
    ("c=codey; ${c/%y/x} exec --yolo -C . p </dev/null", YOLO, "CG303"),
    ("f() { ${1,,} exec --yolo -C . p </dev/null; }; f CODEX", YOLO, "CG303"),
    # read / mapfile / readarray from a literal here-string or here-doc
    ("read c <<<codex; $c exec --yolo -C . p </dev/null", YOLO, "CG303"),
    ('read -r c rest <<<"codex exec"; $c $rest --yolo -C . p </dev/null', YOLO, "CG303"),
    ("read <<< ' codex '; $REPLY exec --yolo -C . p </dev/null", YOLO, "CG303"),
    ("read c <<'E'\ncodex\nE\n$c exec --yolo -C . p </dev/null", YOLO, "CG303"),
    ("mapfile -t a <<<codex; ${a[0]} exec --yolo -C . p </dev/null", YOLO, "CG303"),
    ("readarray -t a <<<$'codex\nexec'; \"${a[@]}\" --yolo -C . p </dev/null", YOLO, "CG303"),
    ("mapfile a <<<codex; ${a[0]} exec --yolo -C . p </dev/null", YOLO, "CG303"),
    # a substitution of echo / printf with literal words
    ("$(echo codex) exec --yolo -C . p </dev/null", YOLO, "CG303"),
    ("`echo codex` exec --yolo -C . p </dev/null", YOLO, "CG303"),
    ('"$(echo -n codex)" exec --yolo -C . p </dev/null', YOLO, "CG303"),
    ("$(printf codex) exec --yolo -C . p </dev/null", YOLO, "CG303"),
    ("$(printf '%s\\n' codex exec) --yolo -C . p </dev/null", YOLO, "CG303"),
    ("$(echo codex exec --yolo) -C . p </dev/null", YOLO, "CG303"),
    ("c=$(echo codex); $c exec --yolo -C . p </dev/null", YOLO, "CG303"),
    # field splitting at a known IFS
    ("IFS=_; c=codex_exec_--yolo_-C_._p; $c </dev/null", YOLO, "CG303"),
    ("IFS=,; $(echo codex,exec,--yolo,-C,.,p) </dev/null", YOLO, "CG303"),
    ("IFS=$'\\n'; c=$'codex\\nexec\\n--yolo\\n-C\\n.\\np'; $c </dev/null", YOLO, "CG303"),
]

# Look-alikes: the value is not codex (bash runs something else), or the codex run is clean.
LOOKALIKES = [
    "OPENAI_API_KEY=sk bash -c 'echo \"$1\"' x codex",
    "OPENAI_API_KEY=sk bash -c 'echo \"$0\"' codex",
    "bash -c '\"$1\" exec -s read-only -C . p </dev/null' x codex",
    "OPENAI_API_KEY=sk bash -c '\"$1\" --version' x ls",
    "c=codex; ${c^^} exec --yolo -C . p </dev/null",  # CODEX: command not found
    "c=xcodex; ${c:2} exec --yolo -C . p </dev/null",  # odex
    "c=CODEX; ${c,,} exec -s read-only -C . p </dev/null",
    "c=codex; echo ${c%x} ${c#c} ${c/o/0}",
    "c=codex.sh; printf '%s\\n' ${c%.*}",
    "read c <<<ls; $c exec --yolo -C . p </dev/null",
    'read c <<<codex; echo "$c exec --yolo"',
    'mapfile a <<<codex; "${a[0]}" exec --yolo -C . p </dev/null',  # `codex\n`: not found
    "$(echo ls) exec --yolo -C . p </dev/null",
    'echo "$(echo codex) exec --yolo"',
    "IFS=_; c='codex exec --yolo -C . p'; $c </dev/null",  # one field: not found
    "IFS=_; c=codex_exec_-s_read-only_-C_._p; $c </dev/null",
]


def check(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "CODEX_API_KEY")}
    env["XDG_CONFIG_HOME"] = str(cwd / "config")  # no user config
    env["XDG_CACHE_HOME"] = str(cwd / "cache")
    return subprocess.run(
        [sys.executable, "-m", "guard", "check", command],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=env,
        timeout=60,
        check=False,
    )


def lint_rules(command: str) -> set[str]:
    found = run_rules(Snippet(command + "\n", "run.sh", context=RunContext.SCRIPT), Settings())
    return {f.rule for f in found}


def run_under_bash(command: str, tmp_path: Path) -> list[str]:
    """The lines the recording codex logged when bash ran ``command`` (in ``tmp_path``)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / "codex"
    fake.write_text(RECORDER)
    fake.chmod(0o755)
    log = tmp_path / "codex.log"
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "CODEX_API_KEY")}
    env.update(PATH=f"{bin_dir}:{os.environ['PATH']}", LOG=str(log))
    subprocess.run(
        ["bash", "-c", command],
        cwd=tmp_path,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=30,
        check=False,
    )
    return log.read_text().splitlines() if log.exists() else []


@pytest.mark.parametrize(("command", "argv", "rule"), BYPASSES)
def test_bash_runs_codex_and_check_refuses_it(
    command: str, argv: str, rule: str, tmp_path: Path
) -> None:
    ran = run_under_bash(command, tmp_path)
    assert ran == [argv], ran
    done = check(command, tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert rule in done.stdout and done.stdout.strip().endswith("refused"), done.stdout
    assert rule in lint_rules(command)


@pytest.mark.parametrize("command", LOOKALIKES)
def test_lookalikes_stay_allowed(command: str, tmp_path: Path) -> None:
    for line in run_under_bash(command, tmp_path):
        assert "--yolo" not in line and "key=sk" not in line, line
    done = check(command, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "CG" not in done.stdout + done.stderr, done.stdout
    assert not lint_rules(command) & {"CG101", "CG303", "CG902"}


# Behind xargs, find -exec and parallel the body's $0, $1... are names those fill in, not the
# words written: still unknown (CG902), never read as the words after the body.
FILLED_IN = [
    "ls | xargs bash -c '\"$1\" exec --yolo -C . p </dev/null' _",
    "ls | xargs -I{} bash -c '\"$1\" exec --yolo -C . p </dev/null' _ {}",
    "find . -name codex -exec sh -c '\"$0\" exec --yolo -C . p </dev/null' {} \\;",
    "find . -name codex -exec sh -c '\"$1\" exec --yolo -C . p </dev/null' _ {} +",
    "parallel bash -c '\"$1\" exec --yolo -C . p </dev/null' _ ::: codex",
]


@pytest.mark.parametrize("command", FILLED_IN)
def test_arguments_a_wrapper_fills_in_stay_unknown(command: str, tmp_path: Path) -> None:
    done = check(command, tmp_path)
    assert "CG902" in done.stdout, done.stdout
    assert "CG902" in lint_rules(command)


# Each operator on each value, against what bash itself prints (None: left unknown).
OPERATOR_VALUES = ["codex", "CODEX", "xcodex", "codexx", "a.b.c.d", "", "aXbXc", "Codex exec"]
OPERATORS = [
    (",,", ""),
    (",", ""),
    ("^^", ""),
    ("^", ""),
    ("@", "U"),
    ("@", "L"),
    ("@", "u"),
    (":", "1"),
    (":", "1:3"),
    (":", " -2"),
    (":", "(-2)"),
    (":", "0:-1"),
    (":", " -9"),
    (":", "9"),
    (":", "1:-2"),
    ("#", "x"),
    ("#", "*."),
    ("##", "*."),
    ("%", "x"),
    ("%", ".*"),
    ("%%", ".*"),
    ("#", "?"),
    ("%", "?"),
    ("/", "y/d"),
    ("//", "X/_"),
    ("/", "."),
    ("//", "."),
    ("/#", "x/"),
    ("/%", "x/y"),
    ("/%", "?/Z"),
    ("/", "X*X/-"),
    ("//", "?/z"),
]


@pytest.mark.parametrize("value", OPERATOR_VALUES)
def test_operators_give_what_bash_gives(value: str) -> None:
    for op, arg in OPERATORS:
        mine = apply_operator(value, op, arg)
        if mine is None:
            continue
        script = f'c="{value}"; printf "%s" "${{c{op}{arg}}}"'
        real = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
        assert real.stderr == "" and mine == real.stdout, (value, op, arg, mine, real)


@pytest.mark.parametrize(
    ("op", "arg"), [("^^", "[a-c]"), ("#", "[x]"), ("/", "x/$y"), ("/", "o/&&"), ("@", "Q")]
)
def test_operators_not_modelled_stay_unknown(op: str, arg: str) -> None:
    assert apply_operator("xcodex", op, arg) is None


# Field splitting at each IFS, against bash's own (`set -- $v`).
IFS_TEXTS = ["a_b", "_a__b_", " a  b ", "a _ b", "a,,b", "a\tb\nc", "", "__", " _ ", "a:_b"]


@pytest.mark.parametrize("ifs", ["_", " _", ",", ":_", " \t\n", "", "\n"])
def test_ifs_split_gives_bash_fields(ifs: str) -> None:
    for text in IFS_TEXTS:
        script = 'IFS="$1"; set -- $2; printf "%s\\x1f" "$#" "$@"'
        real = subprocess.run(
            ["bash", "-c", script, "_", ifs, text], capture_output=True, text=True, check=True
        )
        assert ifs_split(text, ifs) == real.stdout.split("\x1f")[1:-1], (ifs, text)


@pytest.mark.parametrize(
    ("subst", "text"),
    [
        ("$(echo codex)", "codex"),
        ("`echo -n 'codex exec'`", "codex exec"),
        ("$(printf '%s\\n' codex exec)", "codex\nexec"),
        ('$(printf "codex\\n")', "codex"),
        ("$(echo $c)", None),
        ("$(echo -e codex)", None),
        ("$(printf '%d' 1)", None),
        ("$(echo codex; ls)", None),
        ("$(echo *)", None),
        ("$(echo codex > f)", None),
    ],
)
def test_printed_by(subst: str, text: str | None) -> None:
    assert printed_by(subst) == text


@pytest.mark.parametrize("line", ["codex", "  codex  exec  --yolo  ", "a\tb c ", "", "   "])
def test_read_gives_bash_fields(line: str) -> None:
    for names in (["a"], ["a", "b"], ["a", "b", "c"], []):
        words = [Word(w, True, UNKNOWN_SPAN, w) for w in ["read", "-r", *names]]
        shown = " ".join(f'"${n}"' for n in names or ["REPLY"])
        script = f'read -r {" ".join(names)} <<< "$1"; printf "%s\\x1f" {shown}'
        real = subprocess.run(
            ["bash", "-c", script, "_", line], capture_output=True, text=True, check=True
        )
        assert read_values(words, line, len(names)) == real.stdout.split("\x1f")[:-1]
