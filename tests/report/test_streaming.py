"""The streaming renderers print, byte for byte, what the whole-report renderers printed before
(their code is kept below as the reference), on the test corpora and on hostile text; and their
memory does not grow with the report."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import tracemalloc
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import pytest

from guard.commands.lint import Overrides, _collect_jobs, _rule_text, exit_code, run_jobs
from guard.config import ConfigResolver
from guard.engine.registry import Rule, load_rules
from guard.findings import FileError, Finding, LintResult, Location, Severity
from guard.report import FORMAT_NAMES, github, sarif, streams, text
from guard.report import json as json_report
from guard.report.paths import display_path, printable, printable_json

REPO = Path(__file__).resolve().parents[2]
CORPORA = [
    "examples",
    "tests/sources/programs",
    "tests/sources/orchestrators",
    "tests/sources/codex_configs",
]


# --- the renderers as they were (whole report in memory), the reference -----------------------


def old_json(result: LintResult) -> str:
    return printable_json(json.dumps(json_report.document(result), indent=2, ensure_ascii=False) + "\n")  # fmt: skip


def old_fingerprints(findings: Iterable[Finding], root: Path) -> list[str]:
    items = list(findings)
    by_path: dict[str, set[int]] = {}
    for finding in items:
        by_path.setdefault(finding.location.path, set()).add(finding.location.line)
    texts = {path: sarif._wanted_lines(path, lines) for path, lines in by_path.items()}
    seen: dict[str, int] = {}
    prints: list[str] = []
    for finding in items:
        where = finding.location
        relative = sarif._relative(where.path, root) or os.path.abspath(where.path)
        line = texts[where.path].get(where.line)
        content = " ".join(line.split()) if line is not None else finding.message
        key = "\0".join((finding.rule, relative, content))
        digest = hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()[:32]
        seen[digest] = seen.get(digest, 0) + 1
        prints.append(f"{digest}:{seen[digest]}")
    return prints


def old_sarif(result: LintResult, rules: Mapping[str, Rule]) -> str:
    doc = sarif.document(result, rules, exit_code=result.exit_code)
    base = sarif.repository_root(Path.cwd())
    prints = old_fingerprints(result.findings, base)
    for item, fingerprint in zip(doc["runs"][0]["results"], prints, strict=True):
        assert item["partialFingerprints"] == {sarif.FINGERPRINT_KEY: fingerprint}
    return printable_json(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")


def old_github(result: LintResult) -> str:
    lines = [github.annotation(f) for f in result.findings]
    for error in result.errors:
        where = github.escape_property(display_path(error.path))
        lines.append(f"::error file={where},title=codex-guard::{github.escape_data(error.message)}")
    return printable("".join(line + "\n" for line in lines))


def old_text(result: LintResult, *, color: bool, concise: bool, quiet: bool) -> str:
    lines_of = None if concise else text.read_source_lines(None)
    out: list[str] = []
    for finding in result.findings:
        out.extend(text._finding(finding, color, lines_of))
    for error in result.errors:
        label = text._paint("error:", text._COLORS[Severity.ERROR], color)
        path = display_path(error.path)
        out.append(f"{text._paint(path + ':', text._BOLD, color)} {label} {error.message}")
    for skipped in result.skipped:
        path = display_path(skipped.path)
        out.append(f"{text._paint(path + ':', text._BOLD, color)} {skipped.message}")
    if quiet:
        return printable("\n".join(out) + "\n") if out else ""
    if result.findings and not concise:
        out.extend(["", *text._counts_table(result)])
    if out:
        out.append("")
    out.append(text.summary(result))
    return printable("\n".join(out) + "\n")


# --- results to render --------------------------------------------------------------------


def _lint(paths: list[str]) -> tuple[LintResult, Mapping[str, Rule]]:
    resolver = ConfigResolver(None)
    overrides = Overrides(select=None, ignore=(), strict=False)
    rules = load_rules(overrides.apply(resolver.settings_for(Path(paths[0]))).rules_dirs)
    jobs = _collect_jobs(tuple(paths), resolver, overrides, _rule_text(rules))
    result = run_jobs(jobs, 1)
    result.exit_code = exit_code(result, "warning")
    return result, rules


def _hostile() -> LintResult:
    odd = "run\udcff\n.sh"  # a name that is not UTF-8, with a newline in it
    where = Location(odd, 2, 3, 4, 1)
    findings = [
        Finding("CG201", "positional-prompt-open-stdin", Severity.ERROR, 'say "hi"\n\t\u2028',
                where, fix="close stdin:\n  codex exec ... </dev/null", lane="worker",
                related=(Location(odd, 1, 1, 1, 1, "the key \udcfe is here"),)),
        Finding("CG101", "api-key-in-env", Severity.WARNING, "x" * 300, Location("a.sh", 1, 1, 1, 9)),
        Finding("ACME1", "custom", Severity.INFO, "\x1b[31mred", Location("/abs/b.sh", 9, 1, 9, 2)),
    ]  # fmt: skip
    errors = [FileError("bad\udc80.sh", 'cannot read: "%,:\n')]
    skipped = [FileError("x.bin", "skipped: no reader")]
    return LintResult(findings=findings, errors=errors, files=3, skipped=skipped, exit_code=2)


def _cases() -> list[tuple[str, LintResult, Mapping[str, Rule]]]:
    cases = [(corpus, *_lint([corpus])) for corpus in CORPORA]
    rules = cases[0][2]
    cases.append(("hostile", _hostile(), rules))
    cases.append(("empty", LintResult(files=0), rules))
    cases.append(("clean", LintResult(files=4, exit_code=0), rules))
    cases.append(("many", _many(300), rules))
    only_errors = LintResult(errors=[FileError("gone.sh", "cannot read")], exit_code=2)
    cases.append(("errors only", only_errors, rules))
    return cases


@pytest.fixture(scope="module")
def cases() -> list[tuple[str, LintResult, Mapping[str, Rule]]]:
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        return _cases()
    finally:
        os.chdir(cwd)


def test_streams_print_what_the_whole_report_renderers_printed(
    cases: list[tuple[str, LintResult, Mapping[str, Rule]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(REPO)
    assert sum(len(result.findings) for _, result, _ in cases[: len(CORPORA)]) > 10
    for name, result, rules in cases:
        assert "".join(json_report.stream(result, rules)) == old_json(result), name
        assert "".join(sarif.stream(result, rules)) == old_sarif(result, rules), name
        assert "".join(github.stream(result, rules)) == old_github(result), name
        for color in (False, True):
            for concise in (False, True):
                for quiet in (False, True):
                    got = text.stream(result, rules, color=color, concise=concise, quiet=quiet)
                    want = old_text(result, color=color, concise=concise, quiet=quiet)
                    assert "".join(got) == want, (name, color, concise, quiet)
        for fmt, render in streams().items():
            assert "".join(render(result, rules, color=False)) == _whole(fmt)(result, rules)


def _whole(fmt: str) -> Callable[[LintResult, Mapping[str, Rule]], str]:
    from guard.report import renderers

    return lambda result, rules: renderers()[fmt](result, rules, color=False)


def test_json_and_sarif_stay_valid_with_bytes_that_are_not_utf8(
    cases: list[tuple[str, LintResult, Mapping[str, Rule]]],
) -> None:
    hostile = next(result for name, result, _ in cases if name == "hostile")
    doc = json.loads("".join(json_report.stream(hostile, {})))
    assert doc["findings"][0]["path"] == "run\\xff\\x0a.sh"
    log = json.loads("".join(sarif.stream(hostile, {})))
    assert len(log["runs"][0]["results"]) == 3


def _peak(render: Callable[[], Iterable[str]]) -> int:
    """Peak bytes allocated while the pieces are made and dropped one by one (as lint prints)."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        start = tracemalloc.get_traced_memory()[0]
        for _piece in render():
            pass
        return tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()


