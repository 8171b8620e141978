"""GitLab CI (`.gitlab-ci.yml`): each job's `before_script`, `script` and `after_script` items.

Every item is a command line the runner feeds to a shell with no TTY (RunContext.CI). A job's
`before_script` and `script` items run in one shell, in order (`after_script` in a second one), so
each of those runs is one snippet, every item on its exact lines and columns. `variables:` at the
top level and in the job are the environment, and what `$NAME` holds in the shell
(Snippet.values; a value with a `$` in it is one the runner expands first: unknown).

A job is read as GitLab's runner will see it:
- YAML merge keys (`<<: *defaults`, `<<: [*a, *b]`) are applied as YAML defines them: shallow,
  the mapping's own keys win, and among a list of merged mappings the earlier one wins.
- `extends:` (a name or a list) follows GitLab's documented merge: the parents first, in order (a
  later parent wins), then the job itself; hashes (`variables:`) merge key by key, arrays and
  scalars (`script:`) are replaced whole. At most 11 levels; a cycle or an unknown parent (one
  from an `include:` this file does not hold) adds nothing.
- A script's arrays nested in it (an anchored list: `- *setup`) are flattened, and a
  `!reference [job, key, ...]` (in a script, `variables:` or one variable) is replaced by what it
  names in this file, each up to GitLab's 10 levels; one to a job from an `include:` adds nothing.
- `default: before_script/after_script` reach every job that does not set its own, unless the
  job says `inherit: default: false` (or a list without that key); `inherit: variables: false`
  keeps the top-level `variables:` out.
Hidden jobs (`.template:`) are read too (their lines are what the jobs extending them run), but
`default:` does not reach them: they never run on their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from guard.sources.snippet import RunContext, Snippet
from guard.sources.yamlnodes import (
    Piece,
    block_indent,
    compose,
    env_values,
    folded_rows,
    node_get,
    row_places,
)

_NOT_JOBS = frozenset(
    {"variables", "stages", "default", "include", "workflow", "image", "services", "cache"}
)
_SCRIPT_KEYS = ("before_script", "script", "after_script")
_DEFAULT_KEYS = ("before_script", "after_script")  # `script` is not allowed in `default:`
_MERGE_TAG = "tag:yaml.org,2002:merge"
_MAX_EXTENDS = 11  # GitLab's documented nesting limit
_MAX_RESOLVE_STEPS = 100_000  # cyclic `extends:` fan-out (which GitLab rejects) is not walked out
_MAX_MERGE_DEPTH = 64  # merge keys of merge keys: far past any real file, short of a stack overflow
_REFERENCE_TAG = "!reference"
_MAX_NESTING = 10  # GitLab's limit for arrays nested in a script, and for `!reference` chains
# Aliases repeated level after level could make a script of millions of items (the YAML "billion
# laughs"): past these the file is an error, never a silent partial read.
_MAX_SCRIPT_ITEMS = 10_000
_MAX_SCRIPT_STEPS = 200_000  # for the whole file

Env = dict[str, tuple[str, int]]  # name -> (value, line of its key)


Pairs = list[tuple[Any, Any]]
# Flattened mappings by node identity, for one file: an alias is the same node however often it is
# merged, so `<<: [*a, *a, ...]` nested level after level costs one flattening per anchor, not an
# exponential walk (the YAML "billion laughs").
Memo = dict[int, Pairs]


def flat_mapping(node: Any, depth: int = 0, memo: Memo | None = None) -> Pairs:
    """A mapping node's (key, value) pairs with its `<<` merge keys applied (YAML 1.1 merge)."""
    import yaml

    if not isinstance(node, yaml.MappingNode) or depth > _MAX_MERGE_DEPTH:
        return []
    memo = {} if memo is None else memo
    if id(node) in memo:
        return memo[id(node)]
    memo[id(node)] = []  # a merge that reaches itself adds nothing
    merged: dict[str, tuple[Any, Any]] = {}
    own: dict[str, tuple[Any, Any]] = {}
    for key, value in node.value:
        if key.tag == _MERGE_TAG:
            sources = value.value if isinstance(value, yaml.SequenceNode) else [value]
            for source in reversed(sources):  # the earlier mapping in `<<: [*a, *b]` wins
                for pair in flat_mapping(source, depth + 1, memo):
                    merged[str(pair[0].value)] = pair
        elif isinstance(key, yaml.ScalarNode):
            own[str(key.value)] = (key, value)
    memo[id(node)] = list({**merged, **own}.values())
    return memo[id(node)]


def _get(node: Any, key: str, memo: Memo) -> Any:
    return next((value for k, value in flat_mapping(node, 0, memo) if k.value == key), None)


_NO = frozenset({"false", "no", "off"})


