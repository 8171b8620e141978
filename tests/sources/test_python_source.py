"""Python orchestrators spawn codex with subprocess: the same rules read those spawns (FACTS.md,
"outside the shell": no stdin= inherits, stdin=PIPE never written hangs, input= closes it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.commands.lint import FileJob, _rule_text, lint_file
from guard.engine import load_rules
from guard.findings import Finding
from guard.settings import Settings
from guard.sources.pyvalues import MAX_VALUES

RULE_TEXT = _rule_text(load_rules())
ARGV = '["codex", "exec", "-C", repo, "-s", "read-only", "-o", "v.txt", prompt]'
STDIN_ARGV = '["codex", "exec", "-C", repo, "-s", "read-only", "-o", "v.txt", "-"]'


def findings(tmp_path: Path, body: str) -> list[tuple[str, str, int]]:
    path = tmp_path / "orchestrate.py"
    path.write_text("import os\nimport subprocess\nrepo = prompt = key = ''\n" + body)
    outcome = lint_file(FileJob(str(path), True, Settings(), RULE_TEXT))
    assert not outcome.errors
    return sorted((f.rule, f.severity.value, f.location.line) for f in outcome.findings)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (f"subprocess.run({ARGV}, stdin=subprocess.DEVNULL)\n", []),
        (f"subprocess.run({ARGV}, input='more', text=True)\n", [("CG203", "warning", 4)]),
        (f"subprocess.run({ARGV})\n", [("CG201", "warning", 4)]),
        (
            f"p = subprocess.Popen({ARGV}, stdin=subprocess.PIPE)\np.wait()\n",
            [("CG201", "error", 4)],
        ),
        (
            f"p = subprocess.Popen({ARGV}, stdin=subprocess.PIPE)\np.communicate('x')\n",
            [("CG203", "warning", 4)],
        ),
        # A write does not end the pipe: codex reads stdin to EOF, and waits on the open pipe.
        (
            f"p = subprocess.Popen({STDIN_ARGV}, stdin=subprocess.PIPE)\n"
            "p.stdin.write(prompt.encode())\np.wait()\n",
            [("CG202", "error", 4)],
        ),
        (
            f"p = subprocess.Popen({STDIN_ARGV}, stdin=subprocess.PIPE)\n"
            "p.stdin.write(prompt.encode())\nwhile p.poll() is None:\n    pass\n",
            [("CG202", "error", 4)],
        ),
        (
            f"p = subprocess.Popen({STDIN_ARGV}, stdin=subprocess.PIPE)\n"
            "p.stdin.write(prompt.encode())\n",
            [("CG202", "error", 4)],
        ),
        (
            f"p = subprocess.Popen({ARGV}, stdin=subprocess.PIPE)\n"
            "p.stdin.write(prompt.encode())\np.wait()\n",
            [("CG201", "error", 4)],
        ),
    ],
    ids=[
        "devnull",
        "input",
        "inherited",
        "pipe-never-written",
        "pipe-communicated",
        "pipe-written-then-wait",
        "pipe-written-then-poll",
        "pipe-written-nothing-after",
        "prompt-pipe-written-then-wait",
    ],
)
def test_stdin_of_a_spawn(tmp_path: Path, body: str, expected: list[tuple[str, str, int]]) -> None:
    assert findings(tmp_path, body) == expected


def test_a_written_pipe_is_ended_only_by_a_close(tmp_path: Path) -> None:
    """`p.stdin.close()`, `with p.stdin:` and asyncio's `write_eof()` end the pipe after a
    write; the write alone does not (CG202: codex waits for the end of its prompt)."""
    spawn = f"{{}} = subprocess.Popen({STDIN_ARGV}, stdin=subprocess.PIPE)\n"
    ends = {
        "a": "a.stdin.write(prompt.encode())\na.stdin.close()\na.wait()\n",
        "b": "with b.stdin:\n    b.stdin.write(prompt.encode())\nb.wait()\n",
        "c": "c.stdin.write(prompt.encode())\nc.stdin.write_eof()\n",
        "d": "d.stdin.write(prompt.encode())\nd.wait()\n",  # never closed
    }
    body = "".join(spawn.format(name) + after for name, after in ends.items())
    assert findings(tmp_path, body) == [("CG202", "error", 15)]


def test_env_dict_with_the_key_reaches_codex(tmp_path: Path) -> None:
    body = (
        'env = {**os.environ, "OPENAI_API_KEY": key}\n'
        f"subprocess.run({ARGV}, env=env, stdin=subprocess.DEVNULL)\n"
        f"subprocess.run({ARGV}, env=dict(os.environ, CODEX_API_KEY=key), stdin=subprocess.DEVNULL)\n"
    )
    assert findings(tmp_path, body) == [("CG101", "error", 5), ("CG101", "error", 6)]


@pytest.mark.parametrize(
    "env",
    [
        'env = os.environ | {"OPENAI_API_KEY": key}\n',
        'env = dict(os.environ)\nenv |= {"OPENAI_API_KEY": key}\n',
        'env = {"PATH": "/usr/bin"} | {"OPENAI_API_KEY": key}\n',
        'env = os.environ.copy() | {"HOME": "/h"} | {"OPENAI_API_KEY": key}\n',
        'os.environ |= {"OPENAI_API_KEY": key}\nenv = None\n',
    ],
    ids=["union", "union-assign", "union-of-literals", "chained", "os-environ-union-assign"],
)
def test_env_dict_union_with_the_key_reaches_codex(tmp_path: Path, env: str) -> None:
    """PEP 584's `|` and `|=` build the env as `{**a, **b}` does: the key reaches codex."""
    body = env + f"subprocess.run({ARGV}, env=env, stdin=subprocess.DEVNULL)\n"
    line = 4 + env.count("\n")
    assert findings(tmp_path, body) == [("CG101", "error", line)]


