"""The dispatch packet, version 1 (/work/shared/PACKETS.md), as a pydantic model.

A packet is the file an orchestrator hands to one lane. Unknown keys are errors, so a typo such as
`evn:` cannot silently drop a field. pydantic is imported here only, on first use: the hook's hot
path never loads this module.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, model_validator

PACKET_KIND = "codex-packet"
PACKET_VERSIONS = (1,)

Lane = Literal["worker", "validator", "net-validator", "interactive"]
Sandbox = Literal["read-only", "workspace-write", "danger-full-access"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PacketOutput(_Strict):
    last_message: StrictStr | None = None
    schema_: StrictStr | None = Field(None, alias="schema")
    json_events: StrictStr | None = None


class EvidenceResult(_Strict):
    command: StrictStr
    exit_code: StrictInt
    output: StrictStr = ""


class PacketEvidence(_Strict):
    required_commands: list[StrictStr] = []
    results: list[EvidenceResult] = []


class Packet(_Strict):
    kind: Literal["codex-packet"]
    version: Literal[1]
    id: StrictStr = Field(min_length=1)
    lane: Lane
    workspace: StrictStr = Field(min_length=1)
    sandbox: Sandbox
    command: list[StrictStr] | StrictStr = Field(min_length=1)
    prompt: StrictStr | None = None
    prompt_file: StrictStr | None = None
    env: dict[StrictStr, StrictStr] = {}
    output: PacketOutput | None = None
    evidence: PacketEvidence | None = None
    auth_guard: bool = True

    @model_validator(mode="after")
    def _one_prompt(self) -> Packet:
        if (self.prompt is None) == (self.prompt_file is None):
            raise ValueError("exactly one of `prompt` and `prompt_file` is required")
        return self

    def paths(self) -> list[tuple[str, str]]:
        """Every path the packet names (field name, path), each of which must stay inside the
        workspace (CG504)."""
        found: list[tuple[str, str]] = []
        if self.prompt_file is not None:
            found.append(("prompt_file", self.prompt_file))
        if self.output is not None:
            for name, value in (
                ("output.last_message", self.output.last_message),
                ("output.schema", self.output.schema_),
                ("output.json_events", self.output.json_events),
            ):
                if value is not None:
                    found.append((name, value))
        return found


def validation_errors(
    data: object,
) -> tuple[Packet | None, list[tuple[tuple[str | int, ...], str]]]:
    """The packet, or each schema error as (location in the document, message)."""
    from pydantic import ValidationError

    try:
        return Packet.model_validate(data), []
    except ValidationError as exc:
        errors: list[tuple[tuple[str | int, ...], str]] = []
        for error in exc.errors():
            loc = tuple(part for part in error["loc"] if isinstance(part, (str, int)))
            errors.append((loc, _message(error["type"], loc, error["msg"])))
        return None, errors


def _message(kind: str, loc: tuple[str | int, ...], text: str) -> str:
    where = ".".join(str(p) for p in loc) or "the packet"
    if kind == "extra_forbidden":
        return f"unknown key `{where}` (a typo drops the field silently at spawn)"
    if kind == "missing":
        return f"missing required key `{where}`"
    if kind == "literal_error" and loc == ("version",):
        return (
            "unknown packet `version` (this codex-guard reads version "
            + ", ".join(str(v) for v in PACKET_VERSIONS)
            + ")"
        )
    return f"`{where}`: {text}"
