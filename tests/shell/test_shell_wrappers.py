"""Wrappers are peeled so argv[0] is the real program, each recorded outermost first."""

from __future__ import annotations

import pytest

from guard.shell import parse_script
from guard.shell.model import Command, StdinKind


def codex_calls(text: str, **kw: object) -> list[Command]:
    return [c for c in parse_script(text, **kw).commands if c.program == "codex"]  # type: ignore[arg-type]


def one(text: str) -> Command:
    calls = codex_calls(text)
    assert len(calls) == 1, [c.text for c in parse_script(text).commands]
    return calls[0]


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("env -i A=b codex exec p", ["env"]),
        ("env -u K codex exec p", ["env"]),
        ("timeout 60 codex exec p", ["timeout"]),
        ("timeout -k 5 --signal=TERM 1h codex exec p", ["timeout"]),
        ("nohup codex exec p", ["nohup"]),
        ("nice -n 10 codex exec p", ["nice"]),
        ("ionice -c 3 -n 7 codex exec p", ["ionice"]),
        ("stdbuf -oL -eL codex exec p", ["stdbuf"]),
        ("time -p codex exec p", ["time"]),
        ("command -p codex exec p", ["command"]),
        ("exec codex exec p", ["exec"]),
        ("sudo -E -u bot codex exec p", ["sudo"]),
        ("setsid -f codex exec p", ["setsid"]),
        (
            "timeout 60 nohup nice env K=V stdbuf -oL codex exec p",
            ["timeout", "nohup", "nice", "env", "stdbuf"],
        ),
    ],
)
def test_wrapper_is_peeled(text: str, names: list[str]) -> None:
    cmd = one(text)
    assert [w.name for w in cmd.wrappers] == names
    assert [w.text for w in cmd.argv] == ["codex", "exec", "p"]


def test_wrapper_args_are_recorded() -> None:
    cmd = one("sudo -E -u bot codex exec p")
    assert cmd.wrappers[0].args == ("-E", "-u", "bot")
    assert one("timeout 60 codex exec p").wrappers[0].args == ("60",)


def test_command_v_only_looks_a_name_up() -> None:
    assert codex_calls("command -v codex") == []
    assert codex_calls("command -V codex >/dev/null || exit 1") == []


def test_exec_redirect_only_is_not_a_run() -> None:
    cmds = parse_script("exec 3<file\n").commands
    assert [c.program for c in cmds] == ["exec"]


def test_xargs_child_gets_dev_null() -> None:
    cmd = one("cat list | xargs -I{} -P 4 codex exec -s read-only '{}'")
    assert cmd.wrappers[0].name == "xargs"
    assert cmd.stdin.kind is StdinKind.NULL
    assert cmd.stdin.reason == "xargs"


def test_parallel() -> None:
    cmd = one("parallel -j 4 codex exec {} ::: a b")
    assert cmd.wrappers[0].name == "parallel"
    assert [w.text for w in cmd.argv] == ["codex", "exec", "{}"]


def test_caam_launcher() -> None:
    cmd = one("caam exec codex work -- exec -s read-only 'p'")
    assert [w.text for w in cmd.argv] == ["codex", "exec", "-s", "read-only", "p"]
    assert cmd.wrappers[0].name == "caam"
    assert cmd.wrappers[0].args == ("work",)


@pytest.mark.parametrize(
    "text",
    [
        "npx @openai/codex exec p",
        "npx -y @openai/codex@0.169.0 exec p",
        "npx --yes @openai/codex exec p",
    ],
)
def test_npx_launcher(text: str) -> None:
    cmd = one(text)
    assert [w.text for w in cmd.argv] == ["codex", "exec", "p"]
    assert cmd.wrappers[0].name == "npx"


@pytest.mark.parametrize(
    "runner", ["bun x", "bunx", "pnpm dlx", "yarn dlx", "npm exec --", "npx --yes"]
)
def test_package_runners_start_codex(runner: str) -> None:
    cmd = one(f"{runner} @openai/codex exec -s read-only p")
    assert cmd.program == "codex"
    assert [w.text for w in cmd.argv[1:]] == ["exec", "-s", "read-only", "p"]


@pytest.mark.parametrize(
    ("line", "args"),
    [
        # npm's parser drops the first `--` wherever it is; npx puts its own before the package
        ("npm x -y @openai/codex -- exec -s read-only p", "exec -s read-only p"),
        ("npm exec -- @openai/codex -- exec p", "-- exec p"),
        ("npx @openai/codex -- exec p", "-- exec p"),
    ],
)
def test_npm_exec_drops_the_first_double_dash(line: str, args: str) -> None:
    cmd = one(line)
    assert cmd.program == "codex"
    assert " ".join(w.text for w in cmd.argv[1:]) == args