def test_env_dict_union_is_a_finding_only_with_the_key(tmp_path: Path) -> None:
    body = (
        'env = os.environ | {"HOME": "/h"}\n'
        'env |= {"TERM": "dumb"}\n'
        f"subprocess.run({ARGV}, env=env, stdin=subprocess.DEVNULL)\n"
        f"subprocess.run({ARGV}, env=env | {{'CODEX_API_KEY': key}}, stdin=subprocess.DEVNULL)\n"
        f"subprocess.run({ARGV}, env={{'PATH': '/bin'}} | {{'HOME': '/h'}}, stdin=subprocess.DEVNULL)\n"
    )
    assert findings(tmp_path, body) == [("CG101", "error", 7)]


SPAWN = (
    'subprocess.run(["codex", "exec", "-C", ".", "-s", "read-only", "p"], stdin=subprocess.DEVNULL)'
)


def _lint(tmp_path: Path, body: str) -> list[Finding]:
    path = tmp_path / "orchestrate.py"
    path.write_text("import os\nimport subprocess\nrepo = prompt = key = ''\n" + body)
    outcome = lint_file(FileJob(str(path), True, Settings(), RULE_TEXT))
    assert not outcome.errors
    return sorted(outcome.findings, key=lambda f: f.location.line)


def test_a_key_set_in_many_functions_points_at_the_nearest_places(tmp_path: Path) -> None:
    """Each function sets the key, then spawns: every spawn is CG101, pointing at its own
    function's line and at the last places before it that set the key (not every one in the
    file, which made a file of 1,500 such functions take minutes: bench/run_pathological.py)."""
    count = 60
    body = "".join(
        f'def f_{i}():\n    os.environ["OPENAI_API_KEY"] = key\n    {SPAWN}\n' for i in range(count)
    )
    found = _lint(tmp_path, body)
    assert [(f.rule, f.location.line) for f in found] == [
        ("CG101", 6 + 3 * i) for i in range(count)
    ]
    last = found[-1]
    set_lines = [r.line for r in last.related if "is set here" in r.note]
    own = 5 + 3 * (count - 1)
    nearest = [5 + 3 * i for i in range(count - 1 - MAX_VALUES, count - 1)]
    assert sorted(set_lines) == [*nearest, own]


def test_a_key_set_under_many_ifs_names_the_nearest_branches(tmp_path: Path) -> None:
    """A key set under each of many module-level `if`s: each spawn is CG101, and its message
    names the last branches that set it, not every branch above it."""
    count = 40
    body = "".join(
        f'if key:\n    os.environ["OPENAI_API_KEY"] = key\n{SPAWN}\n' for _ in range(count)
    )
    found = _lint(tmp_path, body)
    assert [(f.rule, f.location.line) for f in found] == [
        ("CG101", 6 + 3 * i) for i in range(count)
    ]
    branches = [r.line for r in found[-1].related if "on this branch" in r.note]
    assert branches == [5 + 3 * i for i in range(count - MAX_VALUES, count)]
    assert found[-1].message.count("added on this branch") == MAX_VALUES


def test_argv_in_a_variable_and_shell_strings(tmp_path: Path) -> None:
    body = (
        'CMD = ["codex", "exec", "--yolo", "-C", ".", "-", ]\n'
        "subprocess.run(CMD, input=prompt, text=True)\n"
        'os.system("codex login --with-api-key < key.txt")\n'
    )
    assert findings(tmp_path, body) == [("CG102", "error", 6), ("CG303", "error", 5)]


