"""Where each command's stdin comes from, and how it is run (FACTS.md, "the stdin lab")."""

from __future__ import annotations

import pytest

from guard.shell import parse_script
from guard.shell.model import Command, LoopKind, StdinKind

N, F, H, S, P = (
    StdinKind.NULL,
    StdinKind.FILE,
    StdinKind.HEREDOC,
    StdinKind.HERESTRING,
    StdinKind.PIPE,
)
INH = StdinKind.INHERITED


def codex(text: str, dialect: str = "bash") -> Command:
    found = [c for c in parse_script(text, dialect=dialect).commands if c.program == "codex"]
    # One codex command in the text; a loop over known words walks it once per word (one
    # Command each, `Command.branch` naming the turn), all with the same stdin.
    assert len({c.span for c in found}) == 1, text
    assert len({(c.stdin.kind, c.stdin.reason) for c in found}) == 1, text
    return found[0]


@pytest.mark.parametrize(
    ("text", "kind", "reason"),
    [
        ('codex exec "p"', INH, None),
        ('codex exec "p" </dev/null', N, None),
        ('codex exec "p" < prompt.txt', F, None),
        ("codex exec - <<'EOF'\nhi\nEOF", H, None),
        ('codex exec - <<< "hi"', S, None),
        ("echo hi | codex exec -", P, None),
        ('codex exec "p" | tee log', INH, None),
        ('x=$(codex exec "p")', INH, None),
        ('codex exec "p" &', N, "async"),
        ('( codex exec "p" ) &', N, "async"),
        ('{ codex exec "p"; } &', N, "async"),
        ('f() { codex exec "p"; }\nf &', N, "async"),
        ('nohup codex exec "p" > log 2>&1 &', N, "async"),
        ('timeout 60 codex exec "p" &', N, "async"),
        ('setsid codex exec "p" &', N, "async"),
        ('for t in a b; do codex exec "$t" & done', N, "async"),
        ('codex exec "p" | tee log &', INH, "background-pipeline"),
        ('codex exec "p" <&0 &', INH, "dup-stdin"),
        ('set -m\ncodex exec "p" &', INH, "job-control"),
        ('ls | xargs -I{} codex exec "{}"', N, "xargs"),
        ('exec </dev/null\ncodex exec "p"', N, None),
        ('{ codex exec "p"; } < prompt.txt', F, None),
        ('( codex exec "p" ) </dev/null', N, None),
        ('codex exec "p" <&-', N, "closed"),
        ('cat | codex exec "p"', INH, "copied-stdin"),
        ('cat -n - | codex exec "p"', INH, "copied-stdin"),
        ('tee -a "$LOG" | codex exec "p"', INH, "copied-stdin"),
        ('f() { cat; }\nf | codex exec "p"', INH, "copied-stdin"),
        ('codex exec "p" < <(cat)', INH, "copied-stdin"),
        ('exec 3<&0\ncodex exec "p" <&3', INH, "dup-stdin"),
        ('exec 3<&0\ncodex exec "p" 0<&3', INH, "dup-stdin"),
        ('codex exec "p" 3<&0 <&3', INH, "dup-stdin"),
        ('exec 3< list.txt\ncodex exec "p" <&3', F, None),
        ('exec 3<&0\nexec 3<&-\ncodex exec "p" <&3', F, None),
        ('cat prompt.md | codex exec "p"', P, None),
        ('cat "$f" | codex exec "p"', P, None),
        ('cat --help | codex exec "p"', P, None),
        ('cat > log | codex exec "p"', P, None),
        ('cat prompt.md | tee log | codex exec "p"', P, None),
        ('{ cat; echo; } | codex exec "p"', P, None),
        ('codex exec "p" < <(cat prompt.md)', F, None),
    ],
)
def test_stdin_source(text: str, kind: StdinKind, reason: str | None) -> None:
    stdin = codex(text).stdin
    assert (stdin.kind, stdin.reason) == (kind, reason)


def test_background_pipeline_under_dash_is_dev_null() -> None:
    stdin = codex('codex exec "p" | tee log &', dialect="sh").stdin
    assert (stdin.kind, stdin.reason) == (N, "async")


def test_sources_are_recorded() -> None:
    assert codex("codex exec p < prompt.txt").stdin.source == "prompt.txt"
    assert codex("codex exec - <<'EOF'\nbody line\nEOF").stdin.source == "body line\n"
    assert codex('codex exec - <<< "hi there"').stdin.source == "hi there"
    piped = codex("git diff | codex exec -").stdin
    assert piped.source == "git"
    assert piped.span is not None and piped.span.column == 10


def test_a_copier_is_named_as_the_source() -> None:
    copied = codex("cat | tee log | codex exec p").stdin
    assert copied.source == "tee"
    assert copied.span is not None and copied.span.column == 15  # the `|` into codex


def test_a_copier_inside_a_read_loop_swallows_its_input() -> None:
    cmd = codex('while read -r t; do cat | codex exec "$t"; done')
    assert (cmd.stdin.kind, cmd.stdin.reason) == (INH, "copied-stdin")
    assert cmd.stdin.shared_with_loop_read


def test_while_read_loop_shares_stdin_with_codex() -> None:
    cmd = codex('while read -r t; do codex exec "$t"; done < list.txt')
    assert cmd.stdin.kind is F and cmd.stdin.source == "list.txt"
    assert cmd.stdin.shared_with_loop_read
    assert cmd.context.loop is not None
    assert cmd.context.loop.kind is LoopKind.WHILE
    assert cmd.context.loop.reads_stdin


