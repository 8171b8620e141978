"""Words, arrays, here-doc bodies, the tree-sitter gap repairs, positions, and robustness."""

from __future__ import annotations

import time

import pytest

from guard.shell import parse_script
from guard.shell.model import Command, StdinKind


def codex_calls(text: str, **kw: object) -> list[Command]:
    return [c for c in parse_script(text, **kw).commands if c.program == "codex"]  # type: ignore[arg-type]


def argv(cmd: Command) -> list[str]:
    return [w.text for w in cmd.argv]


def test_quote_removal() -> None:
    (c,) = codex_calls("""codex exec -m 'o3' "a b" $'x\\ny' pre"mid"'end' \\-z""")
    assert argv(c) == ["codex", "exec", "-m", "o3", "a b", "x\ny", "premidend", "-z"]
    assert all(w.literal for w in c.argv)


def test_unresolved_expansions_stay_as_written() -> None:
    (c,) = codex_calls('codex exec -C "$REPO" "${TASK}" "$(date)" `id`')
    assert argv(c)[3:] == ["$REPO", "${TASK}", "$(date)", "`id`"]
    assert [w.literal for w in c.argv[3:]] == [False, False, False, False]


def test_known_variables_are_resolved() -> None:
    (c,) = codex_calls('MODE=read-only\nP="say hi"\ncodex exec -s "$MODE" "${P}"')
    assert argv(c) == ["codex", "exec", "-s", "read-only", "say hi"]
    assert c.argv[3].literal and c.argv[3].span.line == 3


def test_unquoted_known_variable_is_split() -> None:
    (c,) = codex_calls('FLAGS="-s read-only"\ncodex exec $FLAGS p')
    assert argv(c) == ["codex", "exec", "-s", "read-only", "p"]


def test_array_form() -> None:
    (c,) = codex_calls('CMD=(codex -m M); CMD+=(exec -C "$R"); "${CMD[@]}" &')
    assert argv(c) == ["codex", "-m", "M", "exec", "-C", "$R"]
    assert [w.literal for w in c.argv] == [True, True, True, True, True, False]
    assert c.wrappers[0].name == "array"
    assert c.stdin.kind is StdinKind.NULL


def test_array_words_keep_their_positions() -> None:
    (c,) = codex_calls('ARGS=(exec\n  -s read-only)\ncodex "${ARGS[@]}" p')
    assert argv(c) == ["codex", "exec", "-s", "read-only", "p"]
    assert c.argv[2].span.line == 2


def test_positional_parameters_in_functions() -> None:
    (c,) = codex_calls('run() { codex exec -s "$1" "$@"; }\nrun read-only "do it"')
    assert argv(c) == ["codex", "exec", "-s", "read-only", "read-only", "do it"]
    (top,) = codex_calls('codex exec "$@"')
    assert argv(top) == ["codex", "exec", "$@"] and not top.argv[2].literal


def test_heredoc_to_bash_is_parsed_as_shell() -> None:
    (c,) = codex_calls("bash <<'EOF'\necho hi\ncodex exec -s read-only p\nEOF\n")
    assert c.context.depth == 1
    assert c.span.line == 3 and c.span.column == 1
    (s,) = codex_calls('sh -s <<EOF\ncodex exec "$X"\nEOF\n')
    assert s.span.line == 2
    (hs,) = codex_calls("bash <<< 'codex exec p'")
    assert hs.context.depth == 1


@pytest.mark.parametrize(
    "prog", ["cat", "tee prompt.md", "python3 -", "ssh -n host", "ssh host uptime", "ssh -N host"]
)
def test_heredoc_to_other_programs_is_data(prog: str) -> None:
    # (`ssh host` alone runs the here-doc as the remote login shell's script: test_ssh_stdin.py)
    assert codex_calls(f"{prog} <<'EOF'\ncodex exec -s danger-full-access p\nEOF\n") == []


def test_bash_script_file_argument_is_not_stdin_script() -> None:
    assert codex_calls("bash run.sh <<'EOF'\ncodex exec p\nEOF\n") == []


@pytest.mark.parametrize(
    "text",
    [
        "# codex exec -s danger-full-access p",
        'echo "codex exec -s danger-full-access p"',
        "printf '%s\\n' 'codex exec p'",
        'git commit -m "codex exec --yolo"',
        "grep 'codex exec' run.sh",
        'PROMPT="codex exec p"',
        "MSG='run codex exec now'; echo \"$MSG\"",
        "cat > notes.md <<'EOF'\ncodex exec --yolo p\nEOF",
        "cat <<EOF | tee x\ncodex exec p\nEOF",
        'echo "use: codex exec -"',
    ],
)
def test_never_a_command(text: str) -> None:
    assert codex_calls(text) == []