def test_strings_that_only_mention_codex_are_no_finding(tmp_path: Path) -> None:
    body = (
        'print("run: codex exec --yolo, OPENAI_API_KEY=x")\n'
        'HELP = ["codex", "exec", "--yolo", "p"]  # documented, never run\n'
        'subprocess.run(["git", "commit", "-m", "codex exec --yolo"], check=True)\n'
        "app.run(['codex', 'exec'])\n"
    )
    assert findings(tmp_path, body) == []


def test_spawn_functions_imported_by_name_or_alias(tmp_path: Path) -> None:
    body = (
        "import subprocess as sp\n"
        "from subprocess import Popen as P\n"
        f"sp.run({ARGV})\n"
        f"P({ARGV}, stdin=sp.DEVNULL)\n"
    )
    assert findings(tmp_path, body) == [("CG201", "warning", 6)]


def test_a_python_file_that_does_not_parse_is_one_finding_not_a_crash(tmp_path: Path) -> None:
    assert findings(tmp_path, "def broken(:\n    subprocess.run(['codex'])\n") == [
        ("CG901", "warning", 4)
    ]


def test_directives_are_comments_not_strings(tmp_path: Path) -> None:
    body = (
        'HELP = """\n# codex-guard: disable=CG201\n"""\n'
        "# codex-guard: disable=CG201 -- the orchestrator runs at a terminal\n"
        f"subprocess.run({ARGV})\n"
    )
    assert findings(tmp_path, body) == []


ASYNC_ARGV = '"codex", "exec", "-C", repo, "-s", "read-only", "-o", "v.txt"'


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (
            f"    p = await asyncio.create_subprocess_exec({ASYNC_ARGV}, '-',"
            " stdin=asyncio.subprocess.PIPE)\n    await p.communicate(prompt.encode())\n",
            [],
        ),
        (
            f"    p = await asyncio.create_subprocess_exec({ASYNC_ARGV}, '-',"
            " stdin=asyncio.subprocess.PIPE)\n    p.stdin.write(prompt.encode())\n"
            "    await p.stdin.drain()\n    p.stdin.close()\n    await p.wait()\n",
            [],
        ),
        (
            "    p = await asyncio.create_subprocess_shell('codex exec -C . -s read-only -o v.txt -',"
            " stdin=asyncio.subprocess.PIPE)\n    await p.communicate(prompt.encode())\n",
            [],
        ),
        (
            "    p: asyncio.subprocess.Process = await asyncio.create_subprocess_exec("
            f"{ASYNC_ARGV}, '-', stdin=asyncio.subprocess.PIPE)\n"
            "    await p.communicate(prompt.encode())\n",
            [],
        ),
        (
            f"    p = await asyncio.create_subprocess_exec({ASYNC_ARGV}, prompt,"
            " stdin=asyncio.subprocess.PIPE)\n    await p.communicate(b'')\n",
            [("CG203", "warning", 6)],
        ),
        # the mistakes stay caught: a pipe never fed, and no stdin= (asyncio inherits the
        # parent's stdin, as Popen does)
        (
            f"    p = await asyncio.create_subprocess_exec({ASYNC_ARGV}, '-',"
            " stdin=asyncio.subprocess.PIPE)\n    await p.wait()\n",
            [("CG202", "error", 6)],
        ),
        (
            f"    p = await asyncio.create_subprocess_exec({ASYNC_ARGV}, prompt,"
            " stdin=asyncio.subprocess.PIPE)\n    await p.wait()\n",
            [("CG201", "error", 6)],
        ),
        (
            f"    p = await asyncio.create_subprocess_exec({ASYNC_ARGV}, prompt)\n"
            "    await p.wait()\n",
            [("CG201", "warning", 6)],
        ),
        (
            f"    p = await asyncio.create_subprocess_exec({ASYNC_ARGV}, '-',"
            " stdin=asyncio.subprocess.PIPE)\n    p.stdin.write(prompt.encode())\n"
            "    await p.stdin.drain()\n    await p.wait()\n",
            [("CG202", "error", 6)],
        ),
    ],
    ids=[
        "communicate",
        "stdin-write-close",
        "shell-communicate",
        "annotated",
        "prompt-and-communicate",
        "pipe-never-fed",
        "prompt-pipe-never-fed",
        "inherited",
        "pipe-written-never-closed",
    ],
)
def test_stdin_of_an_asyncio_spawn(
    tmp_path: Path, body: str, expected: list[tuple[str, str, int]]
) -> None:
    """`proc = await asyncio.create_subprocess_exec(...)` is fed through the name it is bound
    to, as `proc = Popen(...)` is: `await proc.communicate(data)` ends the pipe."""
    assert findings(tmp_path, "import asyncio\nasync def main():\n" + body) == expected


def _task_findings(tmp_path: Path, body: str) -> list[tuple[str, str, int]]:
    path = tmp_path / "tasks.py"
    path.write_text(body)
    outcome = lint_file(FileJob(str(path), True, Settings(), RULE_TEXT))
    assert not outcome.errors
    return sorted((f.rule, f.severity.value, f.location.line) for f in outcome.findings)


