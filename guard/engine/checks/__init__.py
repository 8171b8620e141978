"""Named checks: the rules that a declarative match cannot express. Registered once, here."""

from __future__ import annotations

from guard.engine.checks import (
    billing,
    codexconfig,
    linter,
    packets,
    results,
    sandbox,
    sessions,
    stdin,
    trust,
    workspace,
)
from guard.engine.checks.facts import source_facts_only
from guard.engine.context import CheckContext, Hit

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the agent hook's path does not import typing
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    Check = Callable[[CheckContext], Iterator[Hit]]

CHECKS: dict[str, Check] = {
    "api_key_in_env": billing.api_key_in_env,
    "api_key_login": billing.api_key_login,
    "env_file_injection": billing.env_file_injection,
    "no_auth_gate": billing.no_auth_gate,
    "positional_prompt_open_stdin": stdin.positional_prompt_open_stdin,
    "stdin_prompt_without_input": stdin.stdin_prompt_without_input,
    "prompt_plus_piped_stdin": stdin.prompt_plus_piped_stdin,
    "loop_input_swallowed": stdin.loop_input_swallowed,
    "stdin_prompt_never_ends": stdin.stdin_prompt_never_ends,
    "implicit_sandbox": sandbox.implicit_sandbox,
    "lane_sandbox_mismatch": sandbox.lane_sandbox_mismatch,
    "unsandboxed_host_full_access": sandbox.unsandboxed_host_full_access,
    "network_validator_false_fail": sandbox.network_validator_false_fail,
    "untrusted_prompt_wide_sandbox": sandbox.untrusted_prompt_wide_sandbox,
    "hook_trust_bypassed": trust.hook_trust_bypassed,
    "ephemeral_resumable": sessions.ephemeral_resumable,
    "resume_unsupported_flag": sessions.resume_unsupported_flag,
    "resume_last_wrong_cwd": sessions.resume_last_wrong_cwd,
    "ephemeral_ignored_on_resume": sessions.ephemeral_ignored_on_resume,
    "commit_without_tmpdir": workspace.commit_without_tmpdir,
    "hand_set_codex_home": workspace.hand_set_codex_home,
    "implicit_working_root": workspace.implicit_working_root,
    "path_escape": workspace.path_escape,
    "scraped_result": results.scraped_result,
    "exit_status_ignored": results.exit_status_ignored,
    "parse_error": linter.parse_error,
    "dynamic_command": linter.dynamic_command,
    "unknown_codex_flag": linter.unknown_codex_flag,
    "packet_invalid": source_facts_only,
    "packet_env_injection": packets.packet_env_injection,
    "packet_command_mismatch": packets.packet_command_mismatch,
    "packet_evidence_missing": source_facts_only,
    "auth_guard_disabled": packets.auth_guard_disabled,
    "codex_action_unsafe": source_facts_only,
    "config_api_auth": codexconfig.config_api_auth,
    "config_login_not_forced": codexconfig.config_login_not_forced,
    "config_full_access_profile": codexconfig.config_full_access_profile,
    "config_env_passes_key": codexconfig.config_env_passes_key,
}

# Checks that run outside the shell pipeline: the verdict file checker (`codex-guard verdict`)
# and the directive pass (suppressions are judged after every other rule).
NOT_SHELL_CHECKS = frozenset({"verdict_contract", "unexplained_suppression"})