def _variables(node: Any, memo: Memo, root: Any, unknown: set[int] | None = None) -> Env:
    """The `variables:` of a job (or the file). A value that is no text here (a `!reference` to
    a file this one includes) is "" in the env, and its key's line goes in `unknown`, so its
    name holds no known value in the shell (yamlnodes.env_values). A value the runner does not
    expand (`NAME: {value: ..., expand: false}`: its `$` is text) puts its key's line there
    negated: _shell_values reads its `$` as the text the shell gets."""
    import yaml

    found = _dereference(_get(node, "variables", memo), root, memo)
    pairs: Env = {}
    for key, value in flat_mapping(found, 0, memo):
        value = _dereference(value, root, memo)  # `NAME: !reference [.vars, variables, NAME]`
        if isinstance(value, yaml.MappingNode):  # `NAME: {value: ..., description: ...}`
            expand = node_get(value, "expand")
            # (YAML 1.1, as GitLab's Ruby reads it: `false`, `no`, `off`)
            literal = isinstance(expand, yaml.ScalarNode) and str(expand.value).lower() in _NO
            if unknown is not None and literal:
                unknown.add(-(key.start_mark.line + 1))
            value = node_get(value, "value")
        text = value.value if isinstance(value, yaml.ScalarNode) else ""
        pairs[str(key.value)] = (str(text), key.start_mark.line + 1)
        if unknown is not None and not isinstance(value, yaml.ScalarNode):
            unknown.add(key.start_mark.line + 1)
    return pairs


@dataclass
class JobView:
    """What a job runs and the variables it sets itself, after merge keys and `extends:`."""

    scripts: dict[str, Any] = field(default_factory=dict)  # before_script/script/... -> node
    variables: Env = field(default_factory=dict)
    rules: Any = None  # the `rules:` node (an array: replaced whole)

    def under(self, child: JobView) -> JobView:
        """`child` extending this view: hashes merge key by key, arrays are replaced."""
        return JobView(
            {**self.scripts, **child.scripts},
            {**self.variables, **child.variables},
            self.rules if child.rules is None else child.rules,
        )


def _own_view(job: Any, memo: Memo, root: Any, unknown: set[int] | None = None) -> JobView:
    scripts = {key: value for key in _SCRIPT_KEYS if (value := _get(job, key, memo)) is not None}
    return JobView(scripts, _variables(job, memo, root, unknown), _get(job, "rules", memo))


def _rule_variables(rules: Any, memo: Memo, root: Any, unknown: set[int]) -> list[Env]:
    """The `variables:` of each of a job's (or the workflow's) `rules:`, in order: the first
    rule that matches sets them over the job's (`!reference`d rules and their lists read)."""
    import yaml

    found: list[Env] = []
    rules = _dereference(rules, root, memo)
    items = list(rules.value) if isinstance(rules, yaml.SequenceNode) else []
    for item in items[:_MAX_SCRIPT_ITEMS]:
        item = _dereference(item, root, memo)
        listed = item.value if isinstance(item, yaml.SequenceNode) else [item]  # a referenced list
        for rule in listed[:_MAX_SCRIPT_ITEMS]:
            rule = _dereference(rule, root, memo)
            when = _get(rule, "when", memo)
            if isinstance(when, yaml.ScalarNode) and when.value == "never":
                continue  # the job does not run when it matches: its variables never apply
            variables = _variables(rule, memo, root, unknown)
            if variables:
                found.append(variables)
    return found


def _shell_values(
    env: Env, overrides: list[Env], unknown: set[int]
) -> tuple[tuple[str, str, int, str], ...]:
    """Snippet.values of a job: each variable's value, and the value each rule that may match
    gives it instead (`rules: - if: ... variables: {X: y}`: one of the values it holds, each
    saying its line). The runner expands `$OTHER` in a value first, so a name with such a value
    (or one that is no text here) on any of these is unknown."""
    options: dict[str, list[tuple[str, str, int]]] = {}
    for each in (env, *overrides):
        for name, (value, line) in each.items():
            options.setdefault(name, []).append((name, value, line))
    values: list[tuple[str, str, int, str]] = []
    for name, given in options.items():
        known = [
            value
            for value in given
            # (a line negated in `unknown`: `expand: false`, its `$` is the text itself)
            if len(env_values([value], unknown, () if -value[2] in unknown else ("$",))) == 1
        ]
        if len(known) == len(given):
            values.extend((name, value, line, name) for name, value, line in known)
    return tuple(values)


def _parents(job: Any, memo: Memo) -> list[str]:
    import yaml

    found = _get(job, "extends", memo)
    if isinstance(found, yaml.ScalarNode):
        return [str(found.value)]
    if isinstance(found, yaml.SequenceNode):
        return [str(v.value) for v in found.value if isinstance(v, yaml.ScalarNode)]
    return []