INVOKE_TASKS = """\
import os

from invoke import task


@task
def review(c):
    c.run("codex exec -C . -s read-only -o out/review.md - < prompts/review.md")


@task
def fix(c, ticket):
    c.run(f"codex exec -C . -s workspace-write -o out/{ticket}.md 'Fix {ticket}'", in_stream=False)


@task
def login(ctx):
    ctx.run("codex login --with-api-key < ~/.openai-key")


@task
def nightly(c):
    c.run(
        "codex exec -C . -s workspace-write -o out/n.md - < prompts/nightly.md",
        env={"CODEX_API_KEY": os.environ["CI_KEY"]},
    )
"""


def test_invoke_task_runs_are_shell_text(tmp_path: Path) -> None:
    # pyinvoke's Context.run hands its text to a shell: in_stream=False gives the command a pipe
    # nobody writes or closes; its env= adds to the process environment.
    assert _task_findings(tmp_path, INVOKE_TASKS) == [
        ("CG101", "error", 23),
        ("CG102", "error", 18),
        ("CG201", "error", 13),
    ]


def test_fabric_connection_runs_its_text_on_the_host(tmp_path: Path) -> None:
    body = (
        "import os\nfrom fabric import Connection\n\n"
        'os.environ["OPENAI_API_KEY"] = "sk-local"\n\n'
        "def deploy(host):\n"
        "    with Connection(host) as conn:\n"
        '        conn.run("codex exec -C /srv/app -s workspace-write -o f.md - < p.md")\n'
        '        conn.run("codex exec --yolo -C /srv/app - < p.md")\n'
    )
    # (the local key is not the remote shell's: only the text run there counts)
    assert _task_findings(tmp_path, body) == [("CG303", "error", 9)]


def test_a_run_method_of_another_library_is_not_a_spawn(tmp_path: Path) -> None:
    body = 'import flask\napp = flask.Flask("x")\napp.run("codex exec --yolo")\n'
    assert _task_findings(tmp_path, body) == []


SH_LIBRARY = """\
import sh

codex = sh.Command("codex")
review = codex.bake("exec", "-C", ".", s="read-only", o="out/review.md")


def nightly() -> None:
    review("Review the last commit")
    review("Review the last commit", _fg=True)
    codex.exec("-C", ".", dangerously_bypass_approvals_and_sandbox=True, _in=open("p.md"))
    sh.codex("exec", "-C", ".", "-s", "read-only", "-", _env={"CODEX_API_KEY": "k"})
"""


def test_sh_command_objects_are_spawns_of_their_argv(tmp_path: Path) -> None:
    # sh closes a command's stdin unless `_in=` feeds it; `_fg=True` hands it this process's;
    # keyword arguments are options, `.exec` a sub-command, `_env=` the whole environment.
    assert _task_findings(tmp_path, SH_LIBRARY) == [
        ("CG101", "error", 11),
        ("CG201", "warning", 9),
        ("CG202", "error", 11),
        ("CG303", "error", 10),
    ]


def test_plumbum_bound_arguments_and_redirects(tmp_path: Path) -> None:
    body = (
        "from plumbum import local\n\n"
        'codex = local["codex"]["exec", "-C", ".", "-s", "read-only"]\n'
        'codex("Summarise the diff")\n'
        '(codex < "prompts/review.md")("-")\n'
        'codex("-")\n'
        'local["codex"]["exec", "--yolo", "-C", "."](stdin=open("p.md"))\n'
    )
    # a plumbum run's stdin is a pipe communicate() closes: `-` with nothing fed reads nothing
    assert _task_findings(tmp_path, body) == [("CG202", "error", 6), ("CG303", "error", 7)]


def test_a_wrapper_that_communicates_feeds_the_stdin_at_each_call(tmp_path: Path) -> None:
    # The wrapper's `proc.communicate(prompt)` writes and closes the pipe of the spawn it wraps:
    # read at a call site, the spawn is still that process (no CG202 there).
    body = (
        "import asyncio\n\n\n"
        "async def run_codex(*args: str, prompt: str) -> int:\n"
        "    proc = await asyncio.create_subprocess_exec(\n"
        '        "codex", "exec", *args, "-", stdin=asyncio.subprocess.PIPE\n'
        "    )\n"
        "    await proc.communicate(prompt.encode())\n"
        "    return proc.returncode or 0\n\n\n"
        "async def main() -> None:\n"
        '    await run_codex("-C", ".", "-s", "workspace-write", prompt="Fix the flaky test")\n'
        '    await run_codex("-C", ".", "--yolo", prompt="Install the toolchain")\n'
    )
    assert _task_findings(tmp_path, body) == [("CG303", "error", 14)]
