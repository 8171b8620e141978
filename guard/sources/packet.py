"""Dispatch packets (/work/shared/PACKETS.md): YAML or JSON files an orchestrator hands a lane.

One snippet a packet: the command it carries, as the shell line it amounts to, run in the PACKET
context (an orchestrator's spawn: stdin is a pipe, nobody at a terminal), with the packet's `env`
as the snippet's external env (merged over the ambient env at spawn, so every billing rule sees
it), its `lane` as the lane directive of the command, and its `workspace` as the root the path
rules judge from. What only the packet's structure says (schema errors, `auth_guard: false`,
missing evidence, a path field outside the workspace) becomes the snippet's facts.

A packet that is not valid JSON or YAML is CG701 (packet-invalid, error) at the syntax error's
line, not CG901: a packet the orchestrator cannot read must fail the lint, not warn.
"""

from __future__ import annotations

import json
import os
import shlex
from typing import Any

from guard.fastclass import replace
from guard.sources.base import SourceError
from guard.sources.snippet import RunContext, Snippet, SourceFact
from guard.sources.yamlnodes import block_indent, compose, folded_places, folded_rows, node_get

PROMPT_END = "CODEX_PACKET_PROMPT"
MAX_SCHEMA_FACTS = 20  # a file that is not a packet at all gets a few lines, not hundreds


def _load(text: str, path: str) -> tuple[Any, Any]:
    """(data, YAML node tree for line marks). JSON is read as JSON (YAML 1.1 would turn a JSON
    string such as "on" into nothing different, but its escapes differ); marks come from the
    YAML composer, which reads nearly all JSON, else every line is 1."""
    if path.lower().endswith(".json"):
        try:
            data = json.loads(text)
        except ValueError as exc:
            line = getattr(exc, "lineno", 1)
            column = getattr(exc, "colno", 1)
            msg = getattr(exc, "msg", "syntax error")
            raise SourceError(f"not valid JSON: {msg}", line, column) from None
        try:
            root = compose(text)
        except SourceError:
            root = None
        return data, root
    import yaml

    root = compose(text)  # a SourceError at the syntax error's line
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:  # composes but does not construct (a bad tag)
        mark = getattr(exc, "problem_mark", None)
        raise SourceError("not valid YAML", mark.line + 1 if mark else 1) from None
    return data, root


def _node_at(root: Any, loc: tuple[str | int, ...]) -> tuple[Any, Any]:
    """(key node, value node) of the deepest part of `loc` found in the tree."""
    import yaml

    key_node: Any = None
    node = root
    for part in loc:
        if isinstance(node, yaml.MappingNode) and isinstance(part, str):
            for k, v in node.value:
                if isinstance(k, yaml.ScalarNode) and k.value == part:
                    key_node, node = k, v
                    break
            else:
                return key_node, node
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int):
            if not 0 <= part < len(node.value):
                return key_node, node
            key_node, node = None, node.value[part]
        else:
            return key_node, node
    return key_node, node


def _line(root: Any, loc: tuple[str | int, ...]) -> int:
    """The 1-based file line of `loc` (its key where it has one); 1 when unknown."""
    if root is None:
        return 1
    key_node, node = _node_at(root, loc)
    mark_of = key_node if key_node is not None else node
    return int(mark_of.start_mark.line) + 1 if mark_of is not None else 1


def _unknown_key_line(root: Any, loc: tuple[str | int, ...]) -> int:
    """An unknown key's own line (pydantic names it as the last part of `loc`)."""
    return _line(root, loc)


def _schema_facts(root: Any, errors: list[tuple[tuple[str | int, ...], str]]) -> list[SourceFact]:
    facts = [
        SourceFact("CG701", _unknown_key_line(root, loc), message=message)
        for loc, message in errors[:MAX_SCHEMA_FACTS]
    ]
    return facts


def _env_pairs(data: Any, root: Any) -> tuple[tuple[str, str, int], ...]:
    """The packet's `env`, read even from a packet that does not validate: a key there still
    reaches the spawn of an orchestrator that does not validate either."""
    env = data.get("env") if isinstance(data, dict) else None
    if not isinstance(env, dict):
        return ()
    return tuple(
        (str(name), "" if value is None else str(value), _line(root, ("env", str(name))))
        for name, value in env.items()
    )


def _workspace_dir(path: str, workspace: str) -> str:
    base = os.path.dirname(os.path.abspath(path))
    return os.path.normpath(os.path.join(base, workspace))


def _inside(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip("/") + "/")


