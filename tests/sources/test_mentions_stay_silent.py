"""False positives of this session's new readers: files that only mention codex stay silent.

Each case is a realistic line or file that names codex (a service, a package, a user, a folder,
a deprecated form in prose) without running it; `codex-guard lint` must find nothing in any of
them. The positive twins at the end keep the readers honest: the same shapes that do run codex
are still reported.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from guard.shell import parse_script

# Unknown programs with `codex` as a name among their words (a release, a unit, a pod, a user,
# a database, a folder), followed by that program's own options.
OPS_LINES = """\
pip install -U codex --quiet
pipx install codex --force
helm install codex ./chart --set image.tag=1.2
helm upgrade codex ./chart --install --wait
helm uninstall codex --namespace tools
kubectl logs codex -f
kubectl logs codex --tail=100
kubectl describe pod codex -n agents
kubectl delete pod codex --grace-period=0
kubectl get pod codex -o yaml
systemctl status codex --no-pager
journalctl -u codex --since today
journalctl -u codex -f -n 200
docker logs codex --tail 50
docker inspect codex --format '{{.State.Status}}'
docker compose logs codex -f
podman logs codex --follow
supervisorctl tail -f codex
pm2 restart codex --update-env
pm2 logs codex --lines 100
brew info codex --json=v2
conda install codex -c conda-forge
cargo install codex --locked
gcloud run deploy codex --image gcr.io/p/codex --region us-central1
ssh-keygen -t ed25519 -C codex -f ~/.ssh/codex
useradd -m codex -s /bin/bash
psql -d codex -c 'select 1'
mysql -u codex -p
mysql codex -e 'show tables'
createdb codex -O admin
rsync -av codex --exclude target/ backup/
tar czf codex.tgz codex --exclude=.git
find codex -name '*.rs' -newer stamp
du -sh codex --apparent-size
pytest codex -k exec -x
uv run pytest tests/codex -k exec
ruff check codex --fix
mypy codex --strict
black codex --check
ping codex -c 1
notify codex --priority high
watch -n 5 kubectl get pod codex -o wide
"""

# Prose in agent files: spans named as deprecated, removed or failing after the span.
AGENT_PROSE = """\
# Working with `codex`

## `codex exec --json` output
The flags are: `-s`, `--sandbox read-only`, `-m gpt-5`, `--json`, `-o out.txt`.
| Flag | Meaning |
|------|---------|
| `codex -a never` | no approvals |
- `codex --version` prints the version; `codex --help` lists commands.
- Config lives in `~/.codex/config.toml` (see `codex features list`).
The old form `codex -q "prompt"` is deprecated.
`codex exec --full-auto "task"` no longer works on 0.171.0.
`codex exec --ask-for-approval never "x"` fails: exec has no `-a`.
Note that `codex --search exec "x"` was removed, and `codex exec -q "y"` is not supported.
## `codex exec --yolo "task"`
| `codex exec --full-auto "x"` | removed in 0.171.0 |
See [`codex exec --yolo "x"`](https://example.com/docs) for what it does.
Q: what does `codex exec --yolo "x"` do? A: it drops the sandbox.
`codex exec --yolo "x"` — dangerous, only in throwaway VMs.
If you see `codex exec --full-auto "x"` in old scripts, replace it.
Our CI used to run `codex exec --full-auto "x"`.
"""

# A Python package named codex: its config.toml is the package's, not a Codex home's.
PACKAGE_CONFIG = 'model = "Salesforce/codegen-350M-mono"\n[training]\nepochs = 3\nlr = 0.0001\n'


def lint(folder: Path) -> dict[str, Any]:
    done = subprocess.run(
        ["codex-guard", "lint", "--no-cache", "--format", "json", "."],
        cwd=folder, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    assert done.returncode in (0, 1), done.stderr
    doc: dict[str, Any] = json.loads(done.stdout)
    return doc


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def mentions(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("mentions")
    write(root / "ops.sh", "#!/bin/bash\nset -eu\n" + OPS_LINES)
    for name in ("AGENTS.md", "CLAUDE.md", "skills/review/SKILL.md"):
        write(root / name, AGENT_PROSE)
    write(root / "src" / "codex" / "__init__.py", "")
    write(root / "src" / "codex" / "config.toml", PACKAGE_CONFIG)
    return lint(root)


def test_files_that_only_mention_codex_get_no_finding(mentions: dict[str, Any]) -> None:
    assert mentions["errors"] == []
    assert mentions["findings"] == []


@pytest.mark.parametrize("line", OPS_LINES.splitlines())
def test_codex_as_a_name_among_an_unknown_programs_words_is_no_codex_command(line: str) -> None:
    assert [c for c in parse_script(line).commands if c.program == "codex"] == []


# The same shapes that do carry a codex command line are still codex.
@pytest.mark.parametrize(
    "line",
    [
        "agent-run --timeout 900 -- codex exec --yolo x",
        "agent-run codex --yolo exec x",
        "agent-run -v codex --dangerously-bypass-approvals-and-sandbox exec x",
        "agent-run codex -s danger-full-access exec x",
        "agent-run --retries=3 codex -m o3 exec x",
        "agent-run codex -c sandbox_mode=danger-full-access x",
        "agent-run codex -a never x",
        "agent-run codex --model=o3 -C /src exec x",
        "pytest-like tests/codex exec x",
    ],
)
def test_a_carried_codex_command_line_is_still_codex(line: str) -> None:
    assert [c.program for c in parse_script(line).commands] == ["codex"]


def test_a_span_that_fails_further_on_is_still_an_instruction(tmp_path: Path) -> None:
    write(
        tmp_path / "AGENTS.md",
        'Run `codex exec --yolo "x"` (it fails without auth).\n'
        'Replace the old step with `codex exec --yolo "y"` and check the output.\n'
        '## Review\nRun `codex exec --yolo "z"`; does it pass? Check.\n',
    )
    found = {(f["rule"], f["line"]) for f in lint(tmp_path)["findings"]}
    assert {("CG303", 1), ("CG303", 2), ("CG303", 4)} <= found


def test_a_codex_folder_with_codex_keys_is_still_a_codex_home(tmp_path: Path) -> None:
    write(tmp_path / "codex" / "config.toml", "sandbox_mode = 'read-only'\n" + PACKAGE_CONFIG)
    found = {f["rule"] for f in lint(tmp_path)["findings"]}
    assert "CG802" in found
