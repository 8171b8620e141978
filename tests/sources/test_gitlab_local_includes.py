"""GitLab `include:` of files of the same repository is followed, as GitLab merges them.

A codex job an included file defines runs with the including file's `variables:` (an API key
there reaches it: CG101) and `default:`; a job may extend a template from an included file. The
string form, `local:`, lists and nested includes are read from the repository's root; `remote:`,
`project:` and `template:` are not (no network), nor a path out of the repository (`../`, a
symlink out), nor a file twice (a cycle). A finding is reported in the file that holds the line,
once, whether that file is linted on its own too or not. Every case is linted through the real
console script, on files written here.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from guard.sources import gitlab
from tests.sources.test_source_gaps import lint

MAIN = """\
# The review jobs live in ci/codex.yml; their variables are set here.
variables:
  OPENAI_API_KEY: $OPENAI_API_KEY
  REVIEW_SANDBOX: read-only

include:
  - local: ci/codex.yml
  - remote: 'https://example.com/ci/shared.yml'
  - project: 'platform/ci'
    file: '/codex.yml'
  - template: 'Jobs/SAST.gitlab-ci.yml'
"""

CODEX = """\
# codex exec --yolo is never run by these jobs.
review:
  script:
    - codex exec -C . -s $REVIEW_SANDBOX -o review.md "Review ag-77." </dev/null
"""


def repo(tmp_path: Path, files: dict[str, str]) -> Path:
    (tmp_path / ".git").mkdir(parents=True)
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def found(target: Path, *extra: str) -> list[tuple[str, str, int]]:
    """(path relative to the repository, rule, line) of every finding of `lint TARGET`."""
    doc: dict[str, Any] = lint(target, *extra)[1]
    assert doc["errors"] == []
    cwd = target.parent  # where `lint` ran (test_source_gaps.lint): paths are relative to it
    root = next(p for p in (target, *target.parents) if (p / ".git").is_dir())
    return sorted(
        (os.path.relpath(cwd / f["path"], root), f["rule"], f["line"]) for f in doc["findings"]
    )


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if needle in line)


def test_a_job_of_a_local_include_gets_the_including_files_variables(tmp_path: Path) -> None:
    root = repo(tmp_path, {".gitlab-ci.yml": MAIN, "ci/codex.yml": CODEX})
    at = line_of(CODEX, "codex exec -C")
    # the key reaches the job (CG101), and `$REVIEW_SANDBOX` is read-only (no CG301/CG903)
    assert found(root / ".gitlab-ci.yml") == [("ci/codex.yml", "CG101", at)]


@pytest.mark.parametrize(
    "include",
    [
        "include: 'ci/codex.yml'",
        "include: '/ci/codex.yml'",
        "include:\n  - 'ci/codex.yml'",
        "include:\n  local: ci/codex.yml",
        "include:\n  - local: /ci/nested.yml",  # which includes ci/codex.yml
    ],
)
def test_every_local_form_is_followed(tmp_path: Path, include: str) -> None:
    main = MAIN.split("include:")[0] + include + "\n"
    nested = "include:\n  - local: ci/codex.yml\n"
    root = repo(tmp_path, {".gitlab-ci.yml": main, "ci/codex.yml": CODEX, "ci/nested.yml": nested})
    assert found(root / ".gitlab-ci.yml") == [
        ("ci/codex.yml", "CG101", line_of(CODEX, "codex exec -C"))
    ]


def test_what_is_not_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "evil.yml").write_text(CODEX.replace("-s $REVIEW_SANDBOX", "--yolo"))
    root = tmp_path / "repo"
    root.mkdir()
    main = MAIN.split("include:")[0] + (
        "include:\n"
        "  - local: ../outside/evil.yml\n"  # out of the repository
        "  - local: ci/link.yml\n"  # a symlink out of it
        "  - local: ci/$CI_JOB_NAME.yml\n"  # a variable
        "  - local: ci/missing.yml\n"
        "  - 'https://example.com/ci/codex.yml'\n"  # a URL: remote
    )
    repo(root, {".gitlab-ci.yml": main})
    (root / "ci").mkdir()
    os.symlink(outside / "evil.yml", root / "ci" / "link.yml")
    assert found(root / ".gitlab-ci.yml") == []


def test_a_cycle_of_includes_is_read_once(tmp_path: Path) -> None:
    back = CODEX + "include:\n  - local: .gitlab-ci.yml\n  - local: ci/codex.yml\n"
    root = repo(tmp_path, {".gitlab-ci.yml": MAIN, "ci/codex.yml": back})
    assert found(root / ".gitlab-ci.yml") == [
        ("ci/codex.yml", "CG101", line_of(back, "codex exec -C"))
    ]


TEMPLATES = """\
.codex-review:
  before_script:
    - export CODEX_HOME="$CI_PROJECT_DIR/.codex"
  script:
    - codex exec -C . --yolo -o review.md "Review ag-77." </dev/null
"""

EXTENDS = """\
include: '/.gitlab/ci/templates.yml'

review:
  extends: .codex-review
  variables:
    CODEX_API_KEY: $CODEX_API_KEY