@pytest.mark.parametrize("path", ["/usr/local/bin/codex", "./codex", "node_modules/.bin/codex"])
def test_path_to_codex(path: str) -> None:
    cmd = one(f"{path} exec p")
    assert cmd.argv[0].text == "codex"
    assert cmd.argv[0].raw == path
    assert cmd.program == "codex"


@pytest.mark.parametrize("head", ['"$HOME/.local/bin/codex"', '"$bin"', "${NODE_BIN}/codex"])
def test_path_to_codex_in_an_unknown_folder(head: str) -> None:
    cmd = one(f'bin="$prefix/node_modules/.bin/codex"\n{head} exec p')
    assert cmd.program == "codex"
    assert cmd.wrappers[0].name == "path"


def test_codexx_and_codex_dir_are_not_codex() -> None:
    assert codex_calls("codexx exec p\n/opt/codex/bin/run exec p") == []


@pytest.mark.parametrize("shell", ["bash", "sh", "zsh", "dash"])
def test_shell_c_body_is_parsed(shell: str) -> None:
    cmd = one(f"{shell} -c 'codex exec -s read-only \"p\"'")
    assert [w.text for w in cmd.argv] == ["codex", "exec", "-s", "read-only", "p"]
    assert cmd.wrappers[-1].name == f"{shell} -c"
    assert cmd.context.depth == 1
    assert cmd.span.line == 1
    assert cmd.span.column == len(shell) + 6  # just after the opening quote


def test_bash_lc_and_nested_bodies() -> None:
    cmd = one("timeout 5 bash -lc \"sh -c 'codex exec p'\"")
    assert [w.name for w in cmd.wrappers] == ["timeout", "bash -c", "sh -c"]
    assert cmd.context.depth == 2


def test_eval_body_is_parsed() -> None:
    cmd = one("eval 'codex exec -s read-only p'")
    assert cmd.wrappers[-1].name == "eval"
    assert [w.text for w in cmd.argv][-1] == "p"


def test_dynamic_eval_and_command_word() -> None:
    script = parse_script('eval "$x"\n$CMD exec p\n')
    assert [c.argv[0].text for c in script.dynamic_commands] == ["eval", "$CMD"]


def test_var_as_command_word() -> None:
    cmd = one('CODEX=codex\n"$CODEX" exec p')
    assert cmd.wrappers[0].name == "$VAR"
    cmd = one('X="codex exec"\n$X p')
    assert [w.text for w in cmd.argv] == ["codex", "exec", "p"]


def test_alias() -> None:
    cmd = one("alias cx='codex exec -s read-only'\ncx \"p\"")
    assert [w.text for w in cmd.argv] == ["codex", "exec", "-s", "read-only", "p"]
    assert cmd.wrappers[0].name == "alias"
    assert cmd.span.line == 2


def test_wrapper_loop_is_bounded() -> None:
    text = "nohup " * 100 + "codex exec p"
    calls = parse_script(text).commands
    assert len(calls) == 1
    assert len(calls[0].wrappers) == 32


def test_trap_body_is_parsed() -> None:
    cmd = one("trap 'codex exec -s read-only cleanup' EXIT")
    assert cmd.wrappers[-1].name == "trap"


def test_su_c_body_and_login_env() -> None:
    text = "export OPENAI_API_KEY=x\nsu - bot -c 'codex exec a'\nsu bot -c 'codex exec b'\n"
    login, plain = codex_calls(text)
    assert login.env_cleared and login.env_var("OPENAI_API_KEY") is None
    assert plain.env_var("OPENAI_API_KEY") is not None
    assert login.wrappers[-1].name == "su -c"


def test_ssh_remote_command() -> None:
    text = "export OPENAI_API_KEY=x\nssh -p 22 host 'cd /r && codex exec p'\nssh -n h codex exec q"
    remote, no_stdin = codex_calls(text)
    assert remote.wrappers[-1].name == "ssh"
    assert remote.env_cleared and remote.env_var("OPENAI_API_KEY") is None
    assert remote.stdin.kind is StdinKind.INHERITED
    assert no_stdin.stdin.kind is StdinKind.NULL
    assert codex_calls("ssh host") == []


def test_coproc_holds_codexs_stdin_open_unless_redirected() -> None:
    held = one('coproc codex exec -s read-only "p"')
    assert held.program == "codex" and held.wrappers[0].name == "coproc"
    assert held.stdin.kind is StdinKind.INHERITED and held.stdin.reason == "coproc"
    assert one('coproc codex exec -s read-only "p" </dev/null').stdin.kind is StdinKind.NULL
