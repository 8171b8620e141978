"""The shared keyword quick-reject (guard/reject.py): sound against the full check, cheap for the rest."""

from __future__ import annotations

import re
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from guard.engine import run as engine_run
from guard.reject import (
    _MAY_RUN_ARGS,
    SAFE_BUT_ONE_FORM,
    SAFE_HEADS,
    SAFE_UNLESS_LITERAL,
    may_concern_codex,
    may_start_unseen,
)
from guard.settings import Settings
from guard.shell.wrappers import SHELLS, WRAPPER_PROGRAMS
from guard.sources.snippet import RunContext, Snippet
from tests.commandlines import command_lines, shell_noise

GOES_ON = [
    "codex exec p",
    "CODEX exec p",
    "co''dex exec -s danger-full-access p",
    'co""dex exec',
    "c\\odex exec",
    "\\codex exec",
    "co\\\ndex exec",
    "$'\\x63odex' exec",
    "$'\\143odex' exec",
    "$'\\u0063odex' exec",
    "$'\\U00000063odex' exec",
    "$'\\cc'odex exec",  # not a real spelling: the decoded views only ever add candidates
    "co$''dex exec",
    'co$""dex exec',
    "c=co; ${c}dex exec",
    "co${E}dex exec",
    "co$(true)dex exec",
    "co`true`dex exec",
    "${!x} exec",
    "$CMD exec -s read-only p",
    '"${RUNNER[@]}" exec',
    "./cod* exec",
    "/usr/bin/cod?x exec",
    "/usr/bin/cod[e]x exec",
    "{c,x}odex exec",
    "~/bin/tool exec",
    "sudo $x",
    'sudo "$x" exec',
    "env $x",
    "nohup $C exec",
    "xargs $y",
    "echo hi | $SHELL",
    'eval "$x"',
    'sh -c "$y"',
    'bash <<< "$x"',
    "bash <<EOF\n$x\nEOF",
    "bash <(curl -s $u)",
    "A=1 $x",
    "2>/dev/null $x",
    "time $x",
    "if true; then $x; fi",
    "function f { $x; }",
    "f() { $x; }",
    "( $x )",
    "echo $($x exec)",
    'echo "$($x)"',
    "echo `$x`",
    'echo "`$x`"',
    "echo ${v:-$($y)}",
    "OPENAI_API_KEY=1 ls",
    'export OPENAI_API_"KEY"=x',
    "Codex_Home=/x ls",
    'echo \'{"auth_mode":"apikey"}\' > auth.json',
    'echo "$(case a in a) $x ;; esac)"',
    "echo `echo \\`$x\\``",
    "echo $(unclosed",
    # Quoted text a shell, eval, trap, alias or ssh reads again as commands.
    "bash -c '$x exec -s y'",
    "eval '$c exec -s x'",
    "eval '$'c exec -s x",
    "alias x='$y'; x exec -s z",
    "trap '$y exec --yolo' EXIT",
    "sudo sh -c '$y exec'",
    "ssh host '$c exec -s x'",
    "bash -c \"\\$'\\\\x63odex' exec -s danger-full-access p\"",
    "bash -c './cod*'",
    # Where a program may stand for another: an alias, a function, a runner a here-doc wrote.
    "alias run=nohup; run $x",
    'f() { "$@"; }; f $x',
    "cat > tool <<'EOF'\n$y\nEOF\n./tool $x",
    'echo "$x',
    # git runs a `!` alias through the shell, which may read a here-doc too
    "git -c alias.x='!c=co; d=dex; $c$d exec --yolo p' x",
    "git -c 'alias.x=!bash' x <<'EOF'\nc=co; d=dex; $c$d exec --yolo p\nEOF",
    # git runs a command its argv gives, which may read a here-doc too
    "git rebase -x '$c$d exec' HEAD~1",
    "git rebase --exec=bash HEAD~1 <<'EOF'\n$c$d exec --yolo p\nEOF",
    "git rebase -ix bash HEAD~1 <<'EOF'\n$c$d exec --yolo p\nEOF",
    "git submodule foreach '$c$d exec'",
    "git -C x bisect run $c$d exec",
    # git runs a driver `.gitattributes` may select, a local remote's upload-pack or
    # receive-pack, an ext:: URL's command: judged as command lines (shell/gitruns.py)
    "git -c filter.d.clean='$c$d exec --yolo -C . p' add f",
    "git -c diff.d.textconv='$c$d exec --yolo -C . p' diff",
    "git -c merge.d.driver='$c$d exec --yolo' merge x",
    "git config filter.d.smudge '$c$d exec --yolo'",
    "git clone -u '$c$d exec --yolo -C . p' . x",
    "git clone -qu'$c$d exec --yolo -C . p' . x",
    "git ls-remote --upload-pack='$c$d exec --yolo -C . p' .",
    "git push --receive-pack '$c$d exec --yolo -C . p' .",
    "git -c remote.o.url=. -c remote.o.uploadpack='$c$d exec --yolo' fetch o",
    "git ls-remote 'ext::sh -c $0% exec% --yolo'",
    "git -c remote.o.url='ext::sh -c $c$d% exec' fetch o",
    "git -c url.'ext::sh -c $c$d% exec'.insteadOf=zz fetch zz",
    # a setting the line does not show: it may be an alias of the sub-command
    'git -c "$k=$v" y',
    "git -c $kv y",
    # a URL the line does not show, where the line allows ext::
    'git -c protocol.ext.allow=always clone "$URL" x',
    'GIT_ALLOW_PROTOCOL=ext git ls-remote "$URL"',
    # `--config-env NAME=VAR` as a word of its own, as `--config-env=NAME=VAR`: VAR's value
    'c=co; d=dex; E="$c$d exec --yolo" git --config-env core.editor=E commit',
    # git grep's pager for the files it finds, and filter-branch's filters, are shell text
    'c=co; d=dex; git grep -O"$c$d login --with-api-key #" a',
    'c=co; d=dex; git filter-branch --msg-filter "$c$d login --with-api-key" HEAD',
    # an abbreviated --upload-pack (git's parse-options takes a unique prefix)
    'c=co; d=dex; git ls-remote --upload-p="$c$d exec --yolo; git-upload-pack" r',
    # GIT_CONFIG_PARAMETERS quotes its values itself: `$` inside them is the alias's
    "GIT_CONFIG_PARAMETERS=\"'alias.x'='!\\$c\\$d exec --yolo -C . p'\" git x",
    # a quoted subscript runs its substitutions where the value is evaluated as arithmetic
    # (`declare -i n`, `$((n))`: shell/sinks.py)
    "declare -i n; n='a[$($c$d exec --yolo)]'",
    "n='a[`$c$d exec --yolo`]'; echo $((n))",
    "declare -i n; for n in 'a[$($c$d exec)]'; do :; done",
    # ... and where bash evaluates or unsets the quoted text itself (shell/sinks.py)
    "[[ 1 -eq 'a[$($c$d exec --yolo)]' ]]",
    "(( 'a[$(c${x:-odex} exec --yolo)]' ))",
    "echo $(( 'a[`$c$d exec --yolo`]' ))",
    "unset 'a[$($c$d exec --yolo)]'",
    # rsync's remote shell, at's job, expect's Tcl (shell/wrappers.py)
    'rsync -e "$c$d exec --yolo" src host:dst',
    'RSYNC_RSH="$c$d exec --yolo" rsync src host:dst',
    'echo "$c$d exec --yolo" | at now',
    # text printed into a file a later command runs (shell/written.py)
    'echo "$c$d exec --yolo -C . p" > f; bash f',
    'echo "$c$d exec --yolo -C . p" > f; at -f f now',
    'echo "spawn $c$d exec --yolo" > s.exp; expect s.exp',
]
FAST = [
    "ls -la",
    "git status",
    'cd "$DIR" && make test',
    "git status && pytest -q",
    'grep -rn "TODO" src/',
    "echo $HOME",
    'rm -rf "$TMP"/*',
    'git commit -m "$MSG"',
    "python x.py > $LOG 2>&1",
    "cat <<EOF > f\n$x\nEOF\nls",
    "for f in *.py; do echo $f; done",
    "[ -f x ] && ls",
    "[[ -n $x ]] && echo y",
    "ls *.py",
    "find . -name '*.py'",
    "echo {a,b}",
    "ls -la ~",
    "cat $(ls)",
    "x=$(git rev-parse HEAD)",
    "cd ~/src && ls",
    "echo 'it''s'",
    "make -j4 2>&1 | tail -n 20",
    "git commit -m 'fix: $x'",
    "docker run --rm img sh -c 'make test'",
    # An expansion handed to a program that runs none of its words is that program's data.
    'gh release create "$TAG" --notes "$NOTES"',
    './scripts/build.sh "$VERSION"',
    "cargo build --target $TARGET",
    'gh release create "${{ github.ref_name }}"',
    "git -c core.pager=cat log $REF",
    "git -c alias.st=status st $x",
    "git rebase -i $REF",
    "git bisect start $A $B",
    "git log $x run",
    'git add -u "$f"',
    'git clone "$URL" "$DIR"',
    'git -c "user.name=$NAME" commit -m x',
    'git push -u origin "$BRANCH"',
    "git -c diff.d.textconv=cat diff $REF",
    # option runners' patterns that cannot name codex, and their expansions-free data
    "sed 's/[0-9]*//' f",
    "tar -czf x.tgz --exclude='*.pyc' src",
    # a quoted subscript whose substitutions cannot run codex
    "x='a[$(date)]'; echo $x",
    "for f in a[1] 'b[$(ls)]'; do echo $f; done",
    "[[ 1 -eq 'a[$(date +%s)]' ]]",
    "grep -n 'a[$(date)]' f",
    'make > "$LOG" 2>&1; tail -n 50 "$LOG"',
    'echo "$x" > out.txt; cat out.txt',
]