def _path_facts(packet: Any, root: Any, workspace: str) -> list[SourceFact]:
    """CG504 for a path field (`prompt_file`, `output.*`) outside the workspace; a symlink that
    exists is followed."""
    from guard import filereads

    facts: list[SourceFact] = []
    real_root = filereads.real_noted(workspace)  # the lint cache: a link made or moved is a miss
    for name, value in packet.paths():
        joined = os.path.normpath(os.path.join(workspace, value))
        real_joined = filereads.real_noted(joined)
        escaped = (
            not _inside(real_joined, real_root)
            if os.path.lexists(joined)
            else not _inside(joined, workspace)
        )
        if escaped:
            facts.append(
                SourceFact(
                    "CG504",
                    _line(root, tuple(name.split("."))),
                    params=(
                        ("flag", name),
                        ("path", value),
                        ("where", f"the workspace {workspace}"),
                    ),
                )
            )
    return facts


def _evidence_facts(packet: Any, root: Any) -> list[SourceFact]:
    """CG704: a validator must say what it must run, and once it reports, report every one."""
    if packet.lane not in ("validator", "net-validator"):
        return []
    evidence = packet.evidence
    if evidence is None or not evidence.required_commands:
        where = ("evidence", "required_commands") if evidence is not None else ("lane",)
        return [
            SourceFact(
                "CG704",
                _line(root, where),
                message="a validator packet with no `evidence.required_commands`: its verdict "
                "cannot be checked against the commands it had to run",
            )
        ]
    if not evidence.results:
        return []  # not reported yet: the lane fills `results` in
    reported = {r.command for r in evidence.results}
    return [
        SourceFact(
            "CG704",
            _line(root, ("evidence", "required_commands", index)),
            message=f"required command `{command}` has no recorded result",
        )
        for index, command in enumerate(evidence.required_commands)
        if command not in reported
    ]


def _laid_out(argv: list[str], items: list[Any]) -> str:
    """An argv list as a shell command whose every word sits at its item's place in the file
    (lines from the first item's, columns absolute): a finding on `danger-full-access` points at
    that item, not at a column of the list joined into one string. Lines end in `\\` so the
    words stay one command; a word quoted longer than it is written pushes the next one right."""
    first = int(items[0].start_mark.line)
    rows: list[str] = [""]
    for word, item in zip(argv, items, strict=True):
        quote = 1 if item.style in ("'", '"') else 0
        line, column = int(item.start_mark.line) - first, int(item.start_mark.column) + quote
        while len(rows) <= line:
            rows[-1] += " \\"  # a continuation (alone on a line between items, too)
            rows.append("")
        row = rows[-1]
        rows[-1] = row + " " * max(column - len(row), 1 if row.strip() else 0) + shlex.quote(word)
    return "\n".join(rows)


def _argv_items(root: Any, argv: list[str]) -> list[Any] | None:
    """The YAML/JSON item nodes of a command list, when they are its words in order."""
    import yaml

    node = node_get(root, "command")
    if not isinstance(node, yaml.SequenceNode) or len(node.value) != len(argv):
        return None
    items = list(node.value)
    words = zip(items, argv, strict=True)
    if not all(isinstance(i, yaml.ScalarNode) and i.value == w for i, w in words):
        return None
    marks = [(int(i.start_mark.line), int(i.start_mark.column)) for i in items]
    return items if marks == sorted(set(marks)) else None


def _command_text(packet: Any, items: list[Any] | None = None, prompted: bool = True) -> str:
    """The shell line the packet's command amounts to, with the prompt fed the way the
    orchestrator feeds it: on stdin when the command reads it (`-` or no prompt argument);
    nothing fed for a packet that gives no prompt."""
    argv = packet.command
    line = shlex.join(argv) if isinstance(argv, list) else argv
    if isinstance(argv, list) and items:
        line = _laid_out(argv, items)
    words = argv if isinstance(argv, list) else line.split()
    if not words or words[-1] != "-" or not prompted:
        return line
    if packet.prompt_file is not None:
        return f"{line} < {shlex.quote(packet.prompt_file)}"
    prompt = packet.prompt or ""
    return f"{line} <<'{PROMPT_END}'\n{prompt.rstrip(chr(10))}\n{PROMPT_END}"


def _declared(packet: Any, root: Any, workspace: str) -> tuple[tuple[str, str, int], ...]:
    return (
        ("sandbox", packet.sandbox, _line(root, ("sandbox",))),
        ("lane", packet.lane, _line(root, ("lane",))),
        ("workspace", workspace, _line(root, ("workspace",))),
    )


def _command_position(root: Any) -> tuple[int, int]:
    """(0-based line, column) of the command's value: findings on the command point there."""
    import yaml

    node = node_get(root, "command")
    if node is None:
        return 0, 0
    if isinstance(node, yaml.ScalarNode) and node.style in ("|", ">"):
        return int(node.start_mark.line) + 1, 0
    return int(node.start_mark.line), int(node.start_mark.column)


# Stand-ins for required fields a packet leaves out, which only label the run or declare what
# its command should be (`_valid_rest`): the rest of the packet is read with them, and they
# declare nothing (no lane directive, no declared sandbox or workspace, no path judged from it).
_STAND_INS: dict[str, object] = {
    "kind": "codex-packet",
    "version": 1,
    "id": "?",
    "lane": "worker",
    "sandbox": "read-only",
    "workspace": ".",
}


