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
# Where VERDICT_PROMPT matches, what makes it a request for a verdict (RULES.md: "a prompt that
# asks to validate/judge/output VERDICT"), not a coding task about validation ("Fix the
# validation error", "Add a validate() method", "Implement the verdict parser"):
# the skill's contract word as it writes it, PASS|FAIL, the role, or a verdict to output ...
_VERDICT_CONTRACT = lazy_compile(
    r"\bVERDICT\b|\bPASS\s*(?:[|/]|or)\s*FAIL\b"
    r"|(?i:\b(?:you\s+are|act\s+as|acting\s+as|as)\s+(?:an?\s+|the\s+)?(?:[\w-]+\s+)?"
    r"(?:validator|judge|verifier)\b)"
    r"|(?i:\b(?:output|emit|return|print|give|report|produce|state|write|reply\s+with|"
    r"respond\s+with|answer\s+with|end\s+with)\b[^.;:\n]{0,40}?\bverdict\b"
    r"(?!\s+(?:parser|module|function|class|method|type|struct|handler|logic|code|field|"
    r"column|table|model|enum|endpoint|api)\b))"
)
_CONTRACT_WORD = lazy_compile(r"\bVERDICT\b")
# ... or "validate"/"judge" as the verb of the first clause that has one of these verbs ("Validate
# the change", "run pytest and then validate it"): "Fix X and validate it with pytest" is a
# worker checking its own work.
_CLAUSE_VERB = (
    r"(?:^|[.;:!?\n]\s*|\b(?:and|then|please|now|also|first|finally)\s+)"
    r"(?:(?:please|now|then|independently|carefully|strictly|thoroughly|also)\s+)*"
)
_JUDGE_VERB = lazy_compile(_CLAUSE_VERB + r"(?:validate|judge)\b", re.IGNORECASE)
_EDIT_VERB = lazy_compile(
    _CLAUSE_VERB + r"(?:fix|implement|add|write|refactor|create|update|build|remove|rename|"
    r"migrate|delete|change|modify|edit|make|port|convert|rewrite|introduce|extend|improve|"
    r"optimi[sz]e|clean\s+up|bump|upgrade|patch|resolve|address)\b",
    re.IGNORECASE,
)


def asks_for_verdict(prompt: str) -> bool:
    """Does the prompt ask the run to validate or judge (a validator's prompt)?"""
    if VERDICT_PROMPT.search(prompt) is None:
        return False  # the cheap common case: no such word at all
    if "VERDICT" in prompt and _CONTRACT_WORD.search(prompt) is not None:
        return True  # the skill's own validator prompts: no need for the slower patterns
    if _VERDICT_CONTRACT.search(prompt) is not None:
        return True
    judge = _JUDGE_VERB.search(prompt)
    if judge is None:
        return False
    edit = _EDIT_VERB.search(prompt)
    # The task is the first clause's: "Validate the change and make sure the tests pass" is a
    # judge's, "Fix the bug and validate the fix with pytest" a worker's.
    return edit is None or judge.start() < edit.start()


