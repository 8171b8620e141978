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

`include:` of files of the same repository (`include: 'ci/codex.yml'`, `- local: /ci/a.yml`, a
list of them; nested ones too) is followed, as GitLab merges them (_Included): each included file
first, in order, its own includes before it, then the file itself, later ones winning (hashes
merged key by key, arrays replaced). So a job an included file defines runs with the including
file's `variables:` and `default:`, and a job here may extend a template there. A local path is
from the repository's root (the folder holding `.git`, else this file's), with or without its
leading `/`; one that leaves the repository (`../`, a symlink out), names a variable or a glob, or
is not there is not read, nor is a file twice (a cycle); `remote:`, `project:`, `template:` and
`component:` are other repositories or the network: unknown, as before. Each file read is
recorded for the lint cache. A job's lines are reported in the file that holds them (the
snippet's path; its pieces from two files are two snippets, one after the other in the job's
session); a variable set in another file than the lines has no place in them (line 0). When
no file of the pipeline mentions codex, the included files are read but not composed (one that
includes further is, to find those), and this file is read alone, as before.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field, replace
from itertools import groupby, pairwise
from typing import Any

from guard import filereads
from guard.regularfile import read_regular
from guard.sources.base import SourceError
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
# Local includes (_Included): files one pipeline's includes may bring in (nested ones too; GitLab
# allows 150), and the bytes read of each.
_MAX_INCLUDES = 32
_MAX_INCLUDE_BYTES = 512 * 1024
# The lines of the N-th included file in the env's line numbers (Env, `unknown`): N * this +
# line, so a variable's line says which file it is written in (0: this file).
_LINE_BASE = 1 << 24
_MAIN_MARK = "<unicode string>"  # the mark name of nodes composed from this file's text


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
                unknown.add(-_line(key))
            value = node_get(value, "value")
        text = value.value if isinstance(value, yaml.ScalarNode) else ""
        pairs[str(key.value)] = (str(text), _line(key))
        if unknown is not None and not isinstance(value, yaml.ScalarNode):
            unknown.add(_line(key))
    return pairs


# Each included file's line base, by the name its nodes' marks carry (_Included.compose); set for
# the one extract that runs (a source runs one file at a time).
_BASES: dict[str, int] = {}


def _line(node: Any) -> int:
    """A node's 1-based line, in the env's line numbers (_LINE_BASE)."""
    line: int = node.start_mark.line
    return _BASES.get(node.start_mark.name, 0) + line + 1


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
    # Written in another file than the snippet's (a job's items from an included file run in
    # the same shell first): its lines have no place in this one (line 0: the lint front door
    # drops what is found on them; that file's own snippet reports it)
    elsewhere: bool = False

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
    in_order = not any(p.elsewhere for p in pieces) and all(
        b.line > a.last for a, b in pairwise(pieces)
    )
    start = pieces[0].line if in_order else file_end
    rows: list[str] = []
    places: list[tuple[int, int, int]] = []
    joins: list[tuple[int, int, int, int]] = []
    for piece in pieces:
        if in_order:
            rows.extend([""] * (piece.line - start - len(rows)))
        for index, row in enumerate(piece.rows):
            if piece.elsewhere:
                places.append((start + len(rows) + 1, 0, 0))
            elif piece.folds is not None:  # a folded line: its words on their own file lines
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


@dataclass
class _Source:
    """One file of the pipeline: the path findings name, its lines, its top mapping."""

    path: str
    lines: list[str]
    root: Any  # None until composed (_Included.composed)
    text: str = ""


class _Included:
    """The repository files a pipeline file includes (`include:` local), in GitLab's merge
    order, each read once and only inside the repository (the module's docstring)."""

    def __init__(self, path: str) -> None:
        self.path = path
        here = os.path.dirname(os.path.abspath(path))
        self.folder = here
        self.repo = _repository(here)
        self.real_repo = filereads.real_noted(self.repo)
        self.seen = {filereads.real_noted(os.path.abspath(path))}
        self.texts: list[tuple[str, str]] = []  # (absolute path, text) of each file read
        self.sources: list[_Source] = []

    def read(self, root: Any) -> None:
        """The files `root`'s includes name, their own includes first (depth first)."""
        for name in _local_includes(root):
            if len(self.seen) > _MAX_INCLUDES:
                return
            found = self._text(name)
            if found is None:
                continue
            where, text = found
            shown = self._shown(where)
            source = _Source(shown, text.split("\n"), None, text)
            if "include" in text:  # its own includes first (a file with none is composed later)
                if not self.composed(source):
                    continue
                self.read(source.root)
            self.sources.append(source)

    def composed(self, source: _Source) -> bool:
        """Compose the source's text (once); False when it is not YAML: GitLab refuses it, and
        linted on its own it says where."""
        if source.root is None:
            try:
                source.root = self.compose(source.text, source.path)
            except SourceError:
                return False
        return True

    def all_sources(self) -> list[_Source]:
        """Every included file that is YAML, composed, in merge order."""
        return [source for source in self.sources if self.composed(source)]

    def compose(self, text: str, shown: str) -> Any:
        """The file's node tree, its marks named after it, its lines given a base (_line)."""
        stream = io.StringIO(text)
        stream.name = shown
        _BASES[shown] = (len(_BASES) + 1) * _LINE_BASE
        return compose(stream)  # type: ignore[arg-type]

    def _text(self, name: str) -> tuple[str, str] | None:
        """The text of the repository file `name` (from the repository's root), or None: out
        of the repository (also through a symlink), already read, not a readable file."""
        where = os.path.normpath(os.path.join(self.repo, name.lstrip("/")))
        if not _inside(where, self.repo):
            return None
        real = filereads.real_noted(where)
        if not _inside(real, self.real_repo) or real in self.seen:
            return None
        self.seen.add(real)
        filereads.note(filereads.FILE, where)
        data = read_regular(where, _MAX_INCLUDE_BYTES)
        if data is None:
            return None
        text = data.decode("utf-8", "replace")
        self.texts.append((where, text))
        return where, text

    def _shown(self, where: str) -> str:
        """An included file's path as findings name it: beside the including file's, in the
        same style (relative to the same folder, or absolute)."""
        if os.path.isabs(self.path):
            return where
        return os.path.normpath(
            os.path.join(os.path.dirname(self.path), os.path.relpath(where, self.folder))
        )


