"""Lanes (RULES.md CG3xx): which job a codex run does, and so which sandbox it should have.

A lane comes from, in order: an inline directive, a packet's `lane`, the config's profile->lane map,
then inference from the run itself (a verdict-shaped output or a prompt that asks for a verdict).
"""

from __future__ import annotations

from guard.codex.call import CodexCall
from guard.lazyre import lazy_compile
from guard.lazyre import lazy_re as re

# "Report PASS/FAIL" alone is how the skill's own worker prompts end: not a verdict lane.
VERDICT_PROMPT = lazy_compile(
    r"\bVERDICT\b|\bvalidat(e|or|ion)\b|\bjudge\b",
    re.IGNORECASE,
    needs=("verdict", "validat", "judge"),
)
VERDICT_OUTPUT = lazy_compile(r"verdict", re.IGNORECASE, needs=("verdict",))
# What a validator's prompt asks for when it must reach the network (the skill: git fetch, clone,
# a Dolt-mode ledger, any API endpoint); under read-only those fail on connect and false-FAIL.
NETWORK_PROMPT = lazy_compile(
    r"\bgit\s+(fetch|clone|pull|ls-remote|push)\b|\b(fetch|clone|pull|download)\b"
    r"|\bcurl\b|\bwget\b|\bhttps?://|\bledger\b|\bnetwork\b"
    r"|\b(call|hit|reach|query)\s+(the\s+|an?\s+)?([\w-]+\s+)?(API|endpoint)s?\b"
    r"|\b(npm|pip|cargo)\s+install\b",
    re.IGNORECASE,
)


def infer_lane(call: CodexCall, prompt: str) -> str | None:
    """A validator is a run that must answer with a verdict; nothing else is guessed.

    A validator whose prompt needs the network is a net-validator (RULES.md, lanes).
    """
    outputs = " ".join(
        w.text for w in (call.output_last_message, call.output_schema) if w is not None
    )
    if VERDICT_OUTPUT.search(outputs) or VERDICT_PROMPT.search(prompt):
        return "net-validator" if NETWORK_PROMPT.search(prompt) else "validator"
    return None


def needs_network(prompt: str) -> bool:
    return bool(NETWORK_PROMPT.search(prompt))
