"""Issue 8, wrappers left over: `su` with its options in any order, `ssh -o SendEnv/SetEnv`
(the env ssh hands the remote codex) and `docker compose run|exec` (docker-compose,
podman compose). They are peeled in the command model; no rule knows about them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from guard.engine.api import lint_snippet
from guard.findings import Finding
from guard.settings import Settings
from guard.shell import parse_script
from guard.shell.model import Command, EnvOrigin, StdinKind
from guard.shell.wrappers import WRAPPER_PROGRAMS
from guard.sources.snippet import RunContext, Snippet


def findings(script: str) -> list[Finding]:
    return lint_snippet(
        Snippet(text=script, path="dispatch.sh", context=RunContext.SCRIPT), Settings()
    )


def rules_of(script: str) -> set[str]:
    return {f.rule for f in findings(script)}


def codex_calls(script: str) -> list[Command]:
    return [c for c in parse_script(script).commands if c.program == "codex"]


def only_call(script: str) -> Command:
    (call,) = codex_calls(script)
    return call


YOLO = "codex exec --yolo -C /srv/app 'Fix the build.' </dev/null"


# ------------------------------------------------------------------------------------------ su
@pytest.mark.parametrize(
    "line",
    [
        f'su -lc "{YOLO}" builder',
        f'su -c "{YOLO}" -l builder',
        f'su - builder -c "{YOLO}"',
        f'su -l builder -c "{YOLO}"',
        f'su --login builder --command="{YOLO}"',
        f'su -mc "{YOLO}" builder',
        f'su -s /bin/bash -lc "{YOLO}" builder',
        f'sudo su - builder -c "{YOLO}"',
    ],
)
def test_su_in_every_option_order_runs_its_command(line: str) -> None:
    call = only_call(line + "\n")
    assert [w.text for w in call.argv][:3] == ["codex", "exec", "--yolo"]
    assert any(w.name == "su -c" for w in call.wrappers)
    assert "CG303" in rules_of(line + "\n")


def test_a_login_su_starts_from_a_clean_env() -> None:
    script = f'export OPENAI_API_KEY=sk-x\nsu -lc "{YOLO}" builder\n'
    assert only_call(script).env_cleared
    assert "CG101" not in rules_of(script)
    # Without a login, su keeps the caller's environment: the key reaches codex.
    assert "CG101" in rules_of(script.replace("su -lc", "su -c"))


def test_su_without_a_command_runs_nothing() -> None:
    assert codex_calls("su -l builder\nsu - builder -s /bin/bash\n") == []


# ----------------------------------------------------------------------------------------- ssh
@pytest.mark.parametrize(
    "opts",
    [
        "-o SendEnv=OPENAI_API_KEY",
        "-oSendEnv=OPENAI_API_KEY",
        "-o 'SendEnv OPENAI_API_KEY'",
        "-o sendenv=OPENAI_API_KEY",
        "-o 'SendEnv=LANG OPENAI_API_KEY'",
        "-o SetEnv=OPENAI_API_KEY=sk-live",
        "-p 2222 -o SetEnv='OPENAI_API_KEY=sk-live LANG=C'",
    ],
)
def test_ssh_hands_the_sent_key_to_the_remote_codex(opts: str) -> None:
    script = f"ssh {opts} build01 'codex exec -s read-only -C /srv/app \"Review.\" </dev/null'\n"
    call = only_call(script)
    assert "OPENAI_API_KEY" in {b.name for b in call.env}
    cg101 = [f for f in findings(script) if f.rule == "CG101"]
    assert len(cg101) == 1, findings(script)


def test_sendenv_sends_the_local_value() -> None:
    script = (
        "export OPENAI_API_KEY=sk-local\n"
        "ssh -o SendEnv=OPENAI_API_KEY build01 codex exec -s read-only -C /srv/app - </dev/null\n"
    )
    (binding,) = [b for b in only_call(script).env if b.name == "OPENAI_API_KEY"]
    assert binding.value is not None and binding.value.text == "sk-local"
    assert binding.origin is EnvOrigin.DOCKER


def test_a_sendenv_pattern_sends_the_exported_names_it_matches() -> None:
    script = (
        "export OPENAI_API_KEY=sk-local LANG=C\n"
        "ssh -o SendEnv='OPENAI_*' build01 codex exec -s read-only -C /srv/app - </dev/null\n"
    )
    assert {b.name for b in only_call(script).env} == {"OPENAI_API_KEY"}
    assert "CG101" in rules_of(script)


@pytest.mark.parametrize(
    ("opts", "stdin_closed"),
    [
        ("-oSendEnv=LANG", False),  # the n of SendEnv is -o's value, not -n
        ("-oSetEnv=FOO=bar", False),
        ("-p22 -i ~/.ssh/ci_key", False),
        ("-n", True),
        ("-np 22", True),  # -n, then -p takes the next word: 22 is not the host
        ("-fN -L 8080:localhost:80", True),
    ],
)
def test_ssh_options_are_read_as_getopt_reads_a_cluster(opts: str, stdin_closed: bool) -> None:
    call = only_call(f"ssh {opts} build01 codex exec -s read-only -C /srv/app p\n")
    assert call.argv[0].text == "codex"
    assert (call.stdin.kind is StdinKind.NULL) is stdin_closed


@pytest.mark.parametrize(
    "script",
    [
        # ssh forwards no environment by default, whatever this shell exports.
        "export OPENAI_API_KEY=sk-x\nssh build01 'codex exec -s read-only -C /srv/app - </dev/null'\n",
        # Other names sent.
        "ssh -o SendEnv=LANG -o SetEnv=TERM=dumb build01 "
        "'codex exec -s read-only -C /srv/app - </dev/null'\n",
        "export OPENAI_API_KEY=sk-x\nssh -o 'SendEnv=LC_*' build01 "
        "'codex exec -s read-only -C /srv/app - </dev/null'\n",
        # SendEnv with no remote command: an interactive login, nothing runs codex.
        "ssh -o SendEnv=OPENAI_API_KEY build01\n",
        # Mentions.
        "echo 'ssh -o SendEnv=OPENAI_API_KEY build01 codex exec --yolo p'\n",
        "# ssh -o SetEnv=OPENAI_API_KEY=x host codex exec p\n",
    ],
)
def test_ssh_without_a_sent_key_stays_silent(script: str) -> None:
    assert "CG101" not in rules_of(script)


# ---------------------------------------------------------------------------- docker compose
@pytest.mark.parametrize(
    "prefix",
    [
        "docker compose run --rm",
        "docker compose -f ci/compose.yml -p lanes run --rm --no-deps",
        "docker compose --profile agents run -T",
        "docker compose exec",
        "docker compose exec -T -u app -w /app",
        "docker-compose run --rm",
        "docker-compose exec --index 2",
        "podman compose run --rm",
        "podman-compose run --rm",
    ],
)
def test_compose_runs_codex_in_the_service(prefix: str) -> None:
    script = f"{prefix} worker codex exec --yolo -C /app 'Fix the build.'\n"
    call = only_call(script)
    assert [w.text for w in call.argv][:3] == ["codex", "exec", "--yolo"]
    assert call.env_cleared
    found = findings(script)
    cg303 = [f for f in found if f.rule == "CG303"]
    assert cg303 and "does not know" not in cg303[0].message


@pytest.mark.parametrize(
    "env",
    [
        "-e OPENAI_API_KEY=sk-x",
        "-e OPENAI_API_KEY",
        "--env OPENAI_API_KEY=sk-x",
        "--env=OPENAI_API_KEY=sk-x",
        "-eOPENAI_API_KEY=sk-x",
        "-e LANG=C -e OPENAI_API_KEY",
    ],
)
@pytest.mark.parametrize("sub", ["docker compose run --rm", "docker-compose exec -T"])
def test_env_handed_to_compose_is_codex_env(sub: str, env: str) -> None:
    script = f"{sub} {env} worker codex exec -s read-only -C /app - </dev/null\n"
    assert "OPENAI_API_KEY" in {b.name for b in only_call(script).env}
    assert "CG101" in rules_of(script)


@pytest.mark.parametrize(
    "script",
    [
        # The host's key does not cross into the service (only -e hands it in).
        "export OPENAI_API_KEY=sk-x\n"
        "docker compose run --rm worker codex exec -s read-only -C /app - </dev/null\n",
        # codex only as a service or an argument of a command that is not a run.
        "docker compose logs -f codex\n",
        "docker compose up -d codex\n",
        "docker compose build codex\n",
        "docker compose run --rm codex pytest -q\n",
        "docker-compose -f codex.yml ps\n",
        'echo "docker compose run --rm worker codex exec --yolo p"\n',
    ],
)
def test_compose_mentions_and_clean_runs_stay_silent(script: str) -> None:
    assert rules_of(script) & {"CG101", "CG303", "CG903"} == set()


def test_compose_detached_closes_stdin() -> None:
    call = only_call("docker compose exec -d worker codex exec -s read-only -C /app 'p'\n")
    assert call.context.detached


def test_the_new_wrappers_are_in_the_model_list() -> None:
    assert {"docker-compose", "podman-compose", "su", "ssh", "docker", "podman"} <= WRAPPER_PROGRAMS


def test_lint_reports_each_wrapper_once(tmp_path: Path) -> None:
    path = tmp_path / "fleet.sh"
    path.write_text(
        "#!/usr/bin/env bash\nset -euo pipefail\n"
        "for host in build01 build02; do\n"
        '  ssh -o SendEnv=OPENAI_API_KEY "$host" '
        "'codex exec -s read-only -C /srv/app \"Review.\" </dev/null'\n"
        "done\n"
        "su -lc \"codex exec --yolo -C /srv/app 'Fix.' </dev/null\" builder\n"
        "docker compose run --rm -e OPENAI_API_KEY worker codex exec -s read-only -C /app - "
        "</dev/null\n"
    )
    out = subprocess.run(
        ["codex-guard", "lint", str(path)], capture_output=True, text=True, check=False
    )
    assert out.returncode != 0
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith(str(path))]
    assert sum(":4:" in ln and "CG101" in ln for ln in lines) == 1, out.stdout
    assert sum(":6:" in ln and "CG303" in ln for ln in lines) == 1, out.stdout
    assert sum(":7:" in ln and "CG101" in ln for ln in lines) == 1, out.stdout
    assert "Traceback" not in out.stderr


# ------------------------------------------------------------------------ screen, systemd-run
@pytest.mark.parametrize(
    "line",
    [
        "screen -dmS lane1 codex exec --yolo -C /srv/w 'Port the module.'",
        "screen -d -m -S lane1 -L -Logfile lane1.log codex exec --yolo -C /srv/w 'Port it.'",
        "screen -S lane1 -dm codex exec --yolo -C /srv/w 'Port it.'",
    ],
)
def test_screen_runs_its_command_detached_on_a_terminal(line: str) -> None:
    call = only_call(line + "\n")
    assert [w.text for w in call.argv][:3] == ["codex", "exec", "--yolo"]
    assert call.stdin.kind is StdinKind.TTY
    assert call.context.detached
    assert rules_of(line + "\n") == {"CG303"}


def test_screen_keeps_the_callers_env() -> None:
    script = "export OPENAI_API_KEY=sk-x\nscreen -dmS l codex exec -s read-only -C /w 'p'\n"
    assert "CG101" in rules_of(script)


@pytest.mark.parametrize(
    "line", ["screen -r lane1", "screen -ls", "screen -x codex", "screen -S codex -X quit"]
)
def test_screen_without_a_new_command_runs_none(line: str) -> None:
    assert codex_calls(line + "\n") == []


def test_a_systemd_run_service_gets_a_fresh_env_and_no_stdin() -> None:
    script = (
        "export OPENAI_API_KEY=sk-x\n"
        "systemd-run --user --unit=lane codex exec -s read-only -C /srv/w - < task.md\n"
    )
    call = only_call(script)
    assert call.env_cleared and call.stdin.kind is StdinKind.NULL and call.context.detached
    # The `< task.md` feeds systemd-run, not the service: codex's prompt is empty.
    assert rules_of(script) == {"CG202"}


@pytest.mark.parametrize(
    "opt",
    ["-E OPENAI_API_KEY", "--setenv=OPENAI_API_KEY=sk-y", "-p Environment=OPENAI_API_KEY=sk-y"],
)
def test_env_handed_to_a_systemd_run_service_is_codex_env(opt: str) -> None:
    script = f"systemd-run --user {opt} codex exec -s read-only -C /srv/w 'nightly'\n"
    assert "CG101" in rules_of(script)


def test_a_systemd_run_scope_runs_here() -> None:
    script = (
        "export OPENAI_API_KEY=sk-x\n"
        "systemd-run --scope --user codex exec -s read-only -C /srv/w - < task.md\n"
    )
    call = only_call(script)
    assert not call.env_cleared and call.stdin.kind is StdinKind.FILE
    assert rules_of(script) == {"CG101"}


# ------------------------------------------------------ scripts a wrapper hands on its stdin
REMOTE_HEREDOC = """#!/usr/bin/env bash
export OPENAI_API_KEY=sk-local
ssh build01 'bash -s' <<'EOS'
cd /srv/app
codex exec --yolo -C . "remote fix" </dev/null
EOS
"""


def test_a_here_doc_fed_to_a_remote_shell_is_read() -> None:
    call = only_call(REMOTE_HEREDOC)
    assert call.span.line == 5
    assert [w.text for w in call.argv][:3] == ["codex", "exec", "--yolo"]
    assert call.env_cleared and "OPENAI_API_KEY" not in {b.name for b in call.env}
    assert rules_of(REMOTE_HEREDOC) == {"CG303"}


def test_ssh_n_hands_the_here_doc_to_nobody() -> None:
    assert codex_calls(REMOTE_HEREDOC.replace("ssh build01", "ssh -n build01")) == []


@pytest.mark.parametrize(
    ("head", "key_reaches_codex"),
    [
        ("su - agent", False),
        ("su -l agent", False),
        ("su agent", True),
        ("sudo -iu agent bash", False),
        ("sudo -E -u agent bash", True),
    ],
)
def test_a_here_doc_fed_to_su_or_sudo_is_the_users_shell_script(
    head: str, key_reaches_codex: bool
) -> None:
    script = (
        "export OPENAI_API_KEY=sk-x\n"
        f"{head} <<EOS\ncodex exec --yolo -C \\$HOME/w - < \\$HOME/task.md\nEOS\n"
    )
    call = only_call(script)
    assert call.span.line == 3
    assert ("CG101" in rules_of(script)) is key_reaches_codex
    assert "CG303" in rules_of(script)


def test_the_remote_script_is_the_one_that_runs(tmp_path: Path) -> None:
    """A stand-in ssh that runs its remote command locally, with stdin handed on and a clean
    env, as sshd does: the recorded codex argv is the one the model reads."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    log = tmp_path / "argv.log"
    (bin_dir / "ssh").write_text(
        '#!/bin/sh\nshift\nexec env -i PATH="$PATH" LOG="$LOG" sh -c "$*"\n'
    )
    (bin_dir / "codex").write_text(
        '#!/bin/sh\nprintf "%s|" "$@" >> "$LOG"\n'
        '[ -n "${OPENAI_API_KEY+x}" ] && printf KEY >> "$LOG"\necho >> "$LOG"\n'
    )
    for tool in ("ssh", "codex"):
        (bin_dir / tool).chmod(0o755)
    script = tmp_path / "run.sh"
    script.write_text(REMOTE_HEREDOC.replace("cd /srv/app", "cd /"))
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "LOG": str(log), "HOME": str(tmp_path)}
    subprocess.run(["bash", str(script)], env=env, check=True, timeout=30)
    (ran,) = log.read_text().splitlines()
    assert ran == "|".join(w.text for w in only_call(REMOTE_HEREDOC).argv[1:]) + "|"


# --------------------------------------------------------------- BSD script, expect's unbuffer
@pytest.mark.parametrize(
    "line",
    [
        # macOS/BSD form: script [-q] FILE CMD ARGS... (a pseudo-terminal for the command)
        "script -q /dev/null codex exec --yolo -C . 'go'",
        "script -q -t 0 typescript.log codex exec --yolo -C . 'go'",
        "unbuffer codex exec --yolo -C . 'go'",
    ],
)
def test_pty_wrappers_run_their_command_on_a_terminal(line: str) -> None:
    call = only_call(line + "\n")
    assert call.stdin.kind is StdinKind.TTY
    found = findings(line + "\n")
    assert [f.rule for f in found] == ["CG303"]
    assert "does not know" not in found[0].message


@pytest.mark.parametrize("line", ["script -q /dev/null", "script typescript", "unbuffer -p"])
def test_pty_wrappers_without_a_command_run_none(line: str) -> None:
    assert codex_calls(line + "\n") == []


def test_unbuffer_p_reads_its_own_stdin() -> None:
    call = only_call("producer | unbuffer -p codex exec -s read-only -C . -\n")
    assert call.stdin.kind is StdinKind.PIPE