def _repository(folder: str) -> str:
    """The repository's root: the nearest folder up from `folder` that holds `.git`, else
    `folder` itself (local includes are read from there)."""
    here = folder
    while True:
        if filereads.kind_noted(os.path.join(here, ".git")) in filereads.PRESENT:
            return here
        up = os.path.dirname(here)
        if up == here:
            return folder
        here = up


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


_REMOTE = ("http://", "https://")
_NOT_A_PATH = frozenset("$*?[{")  # a variable or a glob: which file is not known here


def _local_includes(root: Any) -> list[str]:
    """The local paths of a file's `include:`: a string (not a URL), `local:` in a mapping, or
    a list of both; `remote:`, `project:`, `template:`, `component:` are not local."""
    import yaml

    found = node_get(root, "include")
    items = found.value if isinstance(found, yaml.SequenceNode) else [found]
    names: list[str] = []
    for item in items[:_MAX_INCLUDES]:
        if isinstance(item, yaml.MappingNode):
            item = node_get(item, "local")
        if not isinstance(item, yaml.ScalarNode) or not isinstance(item.value, str):
            continue
        name = item.value.strip()
        if name and not name.startswith(_REMOTE) and _NOT_A_PATH.isdisjoint(name):
            names.append(name)
    return names


def _merged(sources: list[_Source]) -> Any:
    """The pipeline as GitLab merges its files: later ones win; a key whose values are both
    mappings in two files is merged key by key (GitLab's deep merge), anything else replaced."""
    import yaml

    top = yaml.MappingNode("tag:yaml.org,2002:map", [])
    for source in sources:
        top = _deep_merge(top, source.root, 0)
    return top


def _deep_merge(base: Any, over: Any, depth: int) -> Any:
    import yaml

    if not isinstance(over, yaml.MappingNode):
        return base
    pairs: dict[str, tuple[Any, Any]] = {str(k.value): (k, v) for k, v in flat_mapping(base)}
    for key, value in flat_mapping(over):
        name = str(key.value)
        before = pairs.get(name)
        if (
            before is not None
            and depth < _MAX_NESTING
            and isinstance(before[1], yaml.MappingNode)
            and isinstance(value, yaml.MappingNode)
        ):
            value = _deep_merge(before[1], value, depth + 1)
        pairs.pop(name, None)
        pairs[name] = (key, value)
    return yaml.MappingNode("tag:yaml.org,2002:map", list(pairs.values()))


def extract(text: str, path: str) -> list[Snippet]:
    _BASES.clear()
    try:
        return _extract(text, path)
    finally:
        _BASES.clear()


def _extract(text: str, path: str) -> list[Snippet]:
    import yaml

    from guard.reject import gitlab_text_may_concern, mentions_codex

    root = compose(text)
    if not isinstance(root, yaml.MappingNode):
        return []
    lines = text.split("\n")
    sources = [_Source(path, lines, root)]
    if node_get(root, "include") is not None:
        included = _Included(path)
        included.read(root)
        if mentions_codex(text) or any(mentions_codex(t) for _where, t in included.texts):
            sources = [*included.all_sources(), *sources]
            if len(sources) > 1:
                root = _merged(sources)
        elif not gitlab_text_may_concern(text):
            return []  # no file of the pipeline mentions codex (the reject let `include` in)
    by_name = {s.path: s for s in sources}
    by_name[_MAIN_MARK] = sources[-1]
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
        order = 0  # the job's runs, one after another (Snippet.session)
        for keys in (("before_script", "script"), ("after_script",)):
            items = [item for key in keys for item in _items(scripts.get(key), root, memo, steps)]
            # The items of each file are a snippet of that file, the items of other files that
            # the shell runs before them its prelude (their state reaches these: an `unset`,
            # a `cd`), placed nowhere: each file's lines are reported in that file, once.
            before: list[_Piece] = []
            for source, run in groupby(items, key=lambda item: by_name[item.start_mark.name]):
                own = [_piece(item, source.lines) for item in run]
                pieces = [*(replace(p, elsewhere=True) for p in before), *own]
                before.extend(own)
                session = ((f"job {name}", order),)
                order += 1
                base = _BASES.get(source.path, 0)
                snippets.append(
                    _shell(
                        pieces,
                        source.path,
                        _env_in(env, base),
                        len(source.lines),
                        session,
                        values=tuple((n, v, _line_in(line, base), w) for n, v, line, w in values),
                    )
                )
    return snippets


def _line_in(line: int, base: int) -> int:
    """An env line (_LINE_BASE) as a line of the file whose base is `base`; 0 when it is
    written in another file (no place in this one)."""
    return line - base if base < line < base + _LINE_BASE else 0


def _env_in(env: Env, base: int) -> Env:
    return {name: (value, _line_in(line, base)) for name, (value, line) in env.items()}