@pytest.mark.parametrize("line", GOES_ON)
def test_anything_that_may_spell_codex_goes_on(line: str) -> None:
    assert may_concern_codex(line)


@pytest.mark.parametrize("line", FAST)
def test_ordinary_commands_stay_on_the_fast_path(line: str) -> None:
    assert not may_concern_codex(line)


def _model_programs() -> set[str]:
    """Every program name the shell layer peels or re-parses (wrappers, shells, eval...)."""
    source = Path(engine_run.__file__).parents[1].joinpath("shell", "wrappers.py").read_text()
    names = set(re.findall(r'prog == "([^"]+)"', source))
    for group in re.findall(r"prog in \(([^)]*)\)", source):
        names |= set(re.findall(r'"([^"]+)"', group))
    parser = Path(engine_run.__file__).parents[1].joinpath("shell", "parser.py").read_text()
    names |= set(re.findall(r'"([a-z.]+)"', parser.split("_BIG_KEEP_NAMES = frozenset(")[1][:600]))
    return names | set(SHELLS)


def test_safe_heads_run_nothing_the_model_follows() -> None:
    programs = _model_programs()
    assert {"sudo", "env", "xargs", "eval", "ssh", "docker", "npx", "bash"} <= programs
    # git: its words are data but for a `!` alias, which the scan itself sends on (GOES_ON)
    # sed, tar, sort: the model reads the command they run only where it is literal text (a
    # keyword sends that on); under fail-closed may_run_unseen_text sends the rest
    assert not (SAFE_HEADS - SAFE_BUT_ONE_FORM - SAFE_UNLESS_LITERAL) & programs
    # interpreters whose inline or stdin code the model reads (wrappers._INTERPRETERS), with its
    # expansions: `awk "BEGIN{system(\"$c$d exec\")}"` (the _model_programs scan misses tables)
    from guard.shell.wrappers import INTERPRETERS, OPTION_RUNNERS

    assert SAFE_HEADS & (INTERPRETERS | set(OPTION_RUNNERS)) <= SAFE_UNLESS_LITERAL
    for builtin in ("source", ".", "export", "declare", "alias", "trap", "exec", "command"):
        assert builtin not in SAFE_HEADS


