"""parse_codex_argv: one test per statement of codex-cli/FACTS.md, plus clap's reading rules."""

from __future__ import annotations

import random
import shlex

import pytest

from guard.codex.call import CodexCall, PromptSource, SandboxSource, Subcommand
from guard.codex.grammar import (
    NEWEST,
    REASON_RESUME_UNSUPPORTED,
    REASON_UNKNOWN,
    is_resume_unsupported,
)
from guard.codex.parse import parse_codex_argv
from guard.shell.model import Span, Word

OLD, NEW = "0.139.0", "0.169.0"


def words(cmd: str) -> list[Word]:
    """Literal words with dummy spans (word n sits at column n)."""
    return [Word(t, True, Span(1, n + 1, 1, n + 1), t) for n, t in enumerate(shlex.split(cmd))]


def dyn(text: str, raw: str | None = None) -> Word:
    return Word(text, False, Span(1, 1, 1, 1), raw if raw is not None else text)


def parse(cmd: str, version: str | None = None) -> CodexCall:
    return parse_codex_argv(words(cmd), version=version)


def reasons(call: CodexCall) -> list[tuple[str, str]]:
    return [(u.text, u.reason) for u in call.unknown]


def flag_names(call: CodexCall) -> list[str]:
    return [f.name for f in call.flags]


# --- sub-commands -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cmd", "sub"),
    [
        ("codex exec p", Subcommand.EXEC),
        ("codex e p", Subcommand.EXEC),  # FACTS.md: `codex e` is an alias of `codex exec`
        ("codex exec resume --last", Subcommand.RESUME),
        ("codex exec review", Subcommand.REVIEW),
        ("codex exec fork SESSION", Subcommand.FORK),
        ("codex login", Subcommand.LOGIN),
        ("codex login status", Subcommand.LOGIN_STATUS),
        ("codex", Subcommand.INTERACTIVE),
        ("codex 'fix the bug'", Subcommand.INTERACTIVE),
        ("codex mcp list", Subcommand.OTHER),
        ("codex apply", Subcommand.OTHER),
        ("codex review", Subcommand.OTHER),  # top-level review, not `exec review`
        ("codex exec help", Subcommand.OTHER),
    ],
)
def test_subcommands(cmd: str, sub: Subcommand) -> None:
    call = parse(cmd)
    assert call.subcommand is sub
    assert call.unknown == ()


def test_interactive_prompt() -> None:
    call = parse("codex -m o3 'fix the bug'")
    assert call.prompt is not None and call.prompt.text == "fix the bug"
    assert call.prompt_source is PromptSource.POSITIONAL


def test_other_subcommand_args_are_not_read() -> None:
    assert parse("codex mcp add x --whatever -z").unknown == ()


def test_version_and_default_span() -> None:
    call = parse("codex exec -s read-only p", OLD)
    assert call.version == OLD
    assert call.span == Span(1, 1, 1, 5)
    assert parse("codex exec p").version == NEWEST  # None = newest
    given = Span(3, 2, 4, 9)
    assert parse_codex_argv(words("codex exec p"), span=given).span == given


def test_unknown_version_reads_newest_with_note() -> None:
    call = parse("codex exec p", "0.1.0")
    assert call.version == NEWEST
    assert "0.1.0" in call.extra["grammar_note"]


# --- top-level options before exec (FACTS.md "Options before the subcommand") -------------------


def test_top_level_yolo_and_search_before_exec() -> None:
    call = parse("codex --yolo --search exec p")
    assert call.subcommand is Subcommand.EXEC
    assert call.bypass and call.bypass_word is not None and call.bypass_word.text == "--yolo"
    assert call.sandbox_source is SandboxSource.BYPASS
    assert call.unknown == ()
    assert flag_names(call) == ["--dangerously-bypass-approvals-and-sandbox", "--search"]


