"""Interpreter options before the inline code; a docker boolean's `=false`."""

import pytest

from guard.engine.api import lint_snippet
from guard.settings import Settings
from guard.shell.model import Span, Word
from guard.shell.wrappers import _container_flag, _inline_code
from guard.sources.snippet import Snippet

_RUN = 'import os; os.system("codex exec --yolo x")'


def _p5_words(*texts: str) -> tuple[Word, ...]:
    return tuple(Word(t, True, Span(1, 1, 1, 1)) for t in texts)


@pytest.mark.parametrize(
    "argv",
    [
        ("python3", "-Ic", _RUN),
        ("python3", "-Ic" + _RUN),
        ("python3", "-X", "dev", "-c", _RUN),
        ("python3", "-Xdev", "-c", _RUN),
        ("python3", "-W", "ignore", "-c", _RUN),
        ("python3", "-u", "-I", "-c", _RUN),
        ("python3", "-Z", "-c", _RUN),  # unknown option: the old reading
        ("node", "-pe", _RUN),
        ("node", "--eval=" + _RUN),
        ("node", "-p", _RUN),
    ],
)
def test_inline_code_after_interpreter_options(argv: tuple[str, ...]) -> None:
    code = _inline_code(_p5_words(*argv), argv[0])
    assert code is not None and code.text == _RUN


@pytest.mark.parametrize(
    "argv",
    [("python3", "-m", "mod", "-c", _RUN), ("python3", "script.py", "-c", _RUN)],
)
def test_no_inline_code_after_module_or_script(argv: tuple[str, ...]) -> None:
    assert _inline_code(_p5_words(*argv), argv[0]) is None


def test_container_bool_false_is_off() -> None:
    assert not _container_flag([("--tty=false", None)], "--tty", "t")
    assert not _container_flag([("-t=false", None)], "--tty", "t")
    assert _container_flag([("--tty=true", None)], "--tty", "t")
    assert _container_flag([("-it", None)], "--tty", "t")
    assert not _container_flag([("-t", None), ("--tty=false", None)], "--tty", "t")


def _rules(line: str) -> set[str]:
    return {f.rule for f in lint_snippet(Snippet(line + "\n", "run.sh"), Settings())}


@pytest.mark.parametrize(
    "line",
    [
        f"python3 -Ic '{_RUN}'",
        f"python3 -X dev -c '{_RUN}'",
        f"python3 -W ignore -c '{_RUN}'",
        """node -pe 'require("child_process").execSync("codex exec --yolo x")'""",
    ],
)
def test_code_after_interpreter_options_is_linted(line: str) -> None:
    assert "CG303" in _rules(line)


@pytest.mark.parametrize(
    "line",
    [
        "docker run -i --tty=false img codex exec -C . -s read-only p",
        "docker run -i -t=false img codex exec -C . -s read-only p",
        "docker compose run --detach=false svc codex exec -C . -s read-only p",
    ],
)
def test_a_boolean_turned_off_leaves_codex_reading_stdin(line: str) -> None:
    assert "CG201" in _rules(line)


def test_a_detached_service_has_no_stdin() -> None:
    assert "CG201" not in _rules("docker compose run -d svc codex exec -C . -s read-only p")