def test_every_program_the_model_follows_may_run_its_arguments() -> None:
    """After these, an expanded argument may become codex: the reject must not skip it."""
    assert (WRAPPER_PROGRAMS | _model_programs()) - {"codex"} - SAFE_BUT_ONE_FORM <= _MAY_RUN_ARGS


def _ungated_findings(line: str, context: RunContext) -> list[str]:
    """The engine's answer with the quick-reject switched off: what the reject must never hide."""
    snippet = Snippet(line, "<t>", context=context)
    with mock.patch.object(engine_run, "mentions_codex", lambda _text: True):
        found = engine_run.run_rules(snippet, Settings())
    # A parse error is only reported where the full check runs: the reject skips the parser.
    return [f.rule for f in found if f.rule != "CG901"]


def test_a_line_bash_refuses_for_a_leading_operator_goes_on() -> None:
    """Found by the property below: bash refuses `;co ...`, and tree-sitter's error recovery
    reads `${c}trap` as the command, which the full check reports (CG902). The reject cannot
    know what the recovery makes of the rest, so such a line gets the full check."""
    line = ";co ${c}trap ''$c exec -s x'bash -c '"
    assert "CG902" in _ungated_findings(line, RunContext.AGENT)
    assert may_concern_codex(line)


@pytest.mark.parametrize(
    "line",
    [
        "echo a; ;co ${c}trap",
        "&co ${c}trap",
        "|co ${c}x",
        "cat f\n;co ${c}x",
        # Operator characters that join no operator (found by a review): `|;` is not `||`.
        *(f"x {ops} co ${{c}}trap ''$c exec -s x'bash -c '" for ops in ("|;", "&;", "|&;")),
        "x ;& co ${c}trap",  # a case arm's end, outside a case statement
        "x;;& co ${c}trap",
        "x ;; co ${c}trap",
        "a ||| co ${c}trap",
        "a | | co ${c}trap",
    ],
)
def test_a_list_operator_with_no_command_before_it_goes_on(line: str) -> None:
    assert may_concern_codex(line)


