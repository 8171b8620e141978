"""Programs that run a command handed to them in an argument, in their own command language or
as a shell string: debuggers (`gdb -ex 'shell TEXT'`), `entr -s`, `script --command=`,
`start-stop-daemon --exec`, `nix-shell --run`, `nodemon --exec`, `emacs --eval`. Where the
program is installed each case runs for real under bash with a recording stand-in codex; every
door must refuse it with the danger's rule. Text that only mentions codex stays allowed.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.runtime.conftest import check_door
from tests.runtime.test_runtime_hook_sound import assert_hook_allows, assert_hook_denies
from tests.sources.recorded_runs import run_recorded

YOLO = "codex exec --yolo -C . hi </dev/null"
KEYED = "codex exec -s read-only -C . hi </dev/null"

# (command, rule, what the real run shows)
REFUSED = [
    (f"gdb -nx -batch -ex 'shell {YOLO}'", "CG303", "yolo"),
    (f"gdb -nx -batch -ex 'shell OPENAI_API_KEY=k {KEYED}'", "CG101", "key"),
    (f"gdb -nx -batch --eval-command='!{YOLO}'", "CG303", "yolo"),
    (f"gdb -nx -batch -eval-command 'shell {YOLO}'", "CG303", "yolo"),
    ("gdb -nx -batch -iex 'pipe echo hi | codex exec --yolo -C . -'", "CG303", "yolo"),
    ("gdb -nx -batch -ex '| echo hi | codex exec --yolo -C . -'", "CG303", "yolo"),
    (
        f"""gdb -nx -batch -ex 'python import os; os.system("{YOLO}")'""",
        "CG303",
        "yolo",
    ),
    (f"env OPENAI_API_KEY=k gdb -nx -batch -ex 'shell {KEYED}'", "CG101", "key"),
    (f"script -q --command='{YOLO}' /dev/null", "CG303", "yolo"),
    # editors that read their commands from stdin: a `!TEXT` line runs TEXT through a shell
    (f"ed -s <<< '!{YOLO}'", "CG303", "yolo"),
    (f"printf '%s\\n' '!{YOLO}' | ed -s", "CG303", "yolo"),
    (f"ed -s <<'EOF'\nr !OPENAI_API_KEY=k {KEYED}\nQ\nEOF", "CG101", "key"),
    (f"ex -s -u NONE <<< '!{YOLO}'", "CG303", "yolo"),
    (f"vim -es -u NONE <<< '!OPENAI_API_KEY=k {KEYED}'", "CG101", "key"),
    # client shells' own commands that run shell text
    (f"sqlite3 :memory: '.shell {YOLO}'", "CG303", "yolo"),
    (f"sqlite3 :memory: <<< '.system OPENAI_API_KEY=k {KEYED}'", "CG101", "key"),
    (f"sqlite3 -cmd '.shell {YOLO}' :memory: .quit", "CG303", "yolo"),
    # Tcl's exec
    ("tclsh <<< 'puts [exec codex exec --yolo -C . hi]'", "CG303", "yolo"),
    (
        "echo 'puts [exec env OPENAI_API_KEY=k codex exec -s read-only -C . hi]' | tclsh",
        "CG101",
        "key",
    ),
    (
        'start-stop-daemon --start --exec "$PWD/bin/codex" -- exec --yolo -C . hi',
        "CG303",
        "yolo",
    ),
    (
        'OPENAI_API_KEY=k start-stop-daemon -S -x "$PWD/bin/codex" -- exec -s read-only -C . hi',
        "CG101",
        "key",
    ),
]

# Namespace, scheduling and session tools: the command after their options runs with their env
# (each also behind an unknown program, which the doors see through: `mytool sh -c TEXT`).
PREFIXED = [
    (f"unshare -r env OPENAI_API_KEY=k {KEYED}", "CG101", "key"),
    (f"unshare --user --map-root-user sh -c '{YOLO}'", "CG303", "yolo"),
    (f"dbus-run-session -- env OPENAI_API_KEY=k {KEYED}", "CG101", "key"),
    (f"dbus-run-session sh -c '{YOLO}'", "CG303", "yolo"),
    (f"chroot / env OPENAI_API_KEY=k {KEYED}", "CG101", "key"),
    (f"chroot --userspec=0:0 / sh -c '{YOLO}'", "CG303", "yolo"),
    (f"prlimit --nofile=100 env OPENAI_API_KEY=k {KEYED}", "CG101", "key"),
    (f"setpriv --reuid=0 env OPENAI_API_KEY=k {KEYED}", "CG101", "key"),
    (f"fakeroot env OPENAI_API_KEY=k {KEYED}", "CG101", "key"),
    (f"fakeroot -- sh -c '{YOLO}'", "CG303", "yolo"),
    (f"valgrind -q env OPENAI_API_KEY=k {KEYED}", "CG101", "key"),
]

# Not installed here, or not allowed to run here: the doors only (each program's man page).
DOCUMENTED = [
    (f"nsenter -t 1 -m env OPENAI_API_KEY=k {KEYED}", "CG101"),
    (f"nsenter --target 1 --mount sh -c '{YOLO}'", "CG303"),
    (f"systemd-inhibit --why=x env OPENAI_API_KEY=k {KEYED}", "CG101"),
    (f"numactl -N 0 env OPENAI_API_KEY=k {KEYED}", "CG101"),
    (f"firejail --quiet env OPENAI_API_KEY=k {KEYED}", "CG101"),
    (f"firejail --env=OPENAI_API_KEY=k {KEYED}", "CG101"),
    (f"bwrap --bind / / --setenv OPENAI_API_KEY k {KEYED}", "CG101"),
    (f"bwrap --ro-bind / / --dev /dev sh -c '{YOLO}'", "CG303"),
    (f"xvfb-run -a env OPENAI_API_KEY=k {KEYED}", "CG101"),
    (f"mytool --flag sh -c '{YOLO}'", "CG303"),
    ("watchexec -e md -- codex exec --yolo -C . hi", "CG303"),
    ("watchexec 'codex exec --yolo -C . hi'", "CG303"),
    (f"watchexec -E OPENAI_API_KEY=k -- {KEYED}", "CG101"),
    (f"watchexec -n -- env OPENAI_API_KEY=k {KEYED}", "CG101"),
    # shells of other languages: their `-c TEXT` (their own env forms: CG902, fail closed)
    (f"fish -c '{YOLO}'", "CG303"),
    ("tcsh -c 'codex exec --yolo -C . hi'", "CG303"),
    ("pwsh -Command 'codex exec --yolo -C . hi'", "CG303"),
    (f"yash -c 'OPENAI_API_KEY=k {KEYED}'", "CG101"),
    ("nu -c 'codex exec --yolo -C . hi'", "CG303"),
    # interpreters that hand a string to a shell
    ("""R -e 'system("codex exec --yolo -C . hi")'""", "CG303"),
    ("""Rscript -e 'system("codex exec --yolo -C . hi")'""", "CG303"),
    ("""lua -e 'os.execute("codex exec --yolo -C . hi")'""", "CG303"),
    ("""julia -e 'run(`codex exec --yolo -C . hi`)'""", "CG303"),
    ("""osascript -e 'do shell script "codex exec --yolo -C . hi"'""", "CG303"),
    ("""gnuplot -e 'system("codex exec --yolo -C . hi")'""", "CG303"),
    ("""octave --eval 'system("codex exec --yolo -C . hi")'""", "CG303"),
    # client shells (a server or a host is needed to run them here)
    ("psql -c '\\! codex exec --yolo -C . hi'", "CG303"),
    ("psql -c 'select 1' -c '\\o | codex exec --yolo -C . -'", "CG303"),
    ("mysql -e 'system codex exec --yolo -C . hi'", "CG303"),
    (f"mysql -e '\\! OPENAI_API_KEY=k {KEYED}'", "CG101"),
    ("echo '!codex exec --yolo -C . hi' | sftp -b - host", "CG303"),
    ("lftp -c '!codex exec --yolo -C . hi'", "CG303"),
    ("echo '!codex exec --yolo -C . hi' | dc", "CG303"),
    # typed into a screen window's shell: each line a line end completes runs there
    ("screen -S s -X stuff 'codex exec --yolo -C . hi\\n'", "CG303"),
    ("screen -S s -X stuff $'codex exec --yolo -C . hi\\r'", "CG303"),
    ("screen -S s -X stuff 'codex exec --yolo -C . hi^M'", "CG303"),
    ("echo p.md | entr -s 'codex exec --yolo -C . hi'", "CG303"),
    ("echo p.md | entr -ns 'OPENAI_API_KEY=k codex exec -s read-only -C . hi'", "CG101"),
    ("echo p.md | entr -r codex exec --yolo -C . hi", "CG303"),
    (f"nix-shell -p jq --run '{YOLO}'", "CG303"),
    (f"nix-shell --command 'OPENAI_API_KEY=k {KEYED}'", "CG101"),
    (f"nodemon --exec '{YOLO}'", "CG303"),
    (f"nodemon -x 'OPENAI_API_KEY=k {KEYED}'", "CG101"),
    (f"lldb -b -o 'platform shell {YOLO}'", "CG303"),
    (f"lldb --batch --one-line 'platform shell -- OPENAI_API_KEY=k {KEYED}'", "CG101"),
    ("lldb -b -o run -- codex exec --yolo -C . hi", "CG303"),
    ("gdb -batch -ex run --args codex exec --yolo -C . hi", "CG303"),
    (r"""emacs --batch --eval '(shell-command "codex exec --yolo -C . hi")'""", "CG303"),
    (
        r"""emacs --batch --eval '(shell-command "OPENAI_API_KEY=k codex exec -s read-only -C . hi")'""",
        "CG101",
    ),
]

ALLOWED = [
    "echo codex exec --yolo -C . hi",
    "grep codex file",
    'git commit -m "codex exec --yolo -C . hi"',
    r"gdb -batch -ex 'echo codex exec --yolo\n'",
    """gdb -batch -ex 'print "codex exec --yolo"'""",
    "gdb -batch -ex 'shell echo codex exec --yolo'",
    """gdb -batch -ex 'python print("codex exec --yolo")'""",
    "gdb -batch -ex run --args ./prog --yolo",
    "lldb -b -o 'platform shell echo codex exec --yolo'",
    "entr -s 'echo codex exec --yolo' < files",
    """emacs --batch --eval '(message "codex exec --yolo")'""",
    "nix-shell --run 'echo codex exec --yolo'",
    "nodemon --exec 'grep codex src'",
    "script -q --command='echo codex exec --yolo' /dev/null",
    "start-stop-daemon --stop --exec /usr/bin/codex",
    "start-stop-daemon --start --exec /usr/bin/sleep -- 5",
    "mytool sh -c 'echo codex exec --yolo'",
    "unshare -r sh -c 'grep codex notes.txt'",
    "chroot / echo codex exec --yolo",
    "ed -s notes.txt <<< 'w !grep codex'",
    "ed -s notes.txt <<< 's/x/codex exec --yolo/'",
    "vim notes.txt <<< '!codex exec --yolo'",
    "screen -S s -X stuff 'codex exec --yolo -C . hi'",
    "watchexec -w src -- echo codex exec --yolo",
    "fish -c 'echo codex exec --yolo'",
    "pwsh -c 'Write-Host codex exec --yolo'",
    """R -e 'print("codex exec --yolo")'""",
    """tclsh <<< 'puts "codex exec --yolo"'""",
    "psql -c \"select 'codex exec --yolo'\"",
    "sqlite3 db.sqlite \"select * from t where name = 'codex exec --yolo'\"",
    "mysql -e 'select \"codex\"'",
    "echo ls | sftp -b - host",
    "watchexec -r -e py -- pytest -k codex",
    "screen -S s -X stuff 'echo codex exec --yolo\\n'",
]


@pytest.mark.parametrize(("command", "rule", "what"), REFUSED)
def test_a_command_a_program_runs_from_its_argument_is_refused(
    command: str, rule: str, what: str, tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    program = command.removeprefix("env OPENAI_API_KEY=k ").removeprefix("OPENAI_API_KEY=k ")
    if shutil.which(program.split()[0]) is None:
        pytest.skip(f"{program.split()[0]} is not installed")
    runs = run_recorded(tmp_path, ["bash", "-c", command])
    assert [run.shows(what) for run in runs] == [True], runs
    allowed, rules = check_door(command, base_env, workspace)
    assert not allowed and rule in rules, (command, rules)
    for agent in ("claude", "codex"):
        assert rule in assert_hook_denies(agent, command, workspace, base_env)


@pytest.mark.parametrize(("command", "rule", "what"), PREFIXED)
def test_a_command_behind_a_prefix_runner_is_refused(
    command: str, rule: str, what: str, tmp_path: Path, workspace: Path, base_env: dict[str, str]
) -> None:
    program = command.split()[0]
    if shutil.which(program) is None:
        pytest.skip(f"{program} is not installed")
    try:
        runs = run_recorded(tmp_path, ["bash", "-c", command])
    except subprocess.CalledProcessError as failed:  # no user namespaces, not root, ...
        pytest.skip(f"{program} cannot run here: {failed.stderr!r}")
    assert [run.shows(what) for run in runs] == [True], runs
    allowed, rules = check_door(command, base_env, workspace)
    assert not allowed and rule in rules, (command, rules)
    assert rule in assert_hook_denies("codex", command, workspace, base_env)


@pytest.mark.parametrize(("command", "rule"), DOCUMENTED)
def test_a_documented_command_runner_is_refused(
    command: str, rule: str, workspace: Path, base_env: dict[str, str]
) -> None:
    allowed, rules = check_door(command, base_env, workspace)
    assert not allowed and rule in rules, (command, rules)
    assert rule in assert_hook_denies("codex", command, workspace, base_env)


@pytest.mark.parametrize("command", ALLOWED)
def test_text_that_only_mentions_codex_stays_allowed(
    command: str, workspace: Path, base_env: dict[str, str]
) -> None:
    allowed, rules = check_door(command, base_env, workspace)
    assert allowed and not rules, (command, rules)
    assert_hook_allows("claude", command, workspace, base_env)