def test_top_level_ask_for_approval_before_exec() -> None:
    call = parse("codex -a never exec p")
    assert call.unknown == ()
    assert call.has_flag("--ask-for-approval")


def test_top_level_model_and_sandbox_apply_to_exec() -> None:
    call = parse("codex -m M -s workspace-write exec p")
    assert call.sandbox == "workspace-write"
    assert call.sandbox_source is SandboxSource.FLAG
    assert call.extra["model"] == "M"


def test_top_level_config_override() -> None:
    call = parse("codex -c k=v exec p")
    assert [(k, v) for k, v, _ in call.config_overrides] == [("k", "v")]


def test_top_level_cd_and_profile() -> None:
    call = parse("codex -C /tmp -p fast exec p")
    assert call.cd is not None and call.cd.text == "/tmp"
    assert call.profile is not None and call.profile.text == "fast"


def test_exec_sandbox_wins_over_top_level() -> None:
    # FACTS.md: `codex -s danger-full-access exec -s read-only` runs `sandbox: read-only`.
    call = parse("codex -s danger-full-access exec -s read-only p")
    assert call.sandbox == "read-only"
    assert call.sandbox_word is not None and call.sandbox_word.span.column == 6


def test_exec_cd_wins_over_top_level() -> None:
    call = parse("codex -C /tmp exec -C /var/tmp p")
    assert call.cd is not None and call.cd.text == "/var/tmp"


# --- rejected after exec, accepted before ---------------------------------------------------------


@pytest.mark.parametrize("version", [OLD, NEW])
def test_ask_for_approval_rejected_after_exec(version: str) -> None:
    call = parse("codex exec -a never 'p'", version)
    assert reasons(call) == [("-a", "not accepted by exec (top-level only)")]
    # its value is consumed, so "never" is not read as the prompt
    assert call.prompt is not None and call.prompt.text == "p"


@pytest.mark.parametrize("version", [OLD, NEW])
def test_search_rejected_after_exec(version: str) -> None:
    assert reasons(parse("codex exec --search p", version)) == [
        ("--search", "not accepted by exec (top-level only)")
    ]
    assert parse("codex --search exec p", version).unknown == ()


def test_ask_for_approval_values_per_version() -> None:
    assert parse("codex -a untrusted exec p", OLD).unknown == ()
    assert reasons(parse("codex -a untrusted exec p", NEW)) == [
        ("-a", "invalid value 'untrusted' for --ask-for-approval")
    ]


@pytest.mark.parametrize("flag", ["--include-plan-tool", "--config-profile x"])
@pytest.mark.parametrize("version", [OLD, NEW])
def test_flags_rejected_on_both_versions(flag: str, version: str) -> None:
    call = parse(f"codex exec {flag} p", version)
    assert [r for _, r in reasons(call)] == [REASON_UNKNOWN]
    assert call.prompt is not None and call.prompt.text == "p"


# --- hidden and removed flags ---------------------------------------------------------------------


@pytest.mark.parametrize("version", [OLD, NEW])
@pytest.mark.parametrize("cmd", ["codex exec --yolo p", "codex exec resume --last --yolo"])
def test_yolo_is_known(version: str, cmd: str) -> None:
    call = parse(cmd, version)
    assert call.unknown == ()
    assert call.bypass
    assert call.has_flag("--dangerously-bypass-approvals-and-sandbox")


def test_full_auto_accepted_on_0139() -> None:
    call = parse("codex exec --full-auto p", OLD)
    assert call.unknown == ()
    assert call.sandbox == "workspace-write"
    assert call.sandbox_source is SandboxSource.FLAG


def test_full_auto_removed_on_0169() -> None:
    call = parse("codex exec --full-auto p", NEW)
    assert reasons(call) == [("--full-auto", "removed in 0.169.0")]
    # Still the author's intent: workspace-write, so CG301 does not pile on top of CG903.
    assert call.sandbox == "workspace-write" and call.sandbox_source is SandboxSource.FLAG