"""


def test_a_job_here_extends_a_template_there_and_each_finding_is_reported_once(
    tmp_path: Path,
) -> None:
    root = repo(tmp_path, {".gitlab-ci.yml": EXTENDS, ".gitlab/ci/templates.yml": TEMPLATES})
    codex = line_of(TEMPLATES, "codex exec")
    home = codex  # CG502 is the run's, given CODEX_HOME by the export above it
    # Linted alone, the template file gives the template's own findings; through the job that
    # extends it, the key of this file's job reaches its codex run too (CG101).
    own = [
        (".gitlab/ci/templates.yml", "CG303", codex),
        (".gitlab/ci/templates.yml", "CG502", home),
    ]
    assert found(root / ".gitlab/ci/templates.yml") == own
    both = sorted([*own, (".gitlab/ci/templates.yml", "CG101", codex)])
    assert found(root) == both  # the whole repository: each once
    assert found(root / ".gitlab-ci.yml") == [(".gitlab/ci/templates.yml", "CG101", codex)]
    # A template file no walk reads on its own (`ci/templates.yml`): all of its findings come
    # through the file that includes it.
    moved = repo(
        tmp_path / "moved",
        {".gitlab-ci.yml": EXTENDS.replace(".gitlab/ci/", "ci/"), "ci/templates.yml": TEMPLATES},
    )
    assert found(moved) == [
        ("ci/templates.yml", "CG101", codex),
        ("ci/templates.yml", "CG303", codex),
        ("ci/templates.yml", "CG502", home),
    ]


def test_the_included_files_directives_apply_to_its_lines(tmp_path: Path) -> None:
    directive = CODEX.replace(
        "    - codex exec",
        "    # codex-guard: disable=CG101 -- the key is a proxy token, not billed\n"
        "    - codex exec",
    )
    root = repo(tmp_path, {".gitlab-ci.yml": MAIN, "ci/codex.yml": directive})
    assert found(root / ".gitlab-ci.yml") == []
    # and a directive on that line of the including file does not reach it
    here = MAIN.replace("\n", "\n" * 3, 1) + "# codex-guard: disable=CG101 -- x\n"
    root = repo(tmp_path / "two", {".gitlab-ci.yml": here, "ci/codex.yml": CODEX})
    assert ("ci/codex.yml", "CG101", line_of(CODEX, "codex exec -C")) in found(
        root / ".gitlab-ci.yml"
    )


def test_files_that_never_mention_codex_are_not_composed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = "build:\n  script:\n    - make build\n"
    main = "include:\n  - local: ci/build.yml\n  - local: ci/test.yml\n"
    root = repo(tmp_path, {".gitlab-ci.yml": main, "ci/build.yml": plain, "ci/test.yml": plain})
    composed: list[int] = []
    real = gitlab.compose

    def counting(text: Any) -> Any:
        composed.append(1)
        return real(text)

    monkeypatch.setattr(gitlab, "compose", counting)
    monkeypatch.chdir(root)
    assert gitlab.extract(main, ".gitlab-ci.yml") == []
    # the including file only: the included ones are read, and say neither codex nor `include`
    assert len(composed) == 1
    composed.clear()
    # a pipeline file with words that may stand for others (`$TOOL`, `[a, b]`) is read alone,
    # as before, and the files it includes are still not composed
    dynamic = main + "lint:\n  stage: [test]\n  script:\n    - $TOOL check\n"
    assert [s.text.strip() for s in gitlab.extract(dynamic, ".gitlab-ci.yml")] == ["$TOOL check"]
    assert len(composed) == 1
    composed.clear()
    # one of them includes another: it is composed to find it, and that one is read
    nested = repo(
        tmp_path / "nested",
        {"ci/build.yml": "include: ci/test.yml\n" + plain, "ci/test.yml": plain},
    )
    monkeypatch.chdir(nested)
    assert gitlab.extract(main, ".gitlab-ci.yml") == []
    assert len(composed) == 2
    # and once one of them mentions codex, all are composed and its job is read
    (nested / "ci" / "test.yml").write_text(CODEX)
    snippets = gitlab.extract(main, ".gitlab-ci.yml")
    assert [s.path for s in snippets if "codex" in s.text] == [os.path.join("ci", "test.yml")]


AGENT = """\
.agent:
  before_script:
    - unset OPENAI_API_KEY
    - codex exec -C . --yolo -o warmup.md "Warm up." </dev/null
  variables:
    OPENAI_API_KEY: $PROXY_TOKEN
"""

SHELL_HERE = """\
include: ci/agent.yml

review:
  extends: .agent
  script:
    - codex exec -C . -s read-only -o review.md "Review ag-77." </dev/null
"""


def test_a_jobs_items_from_two_files_run_in_one_shell(tmp_path: Path) -> None:
    # The template's before_script (there) runs before the job's script (here), in one shell:
    # its `unset` clears the key for the review run (no CG101 here), and its own run's finding
    # is reported once, in its file (the warm-up's --yolo, CG303, with the key unset too).
    root = repo(tmp_path, {".gitlab-ci.yml": SHELL_HERE, "ci/agent.yml": AGENT})
    assert found(root) == [("ci/agent.yml", "CG303", line_of(AGENT, "--yolo"))]
    kept = AGENT.replace("    - unset OPENAI_API_KEY\n", "")
    root = repo(tmp_path / "kept", {".gitlab-ci.yml": SHELL_HERE, "ci/agent.yml": kept})
    assert found(root) == [
        (".gitlab-ci.yml", "CG101", line_of(SHELL_HERE, "codex exec")),
        ("ci/agent.yml", "CG101", line_of(kept, "--yolo")),
        ("ci/agent.yml", "CG303", line_of(kept, "--yolo")),
    ]
