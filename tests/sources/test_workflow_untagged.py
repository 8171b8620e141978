"""Workflows are composed without implicit tags (guard/sources/yamlnodes.py `untagged_loader`):
the snippets must be the ones the tagged compose gives, for realistic workflows and for the
values YAML 1.1 would read as something other than text."""

from __future__ import annotations

from pathlib import Path
from unittest import mock

import pytest

from guard.sources import workflow, yamlnodes
from tests.benchcorpus import generated_workflows

ROOT = Path(__file__).resolve().parents[2]

# Values YAML 1.1 resolves to bool, int, float, null, a timestamp or a merge key.
TRICKY = [
    "on: yes\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: codex exec -s read-only - < p\n",
    "on:\n  push:\n    branches: [ true, 1, ~ ]\njobs:\n  a:\n    runs-on: x\n"
    "    env:\n      OPENAI_API_KEY: null\n      N: 0x1F\n    steps:\n"
    "      - run: 2001-12-14\n      - run: codex exec --yolo hi\n        shell: bash\n",
    "defaults: &d\n  run:\n    shell: sh\njobs:\n  a:\n    <<: *d\n    runs-on: x\n"
    "    steps:\n      - run: codex exec x\n        continue-on-error: true\n",
    "jobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: openai/codex-action@v1\n"
    "        with:\n          openai-api-key: ${{ secrets.K }}\n          sandbox: off\n"
    "          safety-strategy: No\n",
]


def _tagged(text: str, *, tags: bool = False) -> object:
    """The compose the workflow source asks for (`tags=False`), with the implicit tags on."""
    del tags
    return yamlnodes.compose(text)


@pytest.mark.parametrize(
    "text",
    TRICKY
    + list(generated_workflows(40, seed=11, codex_every=2))
    + [(ROOT / "examples/.github/workflows/codex-review.yml").read_text()],
)
def test_the_untagged_compose_gives_the_snippets_of_the_tagged_one(text: str) -> None:
    untagged = workflow.extract(text, "w.yml")
    with mock.patch.object(workflow, "compose", _tagged):
        tagged = workflow.extract(text, "w.yml")
    assert untagged == tagged
    if "run:" in text:
        assert untagged  # a step was read: the two are not equal for being empty


def test_only_the_default_tags_are_given() -> None:
    root = yamlnodes.compose("a: yes\nb: [1, ~]\n<<: {c: 2}\n", tags=False)
    tags = {root.tag} | {n.tag for pair in root.value for n in pair}
    assert tags <= {"tag:yaml.org,2002:str", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:map"}
    tagged = yamlnodes.compose("a: yes\n")
    assert tagged.value[0][1].tag == "tag:yaml.org,2002:bool"  # the default compose still tags
