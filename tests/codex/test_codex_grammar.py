"""The grammar tables agree with the real CLI's --help texts in the shared folder, flag for flag."""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.codex.grammar import (
    NEWEST,
    grammar_for,
    help_commands,
    help_flags,
    supported_versions,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED = REPO_ROOT.parent / "shared" / "codex-cli"

# help file name -> command path in the table
HELP_FILES = {
    "help-top.txt": "",
    "help-exec.txt": "exec",
    "help-exec-resume.txt": "exec resume",
    "help-exec-review.txt": "exec review",
    "help-exec-fork.txt": "exec fork",
    "help-login.txt": "login",
}

# What is accepted but not in --help (FACTS.md "Hidden and removed flags").
HIDDEN = {
    ("0.139.0", ""): {"--yolo", "--full-auto"},
    ("0.139.0", "exec"): {"--yolo", "--full-auto"},
    ("0.139.0", "exec resume"): {"--yolo"},
    ("0.139.0", "exec review"): {"--yolo"},
    ("0.169.0", ""): {"--yolo"},
    ("0.169.0", "exec"): {"--yolo"},
    ("0.169.0", "exec resume"): {"--yolo"},
    ("0.169.0", "exec review"): {"--yolo"},
    ("0.169.0", "exec fork"): {"--yolo"},
    ("0.139.0", "login"): set(),
    ("0.169.0", "login"): set(),
}


def _help(version: str, name: str) -> str:
    path = SHARED / version / name
    if not path.is_file():
        pytest.skip(f"shared codex-cli help texts not found at {path} (outside the project tree)")
    return path.read_text(encoding="utf-8")


def test_supported_versions() -> None:
    assert supported_versions() == ("0.139.0", "0.169.0")
    assert NEWEST == "0.169.0"
    assert grammar_for(None).version == NEWEST
    assert grammar_for("0.139.0").note is None
    unknown = grammar_for("9.9.9")
    assert unknown.version == NEWEST and unknown.note is not None


@pytest.mark.parametrize("version", ["0.139.0", "0.169.0"])
@pytest.mark.parametrize("help_file", sorted(HELP_FILES))
def test_visible_flags_equal_help(version: str, help_file: str) -> None:
    text = _help(version, help_file)
    path = HELP_FILES[help_file]
    command = grammar_for(version).command(path)
    if version == "0.139.0" and path == "exec fork":
        # 0.139.0 has no `exec fork`: `codex exec fork --help` printed exec's own help.
        assert command is None
        assert text.splitlines()[0] == "Run Codex non-interactively"
        assert "fork" not in help_commands(text)
        return
    assert command is not None
    assert command.visible_flag_names() == help_flags(text)
    assert command.hidden_flag_names() == HIDDEN[(version, path)]


@pytest.mark.parametrize("version", ["0.139.0", "0.169.0"])
@pytest.mark.parametrize(("help_file", "path"), [("help-top.txt", ""), ("help-exec.txt", "exec"),
                                                 ("help-login.txt", "login")])  # fmt: skip
def test_subcommands_equal_help(version: str, help_file: str, path: str) -> None:
    command = grammar_for(version).command(path)
    assert command is not None
    assert {name for name, _ in command.subcommands} == help_commands(_help(version, help_file))


@pytest.mark.parametrize("version", ["0.139.0", "0.169.0"])
def test_sandbox_values_equal_help(version: str) -> None:
    text = _help(version, "help-exec.txt")
    spec = grammar_for(version).command("exec")
    assert spec is not None
    sandbox = spec.flag("-s")
    assert sandbox is not None
    assert f"[possible values: {', '.join(sandbox.choices)}]" in text


def test_help_flags_reads_options_only() -> None:
    text = (
        "Usage: x\n\nArguments:\n  [PROMPT]\n          --not-this\n\nOptions:\n"
        "  -c, --config <k=v>\n          text --nor-this\n\n      --json\n          Print\n"
    )
    assert help_flags(text) == {"-c", "--config", "--json"}


def test_help_commands_reads_aliases_on_wrapped_lines() -> None:
    text = (
        "Commands:\n  exec   Run [aliases: e]\n  apply  Apply the diff to\n"
        "         your tree [aliases: a]\n  help   Print\n\nOptions:\n  -h, --help\n"
    )
    assert help_commands(text) == {"exec", "e", "apply", "a", "help"}