def test_removed_flag_names_the_first_version_without_it() -> None:
    # Gone since 0.169.0: a run read against 0.171.0 must not say "removed in 0.171.0".
    for version in ("0.169.0", "0.171.0"):
        call = parse("codex exec --full-auto p", version)
        assert reasons(call) == [("--full-auto", "removed in 0.169.0")], version


def test_full_auto_after_prompt() -> None:
    # FACTS.md: `codex exec "prompt" -m M --full-auto` (flags after the positional prompt).
    call = parse("codex exec 'prompt' -m M --full-auto", OLD)
    assert call.unknown == ()
    assert call.prompt is not None and call.prompt.text == "prompt"
    assert flag_names(call) == ["--model", "--full-auto"]


@pytest.mark.parametrize(
    "flag", ["--worktree", "--trust", "--approve-for-me", "--thread-source user",
             "--cyber-access-program standard"],
)  # fmt: skip
def test_0169_only_flags_unknown_on_0139(flag: str) -> None:
    old = parse(f"codex exec {flag} p", OLD)
    assert [r for _, r in reasons(old)] == [REASON_UNKNOWN]
    assert old.prompt is not None and old.prompt.text == "p"  # the flag's value is skipped
    assert parse(f"codex exec {flag} p", NEW).unknown == ()


def test_fork_is_not_a_subcommand_on_0139() -> None:
    # 0.139.0's `codex exec fork --help` printed exec's help: "fork" is read as the prompt.
    call = parse("codex exec fork SESSION", OLD)
    assert call.subcommand is Subcommand.EXEC
    assert reasons(call) == [("SESSION", "unexpected argument")]


# --- exec resume ----------------------------------------------------------------------------------


@pytest.mark.parametrize("flag", ["-C .", "--cd .", "-s read-only", "--sandbox=read-only"])
def test_resume_rejects_cd_and_sandbox(flag: str) -> None:
    call = parse(f"codex exec resume --last {flag}")
    assert len(call.unknown) == 1
    assert call.unknown[0].reason == REASON_RESUME_UNSUPPORTED
    assert is_resume_unsupported(call.unknown[0].reason)
    assert call.sandbox is None and call.cd is None


def test_resume_last_takes_positional_as_prompt() -> None:
    call = parse("codex exec resume --last 'go on'")
    assert call.last
    assert call.session_id is None
    assert call.prompt is not None and call.prompt.text == "go on"
    assert call.prompt_source is PromptSource.POSITIONAL


def test_resume_session_and_prompt() -> None:
    call = parse("codex exec resume 0199-abc - --json -o out.txt")
    assert call.session_id is not None and call.session_id.text == "0199-abc"
    assert call.prompt_source is PromptSource.STDIN
    assert call.json and call.output_last_message is not None


def test_resume_flags_it_takes() -> None:
    cmd = (
        "codex exec resume --last --all --ephemeral -o f --json --output-schema s.json -m M "
        "-i img.png -c k=v --skip-git-repo-check --dangerously-bypass-approvals-and-sandbox p"
    )
    call = parse(cmd, OLD)
    assert call.unknown == ()
    assert call.ephemeral and call.output_schema is not None and call.bypass


def test_exec_options_before_resume_are_accepted() -> None:
    # Observed on 0.169.0: `codex exec -C /tmp resume --last hi` runs with `workdir: /tmp`.
    call = parse("codex exec -C /tmp resume --last hi")
    assert call.unknown == ()
    assert call.cd is not None and call.cd.text == "/tmp"


def test_review_and_fork_reject_exec_only_flags() -> None:
    call = parse("codex exec review -s read-only")
    assert reasons(call) == [("-s", "not accepted by exec review (give it before 'review')")]
    assert not is_resume_unsupported(call.unknown[0].reason)
    call = parse("codex exec fork SID -C .")
    assert reasons(call) == [("-C", "not accepted by exec fork (give it before 'fork')")]