# What a validator's prompt asks for when it must reach the network (the skill: git fetch, clone,
# a Dolt-mode ledger, any API endpoint); under read-only those fail on connect and false-FAIL.
NETWORK_PROMPT = lazy_compile(
    r"\bgit\s+(fetch|clone|pull|ls-remote|push)\b|\b(fetch|clone|pull|download)\b"
    r"|\bcurl\b|\bwget\b|\bhttps?://|\bledger\b|\bnetwork\b"
    r"|\b(call|hit|reach|query)\s+(the\s+|an?\s+)?([\w-]+\s+)?(API|endpoint)s?\b"
    r"|\b(npm|pip|cargo)\s+install\b",
    re.IGNORECASE,
)
# A word that, in front of a network word, says the run must NOT reach the network ("do not
# fetch", "no network", "without network access", "never clone", "an offline mirror").
_NEGATOR = lazy_compile(
    r"\b(?:do\s+not|don'?t|does\s+not|doesn'?t|must\s+not|mustn'?t|should\s+not|shouldn'?t|"
    r"cannot|can'?t|never|no|not|nor|without|offline|nothing\s+to)\s*$",
    re.IGNORECASE,
)
# Words that may stand between a negator and the network words it governs ("do not use the
# network", "do not fetch, clone or pull anything", "no outbound git fetch"): any other word
# ("do not edit files and fetch origin") ends the negation's reach.
_NEGATED_FILLER = frozenset(
    {"use", "run", "try", "to", "attempt", "access", "any", "the", "a", "an", "or", "and", "nor",
     "reach", "need", "call", "perform", "make", "do", "git", "outbound", "external", "remote",
     "internet", "web", "http", "https", "from", "over"}
)  # fmt: skip
# After a network word: the clause says it is not wanted ("fetch nothing", "network access is
# not needed", "the network is disabled").
_NEGATED_AFTER = lazy_compile(
    r"\s+(?:nothing|(?:access\s+|connections?\s+)?(?:is|are|will\s+be)\s+(?:not\s+(?:needed|required|"
    r"allowed|available|permitted|necessary)|disabled|blocked|forbidden|unavailable|off)\b)",
    re.IGNORECASE,
)
# A URL the prompt only cites ("the change described at https://...", "see https://..."): the
# judge is not asked to open it.
_CITED_URL = lazy_compile(
    r"(?:\b(?:described|documented|explained|specified|defined|reported|tracked|filed|"
    r"discussed|listed|linked)\s+(?:at|in|on|by|from)|\bsee(?:\s+also)?|\bper|\bcf\.?|"
    r"\baccording\s+to|\b(?:reference|ref|source|link|issue|ticket|spec)s?:?)\s*\(?<?$",
    re.IGNORECASE,
)
# A network word that names code under review ("does the new git pull wrapper handle errors?",
# "the fetch helper's retries"), not an action the judge takes: a determiner before it and a
# noun of code right after it. "Fetch the code" has neither, so it still counts.
_DETERMINED = lazy_compile(
    r"\b(?:the|a|an|this|that|our|its|their|your|new|old|existing)\s+(?:[\w-]+\s+)?$",
    re.IGNORECASE,
)
_CODE_NOUN = lazy_compile(
    r"(?:'s)?\s+(?:wrapper|function|helper|script|module|code|logic|handler|method|class|"
    r"routine|implementation|retry|retries|timeout|tests?)\b",
    re.IGNORECASE,
)
# ...unless a verb right before it runs that code ("run the fetch script").
_RUNS_CODE = lazy_compile(
    r"\b(?:run|runs|running|execute|executing|invoke|invoking|call|calling|use|using|start|"
    r"starting|launch|launching|with|via|through)\s+(?:the\s+|a\s+|our\s+|this\s+)?"
    r"(?:[\w-]+\s+)?$",
    re.IGNORECASE,
)
# How far back a negator or a citation is looked for: one clause, not the whole prompt.
_LOOK_BACK = 120
_CLAUSE_BREAK = lazy_compile(r"[.;:!?\n]")


def _clause_before(prompt: str, start: int) -> str:
    """The text of the match's clause before it (sentences and `;` bound it; commas do not:
    "do not fetch, clone or pull" is one negation)."""
    text = prompt[max(0, start - _LOOK_BACK) : start]
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(text)]
    return text[breaks[-1] :] if breaks else text


def _negated(before: str, prompt: str, end: int) -> bool:
    """Is the network word told not to happen, by a negator ahead of it that only filler and
    other network words separate from it, or by the words after it?"""
    if _NEGATED_AFTER.match(prompt, end) is not None:
        return True
    words = before.replace(",", " ").split()
    while words:
        if _NEGATOR.search(" ".join(words)) is not None:
            return True
        last = words.pop().lower()
        if last not in _NEGATED_FILLER and NETWORK_PROMPT.fullmatch(last) is None:
            return False
    return False


def _counts(prompt: str, start: int, end: int) -> bool:
    """Does the network word at prompt[start:end] ask the run to reach the network? Not when
    it is negated, a cited URL, or the name of code the judge reads."""
    before = _clause_before(prompt, start)
    if _negated(before, prompt, end):
        return False
    if prompt[start:end].lower().startswith("http") and _CITED_URL.search(before) is not None:
        return False
    if _DETERMINED.search(before) is None or _CODE_NOUN.match(prompt, end) is None:
        return True
    return _RUNS_CODE.search(before) is not None


def needs_network(prompt: str) -> bool:
    """Does the prompt ask for the network? A mention that says not to, cites a URL or names
    code under review ("no network", "described at https://...", "the git pull wrapper") is
    no such need: a false CG304 is as bad as a missed one."""
    return any(_counts(prompt, m.start(), m.end()) for m in NETWORK_PROMPT.finditer(prompt))


def infer_lane(call: CodexCall, prompt: str) -> str | None:
    """A validator is a run that must answer with a verdict; nothing else is guessed.

    A validator whose prompt needs the network is a net-validator (RULES.md, lanes).
    """
    outputs = " ".join(
        w.text for w in (call.output_last_message, call.output_schema) if w is not None
    )
    if VERDICT_OUTPUT.search(outputs) or asks_for_verdict(prompt):
        return "net-validator" if needs_network(prompt) else "validator"
    return None
