"""Commands git runs that its settings or its environment name (guard/shell/gitruns.py), and the
start-up file a shell runs from BASH_ENV / ENV (shell/unwrap._startup_file). Each was allowed by
`codex-guard check` though git (or bash) really ran codex.

Each bypass is first run under real bash and git, with a recording stand-in codex on PATH and no
terminal (stdin /dev/null, output captured, as an agent's tool runs it): git really starts codex.
Then `check` must refuse it and lint must report the rule. Look-alikes (a pager, an editor, an
ssh that are not codex; a commit message that mentions codex; the pager that git does not start
without a terminal) stay clean.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.shell.recording import recording_codex
from tests.shell.test_value_sinks import check, lint

pytestmark = pytest.mark.skipif(
    shutil.which("bash") is None or shutil.which("git") is None, reason="needs bash and git"
)

YOLO = "codex exec --yolo -C . p"
CRED = "printf 'protocol=https\\nhost=x\\n\\n' | "  # a credential request: helper, askpass
REMOTE = "git@example.invalid:x/y"  # an ssh remote: git starts its ssh to reach it

# (command, the rule, what the recorder must show)
BYPASSES = {
    "editor-env": (f"GIT_EDITOR='{YOLO}' git commit --allow-empty", "CG303", "--yolo"),
    "editor-config": (f"git -c core.editor='{YOLO}' commit --allow-empty", "CG303", "--yolo"),
    "editor-edit-flag": (
        f"GIT_EDITOR='{YOLO}' git commit --allow-empty -m x -e",
        "CG303",
        "--yolo",
    ),
    "editor-plain-env": (f"EDITOR='{YOLO}' git commit --allow-empty", "CG303", "--yolo"),
    "editor-tag": (f"GIT_EDITOR='{YOLO}' git tag -a v1", "CG303", "--yolo"),
    "editor-config-edit": (f"GIT_EDITOR='{YOLO}' git config --edit", "CG303", "--yolo"),
    "editor-exported": (f"export GIT_EDITOR='{YOLO}'; git commit --allow-empty", "CG303", "--yolo"),
    "sequence-env": (
        f"GIT_SEQUENCE_EDITOR='{YOLO}' git rebase -i --autostash HEAD~1",
        "CG303",
        "--yolo",
    ),
    "sequence-config": (
        f"git -c sequence.editor='{YOLO}' rebase -i --autostash HEAD~1",
        "CG303",
        "--yolo",
    ),
    "sequence-falls-back": (
        f"GIT_EDITOR='{YOLO}' git rebase -i --autostash HEAD~1",
        "CG303",
        "--yolo",
    ),
    "external-diff-env": (f"GIT_EXTERNAL_DIFF='{YOLO}' git diff", "CG303", "--yolo"),
    "external-diff-config": (f"git -c diff.external='{YOLO}' diff", "CG303", "--yolo"),
    "external-diff-show": (f"git -c diff.external='{YOLO}' show --ext-diff", "CG303", "--yolo"),
    "ssh-command-env": (f"GIT_SSH_COMMAND='{YOLO}' git ls-remote {REMOTE}", "CG303", "--yolo"),
    "ssh-command-config": (f"git -c core.sshCommand='{YOLO}' fetch {REMOTE}", "CG303", "--yolo"),
    "ssh-program": (f"OPENAI_API_KEY=sk-x GIT_SSH=codex git ls-remote {REMOTE}", "CG101", "KEY"),
    "credential-helper": (
        f"{CRED}git -c credential.helper='!{YOLO}' credential fill",
        "CG303",
        "--yolo",
    ),
    "askpass-env": (
        f"{CRED}OPENAI_API_KEY=sk-x GIT_ASKPASS=codex git credential fill",
        "CG101",
        "KEY",
    ),
    "askpass-config": (
        f"{CRED}OPENAI_API_KEY=sk-x git -c core.askPass=codex credential fill",
        "CG101",
        "KEY",
    ),
    "config-count": (
        f"GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=alias.x GIT_CONFIG_VALUE_0='!{YOLO}' git x",
        "CG303",
        "--yolo",
    ),
    "config-parameters": (
        f"GIT_CONFIG_PARAMETERS=\"'alias.x'='!{YOLO}'\" git x",
        "CG303",
        "--yolo",
    ),
    "config-env-option": (f"X='!{YOLO}' git --config-env=alias.x=X x", "CG303", "--yolo"),
    "fsmonitor": (f"git -c core.fsmonitor='{YOLO}' status", "CG303", "--yolo"),
    "editor-spelled": (
        "export c=co d=dex; git -c core.editor='$c$d exec --yolo -C . p' commit --allow-empty",
        "CG303",
        "--yolo",
    ),
    # a config write that a later git runs
    "config-alias-write": (f"git config alias.y '!{YOLO}'; git y", "CG303", "--yolo"),
    "config-global-editor": (
        f"git config --global core.editor '{YOLO}'; git commit --allow-empty",
        "CG303",
        "--yolo",
    ),
    "config-set-alias": (
        "git config alias.y '!c=co; d=dex; $c$d exec --yolo -C . p'; git y",
        "CG303",
        "--yolo",
    ),
    # an alias naming another alias, or git's options (checked with git 2.39)
    "alias-chain": (f"git -c alias.a=b -c 'alias.b=!{YOLO}' a", "CG303", "--yolo"),
    "alias-options": (f"git -c alias.a='-c alias.b=\"!{YOLO}\" b' a", "CG303", "--yolo"),
    "alias-rebase-exec": (
        f"git -c alias.a='rebase --autostash -x \"{YOLO}\"' a HEAD~1",
        "CG303",
        "--yolo",
    ),
    # sub-commands that run a command their argv gives
    "rebase-exec": (f"git rebase --autostash -x '{YOLO}' HEAD~1", "CG303", "--yolo"),
    "rebase-exec-long": (
        f"git rebase --autostash --exec='true' --exec '{YOLO}' HEAD~1",
        "CG303",
        "--yolo",
    ),
    "rebase-exec-spelled": (
        "export c=co d=dex; git rebase --autostash -x '$c$d exec --yolo -C . p' HEAD~1",
        "CG303",
        "--yolo",
    ),
    "bisect-run": (
        f"git commit -qam g && git bisect start HEAD HEAD~2 && git bisect run {YOLO}",
        "CG303",
        "--yolo",
    ),
    # an alias of the env's config naming another alias, or an alias of `-c`'s (checked with git
    # 2.39: peel reads the `-c` ones; git_runs expands the env's, then reads what they give)
    "alias-chain-env": (
        "GIT_CONFIG_COUNT=2 GIT_CONFIG_KEY_0=alias.a GIT_CONFIG_VALUE_0=b "
        f"GIT_CONFIG_KEY_1=alias.b GIT_CONFIG_VALUE_1='!{YOLO}' git a",
        "CG303",
        "--yolo",
    ),
    "alias-chain-env-to-option": (
        f"GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=alias.a GIT_CONFIG_VALUE_0=b git -c 'alias.b=!{YOLO}' a",
        "CG303",
        "--yolo",
    ),
    "alias-chain-parameters": (
        f"GIT_CONFIG_PARAMETERS=\"'alias.a'='b' 'alias.b'='!{YOLO}'\" git a",
        "CG303",
        "--yolo",
    ),
    "alias-env-rebase-exec": (
        "GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=alias.a "
        f"GIT_CONFIG_VALUE_0='rebase --autostash -x \"{YOLO}\"' git a HEAD~1",
        "CG303",
        "--yolo",
    ),
    "alias-parameters-spelled": (
        "export c=co d=dex; GIT_CONFIG_PARAMETERS=\"'alias.x'='!\\$c\\$d exec --yolo -C . p'\" git x",
        "CG303",
        "--yolo",
    ),
    # drivers `.gitattributes` selects: the attributes cannot be known, so the driver may run
    "textconv": (
        f"echo 'f diff=d' > .gitattributes; git -c diff.d.textconv='{YOLO}' diff",
        "CG303",
        "--yolo",
    ),
    "diff-driver": (
        f"echo 'f diff=d' > .gitattributes; git -c diff.d.command='{YOLO}' diff",
        "CG303",
        "--yolo",
    ),
    "filter-clean": (
        f"echo 'f filter=d' > .gitattributes; git -c filter.d.clean='{YOLO}' add f",
        "CG303",
        "--yolo",
    ),
    "filter-clean-status": (
        f"echo 'f filter=d' > .gitattributes; git -c filter.d.clean='{YOLO}' status",
        "CG303",
        "--yolo",
    ),
    "filter-smudge": (
        f"echo 'f filter=d' > .gitattributes; git -c filter.d.smudge='{YOLO}' checkout f",
        "CG303",
        "--yolo",
    ),
    "filter-process": (
        f"echo 'f filter=d' > .gitattributes; git -c filter.d.process='{YOLO}' add f",
        "CG303",
        "--yolo",
    ),
    "filter-spelled": (
        "echo 'f filter=d' > .gitattributes; export c=co d=dex; "
        "git -c filter.d.clean='$c$d exec --yolo -C . p' add f",
        "CG303",
        "--yolo",
    ),
    "merge-driver": (
        "git checkout -qb side && echo c > f && git commit -qam s && git checkout -q - && "
        "echo d > f && git commit -qam m && echo 'f merge=d' > .gitattributes && "
        f"git -c merge.d.driver='{YOLO}' merge side",
        "CG303",
        "--yolo",
    ),
    # commands an option of the sub-command's runs
    "trailer-command": (
        f"git -c trailer.t.cmd='{YOLO}' commit --allow-empty -m x --trailer t=1",
        "CG303",
        "--yolo",
    ),
    "gpg-program": (
        "OPENAI_API_KEY=sk-x git -c gpg.program=codex commit -S --allow-empty -m x",
        "CG101",
        "KEY",
    ),
    "gpg-ssh-program": (
        "OPENAI_API_KEY=sk-x git -c gpg.format=ssh -c gpg.ssh.program=codex "
        "-c user.signingKey=/nonexistent commit -S --allow-empty -m x",
        "CG101",
        "KEY",
    ),
    "gpg-x509-program": (
        "OPENAI_API_KEY=sk-x git -c gpg.format=x509 -c gpg.x509.program=codex "
        "commit -S --allow-empty -m x",
        "CG101",
        "KEY",
    ),
    "gpg-default-key-command": (
        "OPENAI_API_KEY=sk-x git -c gpg.format=ssh -c gpg.ssh.defaultKeyCommand=codex "
        "commit -S --allow-empty -m x",
        "CG101",
        "KEY",
    ),
    "mergetool-cmd": (
        "git checkout -qb side && echo c > f && git commit -qam s && git checkout -q - && "
        "echo d > f && git commit -qam m; git merge side; "
        f"git -c mergetool.x.cmd='{YOLO}' mergetool -y -t x",
        "CG303",
        "--yolo",
    ),
    "difftool-cmd": (f"git -c difftool.x.cmd='{YOLO}' difftool -y -t x", "CG303", "--yolo"),
    # what a local remote runs: its upload-pack or receive-pack, an ext:: URL's command, a proxy
    "upload-pack": (f"git ls-remote --upload-pack='{YOLO}' .", "CG303", "--yolo"),
    "upload-pack-fetch": (f"git fetch --upload-pack '{YOLO}' .", "CG303", "--yolo"),
    "clone-u": (f"git clone -q -u '{YOLO}' . ../cl", "CG303", "--yolo"),
    "clone-qu": (f"git clone -qu '{YOLO}' . ../cl", "CG303", "--yolo"),
    # `git grep -O` with no value opens the files in git's pager (GIT_PAGER, core.pager, PAGER),
    # with or without a terminal (builtin/grep.c: git_pager(1))
    "grep-O-pager-env": (f"GIT_PAGER='{YOLO}' git grep -O b", "CG303", "--yolo"),
    "grep-O-pager-config": (f"git -c core.pager='{YOLO}' grep -nO b", "CG303", "--yolo"),
    "grep-O-PAGER": (f"PAGER='{YOLO}' git grep --open-files-in-pager b", "CG303", "--yolo"),
    # `git clone -c KEY=VALUE` sets KEY in the new repository before it fetches (git-clone(1)):
    # its ssh command starts as `git -c` would start it
    "clone-config": (f"git clone -c core.sshCommand='{YOLO}' {REMOTE} ../cl", "CG303", "--yolo"),
    "clone-config-long": (
        f"git clone --config=core.sshCommand='{YOLO}' {REMOTE} ../cl",
        "CG303",
        "--yolo",
    ),
    "clone-config-cluster": (
        f"git clone -qc core.sshCommand='{YOLO}' {REMOTE} ../cl",
        "CG303",
        "--yolo",
    ),
    "clone-config-prefix": (
        f"git clone --conf core.sshCommand='{YOLO}' {REMOTE} ../cl",
        "CG303",
        "--yolo",
    ),
    "remote-uploadpack": (
        f"git -c remote.o.url=. -c remote.o.uploadpack='{YOLO}' fetch o",
        "CG303",
        "--yolo",
    ),
    "receive-pack": (
        f"git init -q --bare ../bare && git push --receive-pack='{YOLO}' ../bare HEAD",
        "CG303",
        "--yolo",
    ),
    "remote-receivepack": (
        "git init -q --bare ../bare && "
        f"git -c remote.o.url=../bare -c remote.o.receivepack='{YOLO}' push o HEAD",
        "CG303",
        "--yolo",
    ),
    "archive-exec": (f"git archive --remote=. --exec='{YOLO}' HEAD", "CG303", "--yolo"),
    "ext-url": (f"git -c protocol.ext.allow=always ls-remote 'ext::{YOLO}'", "CG303", "--yolo"),
    "ext-url-sh": (
        "git -c protocol.ext.allow=always clone -q 'ext::sh -c codex% exec% --yolo% -C% .% p' ../cl",
        "CG303",
        "--yolo",
    ),
    "ext-url-env": (f"GIT_ALLOW_PROTOCOL=ext git ls-remote 'ext::{YOLO}'", "CG303", "--yolo"),
    "ext-remote-url": (
        f"git -c protocol.ext.allow=always -c remote.o.url='ext::{YOLO}' fetch o",
        "CG303",
        "--yolo",
    ),
    "ext-instead-of": (
        f"git -c protocol.ext.allow=always -c url.'ext::{YOLO}'.insteadOf=zz fetch zz",
        "CG303",
        "--yolo",
    ),
    "git-proxy": (
        "OPENAI_API_KEY=sk-x git -c core.gitProxy=codex ls-remote git://example.invalid/x",
        "CG101",
        "KEY",
    ),
    # a shell's start-up file, written here
    "bash-env-exported": (
        f"echo '{YOLO}' > start; export BASH_ENV=./start; bash -c 'echo hi'",
        "CG303",
        "--yolo",
    ),
    "bash-env-prefix": (f"echo '{YOLO}' > start; BASH_ENV=./start bash -c true", "CG303", "--yolo"),
    "env-interactive-sh": (f"echo '{YOLO}' > start; ENV=./start sh -i -c true", "CG303", "--yolo"),
}

LOOKALIKES = {
    "pager-cat": "git -c core.pager=cat log",
    "pager-less": "GIT_PAGER=less git log",
    "pager-no-terminal": f"GIT_PAGER='{YOLO}' git -p log",  # no terminal: git starts no pager
    "pager-config-no-terminal": f"git -c core.pager='{YOLO}' log",
    "editor-vim": "git -c core.editor=vim commit --allow-empty -m x",
    "editor-env-vim": "EDITOR=vim git commit --allow-empty -m x",
    "editor-with-message": f"GIT_EDITOR='{YOLO}' git commit --allow-empty -m x",
    "editor-no-edit": f"GIT_EDITOR='{YOLO}' git commit --allow-empty --amend --no-edit",
    "editor-not-rebase-i": f"GIT_SEQUENCE_EDITOR='{YOLO}' git rebase HEAD",
    "config-user-name": "git config user.name x",
    "config-alias-status": "git config alias.st status; git st",
    "config-editor-vim": "git config core.editor vim",
    "config-credential-store": "git config credential.helper store",
    "commit-message": "git commit --allow-empty -m 'codex exec --yolo -C . p'",
    "echo": "echo 'codex exec --yolo -C . p'",
    "ssh-command-key": f"GIT_SSH_COMMAND='ssh -i key -o BatchMode=yes' git ls-remote {REMOTE}",
    "external-diff-off": f"GIT_EXTERNAL_DIFF='{YOLO}' git diff --no-ext-diff",
    "external-diff-log": f"git -c diff.external='{YOLO}' log -p",
    "ssh-not-remote": f"GIT_SSH_COMMAND='{YOLO}' git status",
    "bash-env-sh": f"echo '{YOLO}' > start; BASH_ENV=./start sh -c true",  # dash reads no BASH_ENV
    "env-not-interactive": f"echo '{YOLO}' > start; ENV=./start sh -c true",
    "env-app-setting": "export ENV=production; bash -c 'true'",
    "commit-message-var": 'MSG=x; git commit --allow-empty -m "$MSG"',
    "alias-status": "git -c alias.st=status st",
    "alias-loop": "git -c alias.a=b -c alias.b=a a",
    "alias-of-a-command": f"git -c 'alias.status=!{YOLO}' status",  # git's own command wins
    "rebase-exec-true": "git rebase --autostash -x 'make test' HEAD~1",
    "cherry-pick-x": "git cherry-pick -x HEAD",
    "bisect-run-make": "git bisect run make test",
    "submodule-foreach-git": "git submodule foreach git pull",
    "rebase-message": "git commit --allow-empty -m 'git rebase -x codex'",
    "textconv-cat": "echo 'f diff=d' > .gitattributes; git -c diff.d.textconv=cat diff",
    "filter-lfs": (
        "echo 'f filter=lfs' > .gitattributes; "
        "git -c filter.lfs.clean='git-lfs clean -- %f' -c filter.lfs.smudge=cat add f"
    ),
    "config-filter": "git config filter.lfs.clean 'git-lfs clean -- %f'",
    "trailer-echo": "git -c trailer.s.command='echo codex' commit --allow-empty -m x --trailer s=1",
    "gpg-program-log": "git -c gpg.program=gpg2 log",
    "clone-upload-pack": "git clone -q -u git-upload-pack . ../cl",
    "clone-config-name": "git clone -q -c user.name=codex -o codex . ../cl",
    "clone-origin-c": "git clone -o -c core.sshCommand=codex . ../cl",  # -o takes `-c`
    "add-u": "git add -u",
    "grep-pager-no-O": f"GIT_PAGER='{YOLO}' git grep b",  # no -O, no terminal: no pager
    "grep-O-own-pager": f"GIT_PAGER='{YOLO}' git grep -Oless b",  # -OCMD: CMD, not the pager
    "ext-git": "git -c protocol.ext.allow=always ls-remote 'ext::git %s .'",
    "user-name-codex": "git -c user.name=codex commit --allow-empty -m x",
    "hooks-off": "git -c core.hooksPath=/dev/null commit --allow-empty -m x",
    "hooks-log": "git -c core.hooksPath=../h log",
    "global-config-off": "GIT_CONFIG_GLOBAL=/dev/null git commit --allow-empty -m x",
    "url-var-ext-off": 'U=. && git ls-remote "$U"',  # ext:: is off by default
    "url-var-file-only": 'U=. && GIT_ALLOW_PROTOCOL=file git ls-remote "$U"',
}

GIT_ENV = {
    "GIT_AUTHOR_NAME": "a",
    "GIT_AUTHOR_EMAIL": "a@example.invalid",
    "GIT_COMMITTER_NAME": "a",
    "GIT_COMMITTER_EMAIL": "a@example.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
}


def run_in_repo(command: str, tmp_path: Path) -> str:
    """What the recording codex logged (its argv, and KEY when OPENAI_API_KEY reached it) when
    bash ran ``command`` in a git repository holding one commit and one changed file."""
    recording_codex(tmp_path / "bin")
    fake = tmp_path / "bin" / "codex"
    fake.write_text(fake.read_text() + '[ -n "${OPENAI_API_KEY+x}" ] && echo KEY >> "$LOG"\n')
    log = tmp_path / "codex.log"
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "CODEX_API_KEY")}
    env = {k: v for k, v in env.items() if not k.startswith(("GIT_", "BASH_ENV"))}
    env.pop("ENV", None)
    env.update(GIT_ENV, PATH=f"{tmp_path / 'bin'}:{os.environ['PATH']}", LOG=str(log))
    env.update(HOME=str(tmp_path))
    repo = tmp_path / "repo"
    repo.mkdir()
    for step in (["init", "-q", "."], ["commit", "-q", "--allow-empty", "-m", "one"]):
        subprocess.run(["git", *step], cwd=repo, env=env, check=True, capture_output=True)
    (repo / "f").write_text("a\n")
    subprocess.run(["git", "add", "f"], cwd=repo, env=env, check=True)
    subprocess.run(["git", "commit", "-qm", "f"], cwd=repo, env=env, check=True)
    (repo / "f").write_text("b\n")
    subprocess.run(
        ["bash", "-c", command], cwd=repo, env=env, stdin=subprocess.DEVNULL,
        capture_output=True, timeout=30, check=False,
    )  # fmt: skip
    return log.read_text() if log.exists() else ""


@pytest.mark.parametrize(("command", "rule", "seen"), BYPASSES.values(), ids=BYPASSES)
def test_git_runs_codex_and_check_refuses_it(
    command: str, rule: str, seen: str, tmp_path: Path
) -> None:
    ran = run_in_repo(command, tmp_path)
    assert seen in ran, ran  # git (or bash) really started codex
    done = check(command, tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert rule in done.stdout and done.stdout.strip().endswith("refused"), done.stdout
    assert rule in {found for found, _ in lint(command)}


@pytest.mark.parametrize("command", LOOKALIKES.values(), ids=LOOKALIKES)
def test_lookalikes_stay_allowed(command: str, tmp_path: Path) -> None:
    assert "--yolo" not in run_in_repo(command, tmp_path)
    done = check(command, tmp_path, fail_closed=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not {rule for rule, _ in lint(command)} & {"CG303", "CG101", "CG902", "CG901"}


@pytest.mark.parametrize(
    ("script", "line"),
    [
        (f"git -c core.editor='{YOLO}' \\\n  commit", 1),
        (f"export GIT_EDITOR='{YOLO}'\n\ngit commit", 3),  # set there, run here
        (f"git config alias.y '!{YOLO}'\ngit y", 1),  # walked where it is written
    ],
    ids=["config", "exported", "config-write"],
)
def test_lint_reports_where_git_runs_it(script: str, line: int) -> None:
    assert ("CG303", line) in lint(script), lint(script)


@pytest.mark.parametrize(
    "command",
    [
        'git -c core.editor="$ED" commit',
        'GIT_EDITOR="$ED" git commit',
        'git config alias.x "!$X"',
        'git -c "$K=$V" y',  # any setting: an alias of y, an editor... (the line does not say)
        "git -c $KV y",
        'git -c protocol.ext.allow=always clone "$URL" x',  # the URL may be ext::TEXT
        'GIT_ALLOW_PROTOCOL=ext git ls-remote "$URL"',
        "BASH_ENV=./start bash -c true",  # a file the check cannot read
        "export BASH_ENV=/etc/x; bash -c 'echo hi'",
        "ENV=./start sh -i -c true",
    ],
)
def test_text_that_cannot_be_seen_fails_closed_as_an_unknown_script_does(
    command: str, tmp_path: Path
) -> None:
    """As `bash "$unknown_file"`: allowed by default, CG902 and refused under hook.fail-closed,
    and CG902 in lint where codex is in play."""
    assert check(command, tmp_path).returncode == 0
    done = check(command, tmp_path, fail_closed=True)
    assert done.returncode == 1, done.stdout
    assert "CG902" in done.stdout, done.stdout
    script = f"codex exec -s read-only -C . p </dev/null\n{command}"
    assert "CG902" in {rule for rule, _ in lint(script)}, lint(script)


def test_the_pager_runs_on_a_terminal(tmp_path: Path) -> None:
    """`script -c` gives git a terminal: then it starts its pager (the recorder shows it)."""
    if shutil.which("script") is None:
        pytest.skip("needs script(1)")
    command = f"GIT_PAGER='{YOLO}' script -qc 'git log' /dev/null"
    assert "--yolo" in run_in_repo(command, tmp_path)
    assert "CG303" in {rule for rule, _ in lint(command)}
    assert check(command, tmp_path).returncode == 1


@pytest.mark.parametrize(
    "foreach",
    [
        f"foreach '{YOLO}'",
        f"--quiet foreach --recursive {YOLO}",
        "foreach 'c=co d=dex; $c$d exec --yolo -C . p'",
    ],
    ids=["text", "argv", "spelled"],
)
def test_submodule_foreach_runs_its_command(foreach: str, tmp_path: Path) -> None:
    """`git submodule foreach TEXT` runs TEXT through the shell in each submodule."""
    (tmp_path / "sub").mkdir()
    for step in (["init", "-q", "."], ["commit", "-q", "--allow-empty", "-m", "s"]):
        subprocess.run(
            ["git", *step], cwd=tmp_path / "sub", env={**os.environ, **GIT_ENV}, check=True
        )
    add = f"git -c protocol.file.allow=always submodule -q add {tmp_path / 'sub'} sub && "
    assert "--yolo" in run_in_repo(add + f"git submodule {foreach}", tmp_path)
    command = f"git submodule {foreach}"
    done = check(command, tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "CG303" in {rule for rule, _ in lint(command)}
    assert check("git submodule foreach 'git pull'", tmp_path).returncode == 0


ALIAS_FILE = f'[alias]\n\tx = "!{YOLO}"\n'
EDITOR_FILE = f"[core]\n\teditor = {YOLO}\n"
HOOK = f"#!/bin/sh\n{YOLO}\n"
# (command, the file or hook written at {path}, its text): git reads commands from a file the
# command line names; the check cannot read it (it may not exist yet, or change before git runs)
FILE_READS = {
    "include-path": ("git -c include.path={path} x", "inc", ALIAS_FILE),
    "include-if": ("git -c includeIf.gitdir:/.path={path} x", "inc", ALIAS_FILE),
    "include-editor": ("git -c include.path={path} commit --allow-empty", "inc", EDITOR_FILE),
    "include-env": (
        "GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0=include.path GIT_CONFIG_VALUE_0={path} git x",
        "inc",
        ALIAS_FILE,
    ),
    "include-write": ("git config include.path {path} && git x", "inc", ALIAS_FILE),
    "global-config": ("GIT_CONFIG_GLOBAL={path} git x", "inc", ALIAS_FILE),
    "hooks-pre-commit": (
        "git -c core.hooksPath={path} commit --allow-empty -m x",
        "hooks/pre-commit",
        HOOK,
    ),
    "hooks-ref-update": (
        "git -c core.hooksPath={path} branch zz",
        "hooks/reference-transaction",
        HOOK,
    ),
}


@pytest.mark.parametrize(("command", "name", "text"), FILE_READS.values(), ids=FILE_READS)
def test_a_file_git_reads_commands_from_fails_closed(
    command: str, name: str, text: str, tmp_path: Path
) -> None:
    """An included config file, GIT_CONFIG_GLOBAL, the hooks folder: git really runs codex from
    there; the check cannot know it, so it is CG902, as `bash "$unknown_file"`: allowed by
    default, refused under hook.fail-closed, CG902 in lint where codex is in play."""
    written = tmp_path / name
    written.parent.mkdir(exist_ok=True)
    written.write_text(text)
    written.chmod(0o755)
    path = written.parent if name.startswith("hooks/") else written
    command = command.format(path=path)
    assert "--yolo" in run_in_repo(command, tmp_path)
    assert check(command, tmp_path).returncode == 0
    done = check(command, tmp_path, fail_closed=True)
    assert done.returncode == 1, done.stdout
    assert "CG902" in done.stdout, done.stdout
    script = f"codex exec -s read-only -C . p </dev/null\n{command}"
    assert "CG902" in {rule for rule, _ in lint(script)}, lint(script)


@pytest.mark.parametrize(
    ("command", "env"),
    [
        ('git -c "$K=$V" y', f"K=alias.y V='!{YOLO}'"),
        ('git -c protocol.ext.allow=always ls-remote "$URL"', f"URL='ext::{YOLO}'"),
        ('GIT_ALLOW_PROTOCOL=ext git ls-remote "$URL"', f"URL='ext::{YOLO}'"),
    ],
    ids=["setting", "ext-allowed", "ext-allowed-env"],
)
def test_what_the_env_gives_git_runs_and_fails_closed(
    command: str, env: str, tmp_path: Path
) -> None:
    """`git -c "$K=$V" y` with K and V from the caller's env: git runs the alias they make; an
    ext:: URL from the env, where the line allows ext::, runs its command. The line does not
    show which, so CG902 (refused under hook.fail-closed), not an allowed `git y`."""
    assert "--yolo" in run_in_repo(f"export {env}; {command}", tmp_path)
    done = check(command, tmp_path, fail_closed=True)
    assert done.returncode == 1, done.stdout
    assert "CG902" in done.stdout, done.stdout
