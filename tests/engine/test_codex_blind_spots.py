"""Static blind spots, each caught by the right rule (or failing closed), never silent:
billing under other names, auth.json written by any writer, `-c` values read as TOML, config.toml
layers as sandbox sources, and `/` made writable. Linted through the `codex-guard` CLI as a user
runs it, on files in a throwaway repository."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guard.codex.parse import parse_codex_argv, parse_config_value, split_config_override
from guard.shell.model import UNKNOWN_SPAN, Word


def lint(repo: Path, files: dict[str, str], *args: str) -> dict[str, Any]:
    for name, text in files.items():
        path = repo / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    proc = subprocess.run(
        ["codex-guard", "lint", "--format", "json", *args, str(repo)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 1), proc.stderr
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def found(result: dict[str, Any], rule: str) -> list[dict[str, Any]]:
    return [f for f in result["findings"] if f["rule"] == rule]


def one_script(tmp_path: Path, text: str) -> dict[str, Any]:
    return lint(tmp_path, {"dispatch.sh": "#!/usr/bin/env bash\n" + text})


# --- -c values as TOML ------------------------------------------------------------------------


def _call(*args: str) -> Any:
    return parse_codex_argv([Word(a, True, UNKNOWN_SPAN) for a in ("codex", *args)])


@pytest.mark.parametrize(
    "value",
    [
        'sandbox_mode="danger\\u002dfull-access"',
        'sandbox_mode="danger-full-access" # wide open',
        'sandbox_mode="""danger-full-access"""',
        "sandbox_mode='''danger-full-access'''",
        "sandbox_mode = 'danger-full-access'",
        "sandbox_mode=danger-full-access",
    ],
)
def test_config_override_is_read_as_toml(value: str, tmp_path: Path) -> None:
    call = _call("exec", "-c", value, "p")
    assert call.sandbox == "danger-full-access"
    result = one_script(tmp_path, f"codex exec -C . -c {json.dumps(value)} 'Fix it.' </dev/null\n")
    assert found(result, "CG303"), result


def test_quoted_key_is_not_sandbox_mode(tmp_path: Path) -> None:
    # codex splits the key on "." and keeps quotes (observed: the run stays read-only).
    call = _call("exec", "-c", '"sandbox_mode"="danger-full-access"', "p")
    assert call.sandbox is None
    result = one_script(
        tmp_path, "codex exec -C . -c '\"sandbox_mode\"=\"danger-full-access\"' 'Fix.' </dev/null\n"
    )
    assert not found(result, "CG303")


def test_dotted_and_table_overrides_compose_like_codex() -> None:
    call = _call(
        "exec",
        "-c", 'sandbox_workspace_write.writable_roots=["/srv"]',
        "-c", 'sandbox_workspace_write={network_access=true}',
        "p",
    )  # fmt: skip
    # The later table replaces the whole table: writable_roots is gone.
    assert call.config_value("sandbox_workspace_write.writable_roots") is None
    value = call.config_value("sandbox_workspace_write.network_access")
    assert value is not None and value[0] is True


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_override_text_parses_without_raising(text: str) -> None:
    key, _value = split_config_override(text)
    assert key == key.strip()
    parse_config_value(text)
    _call("exec", "-c", text, "p")


# --- / made writable ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        "--add-dir /",
        "--add-dir=/",
        "--add-dir //",
        "-c 'sandbox_workspace_write.writable_roots=[\"/\"]'",
        '-c \'sandbox_workspace_write.writable_roots=["/repo", "/"]\'',
        "-c 'sandbox_workspace_write={writable_roots=[\"/\"]}'",
    ],
)
def test_root_writable_is_cg504_error(args: str, tmp_path: Path) -> None:
    result = one_script(tmp_path, f"codex exec -C . -s workspace-write {args} 'Fix.' </dev/null\n")
    hits = found(result, "CG504")
    assert hits and hits[0]["severity"] == "error", result
    assert "whole filesystem" in hits[0]["message"]


@pytest.mark.parametrize(
    "args",
    [
        "--add-dir ./shared",
        "--add-dir /tmp/out",
        "-c 'sandbox_workspace_write.writable_roots=[\"/srv/cache\"]'",
    ],
)
def test_other_roots_are_not_cg504_without_a_workspace(args: str, tmp_path: Path) -> None:
    result = one_script(tmp_path, f"codex exec -C . -s workspace-write {args} 'Fix.' </dev/null\n")
    assert not found(result, "CG504"), result


def test_writable_root_in_codex_home_config(tmp_path: Path) -> None:
    result = lint(
        tmp_path,
        {
            "ci/home/config.toml": '[sandbox_workspace_write]\nwritable_roots = ["/"]\n',
            "run.sh": "#!/bin/sh\nCODEX_HOME=ci/home codex exec -C . -s workspace-write 'Fix.' </dev/null\n",
        },
    )
    hits = found(result, "CG504")
    assert hits and "ci/home/config.toml:2" in hits[0]["message"], result


# --- config layers ----------------------------------------------------------------------------


def test_script_that_writes_a_full_access_config_before_codex(tmp_path: Path) -> None:
    script = (
        'export CODEX_HOME="$RUNNER_TEMP/codex"\n'
        'mkdir -p "$CODEX_HOME"\n'
        'cat > "$CODEX_HOME/config.toml" <<EOF\n'
        'model = "gpt-5.1-codex"\n'
        'sandbox_mode = "danger-full-access"\n'
        "EOF\n"
        'codex exec -C "$GITHUB_WORKSPACE" "Fix the failing test." </dev/null\n'
    )
    result = one_script(tmp_path, script)
    hits = found(result, "CG303")
    assert len(hits) == 1 and hits[0]["line"] == 8, result
    assert [r["line"] for r in hits[0]["related"]] == [6]  # the sandbox_mode line of the body
    assert not found(result, "CG301")


def test_written_config_after_the_run_or_read_only_is_silent(tmp_path: Path) -> None:
    script = (
        'codex exec -C . -s workspace-write "Fix the failing test." </dev/null\n'
        'cat > "$CODEX_HOME/config.toml" <<EOF\nsandbox_mode = "danger-full-access"\nEOF\n'
        'printf \'sandbox_mode = "read-only"\\n\' > "$CODEX_HOME/ci.config.toml"\n'
        'codex exec -C . -p ci "Review." </dev/null\n'
        'codex exec -C . "Review." </dev/null\n'
    )
    result = one_script(tmp_path, script)
    # Not the run before the write; not the -p ci run (its profile layer says read-only and
    # wins over the home config, as observed); the last run gets the home config's full access.
    assert [f["line"] for f in found(result, "CG303")] == [8], result


def test_profile_written_by_echo(tmp_path: Path) -> None:
    script = (
        "echo 'sandbox_mode = \"danger-full-access\"' > ~/.codex/yolo.config.toml\n"
        "codex exec -C . -p yolo 'Fix.' </dev/null\n"
        "codex exec -C . -p other 'Fix.' </dev/null\n"
    )
    result = one_script(tmp_path, script)
    assert [f["line"] for f in found(result, "CG303")] == [3], result


def test_codex_home_from_workflow_env_and_related_location(tmp_path: Path) -> None:
    workflow = (
        "on: [push]\njobs:\n  w:\n    runs-on: ubuntu-latest\n    env:\n"
        "      CODEX_HOME: ${{ github.workspace }}/.ci/codex\n"
        "    steps:\n      - run: codex exec -C . 'Fix the failing test.' </dev/null\n"
    )
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    result = lint(
        tmp_path,
        {
            ".github/workflows/ci.yml": workflow,
            ".ci/codex/config.toml": '# CI\nsandbox_mode = "danger-full-access"\n',
        },
    )
    # `${{ github.workspace }}/…` is not resolved statically: not read, and nothing crashes.
    assert not [f for f in result["findings"] if f["rule"] == "CG901"], result
    result = lint(
        tmp_path,
        {
            ".ci/run.sh": "#!/bin/sh\nCODEX_HOME=\"$PWD/.ci/codex\" codex exec -C . 'Fix.' </dev/null\n"
        },
    )
    hits = [f for f in found(result, "CG303") if f["path"].endswith("run.sh")]
    assert hits, result
    related = hits[0]["related"][0]
    assert related["path"].endswith(".ci/codex/config.toml") and related["line"] == 2


def test_project_config_warning_untrusted_error_trusted(tmp_path: Path) -> None:
    files = {
        ".codex/config.toml": 'sandbox_mode = "danger-full-access"\n',
        "scripts/run.sh": "#!/bin/sh\ncodex exec -C . -s read-only 'Review.' </dev/null\n"
        "codex exec 'Fix.' </dev/null\ncodex exec --trust 'Fix.' </dev/null\n",
    }
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    result = lint(tmp_path, files)  # the project root is the git root, above scripts/
    hits = {f["line"]: f["severity"] for f in found(result, "CG303")}
    assert hits == {3: "warning", 4: "error"}, result


def test_bad_toml_layer_is_a_note_not_a_crash(tmp_path: Path) -> None:
    result = lint(
        tmp_path,
        {
            "home/config.toml": 'sandbox_mode = "danger-full-access\n',
            "run.sh": "#!/bin/sh\nCODEX_HOME=home codex exec -C . -s read-only 'Fix.' </dev/null\n",
        },
    )
    notes = found(result, "CG901")
    assert notes and "home/config.toml:1" in notes[0]["message"], result
    assert notes[0]["severity"] == "warning"


def test_written_bad_toml_is_a_note(tmp_path: Path) -> None:
    script = (
        'cat > "$CODEX_HOME/config.toml" <<EOF\nsandbox_mode = $MODE\nEOF\n'
        "codex exec -C . -s read-only 'Fix.' </dev/null\n"
    )
    result = one_script(tmp_path, script)
    notes = found(result, "CG901")
    assert notes and "dispatch.sh:3" in notes[0]["message"], result


def test_legacy_profile_table_in_codex_home(tmp_path: Path) -> None:
    result = lint(
        tmp_path,
        {
            "home/config.toml": '[profiles.ci]\nsandbox_mode = "danger-full-access"\n',
            "run.sh": "#!/bin/sh\nCODEX_HOME=home codex exec -C . -p ci 'Fix.' </dev/null\n"
            "CODEX_HOME=home codex exec -C . -p dev 'Fix.' </dev/null\n",
        },
    )
    assert [f["line"] for f in found(result, "CG303")] == [2], result


# --- billing under other names ------------------------------------------------------------------


def test_env_key_in_a_written_config_and_in_env(tmp_path: Path) -> None:
    script = (
        'cat > "$CODEX_HOME/config.toml" <<EOF\n'
        'model_provider = "azure"\n'
        "[model_providers.azure]\n"
        'base_url = "https://acme.openai.azure.com/openai"\n'
        'env_key = "AZURE_OPENAI_API_KEY"\n'
        "EOF\n"
        'export AZURE_OPENAI_API_KEY="$(cat /run/secrets/azure)"\n'
        "codex exec -C . -s workspace-write 'Fix.' </dev/null\n"
    )
    result = one_script(tmp_path, script)
    hits = found(result, "CG101")
    assert hits and hits[0]["severity"] == "error" and hits[0]["line"] == 9, result
    assert "AZURE_OPENAI_API_KEY" in hits[0]["message"]


def test_env_key_of_an_unselected_provider_is_silent(tmp_path: Path) -> None:
    result = lint(
        tmp_path,
        {
            "home/config.toml": '[model_providers.local]\nbase_url = "http://x"\nenv_key = "LK"\n',
            "run.sh": "#!/bin/sh\nLK=1 CODEX_HOME=home codex exec -C . -s read-only 'Fix.' </dev/null\n",
        },
    )
    assert not found(result, "CG101"), result


def test_env_key_unset_before_the_run_still_says_which_variable_bills(tmp_path: Path) -> None:
    result = one_script(
        tmp_path,
        "codex exec -C . -s read-only -c model_provider=corp "
        "-c 'model_providers.corp={base_url=\"http://llm\", env_key=\"CORP_TOKEN\"}' 'Fix.' </dev/null\n",
    )
    hits = found(result, "CG101")
    assert hits and hits[0]["severity"] == "warning" and "CORP_TOKEN" in hits[0]["message"]


@pytest.mark.parametrize(
    "override",
    [
        "'model_providers.corp.experimental_bearer_token=\"sk-proj-abc123\"'",
        '"model_providers.corp.experimental_bearer_token=$TOKEN"',
        "'model_providers.corp.http_headers={Authorization=\"Bearer eyJhbGciOi\"}'",
        "'model_providers.corp.api_key=\"sk-abc123def456\"'",
    ],
)
def test_secret_on_the_command_line_is_cg102(override: str, tmp_path: Path) -> None:
    result = one_script(
        tmp_path,
        f"codex exec -C . -s read-only -c model_provider=corp -c {override} 'Fix.' </dev/null\n",
    )
    hits = found(result, "CG102")
    assert hits and hits[0]["severity"] == "error", result


def test_bearer_token_in_codex_home_config(tmp_path: Path) -> None:
    result = lint(
        tmp_path,
        {
            "home/config.toml": 'model_provider = "corp"\n[model_providers.corp]\n'
            'base_url = "http://llm"\nexperimental_bearer_token = "tok"\n',
            "run.sh": "#!/bin/sh\nCODEX_HOME=home codex exec -C . -s read-only 'Fix.' </dev/null\n",
        },
    )
    hits = found(result, "CG102")
    assert hits and hits[0]["related"][0]["line"] == 4, result


@pytest.mark.parametrize(
    "writer",
    [
        "echo '{\"auth_mode\":' '\"apikey\"}' > ~/.codex/auth.json",
        'printf \'{"auth_mode": "%s"}\' apikey > "$CODEX_HOME/auth.json"',
        'printf \'%s\' \'{"OPENAI_API_KEY": "sk-x"}\' | tee "$CODEX_HOME/auth.json" >/dev/null',
        'tee ~/.codex/auth.json >/dev/null <<\'EOF\'\n{"auth_mode": "apikey", "OPENAI_API_KEY": "sk-x"}\nEOF',
        'dd of="$HOME/.codex/auth.json" status=none <<<\'{"auth_mode":"apikey"}\'',
        'python3 -c \'open("/root/.codex/auth.json","w").write("{\\"auth_mode\\":\\"apikey\\"}")\'',
        'python3 -c \'import json; json.dump({"auth_mode": "apikey"}, open("/home/ci/.codex/auth.json", "w"))\'',
    ],
)
def test_api_key_auth_json_by_any_writer(writer: str, tmp_path: Path) -> None:
    result = one_script(tmp_path, writer + "\n")
    hits = found(result, "CG102")
    assert hits and hits[0]["severity"] == "error", result


@pytest.mark.parametrize(
    "writer",
    [
        "cp key.json ~/.codex/auth.json",
        'install -m 600 /run/secrets/codex-auth "$CODEX_HOME/auth.json"',
        "dd if=/run/secrets/auth of=$HOME/.codex/auth.json",
        "mv /tmp/auth.new ~/.codex/auth.json",
        'echo "$CODEX_AUTH_JSON" > ~/.codex/auth.json',
    ],
)
def test_unknown_auth_json_content_is_a_warning(writer: str, tmp_path: Path) -> None:
    result = one_script(tmp_path, writer + "\n")
    hits = found(result, "CG102")
    assert hits and hits[0]["severity"] == "warning", result


def test_copy_of_a_repository_file_is_read(tmp_path: Path) -> None:
    result = lint(
        tmp_path,
        {
            "ci/auth.json": '{"auth_mode": "apikey", "OPENAI_API_KEY": "sk-x"}\n',
            "ci/chatgpt.json": '{"auth_mode": "chatgpt", "tokens": {}}\n',
            "ci/setup.sh": "#!/bin/sh\ncp auth.json ~/.codex/auth.json\ncp chatgpt.json ~/.codex/auth.json\n",
        },
    )
    assert [(f["line"], f["severity"]) for f in found(result, "CG102")] == [(2, "error")], result


@pytest.mark.parametrize(
    "text",
    [
        # Verified afterwards: the CI restore recipe.
        'echo "$CODEX_AUTH_JSON" > ~/.codex/auth.json\ngrep -q \'"auth_mode": "chatgpt"\' ~/.codex/auth.json\n',
        "cp /run/secrets/auth ~/.codex/auth.json\ncodex login status 2>&1 | grep -q 'Logged in using ChatGPT'\n",
        # Backups and reads of the file, other auth.json files, mentions.
        "cp ~/.codex/auth.json /tmp/auth.json.bak\n",
        "cp ~/.codex/auth.json backup/\n",
        'echo \'{"auth_mode": "chatgpt"}\' > ~/.codex/auth.json\n',
        'echo \'never: echo {"auth_mode": "apikey"} > ~/.codex/auth.json\'\n',
        "# cp key.json ~/.codex/auth.json would bill the API\n",
        "grep -n auth_mode ~/.codex/auth.json\n",
        "echo 'codex exec -c model_providers.x.experimental_bearer_token=sk-abc -c sandbox_mode=\"danger-full-access\" --add-dir /'\n",
        "jq . ~/.codex/auth.json > /tmp/auth-pretty.json\n",
    ],
)
def test_mentions_and_safe_writes_stay_silent(text: str, tmp_path: Path) -> None:
    result = one_script(tmp_path, text)
    assert not result["findings"], result


def test_copied_config_points_into_the_copied_file(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    result = lint(
        tmp_path,
        {
            "ci/codex-config.toml": '# CI profile\nsandbox_mode = "danger-full-access"\n',
            "ci/run.sh": '#!/bin/bash\nexport CODEX_HOME="$RUNNER_TEMP/codex"\n'
            'cp ci/codex-config.toml "$CODEX_HOME/config.toml"\n'
            "codex exec -C . 'Fix it.' </dev/null\n"
            "codex exec --help\n",
        },
    )
    hits = found(result, "CG303")
    assert [f["line"] for f in hits] == [4], result  # not `codex exec --help`
    related = hits[0]["related"][0]
    assert related["path"].endswith("ci/codex-config.toml") and related["line"] == 2, hits


def test_copied_safe_config_is_silent_and_says_the_sandbox(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    result = lint(
        tmp_path,
        {
            "ci/codex-config.toml": 'sandbox_mode = "workspace-write"\n',
            "ci/run.sh": "#!/bin/bash\ncp ci/codex-config.toml ~/.codex/config.toml\n"
            "codex exec -C . 'Fix it.' </dev/null\n",
        },
    )
    assert not found(result, "CG303") and not found(result, "CG301"), result


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        # An expansion in a trailing comment leaves the value as it is.
        (
            'codex exec -C . -c "sandbox_mode=\\"danger-full-access\\" # $WHY" \'Fix.\' </dev/null',
            "CG303",
        ),
        (
            'codex exec -C . -s workspace-write -c "sandbox_workspace_write.writable_roots=[\\"$REPO\\", \\"/\\"]" \'Fix.\' </dev/null',
            "CG504",
        ),
        (
            "codex exec -C . -s read-only -c model_provider=corp -c \"model_providers.corp.env_key=$KEY_NAME\" 'Fix.' </dev/null",
            "CG101",
        ),
        (
            'codex exec -C . -s read-only -c "model_providers.corp.http_headers={Authorization=\\"Bearer $TOKEN\\"}" \'Fix.\' </dev/null',
            "CG102",
        ),
    ],
)
def test_expansions_elsewhere_in_the_value_do_not_hide_it(
    line: str, rule: str, tmp_path: Path
) -> None:
    assert found(one_script(tmp_path, line + "\n"), rule)


@pytest.mark.parametrize(
    "line",
    [
        "codex exec -C . -c \"sandbox_mode=$MODE\" 'Fix.' </dev/null",
        "codex exec -C . -c \"sandbox_mode=danger-$X\" 'Fix.' </dev/null",
    ],
)
def test_a_value_an_expansion_decides_is_unknown(line: str, tmp_path: Path) -> None:
    assert not found(one_script(tmp_path, line + "\n"), "CG303")


# --- the runtime doors: what they cannot see, they refuse --------------------------------------

RECORDING_CODEX = """#!/bin/sh
printf '%s\\n' "$*" >> "$CALLS"
env > "$CALLS.env"
"""


def _recording_codex(tmp_path: Path) -> tuple[Path, Path]:
    fake = tmp_path / "bin" / "codex"
    fake.parent.mkdir()
    fake.write_text(RECORDING_CODEX)
    fake.chmod(0o755)
    return fake, tmp_path / "calls.log"


def _door_env(tmp_path: Path, calls: Path, **extra: str) -> dict[str, str]:
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "CODEX_API_KEY")}
    env.update(CALLS=str(calls), XDG_CACHE_HOME=str(tmp_path / "cache"), **extra)
    return env


PROVIDER_ARGS = ["-c", "model_provider=corp", "-c", "model_providers.corp.env_key=MY_KEY"]


def _chatgpt_home(tmp_path: Path) -> Path:
    from tests.runtime.conftest import chatgpt_auth

    home = tmp_path / "codex-home"
    home.mkdir()
    (home / "auth.json").write_text(json.dumps(chatgpt_auth()))
    return home


def test_exec_door_refuses_a_provider_key_and_codex_never_starts(tmp_path: Path) -> None:
    home = _chatgpt_home(tmp_path)
    fake, calls = _recording_codex(tmp_path)
    argv = ["codex-guard", "exec", "--", str(fake), "exec", "-C", str(tmp_path)]
    argv += ["-s", "read-only", *PROVIDER_ARGS, "say hi"]
    proc = subprocess.run(
        argv, env=_door_env(tmp_path, calls, MY_KEY="secret-value", CODEX_HOME=str(home)),
        cwd=tmp_path,
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 3, proc.stderr
    assert "CG101" in proc.stderr and "MY_KEY" in proc.stderr
    assert "secret-value" not in proc.stderr
    assert "CG102" not in proc.stderr  # refused for the provider key, not the login
    assert not calls.exists()  # the stand-in never ran


def test_exec_door_runs_a_plain_call(tmp_path: Path) -> None:
    home = _chatgpt_home(tmp_path)
    fake, calls = _recording_codex(tmp_path)
    argv = ["codex-guard", "exec", "--", str(fake), "exec", "-C", str(tmp_path)]
    argv += ["-s", "read-only", "-c", 'sandbox_mode="read-only" # x', "say hi"]
    proc = subprocess.run(
        argv, env=_door_env(tmp_path, calls, CODEX_HOME=str(home)), cwd=tmp_path,
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert calls.read_text().splitlines()[0].startswith("exec -C")


@pytest.mark.parametrize(
    ("command", "rule"),
    [
        ("codex exec -C . -c 'sandbox_mode=\"danger\\u002dfull-access\"' 'hi' </dev/null", "CG303"),
        ("codex exec -C . -s workspace-write --add-dir / 'hi' </dev/null", "CG504"),
        ("codex exec -C . -s read-only " + " ".join(PROVIDER_ARGS) + " 'hi' </dev/null", "CG101"),
    ],
)
def test_check_door_denies(command: str, rule: str, tmp_path: Path) -> None:
    proc = subprocess.run(
        ["codex-guard", "check", command], env=_door_env(tmp_path, tmp_path / "c"),
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode != 0 and rule in proc.stdout + proc.stderr, proc
    assert "Traceback" not in proc.stderr


TOML_PIECES = [*"[]=\"'.#\n ab_:-/{},\\u0", "sandbox_mode", "danger-full-access", "profile"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(TOML_PIECES), max_size=40).map("".join))
def test_any_config_text_in_a_layer_never_crashes(text: str) -> None:
    import tempfile

    from guard.config import settings_from_mapping
    from guard.engine import lint_snippet
    from guard.sources.snippet import Snippet

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "home").mkdir()
        (root / "home" / "config.toml").write_text(text, encoding="utf-8")
        (root / ".codex").mkdir()
        (root / ".codex" / "config.toml").write_text(text, encoding="utf-8")
        script = f"cat > \"$CODEX_HOME/p.config.toml\" <<'EOF'\n{text}\nEOF\n"
        script += "CODEX_HOME=home codex exec --trust -C . -p p 'Fix.' </dev/null\n"
        findings = lint_snippet(
            Snippet(script, str(root / "run.sh")), settings_from_mapping({}, root=root)
        )
        assert all(f.rule.startswith("CG") for f in findings)
