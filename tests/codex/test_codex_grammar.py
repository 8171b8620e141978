"""The grammar tables agree with the real CLI's --help texts, flag for flag.

The texts ship inside the package (guard/codex/help/<version>/), so a clone on its own runs every
test here; when the shared observations folder is beside the project, the shipped copies must equal
it byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from guard.codex.grammar import (
    HELP_FILES,
    HELP_ROOT,
    NEWEST,
    grammar_for,
    help_commands,
    help_flags,
    help_text,
    supported_versions,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
SHARED_CANDIDATES = (REPO_ROOT.parent / "shared" / "codex-cli", Path("/work/shared/codex-cli"))
VERSIONS = ["0.139.0", "0.169.0", "0.171.0"]

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
    ("0.171.0", ""): {"--yolo"},
    ("0.171.0", "exec"): {"--yolo"},
    ("0.171.0", "exec resume"): {"--yolo"},
    ("0.171.0", "exec review"): {"--yolo"},
    ("0.171.0", "exec fork"): {"--yolo"},
    ("0.139.0", "login"): set(),
    ("0.169.0", "login"): set(),
    ("0.171.0", "login"): set(),
}


def _help(version: str, name: str) -> str:
    text = help_text(version, name)
    assert text is not None, f"{HELP_ROOT / version / name} is not shipped"
    return text


def test_every_table_ships_its_help_texts() -> None:
    for version in supported_versions():
        for name in HELP_FILES:
            assert help_text(version, name), f"{version}/{name} missing from guard/codex/help"


@pytest.mark.parametrize("version", VERSIONS)
def test_shipped_help_equals_shared_observations(version: str) -> None:
    shared = next((c for c in SHARED_CANDIDATES if (c / version).is_dir()), None)
    if shared is None:
        return  # a lone clone: the shipped copies are the record
    for name in HELP_FILES:
        assert (shared / version / name).read_bytes() == (HELP_ROOT / version / name).read_bytes()


def test_supported_versions() -> None:
    assert supported_versions() == ("0.139.0", "0.169.0", "0.171.0")
    assert NEWEST == "0.171.0"
    assert grammar_for(None).version == NEWEST
    assert grammar_for("0.139.0").note is None
    unknown = grammar_for("9.9.9")
    assert unknown.version == NEWEST and unknown.note is not None


@pytest.mark.parametrize("version", VERSIONS)
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


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(("help_file", "path"), [("help-top.txt", ""), ("help-exec.txt", "exec"),
                                                 ("help-login.txt", "login")])  # fmt: skip
def test_subcommands_equal_help(version: str, help_file: str, path: str) -> None:
    command = grammar_for(version).command(path)
    assert command is not None
    assert {name for name, _ in command.subcommands} == help_commands(_help(version, help_file))


@pytest.mark.parametrize("version", VERSIONS)
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


def test_0171_adds_remote_to_every_exec_level_and_nothing_else() -> None:
    """FACTS.md "codex-cli 0.171.0": --remote and --remote-auth-token-env on exec and its
    sub-commands; top level and login unchanged."""
    old, new = grammar_for("0.169.0"), grammar_for("0.171.0")
    for path in ("", "exec", "exec resume", "exec review", "exec fork", "login"):
        before, after = old.command(path), new.command(path)
        assert before is not None and after is not None
        added = after.visible_flag_names() - before.visible_flag_names()
        removed = before.visible_flag_names() - after.visible_flag_names()
        assert not removed
        want = {"--remote", "--remote-auth-token-env"} if path.startswith("exec") else set()
        assert added == want, path