def _many(count: int) -> LintResult:
    findings = [
        Finding("CG201", "positional-prompt-open-stdin", Severity.ERROR,
                f"codex reads the idle pipe as its prompt ({n})", Location(f"d{n // 7}/s{n}.sh",
                n % 50 + 1, 1, n % 50 + 1, 20), fix="close stdin: codex exec ... </dev/null",
                related=(Location(f"d{n // 7}/s{n}.sh", 1, 1, 1, 1, "opened here"),))
        for n in range(count)
    ]  # fmt: skip
    return LintResult(findings=findings, files=count, exit_code=1)


@pytest.mark.parametrize("fmt", ["json", "text", "github", "sarif"])
def test_rendering_memory_does_not_grow_with_the_report(fmt: str) -> None:
    small, large = _many(500), _many(4000)
    stream = streams()[fmt]
    whole = len("".join(stream(large, {}, color=False)))
    _peak(lambda: stream(_many(20), {}, color=False))  # first use: imports, caches
    peak_small = _peak(lambda: stream(small, {}, color=False))
    peak_large = _peak(lambda: stream(large, {}, color=False))
    # 8x the findings: the whole report is 8x larger, the streaming peak is not
    assert peak_large < whole / 100, (peak_large, whole)
    assert peak_large < peak_small * 2, (peak_small, peak_large)


def test_lint_writes_the_same_report_to_stdout_and_to_a_file(tmp_path: Path) -> None:
    for fmt in ("json", "text", "sarif", "github"):
        args = ["codex-guard", "lint", "--no-cache", "--format", fmt, "examples"]
        shown = subprocess.run(args, cwd=REPO, capture_output=True, timeout=300)
        target = tmp_path / f"report.{fmt}"
        written = subprocess.run([*args, "--output-file", str(target)], cwd=REPO, timeout=300)
        assert shown.returncode == written.returncode == 1
        assert shown.stdout == target.read_bytes() and shown.stdout


@pytest.mark.parametrize("fmt", FORMAT_NAMES)
def test_stream_of_imports_only_the_format_s_own_renderer(fmt: str) -> None:
    import sys

    code = (
        f"import json, sys; from guard.report import stream_of; stream_of({fmt!r}); "
        "print(json.dumps(sorted(sys.modules)))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = set(json.loads(proc.stdout))
    renderers_loaded = loaded & {f"guard.report.{f}" for f in FORMAT_NAMES}
    assert renderers_loaded == {f"guard.report.{fmt}"}


def test_stream_of_an_unknown_format_is_a_key_error() -> None:
    from guard.report import stream_of

    with pytest.raises(KeyError):
        stream_of("yaml")