def test_fork_session_and_prompt() -> None:
    call = parse("codex exec fork SID 'and now'")
    assert call.session_id is not None and call.session_id.text == "SID"
    assert call.prompt is not None and call.prompt.text == "and now"


def test_fork_requires_session() -> None:
    assert [r for _, r in reasons(parse("codex exec fork"))] == ["missing SESSION_ID for exec fork"]


def test_review_flags() -> None:
    call = parse("codex exec review --base main --title T --uncommitted 'look at auth'")
    assert call.unknown == ()
    assert call.prompt is not None and call.prompt.text == "look at auth"


# --- prompt forms ---------------------------------------------------------------------------------


def test_dash_prompt_is_stdin() -> None:
    call = parse("codex exec -C . -")
    assert call.prompt_source is PromptSource.STDIN
    assert call.prompt is not None and call.prompt.text == "-"


def test_no_prompt() -> None:
    call = parse("codex exec -s read-only")
    assert call.prompt_source is PromptSource.NONE and call.prompt is None


def test_double_dash_then_prompt() -> None:
    # FACTS.md: `codex exec -m M -- "$PROMPT"`
    call = parse("codex exec -m M -- '--not-a-flag'")
    assert call.unknown == ()
    assert call.prompt is not None and call.prompt.text == "--not-a-flag"


def test_flags_after_prompt() -> None:
    call = parse("codex exec 'do it' -s workspace-write --json")
    assert call.prompt is not None and call.prompt.text == "do it"
    assert call.sandbox == "workspace-write" and call.json


def test_second_positional_is_unexpected() -> None:
    assert reasons(parse("codex exec hello world")) == [("world", "unexpected argument")]


@pytest.mark.parametrize(
    "argv",
    [
        ("codex", "exec", dyn('"$A"'), "-C", ".", dyn('"$B"')),  # $A may be `--yolo`
        ("codex", "exec", dyn('"$MODE"'), "hello"),
        ("codex", "exec", "hello", dyn('"$EXTRA"')),  # $EXTRA may be `--json`
    ],
)
def test_a_word_known_only_at_run_time_may_be_a_flag(argv: tuple[object, ...]) -> None:
    argv_words = tuple(w if isinstance(w, Word) else words(str(w))[0] for w in argv)
    call = parse_codex_argv(argv_words)
    assert not [r for _, r in reasons(call) if r == "unexpected argument"]


# --- value forms and -c ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "form", ["-s read-only", "--sandbox read-only", "--sandbox=read-only", "-sread-only",
             "-s=read-only"],
)  # fmt: skip
def test_sandbox_value_forms(form: str) -> None:
    call = parse(f"codex exec {form} p")
    assert call.unknown == ()
    assert call.sandbox == "read-only"
    assert call.sandbox_word is not None and call.sandbox_word.text == "read-only"


def test_invalid_sandbox_value() -> None:
    call = parse("codex exec -s sandboxed p")
    assert reasons(call) == [("-s", "invalid value 'sandboxed' for --sandbox")]
    assert call.sandbox is None


@pytest.mark.parametrize(
    "form",
    ['-c sandbox_mode="danger-full-access"', "-c sandbox_mode=danger-full-access",
     "--config=sandbox_mode='danger-full-access'", '-csandbox_mode="danger-full-access"'],
)  # fmt: skip
def test_config_override_sandbox(form: str) -> None:
    # shlex removes the quotes as the shell would: codex sees sandbox_mode=danger-full-access.
    call = parse(f"codex exec {form} p")
    assert call.sandbox == "danger-full-access"
    assert call.sandbox_source is SandboxSource.CONFIG_OVERRIDE
    assert call.config_overrides[0][:2] == ("sandbox_mode", "danger-full-access")