def _valid_rest(
    data: Any, errors: list[tuple[tuple[str | int, ...], str]]
) -> tuple[Any, frozenset[str], bool]:
    """What an orchestrator that does not validate still runs: the packet without the top-level
    fields its schema errors are in (a typo'd key, a bad optional field), and with the required
    fields it leaves out but `command` (`id`, `lane`, `sandbox`, `workspace`, the prompt...)
    missing: it spawns the command all the same, in its own folder. Its command and
    `auth_guard: false` are checked as any packet's, so a field typo'd or left out never hides
    `--yolo` or a guard turned off. Returns (the packet or None when nothing is left to run: no
    command, or a required field that is there but wrong; the fields stood in for; whether the
    prompt is given)."""
    from guard.packets import validation_errors

    if not isinstance(data, dict) or "command" not in data:
        return None, frozenset(), True
    prompted = "prompt" in data or "prompt_file" in data
    bad = {loc[0] for loc, _message in errors if loc and loc[0] in data}
    if bad & _STAND_INS.keys():
        return None, frozenset(), True  # (a wrong kind or version is another format)
    rest = {k: v for k, v in data.items() if k not in bad}
    missing = frozenset(_STAND_INS.keys() - rest.keys())
    rest.update((name, _STAND_INS[name]) for name in missing)
    if not prompted:
        rest["prompt"] = ""  # (nothing is fed: `_command_text` is told so)
    elif "prompt" in rest and "prompt_file" in rest:
        del rest["prompt"]  # both: the orchestrator feeds one of them
    packet, _errors = validation_errors(rest)
    return packet, missing, prompted


def _claims_packet(data: Any, path: str) -> bool:
    """A packet by name (`*.packet.yaml`), or a mapping whose `kind` is not something else: a
    file the config's `packets:` globs name with no `kind` at all is a packet missing a field."""
    from guard.sources.detect import PACKET_SUFFIXES

    if path.lower().endswith(PACKET_SUFFIXES):
        return True
    return isinstance(data, dict) and data.get("kind", "codex-packet") == "codex-packet"


def extract(text: str, path: str) -> list[Snippet]:
    from guard.packets import validation_errors

    try:
        data, root = _load(text, path)
    except SourceError as exc:
        fact = SourceFact("CG701", exc.line, exc.column, message=exc.message)
        return [Snippet(text="", path=path, context=RunContext.PACKET, facts=(fact,))]
    if not _claims_packet(data, path):
        return []  # `"kind": "codex-packet"` seen, but not at the top level: not a packet
    env = _env_pairs(data, root)
    packet, errors = validation_errors(data)
    schema: list[SourceFact] = []
    missing: frozenset[str] = frozenset()
    prompted = True
    if packet is None:
        schema = _schema_facts(root, errors)
        packet, missing, prompted = _valid_rest(data, errors)
        if packet is None:
            return [
                Snippet(
                    text="",
                    path=path,
                    context=RunContext.PACKET,
                    facts=tuple(schema),
                    external_env=env,
                )
            ]
    workspace = _workspace_dir(path, packet.workspace)
    paths = _path_facts(packet, root, workspace) if "workspace" not in missing else []
    facts = [*schema, *paths, *_evidence_facts(packet, root)]
    if not packet.auth_guard:
        facts.append(SourceFact("CG705", _line(root, ("auth_guard",))))
    line, column = _command_position(root)
    items = _argv_items(root, packet.command) if isinstance(packet.command, list) else None
    if items:  # the words are laid out at their own places: the text starts at the file's line
        line, column = int(items[0].start_mark.line), 0
    declared = tuple(d for d in _declared(packet, root, workspace) if d[0] not in missing)
    snippet = Snippet(
        text=_command_text(packet, items, prompted),
        path=path,
        line_offset=line,
        column_offset=column,
        context=RunContext.PACKET,
        external_env=env,
        lane_directives=((line + 1, packet.lane),) if "lane" not in missing else (),
        facts=tuple(facts),
        declared=declared,
    )
    return [_folded(snippet, root, text)]


def _folded(snippet: Snippet, root: Any, text: str) -> Snippet:
    """A command written as a folded block (`command: >`) is the text YAML folds, run as one
    line; its ``line_map`` and ``joins`` put each word back on the file line it is written on."""
    import yaml

    node = node_get(root, "command")
    if not isinstance(node, yaml.ScalarNode) or node.style != ">":
        return snippet
    lines = text.split("\n")
    first = snippet.line_offset
    rows = folded_rows(node.value, lines, first, block_indent(lines, first))
    if rows is None:
        return snippet
    line_map, joins = folded_places(rows, first)
    return replace(snippet, column_offset=0, line_map=line_map, joins=joins)