def test_gap_lone_dash_before_heredoc_is_restored() -> None:
    (c,) = codex_calls("codex exec -C . - <<'EOF'\nprompt\nEOF\n")
    assert argv(c) == ["codex", "exec", "-C", ".", "-"]
    assert c.argv[-1].span.column == 17
    assert c.stdin.kind is StdinKind.HEREDOC and c.stdin.source == "prompt\n"
    (c2,) = codex_calls("codex exec - 2>/dev/null <<EOF\nprompt\nEOF\n")
    assert argv(c2) == ["codex", "exec", "-"]


@pytest.mark.parametrize(
    ("line", "after"),
    [
        ("codex exec - <<EOF | tee log", ["tee"]),
        ("codex exec - <<'EOF' | tee log &", ["tee"]),
        ("codex exec - <<EOF; echo done", ["echo"]),
        ("codex exec - <<EOF ; echo done", ["echo"]),
        ("codex exec - <<EOF && echo ok", ["echo"]),
    ],
)
def test_gap_heredoc_followed_on_its_line(line: str, after: list[str]) -> None:
    script = parse_script(f"{line}\nthe prompt\nEOF\necho next\n")
    progs = [c.program for c in script.commands]
    assert progs == ["codex", *after, "echo"]
    c = script.commands[0]
    assert argv(c) == ["codex", "exec", "-"]
    assert c.stdin.kind is StdinKind.HEREDOC and c.stdin.source == "the prompt\n"
    assert script.parse_errors == ()
    assert script.commands[-1].span.line == 4
    if "|" in line:
        assert c.context.pipeline_next == ("tee",)
        assert script.commands[1].stdin.kind is StdinKind.PIPE


def test_gap_two_heredocs_on_one_line() -> None:
    script = parse_script("cat <<A <<B\na\nA\nb\nB\ncodex exec p\n")
    assert [c.program for c in script.commands] == ["cat", "codex"]
    assert script.commands[1].span.line == 6
    assert script.parse_errors == ()


def test_positions_with_offsets() -> None:
    text = "set -e\n\n    codex exec -s read-only p\n"
    (c,) = codex_calls(text, line_offset=10, column_offset=4)
    assert (c.span.line, c.span.column) == (13, 5)
    assert (c.argv[3].span.line, c.argv[3].span.column) == (13, 19)
    (first,) = codex_calls("codex exec p", line_offset=10, column_offset=4)
    assert (first.span.line, first.span.column) == (11, 5)
    assert first.argv[2].span.column == 16


def test_index_and_text() -> None:
    script = parse_script("a\nb | c\nd &\n")
    assert [c.index for c in script.commands] == [0, 1, 2, 3]
    assert script.commands[1].text == "b"


def test_non_ascii_columns_are_characters() -> None:
    (c,) = codex_calls('echo "héllo"; codex exec p')
    assert c.span.column == 15


def test_crlf() -> None:
    (c,) = codex_calls("set -e\r\ncodex exec -s read-only p\r\n")
    assert argv(c) == ["codex", "exec", "-s", "read-only", "p"]


def test_empty_and_blank() -> None:
    assert parse_script("").commands == ()
    assert parse_script("\n\n   # only a comment\n").commands == ()


def test_unterminated_quote_is_a_parse_error_but_keeps_commands() -> None:
    script = parse_script('codex exec -s read-only p\necho "unterminated\n')
    assert script.parse_errors
    assert [c.program for c in script.commands][:1] == ["codex"]


def test_binary_text_does_not_raise() -> None:
    blob = bytes(range(256)).decode("latin-1") * 40
    parse_script(blob)
    parse_script("\x00codex exec p\x00\n")


@pytest.mark.parametrize(
    "text",
    [
        "(" * 5000 + "codex exec p" + ")" * 5000,
        "( " * 5000 + "codex exec p" + " )" * 5000,
        "echo " + "$(" * 5000 + "codex" + ")" * 5000,
        "x=" + '"$(echo ' * 5000 + "codex" + ')"' * 5000,
        "if x; then " * 3000 + "codex" + "; fi" * 3000,
        "{ " * 3000 + "codex exec p;" + " }" * 3000,
        "".join(f"f{i}() {{ f{i + 1}; }}\n" for i in range(3000)) + "f0\n",
        "a=" + "$(( " * 2000 + "1" + " ))" * 2000,
    ],
    ids=[
        "parens",
        "subshells",
        "substitutions",
        "quoted-substitutions",
        "ifs",
        "groups",
        "function-chain",
        "arithmetic",
    ],
)
def test_deep_nesting_does_not_raise(text: str) -> None:
    script = parse_script(text)
    assert isinstance(script.commands, tuple)