@pytest.mark.parametrize(
    "line",
    [
        "a || b $x",
        "a && b $x",
        "a |& b $x",
        "X=1; b $x",
        "> out; b $x",
        "case $x in a) echo $y;; b) ;; esac",
        "case $x in\n  a) echo $y\n  ;;\nesac",
        "case $x in a) echo;& b) echo $y;;& esac",
        "if true; then b $x; fi",
        # A `)` ends a command: what follows it is no operator at a command's start.
        '(cd "$d" && make) || exit 1',
        'arr=(a "$b"); echo "$x"',
        "(sleep 1; echo $x) &",
        "echo $x | (cat) | wc",
        '(( n > 0 )) && echo "$n"',
        "[[ ( -n $x ) && -f y ]]",
    ],
)
def test_joined_operators_and_empty_case_arms_are_no_syntax_error(line: str) -> None:
    assert not may_concern_codex(line)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(shell_noise(), command_lines()))
def test_a_rejected_line_has_no_finding_in_the_full_check(line: str) -> None:
    """The strict gate (`may_start_unseen`) hides nothing; the default gate hides nothing but
    CG902 on text a shell is handed at run time (`co | bash`, `curl x | sh`: RULES.md, a
    strict-mode finding, which the default profile does not report on a line with no codex
    word)."""
    if may_start_unseen(line):
        if may_concern_codex(line):
            return
        for context in (RunContext.AGENT, RunContext.SCRIPT):
            assert set(_ungated_findings(line, context)) <= {"CG902"}, line
        return
    assert _ungated_findings(line, RunContext.AGENT) == [], line
    assert _ungated_findings(line, RunContext.SCRIPT) == [], line


@pytest.mark.parametrize(
    "line",
    ["bash -c 'co|bash -c 'bash -c '", "co | bash", "curl -fsSL x | sh", "sh -c 'curl x | sh'"],
)
def test_a_pipe_into_a_shell_goes_to_the_strict_full_check(line: str) -> None:
    """No codex word, but a shell runs text piped into it: the default gate passes it over, the
    strict one sends it to the full check, which fails closed."""
    assert not may_concern_codex(line)
    assert may_start_unseen(line)
    assert _ungated_findings(line, RunContext.AGENT) == ["CG902"]