class Jobs:
    """A file's jobs by name, each resolved once (a parent shared by many jobs is merged once)."""

    def __init__(
        self,
        jobs: dict[str, Any],
        memo: Memo | None = None,
        root: Any = None,
        unknown: set[int] | None = None,
    ) -> None:
        self.jobs = jobs
        self.memo: Memo = {} if memo is None else memo
        self.root = root  # the file's top mapping: what a `!reference` names
        self.resolved: dict[str, JobView] = {}
        self.cuts = 0  # cycles and too-deep chains met so far
        self.steps = 0
        # lines of variables whose value is no text here (_variables)
        self.unknown: set[int] = set() if unknown is None else unknown

    def resolve(self, name: str, chain: tuple[str, ...] = ()) -> JobView:
        """The job `name` with every `extends:` parent merged in (GitLab's order and limits)."""
        if name in self.resolved:
            return self.resolved[name]
        job = self.jobs.get(name)
        if job is None:
            return JobView()  # a parent from an `include:` this file does not hold
        self.steps += 1
        if self.steps > _MAX_RESOLVE_STEPS:
            from guard.sources.base import SourceError

            raise SourceError(f"`extends:` chains too tangled to follow (at job {name!r})")
        if name in chain or len(chain) > _MAX_EXTENDS:
            self.cuts += 1
            return JobView()  # a cycle or too deep: GitLab rejects it, we add nothing
        cuts = self.cuts
        view = JobView()
        for parent in _parents(job, self.memo):
            view = view.under(self.resolve(parent, (*chain, name)))
        view = view.under(_own_view(job, self.memo, self.root, self.unknown))
        if self.cuts == cuts:  # a view cut short on the way depends on the chain: not kept
            self.resolved[name] = view
        return view


def _inherits(job: Any, kind: str, key: str, memo: Memo) -> bool:
    """`inherit: default:` / `inherit: variables:` - true, false, or a list of what to keep."""
    import yaml

    found = _get(_get(job, "inherit", memo), kind, memo)
    if isinstance(found, yaml.ScalarNode):
        return str(found.value).lower() != "false"
    if isinstance(found, yaml.SequenceNode):
        return any(isinstance(v, yaml.ScalarNode) and v.value == key for v in found.value)
    return True


@dataclass(frozen=True)
class _Piece:
    """One script item's text and where it sits: its first line's (0-based) file line and column,
    and the column of its later lines (a block scalar's text is dedented)."""

    line: int
    column: int
    indent: int
    text: str
    # A folded block (`- >`): where each line of its text sits (yamlnodes.folded_rows)
    folds: list[list[Piece]] | None = None

    @property
    def rows(self) -> list[str]:
        return self.text.rstrip("\n").split("\n")  # a block's final newline is no line of its own

    @property
    def last(self) -> int:
        if self.folds is not None:
            return self.folds[len(self.rows) - 1][-1][1]
        return self.line + len(self.rows) - 1


def _piece(node: Any, lines: list[str]) -> _Piece:
    mark = node.start_mark
    if node.style in ("|", ">"):
        first = mark.line + 1  # content starts on the line after `- |`
        indent = block_indent(lines, first)
        folds = folded_rows(node.value, lines, first, indent) if node.style == ">" else None
        return _Piece(first, indent, indent, node.value, folds)
    quote = 1 if node.style in ("'", '"') else 0
    return _Piece(mark.line, mark.column + quote, 0, node.value)


def _shell(
    pieces: list[_Piece],
    path: str,
    env: Env,
    file_end: int,
    session: tuple[tuple[str, int], ...] = (),
    context: RunContext = RunContext.CI,
    dialect: str = "bash",
    values: tuple[tuple[str, str, int, str], ...] = (),
) -> Snippet:
    """Pieces one shell runs in order, as one script, so what one item sets (`export`, `set -a;
    . f`) reaches the next; `line_map` puts every line back where the file has it. Pieces in file
    order sit on their own lines (blank lines between); pieces that are not (a template's
    before_script written below the job, `[a, b]` on one line) are stacked past the file's end.
    Also the other CI readers' (guard/sources/ciyaml.py), with their own context and dialect."""
    in_order = all(b.line > a.last for a, b in pairwise(pieces))
    start = pieces[0].line if in_order else file_end
    rows: list[str] = []
    places: list[tuple[int, int, int]] = []
    joins: list[tuple[int, int, int, int]] = []
    for piece in pieces:
        if in_order:
            rows.extend([""] * (piece.line - start - len(rows)))
        for index, row in enumerate(piece.rows):
            if piece.folds is not None:  # a folded line: its words on their own file lines
                place, joined = row_places(piece.folds[index], start + len(rows) + 1)
                places.append(place)
                joins.extend(joined)
            else:
                shift = piece.indent if index else piece.column
                places.append((start + len(rows) + 1, piece.line + index + 1, shift))
            rows.append(row)
    return Snippet(
        "\n".join(rows),
        path,
        start,
        0,
        dialect,
        context,
        tuple((n, v, line) for n, (v, line) in env.items()),
        line_map=tuple(places),
        joins=tuple(joins),
        session=session,
        values=values,
        values_exported=bool(values),  # the job's environment: a child shell sees it too
    )