def test_config_override_keeps_inner_quotes_stripped() -> None:
    w = [*words("codex exec -c"), Word('sandbox_mode="workspace-write"', True, Span(1, 4, 1, 4))]
    call = parse_codex_argv([*w, *words("p")])
    assert call.config_overrides[0][:2] == ("sandbox_mode", "workspace-write")
    assert call.sandbox == "workspace-write"


def test_flag_beats_config_override() -> None:
    # Assumption not in FACTS.md, observed on 0.169.0: -s wins over -c sandbox_mode.
    call = parse("codex exec -c sandbox_mode=danger-full-access -s read-only p")
    assert call.sandbox == "read-only" and call.sandbox_source is SandboxSource.FLAG


def test_last_config_override_wins() -> None:
    call = parse("codex -c sandbox_mode=danger-full-access exec -c sandbox_mode=workspace-write p")
    assert call.sandbox == "workspace-write"
    assert [k for k, _, _ in call.config_overrides] == ["sandbox_mode", "sandbox_mode"]


def test_other_config_overrides() -> None:
    call = parse("codex exec -c shell_environment_policy.inherit=all -c model='o3' p")
    assert [(k, v) for k, v, _ in call.config_overrides] == [
        ("shell_environment_policy.inherit", "all"),
        ("model", "o3"),
    ]


def test_bypass_wins_over_sandbox_flag() -> None:
    # Observed on 0.169.0: `exec -s read-only --yolo` runs `sandbox: danger-full-access`.
    call = parse("codex exec -s read-only --yolo p")
    assert call.bypass
    assert call.sandbox == "danger-full-access"
    assert call.sandbox_source is SandboxSource.BYPASS


def test_approve_for_me_selects_workspace_write() -> None:
    call = parse("codex exec --approve-for-me p")
    assert call.sandbox == "workspace-write" and call.sandbox_source is SandboxSource.FLAG
    conflict = parse("codex exec --approve-for-me -s read-only p")
    assert reasons(conflict) == [
        ("--approve-for-me", "--approve-for-me cannot be used with --sandbox")
    ]


def test_repeated_single_flag_is_rejected() -> None:
    call = parse("codex exec -m a -m b p")
    assert reasons(call) == [("-m", "--model cannot be used multiple times")]
    repeatable = parse("codex exec -c a=1 -c b=2 --add-dir x --add-dir y --enable f --enable g p")
    assert repeatable.unknown == ()
    assert [w.text for w in repeatable.add_dirs] == ["x", "y"]


def test_missing_and_unexpected_values() -> None:
    assert reasons(parse("codex exec -C")) == [("-C", "missing value for --cd")]
    assert reasons(parse("codex exec -C --json p")) == [("-C", "missing value for --cd")]
    assert reasons(parse("codex exec --json=true p")) == [("--json", "unexpected value for --json")]


def test_color_and_cyber_values() -> None:
    assert parse("codex exec --color never p").unknown == ()
    assert reasons(parse("codex exec --color=bad p")) == [
        ("--color", "invalid value 'bad' for --color")
    ]
    assert reasons(parse("codex exec --cyber-access-program x p")) == [
        ("--cyber-access-program", "invalid value 'x' for --cyber-access-program")
    ]
    # --local-provider's value is not checked by clap (observed on 0.169.0)
    assert parse("codex exec --oss --local-provider foo p").unknown == ()


def test_unknown_flag() -> None:
    call = parse("codex exec --frobnicate p")
    assert reasons(call) == [("--frobnicate", "unknown flag")]


def test_greedy_image_swallows_prompt() -> None:
    # `-i, --image <FILE>...`: observed on 0.169.0, `codex exec -i a.png hello` reads the prompt
    # from stdin ("hello" became an image).
    call = parse("codex exec -i a.png hello")
    assert call.prompt is None and call.prompt_source is PromptSource.NONE
    assert call.extra["image_swallowed"] == "hello"
    fine = parse("codex exec -i a.png -- hello")
    assert fine.prompt is not None and fine.prompt.text == "hello"
    single = parse("codex exec resume --last -i a.png hello")  # resume: `-i <FILE>`, one value
    assert single.prompt is not None and single.prompt.text == "hello"