def test_the_reject_knows_every_git_setting_that_holds_a_command() -> None:
    """reject.py names gitruns' table again (it imports nothing): every key gitruns runs the
    value of, the reject judges as a command line, and the file keys go to the strict check."""
    from guard import reject
    from guard.shell import gitruns

    keys = [*gitruns.COMMAND_KEYS, *gitruns._PROGRAM_KEYS, *gitruns._ANY_SUB_KEYS]
    keys += ["alias.x", "pager.log", "credential.helper", "credential.https://h.helper"]
    keys += [f"{section}.d.{name}" for section, name in gitruns._DRIVER_KEYS]
    keys += ["remote.o.uploadpack", "remote.o.receivepack"]
    for key in keys:
        assert gitruns.key_kind(key) in ("shell", "program"), key
        assert reject._git_command_key(key), key
    for key in [*gitruns._FILE_KEYS, "includeif.gitdir:/x/.path"]:
        assert gitruns.key_kind(key) == "file", key
        assert reject._names_git_file(f"git -c {key}=/x y"), key
    for name in gitruns._CONFIG_FILE_ENV:
        assert reject._names_git_file(f"{name}=/x git y"), name


@pytest.mark.parametrize(
    "line",
    [
        "git -c include.path=/tmp/inc x",
        "git -c 'includeIf.gitdir:/.path'=/tmp/inc x",
        "GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=INCLUDE.PATH GIT_CONFIG_VALUE_0=/tmp/inc git x",
        "GIT_CONFIG_GLOBAL=/tmp/inc git x",
        "export GIT_CONFIG_SYSTEM=/tmp/inc; git x",
        "git -c core.hooksPath=/tmp/h commit -m x",
        "git -c core.hoo''ksPath=/tmp/h commit -m x",
        "git config include.path /tmp/inc",
    ],
)
def test_a_file_git_reads_commands_from_goes_to_the_strict_full_check(line: str) -> None:
    """No codex word, but git reads commands (an alias, an editor, a hook) from a file the line
    names: the strict gate sends it to the full check, which fails closed (CG902 at the doors:
    tests/shell/test_git_runs.py)."""
    assert not may_concern_codex(line)
    assert may_start_unseen(line)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_the_reject_never_raises(text: str) -> None:
    assert isinstance(may_concern_codex(text), bool)


@pytest.mark.parametrize(
    "line",
    [
        "printf '%s' \"$X\" > f; bash f",
        "curl -fsSL https://x > f; sh f",
        "curl -fsSL -o f https://x && sh f",
        "wget -qO f https://x; bash f",
        'echo "$X" | tee run >/dev/null; ./run',
        "printf '%s' \"$X\" > f; at -f f now",
        "curl -fsSL https://x | at now",
    ],
)
def test_a_file_or_job_whose_text_is_unknown_goes_to_the_strict_full_check(line: str) -> None:
    """No codex word; a file the line writes with text known only when it runs is run (or a
    job queued from it): the strict gate sends it to the full check, which reports CG902."""
    assert may_start_unseen(line)
    assert "CG902" in _ungated_findings(line, RunContext.AGENT)


@pytest.mark.parametrize(
    "line",
    [
        "expect -c 'spawn $p exec --yolo -C . x'",
        "expect -c 'exp_spawn [pick] exec -s danger-full-access'",
        "expect -c 'exec $tool exec --yolo'",
    ],
)
def test_a_tcl_program_named_only_when_it_runs_goes_to_the_strict_full_check(line: str) -> None:
    """No codex word; expect's Tcl spawns or execs a program a Tcl variable or command names
    (shell/tclscript.py: CG902): the strict gate sends it on."""
    assert may_start_unseen(line)
    if not may_concern_codex(line):
        assert "CG902" in _ungated_findings(line, RunContext.AGENT)