def test_deep_nesting_is_reported() -> None:
    script = parse_script("( " * 5000 + "codex exec p" + " )" * 5000)
    assert script.parse_errors
    shallow = parse_script("( " * 40 + "codex exec p" + " )" * 40)
    assert shallow.parse_errors == ()
    assert shallow.commands[0].context.subshell


def test_deep_nesting_with_little_stack_left_does_not_raise() -> None:
    def nested(frames: int) -> tuple[int, int]:
        if frames:
            return nested(frames - 1)
        script = parse_script("echo " + "$( " * 5000 + "codex" + " )" * 5000)
        return len(script.commands), len(script.parse_errors)

    _, errors = nested(700)
    assert errors


def test_ten_megabyte_script_finishes_in_seconds() -> None:
    line = "echo building step $i && make -j4 target_$i > /tmp/log_$i 2>&1\n"
    text = line * (10_000_000 // len(line))
    start = time.process_time()
    script = parse_script(text + "codex exec -s read-only p </dev/null\n")
    assert time.process_time() - start < 30  # tree-sitter alone takes ~3 s of it
    assert script.commands[-1].program == "codex"
    assert script.commands[-1].span.line == text.count("\n") + 1


def test_long_line_finishes() -> None:
    start = time.perf_counter()
    parse_script("echo " + "a " * 500_000 + "\ncodex exec p\n")
    assert time.perf_counter() - start < 10


def test_dialect_is_kept() -> None:
    assert parse_script("codex exec p", dialect="sh").dialect == "sh"


def test_long_non_ascii_line_finishes() -> None:
    start = time.process_time()
    script = parse_script("codex exec " + "é a " * 250_000 + "\n")
    assert time.process_time() - start < 10
    assert script.commands[0].program == "codex"


def test_huge_input_keeps_what_can_matter() -> None:
    filler = "echo step $i && make -j4 target_$i > /tmp/log_$i 2>&1\n" * 40_000
    tail = (
        'export OPENAI_API_KEY=x\nrun() { codex exec "$1"; }\nrun p\n'
        '$CMD x\nfoo; "$X" y\nalias cx=codex\ncx exec q\n'
    )
    script = parse_script(filler + tail)
    calls = [c for c in script.commands if c.program == "codex"]
    assert len(calls) == 2
    assert all(c.env_var("OPENAI_API_KEY") is not None for c in calls)
    assert [c.argv[0].text for c in script.dynamic_commands] == ["$CMD", "$X"]


def test_default_value_expansions() -> None:
    text = 'CODEX="${CODEX_BIN:-codex}"\n$CODEX exec a\n"${BIN:-codex}" exec b\nM=o3\n'
    text += 'codex exec -m "${M:-gpt}" -C "${REPO:-$HOME/r}" c\n'
    a, b, c = codex_calls(text)
    assert argv(a) == ["codex", "exec", "a"] and a.argv[0].literal
    assert argv(b) == ["codex", "exec", "b"]
    assert argv(c) == ["codex", "exec", "-m", "o3", "-C", "${REPO:-$HOME/r}", "c"]
    assert not c.argv[5].literal


@pytest.mark.parametrize(
    "text",
    ["<<", "<<EOF", "codex <<", "cat <<EOF |\nx\nEOF\n", "codex exec p |", "x=$((a<<b))"],
)
def test_broken_heredocs_and_pipes(text: str) -> None:
    script = parse_script(text)
    assert all(c.program for c in script.commands)


def test_random_shell_soup_never_raises() -> None:
    import random

    rng = random.Random(7)
    pieces = [
        "codex", "exec", "-", " ", "\n", "|", "&", ";", "<<EOF", "EOF", "<<'E'", "E", "$(", ")",
        "`", '"', "'", "(", ")", "{", "}", "$X", "${A[@]}", "=", "export ", "if ", "then ",
        "fi", "while ", "do ", "done", "<", ">", "<<<", "\\", "#", "f()", "eval ", "bash -c ",
        "é", "\t", "&&", "||",
    ]  # fmt: skip
    for _ in range(300):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 40)))
        script = parse_script(text, line_offset=3, column_offset=2)
        for c in script.commands:
            assert c.span.line >= 4 and c.span.column >= 1
            assert all(w.span.line >= 4 for w in c.argv)