def test_help_flag_noted() -> None:
    assert parse("codex exec --help").extra["prints_and_exits"] == "1"


# --- every field ----------------------------------------------------------------------------------


def test_all_exec_fields() -> None:
    cmd = ("codex exec -C /repo --add-dir /a --add-dir /b -p worker -o last.txt --json "
           "--output-schema schema.json --ephemeral -s workspace-write -")  # fmt: skip
    call = parse(cmd)
    assert call.unknown == ()
    assert call.cd is not None and call.cd.text == "/repo"
    assert [w.text for w in call.add_dirs] == ["/a", "/b"]
    assert call.profile is not None and call.profile.text == "worker"
    assert call.output_last_message is not None and call.output_last_message.text == "last.txt"
    assert call.json
    assert call.output_schema is not None and call.output_schema.text == "schema.json"
    assert call.ephemeral and call.ephemeral_word is not None
    assert call.ephemeral_word.text == "--ephemeral"
    assert call.sandbox == "workspace-write"
    assert call.prompt_source is PromptSource.STDIN
    assert flag_names(call)[:3] == ["--cd", "--add-dir", "--add-dir"]


# --- login ----------------------------------------------------------------------------------------


def test_login_with_api_key() -> None:
    call = parse("codex login --with-api-key")
    assert call.subcommand is Subcommand.LOGIN and call.with_api_key
    assert not parse("codex login --device-auth").with_api_key
    assert not parse("codex login --with-access-token").with_api_key


def test_login_with_api_key_before_status() -> None:
    # observed on 0.169.0: `codex login --with-api-key status` is accepted (status runs)
    call = parse("codex login --with-api-key status")
    assert call.subcommand is Subcommand.LOGIN_STATUS and call.with_api_key


def test_login_status_rejects_login_flags() -> None:
    call = parse("codex login status --with-api-key")
    assert reasons(call) == [
        ("--with-api-key", "not accepted by login status (give it before 'status')")
    ]
    assert not call.with_api_key


def test_login_rejects_top_level_flags() -> None:
    assert reasons(parse("codex login --yolo")) == [
        ("--yolo", "not accepted by login (top-level only)")
    ]


# --- dynamic words --------------------------------------------------------------------------------


def test_dynamic_flag_value_is_fine() -> None:
    call = parse_codex_argv([*words("codex exec -C"), dyn("$REPO", '"$REPO"'), *words("p")])
    assert call.unknown == ()
    assert call.cd is not None and call.cd.text == "$REPO"
    assert not call.dynamic_args


def test_dynamic_sandbox_value() -> None:
    call = parse_codex_argv([*words("codex exec -s"), dyn("$MODE", '"$MODE"'), *words("p")])
    assert call.unknown == ()
    assert call.sandbox is None and call.sandbox_source is SandboxSource.FLAG


def test_array_splat_suppresses_unexpected_positionals() -> None:
    call = parse_codex_argv(
        [*words("codex exec"), dyn("${ARGS[@]}", '"${ARGS[@]}"'), *words("p q")]
    )
    assert call.dynamic_args
    assert call.unknown == ()


@pytest.mark.parametrize("raw", ['"$@"', "$*", '"${EXTRA[*]}"'])
def test_splats(raw: str) -> None:
    call = parse_codex_argv([*words("codex exec -s read-only"), dyn(raw)])
    assert call.dynamic_args
    assert call.prompt is None  # unknown: the array may hold `-` or a prompt