def test_piped_while_read_loop() -> None:
    cmd = codex('ls | while read t; do codex exec "$t"; done')
    assert cmd.stdin.kind is P and cmd.stdin.source == "ls"
    assert cmd.stdin.shared_with_loop_read


def test_read_u_does_not_share_stdin() -> None:
    cmd = codex('while read -u 3 t; do codex exec "$t"; done 3< list.txt')
    assert not cmd.stdin.shared_with_loop_read
    assert cmd.context.loop is not None and not cmd.context.loop.reads_stdin


def test_codex_with_its_own_redirect_in_a_read_loop() -> None:
    cmd = codex('while read -r t; do codex exec "$t" </dev/null; done < list.txt')
    assert cmd.stdin.kind is N and not cmd.stdin.shared_with_loop_read


def test_for_loop_does_not_read_stdin() -> None:
    cmd = codex("for t in a b; do codex exec $t; done")
    assert cmd.context.loop is not None
    assert cmd.context.loop.kind is LoopKind.FOR and not cmd.context.loop.reads_stdin
    assert not cmd.stdin.shared_with_loop_read


def test_pipeline_context() -> None:
    script = parse_script('codex exec "p" | grep -v x | tee log')
    first = script.commands[0]
    assert first.context.in_pipeline and first.context.pipeline_position == 0
    assert first.context.pipeline_next == ("grep", "tee")
    assert script.commands[2].context.pipeline_position == 2
    assert script.commands[2].stdin.source == "grep"


def test_background_pipeline_context() -> None:
    c = codex('codex exec "p" | tee log &')
    assert c.context.background and c.context.background_pipeline


def test_command_substitution_context() -> None:
    c = codex('out="$(codex exec p)"')
    assert c.context.command_substitution


def test_subshell_function_and_loop_context() -> None:
    assert codex("(codex exec p)").context.subshell
    c = codex("run() { codex exec p; }\nwhile true; do run; done")
    assert c.context.function == "run"
    assert c.context.loop is not None and c.context.loop.kind is LoopKind.WHILE


def test_function_called_in_pipeline_and_substitution() -> None:
    script = parse_script("run() { codex exec p; }\nrun | tee log\nx=$(run)\n")
    calls = [c for c in script.commands if c.program == "codex"]
    assert calls[0].context.in_pipeline and calls[0].context.pipeline_next == ("tee",)
    assert calls[1].context.command_substitution


def test_function_never_called_still_yields_its_body() -> None:
    c = codex("unused() { codex exec p; }")
    assert c.context.function == "unused"


def test_detached() -> None:
    assert codex("nohup codex exec p &").context.detached
    assert codex("setsid codex exec p").context.detached
    assert codex("codex exec p &\ndisown").context.detached
    assert not codex("codex exec p &").context.detached


@pytest.mark.parametrize(
    ("text", "ignored", "checked"),
    [
        ("codex exec p || true", True, False),
        ("codex exec p || :", True, False),
        ("codex exec p || echo failed", True, False),
        ("codex exec p; true", False, False),
        ("codex exec p && echo ok", False, True),
        ("codex exec p || exit 1", False, True),
        ("if codex exec p; then :; fi", False, True),
        ("while codex exec p; do :; done", False, True),
        ("if ! codex exec p; then exit 1; fi", False, True),
        ("codex exec p", False, False),
    ],
)
def test_exit_status(text: str, ignored: bool, checked: bool) -> None:
    ctx = codex(text).context
    assert (ctx.status_ignored, ctx.status_checked) == (ignored, checked)


def test_errexit_and_job_control() -> None:
    assert codex("set +e\ncodex exec p").context.errexit_off
    assert not codex("set +e\nset -e\ncodex exec p").context.errexit_off
    assert codex("set -m\ncodex exec p").context.job_control
    assert codex("set -o monitor\ncodex exec p").context.job_control


def test_stdout_redirect() -> None:
    assert codex("codex exec p > out.txt").stdout_redirect == "out.txt"
    assert codex("codex exec p >> out.txt 2>&1").stdout_redirect == "out.txt"
    assert codex("{ codex exec p; } > all.log").stdout_redirect == "all.log"
    assert codex("codex exec p 2> err.txt").stdout_redirect is None


def test_explicit_fd_zero_redirect() -> None:
    cmd = codex("codex exec p 0</dev/null")
    assert [w.text for w in cmd.argv] == ["codex", "exec", "p"]
    assert cmd.stdin.kind is N


def test_dup_stdin_in_an_async_list_keeps_the_enclosing_input() -> None:
    stdin = codex("{ codex exec p <&0 & } < prompts.txt").stdin
    assert (stdin.kind, stdin.source, stdin.reason) == (F, "prompts.txt", "dup-stdin")


def test_heredoc_substitution_still_runs() -> None:
    cmd = codex("cat <<EOF\n$(codex exec p)\nEOF")
    assert cmd.context.command_substitution
    assert cmd.span.line == 2


def test_or_a_logging_function_ignores_the_status() -> None:
    text = 'log() { printf "%s\\n" "$*" >&2; }\ndie() { log "$*"; exit 1; }\n'
    assert codex(text + "codex exec p || log failed").context.status_ignored
    died = codex(text + "codex exec p || die failed").context
    assert not died.status_ignored and died.status_checked


def test_dev_stdin_is_the_inherited_input() -> None:
    stdin = codex("codex exec p < /dev/stdin").stdin
    assert (stdin.kind, stdin.reason) == (INH, "dup-stdin")
    assert codex("codex exec p < /dev/stdin </dev/null").stdin.kind is N