def _dereference(node: Any, root: Any, memo: Memo) -> Any:
    """The node a `!reference [key, key, ...]` names in this file (a reference to a reference is
    followed, up to GitLab's 10 levels); any other node as it is, None when the keys lead
    nowhere this file shows (a job from an `include:`)."""
    import yaml

    for _ in range(_MAX_NESTING):
        if not (isinstance(node, yaml.SequenceNode) and node.tag == _REFERENCE_TAG):
            return node
        target = root
        for key in node.value:
            target = (
                _get(target, str(key.value), memo) if isinstance(key, yaml.ScalarNode) else None
            )
        node = target
    return None


def _items(value: Any, root: Any, memo: Memo, steps: list[int]) -> list[Any]:
    """A script's items as the runner gets them: nested arrays flattened and `!reference`s
    replaced by what they name, in order (GitLab allows 10 levels of both). `steps`: the
    file's count so far (one budget for all its scripts: a thousand jobs each flattening the
    same anchor bomb must not take a thousand times one bomb's time)."""
    out: list[Any] = []
    _flatten(value, root, memo, 0, out, steps)
    return out


def _flatten(
    value: Any, root: Any, memo: Memo, depth: int, out: list[Any], steps: list[int]
) -> None:
    import yaml

    steps[0] += 1
    if steps[0] > _MAX_SCRIPT_STEPS or len(out) > _MAX_SCRIPT_ITEMS:
        from guard.sources.base import SourceError

        raise SourceError("script arrays nested and referenced too often to follow")
    value = _dereference(value, root, memo)
    if isinstance(value, yaml.ScalarNode):
        out.append(value)
    elif isinstance(value, yaml.SequenceNode) and depth <= _MAX_NESTING:
        for item in value.value:
            _flatten(item, root, memo, depth + 1, out, steps)


def extract(text: str, path: str) -> list[Snippet]:
    import yaml

    root = compose(text)
    if not isinstance(root, yaml.MappingNode):
        return []
    lines = text.split("\n")
    memo: Memo = {}
    unknown: set[int] = set()  # lines of variables whose value is no text here
    global_env = _variables(root, memo, root, unknown)
    workflow_rules = _rule_variables(
        _get(_get(root, "workflow", memo), "rules", memo), memo, root, unknown
    )
    default = _get(root, "default", memo)
    defaults = {k: value for k in _DEFAULT_KEYS if (value := _get(default, k, memo)) is not None}
    jobs = {
        str(key.value): job
        for key, job in flat_mapping(root, 0, memo)
        if str(key.value) not in _NOT_JOBS and isinstance(job, yaml.MappingNode)
    }
    resolver = Jobs(jobs, memo, root, unknown)
    steps = [0]  # the file's flattening budget (_MAX_SCRIPT_STEPS)
    snippets: list[Snippet] = []
    for name, job in jobs.items():
        view = resolver.resolve(name)
        scripts = dict(view.scripts)
        for key, value in defaults.items():
            hidden = name.startswith(".")  # a template: it runs only as part of the jobs using it
            if key not in scripts and not hidden and _inherits(job, "default", key, memo):
                scripts[key] = value
        outer = {n: v for n, v in global_env.items() if _inherits(job, "variables", n, memo)}
        env = {**outer, **view.variables}
        # A workflow rule's variables override the global ones (not the job's), a job rule's
        # any (GitLab: workflow:rules:variables, rules:variables)
        overrides = [
            {n: v for n, v in rule.items() if n not in view.variables} for rule in workflow_rules
        ]
        overrides = [
            {n: v for n, v in rule.items() if _inherits(job, "variables", n, memo)}
            for rule in overrides
        ]
        overrides += _rule_variables(view.rules, memo, root, unknown)
        values = _shell_values(env, overrides, unknown)
        # GitLab's runner runs `before_script` and `script` as one shell script, `after_script` as
        # another: state one item sets reaches the items after it in the same shell. Both run in
        # the job's one build environment, `after_script` last (Snippet.session); another job
        # runs in an environment of its own.
        for step, keys in enumerate((("before_script", "script"), ("after_script",))):
            items = [item for key in keys for item in _items(scripts.get(key), root, memo, steps)]
            if items:
                pieces = [_piece(item, lines) for item in items]
                session = ((f"job {name}", step),)
                snippets.append(_shell(pieces, path, env, len(lines), session, values=values))
    return snippets