def test_unquoted_scalar_may_split() -> None:
    call = parse_codex_argv([*words("codex exec"), dyn("$FLAGS", "$FLAGS"), *words("'p'")])
    assert call.dynamic_args and call.unknown == ()
    assert call.prompt is not None and call.prompt.text == "p"
    only = parse_codex_argv([*words("codex exec"), dyn("$PROMPT", "$PROMPT")])
    assert only.prompt is not None and only.prompt_source is PromptSource.POSITIONAL


def test_quoted_dynamic_prompt() -> None:
    call = parse_codex_argv([*words("codex exec -s read-only"), dyn("$PROMPT", '"$PROMPT"')])
    assert call.prompt_source is PromptSource.POSITIONAL and not call.dynamic_args


# --- robustness -----------------------------------------------------------------------------------


def test_empty_and_tiny_inputs() -> None:
    assert parse_codex_argv([]).subcommand in (Subcommand.INTERACTIVE, Subcommand.OTHER)
    assert parse_codex_argv(words("codex")).subcommand is Subcommand.INTERACTIVE
    for text in ["-", "--", "-=", "--=", "-s=", "---", "-\u00e9", "", "=", "-c", "--config="]:
        parse_codex_argv([*words("codex exec"), Word(text, True, Span(1, 1, 1, 1))])


_VOCAB = [
    "exec", "e", "resume", "review", "fork", "login", "status", "help", "mcp", "-", "--", "-s",
    "--sandbox", "read-only", "danger-full-access", "sandboxed", "-c", "sandbox_mode=x", "-C",
    "--yolo", "--full-auto", "-a", "never", "--search", "--last", "-i", "-o", "--json", "-sx",
    "--sandbox=", "-cfoo", "--with-api-key", "-hV", "-", "p", "", "--approve-for-me", "-x",
    "--output-schema", "--ephemeral", "=", "-p", "--cd=.", "-Cs",
]  # fmt: skip


@pytest.mark.parametrize("version", [OLD, NEW, None, "garbage"])
def test_random_argv_never_raises(version: str | None) -> None:
    rng = random.Random(1234)
    for _ in range(1500):
        argv = [Word("codex", True, Span(1, 1, 1, 1))]
        for _ in range(rng.randint(0, 9)):
            literal = rng.random() > 0.15
            text = rng.choice(_VOCAB) if literal else rng.choice(["$X", "${A[@]}", "$@", "$(x)"])
            argv.append(Word(text, literal, Span(1, 1, 1, 1), text))
        call = parse_codex_argv(argv, version=version)
        assert "parse_error" not in call.extra, (argv, call.extra)


def test_dynamic_config_override_sandbox() -> None:
    call = parse_codex_argv([*words("codex exec -c"), dyn("sandbox_mode=$MODE", '"sandbox_mode=$MODE"'),
                             *words("p")])  # fmt: skip
    assert call.sandbox is None
    assert call.sandbox_source is SandboxSource.CONFIG_OVERRIDE
    assert call.config_overrides[0][:2] == ("sandbox_mode", "$MODE")


def test_glued_dynamic_value() -> None:
    call = parse_codex_argv([*words("codex exec"), dyn("-C$DIR", '-C"$DIR"'), *words("p")])
    assert call.unknown == () and not call.dynamic_args
    assert call.cd is not None and call.cd.text == "$DIR"


def test_resume_without_prompt_reads_stdin() -> None:
    # observed on 0.169.0: `codex exec resume SID` with no prompt says "Reading prompt from stdin"
    call = parse("codex exec resume SID")
    assert call.session_id is not None and call.prompt_source is PromptSource.NONE


def test_shell_parser_words() -> None:
    """Words as the shell layer makes them (raw keeps the quotes)."""
    from guard.shell.walk import parse as parse_shell

    script = parse_shell('codex exec -s read-only "${ARGS[@]}" "$PROMPT" </dev/null')
    call = parse_codex_argv(script.commands[0].argv)
    assert call.dynamic_args and call.unknown == ()
    assert call.prompt is not None and call.prompt.text == "$PROMPT"
    assert call.sandbox == "read-only"
