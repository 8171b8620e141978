"""CI systems and task runners that keep shell in YAML, besides GitHub Actions and GitLab: one
reader, a small spec per system (`SPECS`).

A spec says which files are the system's (guard/sources/detect.py decides by name), who runs the
shell (RunContext: a CI runner gives no TTY; a task runner runs where it is started) and its
layout: a function that walks the file's YAML and yields each `_Shell`, the scalar nodes one shell
runs in order (a string, a list's strings, a `command:`-like key of a mapping), the env those
commands get (name -> value and the line of its key, outer levels first, the step's own last) and
the session they belong to (runs on one machine: Snippet.session). The env's values are also what
`$NAME` holds in the shell (Snippet.values: `RUNNER: codex exec --yolo`, then `$RUNNER "fix"`),
but for a value the system still fills in before the shell starts (`Spec.filled_in`: `$OTHER`
where the system expands it, its template syntax) or one that is no text (a Taskfile `sh:`): that
name is unknown. Everything else is shared with
the GitLab reader: libyaml compose with marks, merge keys (`<<: *defaults`) applied as YAML
defines them, aliases, block and folded scalars put back on their file lines and columns
(gitlab._piece/_shell, yamlnodes.folded_rows). Template syntax the system fills in before the
shell runs (`<< parameters.x >>`, `${{ x }}`, `$(var.name)`, `{{.VAR}}`) is masked as a variable
of the same length, so the shell parses and every column stays put. A file of an unexpected shape
gives no snippet; YAML that does not parse is the one-line error every YAML reader gives.

- CircleCI `.circleci/config.yml`: `jobs.<job>.steps[]`, `run: <string>` or `run: {command,
  environment, shell}`, each its own shell on the job's machine; env from the primary container
  (`docker[0].environment`), the executor and the job (`environment:`), then the step. A job's
  step that invokes a reusable command (`commands:`) runs its steps there, with the job's env;
  the commands' bodies are read on their own too. `when:`/`unless:` steps hold steps.
  `<< parameters.x >>` is the parameter's default, or the value the invoking step passes;
  `<< pipeline.parameters.x >>` the pipeline's default (Snippet.values).
- Bitbucket `bitbucket-pipelines.yml`: every `step:` under `pipelines:` (default, branches,
  pull-requests, tags, custom, parallel, stage): its `script:` items run in one shell,
  `after-script:` in another, in the step's own container. A custom pipeline's `- variables:`
  are env of its steps: the value its runner gives, else the `default:` (none: unknown).
- Azure Pipelines `azure-pipelines.yml`, `.azure-pipelines/*.yml`: `script:`/`bash:` steps (and an
  inline `Bash@3` task, a `CmdLine@2` task: what `script:` is short for) at any depth of stages,
  jobs, deployment strategies and `${{ if }}` blocks, each its own shell on the job's agent;
  `variables:` of the pipeline, stage and job become env with the name upper-cased and `.` made
  `_`; the step's `env:` as written. A macro `$(name)` is the variable's value, written in
  before bash runs (Snippet.values).
- Buildkite `.buildkite/*.yml`, `pipeline.yml`: a step's `command:`/`commands:` (a string or a
  list: one script), top-level and step `env:`, and the `environment:` its docker or
  docker-compose plugin gives the container; `group:` steps hold steps. The agent runs a job
  in a PTY (else with /dev/null): its stdin is no idle pipe (Snippet.closed_stdin). `$NAME` in a
  command is written in at upload from the top-level `env:` (a step's own is blank there);
  `$$NAME` and `\\$NAME` are the shell's `$NAME`, the job's env.
- Taskfile `Taskfile.yml`: `tasks.<t>.cmds[]` (a string or `{cmd: ...}`), each its own shell,
  global and task `env:`; plain global and task `vars:` are the values of their `{{.NAME}}`;
  global and task `dotenv:` files, loaded before each command (`. FILE` on the file name:
  CG103). Run where `task` is started: a script's context.
- pre-commit `.pre-commit-config.yaml`: a hook with `language: system` or `script` (4.4's
  `unsupported`, `unsupported_script`), or a `node` hook that installs `@openai/codex`, runs its
  `entry:` with its `args:` and the staged files; pre-commit gives it stdin at EOF (/dev/null
  under a terminal, a pipe it closes otherwise), which the snippet says with `</dev/null`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from guard.fastclass import replace as replace_snippet
from guard.sources.detect import AZURE, BITBUCKET, BUILDKITE, CIRCLECI, PRE_COMMIT, TASKFILE
from guard.sources.gitlab import Env, Memo, _Piece, _piece, _shell, flat_mapping
from guard.sources.snippet import RunContext, Snippet
from guard.sources.workflow import _dialect
from guard.sources.yamlnodes import compose, env_values

_MAX_DEPTH = 64  # nesting walked (stages in jobs in strategies in `${{ if }}`): past any real file
_MAX_NODES = 200_000  # nodes a walk visits: aliases repeated level after level stop here
_MAX_CALLS = 8  # a reusable command invoking another, as deep as this


@dataclass(frozen=True)
class _Shell:
    """Scalars one shell runs in order, the env it gets, and what else runs on its machine."""

    items: list[Any]
    env: Env
    session: tuple[tuple[str, int], ...] = ()
    dialect: str = "bash"
    wide: frozenset[str] = frozenset()  # env names set for more than this step (a job, the file)
    files: bool | None = None  # a pre-commit hook: are the staged files its arguments?
    sourced: tuple[Any, ...] = ()  # env files the runner loads first (a Taskfile's `dotenv:`)
    # Values the runner writes into the text before the shell runs (a Taskfile's `vars:`,
    # CircleCI's parameters), as Snippet.values of their masked names (_template_values)
    values: tuple[tuple[str, str, int, str], ...] = ()


class _Yaml:
    """Reads composed nodes with merge keys applied (one memo per file)."""

    def __init__(self) -> None:
        self.memo: Memo = {}
        self.visited = 0
        # Lines of env keys whose value is no text here (a mapping: a Taskfile `sh:` variable;
        # a bare `NAME` the agent passes through): in the env as "", unknown to the shell
        self.unknown: set[int] = set()

    def pairs(self, node: Any) -> list[tuple[str, Any]]:
        return [(str(key.value), value) for key, value in flat_mapping(node, 0, self.memo)]

    def get(self, node: Any, key: str) -> Any:
        return next((value for name, value in self.pairs(node) if name == key), None)

    @staticmethod
    def seq(node: Any) -> list[Any]:
        import yaml

        return list(node.value) if isinstance(node, yaml.SequenceNode) else []

    @staticmethod
    def text(node: Any) -> str | None:
        import yaml

        return str(node.value) if isinstance(node, yaml.ScalarNode) else None

    @staticmethod
    def scalars(node: Any) -> list[Any]:
        """A string, or a list's strings: what a `script:`-like key holds."""
        import yaml

        if isinstance(node, yaml.ScalarNode):
            return [node]
        return [item for item in _Yaml.seq(node) if isinstance(item, yaml.ScalarNode)]

    def env(self, node: Any, rename: Callable[[str], str] = str) -> Env:
        """A mapping's names and values (a value that is no string: unknown text), with the line of
        each key; a list of `KEY=VALUE` strings (as docker-compose writes env) too."""
        import yaml

        found: Env = {}
        for key, value in flat_mapping(node, 0, self.memo):
            name = str(key.value)
            if name.startswith("${{"):
                continue  # an Azure template condition, not a name
            text = value.value if isinstance(value, yaml.ScalarNode) else ""
            found[rename(name)] = (str(text), key.start_mark.line + 1)
            if not isinstance(value, yaml.ScalarNode):
                self.unknown.add(key.start_mark.line + 1)
        for item in self.seq(node):
            text = self.text(item)
            if text and "=" in text:
                name, value = text.split("=", 1)
                found[rename(name.strip())] = (value, item.start_mark.line + 1)
        return found

    def count(self) -> None:
        self.visited += 1
        if self.visited > _MAX_NODES:
            from guard.sources.base import SourceError

            raise SourceError("YAML nested and aliased too often to follow")


def _first(node: Any) -> Any:
    items = _Yaml.seq(node)
    return items[0] if items else None


# --- CircleCI ------------------------------------------------------------------------------------


def _circleci(y: _Yaml, root: Any) -> Iterator[_Shell]:
    executors = y.get(root, "executors")
    commands = {name: body for name, body in y.pairs(y.get(root, "commands"))}
    pipeline = _template_values(_circleci_defaults(y, root), _PIPELINE_FORMS)
    invocations = _circleci_invocations(y, root)
    for name, job in y.pairs(y.get(root, "jobs")):
        env: Env = {}
        executor = y.get(job, "executor")
        named = y.text(executor) or y.text(y.get(executor, "name"))
        for holder in (y.get(executors, named) if named else None, job):
            env.update(y.env(y.get(_first(y.get(holder, "docker")), "environment")))
        for holder in (y.get(executors, named) if named else None, job):
            env.update(y.env(y.get(holder, "environment")))
        shell = y.text(y.get(job, "shell"))  # the job's default for its `run` steps
        steps = y.get(job, "steps")
        passed, added = invocations.get(name, ((), []))
        scope = _Scope(f"job {name}", commands, pipeline, _circleci_defaults(y, job), shell)
        scope = replace(scope, passed=passed)
        counter = [0]
        yield from _circleci_steps(y, steps, env, scope, counter, 0)
        for more in added:  # `pre-steps:`/`post-steps:` and `steps`-type parameters given
            yield from _circleci_steps(y, more, env, scope, counter, 0)
    for name, body in commands.items():
        scope = _Scope(f"command {name}", {}, pipeline, _circleci_defaults(y, body))
        yield from _circleci_steps(y, y.get(body, "steps"), {}, scope, [0], 0)


# The keys of a workflow's job entry that are no parameter of the job.
_CIRCLECI_JOB_KEYS = frozenset(
    {"name", "requires", "context", "filters", "type", "matrix", "serial-group"}
    | {"pre-steps", "post-steps", "override-with"}
)


def _circleci_invocations(
    y: _Yaml, root: Any
) -> dict[str, tuple[tuple[tuple[str, str, int, str], ...], list[Any]]]:
    """For each job a workflow runs: the parameter values its entries pass (`- review:
    {sandbox: danger-full-access}`, a `matrix: {parameters: {x: [a, b]}}`: each value one of
    the parameter's, Snippet.values) and the steps they add (`pre-steps:`, `post-steps:`, and a
    `steps`-type parameter's list): the job runs with each."""
    found: dict[str, tuple[list[tuple[str, str, int, str]], list[Any]]] = {}
    for workflow_name, workflow in y.pairs(y.get(root, "workflows")):
        if workflow_name == "version":
            continue
        for entry in y.seq(y.get(workflow, "jobs")):
            y.count()
            for job, given in y.pairs(entry):
                values, added = found.setdefault(job, ([], []))
                passed: Env = {}
                for key, value in y.pairs(given):
                    if key in ("pre-steps", "post-steps"):
                        added.append(value)
                    elif key not in _CIRCLECI_JOB_KEYS and y.text(value) is not None:
                        passed[key] = (str(y.text(value)), value.start_mark.line + 1)
                    elif key not in _CIRCLECI_JOB_KEYS and y.seq(value):
                        added.append(value)  # a `steps`-type parameter's steps
                values.extend(_template_values(passed, _PARAMETER_FORMS))
                matrix = y.get(y.get(given, "matrix"), "parameters")
                for key, options in y.pairs(matrix):
                    for option in y.seq(options):
                        if y.text(option) is not None:
                            one = {key: (str(y.text(option)), option.start_mark.line + 1)}
                            values.extend(_template_values(one, _PARAMETER_FORMS))
    return {job: (tuple(values), added) for job, (values, added) in found.items()}


@dataclass(frozen=True)
class _Scope:
    """Where CircleCI steps run: the job (or command) they belong to, the reusable commands they
    may invoke, and the values of `<< pipeline.parameters.x >>` and `<< parameters.x >>` there
    (a parameter's default, or the value the invoking step passes)."""

    job: str
    commands: dict[str, Any]
    pipeline: tuple[tuple[str, str, int, str], ...]
    parameters: Env
    shell: str | None = None
    # more values of the job's parameters: those its workflow entries pass (_circleci_invocations)
    passed: tuple[tuple[str, str, int, str], ...] = ()

    @property
    def values(self) -> tuple[tuple[str, str, int, str], ...]:
        own = _template_values(self.parameters, _PARAMETER_FORMS)
        return (*self.pipeline, *own, *self.passed)


def _circleci_defaults(y: _Yaml, holder: Any) -> Env:
    """The `default:` of each parameter a job, a command or the pipeline declares."""
    found: Env = {}
    for name, spec in y.pairs(y.get(holder, "parameters")):
        default = y.get(spec, "default")
        if y.text(default) is not None:
            found[name] = (str(default.value), default.start_mark.line + 1)
    return found


def _circleci_arguments(y: _Yaml, step: Any, called: str, scope: _Scope) -> Env:
    """The parameters a step passes the command it invokes (`- review: {sandbox: x}`); a value
    that is one of the caller's own parameters (`<< parameters.x >>`) is that one's value."""
    found: Env = {}
    for name, value in y.pairs(y.get(step, called)):
        text = y.text(value)
        if text is None:
            continue
        own = re.fullmatch(r"<<\s*parameters\.([\w-]+)\s*>>", text.strip())
        if own is not None:
            if own.group(1) in scope.parameters:
                found[name] = scope.parameters[own.group(1)]
            continue
        found[name] = (text, value.start_mark.line + 1)
    return found


def _circleci_steps(
    y: _Yaml, steps: Any, env: Env, scope: _Scope, counter: list[int], depth: int
) -> Iterator[_Shell]:
    import yaml

    if depth > _MAX_CALLS:
        return
    shell = scope.shell
    for step in y.seq(steps):
        y.count()
        counter[0] += 1
        session = ((scope.job, counter[0]),)
        called = y.text(step)
        if called is None and isinstance(step, yaml.MappingNode) and len(step.value) == 1:
            called = y.text(step.value[0][0])
        if called in ("when", "unless"):
            inner = y.get(y.get(step, called), "steps")
            yield from _circleci_steps(y, inner, env, scope, counter, depth + 1)
            continue
        if called in scope.commands and called != "run":
            body = scope.commands[called]
            given = {**_circleci_defaults(y, body), **_circleci_arguments(y, step, called, scope)}
            inner = y.get(body, "steps")
            called_scope = replace(scope, parameters=given, passed=())
            yield from _circleci_steps(y, inner, env, called_scope, counter, depth + 1)
            for _, value in y.pairs(y.get(step, called)):  # a `steps`-type parameter's steps
                if y.seq(value):
                    yield from _circleci_steps(y, value, env, scope, counter, depth + 1)
            continue
        run = y.get(step, "run")
        if y.text(run) is not None:
            dialect = _circleci_dialect(shell)
            if dialect is not None:
                yield _Shell([run], env, session, dialect, frozenset(env), values=scope.values)
            continue
        command = y.get(run, "command")
        dialect = _circleci_dialect(y.text(y.get(run, "shell")) or shell)
        if y.text(command) is None or dialect is None:
            continue
        own = y.env(y.get(run, "environment"))
        wide = frozenset(name for name in env if name not in own)
        yield _Shell([command], {**env, **own}, session, dialect, wide, values=scope.values)


def _circleci_dialect(shell: str | None) -> str | None:
    """`run`'s `shell:` (bash by default): `powershell.exe`, `cmd.exe` are no POSIX shell."""
    return _dialect(shell.removesuffix(".exe") if shell else None)


# --- Bitbucket Pipelines -------------------------------------------------------------------------


def _walk(y: _Yaml, node: Any, depth: int = 0) -> Iterator[tuple[str, Any, Any]]:
    """Every (key, value, mapping) of the tree under `node`, in file order (merge keys applied)."""
    import yaml

    y.count()
    if depth > _MAX_DEPTH:
        return
    if isinstance(node, yaml.MappingNode):
        for key, value in y.pairs(node):
            yield key, value, node
            yield from _walk(y, value, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _walk(y, item, depth + 1)


def _bitbucket(y: _Yaml, root: Any) -> Iterator[_Shell]:
    for section, pipelines in y.pairs(y.get(root, "pipelines")):
        if section != "custom":
            yield from _bitbucket_steps(y, pipelines, {})
            continue
        for _name, pipeline in y.pairs(pipelines):
            yield from _bitbucket_steps(y, pipeline, _bitbucket_variables(y, pipeline))


def _bitbucket_steps(y: _Yaml, node: Any, env: Env) -> Iterator[_Shell]:
    wide = frozenset(env)  # a custom pipeline's variables reach each of its steps
    for key, step, _parent in _walk(y, node):
        if key != "step":
            continue
        where = f"step {step.start_mark.line + 1}"  # each step gets a container of its own
        yield _Shell(y.scalars(y.get(step, "script")), env, ((where, 0),), wide=wide)
        yield _Shell(y.scalars(y.get(step, "after-script")), env, ((where, 1),), wide=wide)


def _bitbucket_variables(y: _Yaml, pipeline: Any) -> Env:
    """A custom pipeline's `- variables:` (`name:`, `default:`): whoever runs it gives each
    one's value, else its default (both reach its steps as env); with no default it is unknown."""
    found: Env = {}
    for item in y.seq(pipeline):
        for variable in y.seq(y.get(item, "variables")):
            name = y.get(variable, "name")
            if y.text(name) is None:
                continue
            line = name.start_mark.line + 1
            default = y.text(y.get(variable, "default"))
            found[str(name.value)] = (default or "", line)
            if default is None:
                y.unknown.add(line)
    return found


# --- Azure Pipelines -----------------------------------------------------------------------------


def _azure_name(name: str) -> str:
    """A pipeline variable's name in the env of the steps: `build.tool` -> BUILD_TOOL."""
    return name.upper().replace(".", "_")


def _azure_variables(y: _Yaml, node: Any) -> Env:
    found = y.env(node, _azure_name) if y.pairs(node) else {}
    for item in y.seq(node):  # `- name: x` / `value: y` (a `group:` or `template:` adds nothing)
        name = y.get(item, "name")
        if y.text(name) is not None:
            value = y.text(y.get(item, "value")) or ""
            found[_azure_name(str(name.value))] = (value, name.start_mark.line + 1)
    return found


_AZURE_SHELLS = ("script", "bash")
_AZURE_BASH_TASK = "bash@3"  # `targetType: inline` runs its `script:` input (else a file)
# The task the `script:` step is short for: its `script:` input is the step's text
_AZURE_CMDLINE_TASK = "cmdline@2"


def _azure(y: _Yaml, root: Any) -> Iterator[_Shell]:
    yield from _azure_node(y, root, {}, 0)


def _azure_node(y: _Yaml, node: Any, env: Env, depth: int) -> Iterator[_Shell]:
    import yaml

    y.count()
    if depth > _MAX_DEPTH:
        return
    if isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _azure_node(y, item, env, depth + 1)
        return
    if not isinstance(node, yaml.MappingNode):
        return
    env = {**env, **_azure_variables(y, y.get(node, "variables"))}
    for key, value in y.pairs(node):
        if key == "steps":
            where = f"job {node.start_mark.line + 1}"  # one agent runs the job's steps in order
            yield from _azure_steps(y, value, env, where, [0], depth + 1)
        elif key != "variables":
            yield from _azure_node(y, value, env, depth + 1)


def _azure_steps(
    y: _Yaml, steps: Any, env: Env, where: str, counter: list[int], depth: int
) -> Iterator[_Shell]:
    import yaml

    if depth > _MAX_DEPTH:
        return
    for step in y.seq(steps):
        y.count()
        counter[0] += 1
        script = next((y.get(step, k) for k in _AZURE_SHELLS if y.get(step, k) is not None), None)
        task = (y.text(y.get(step, "task")) or "").lower()
        if task == _AZURE_BASH_TASK:
            inputs = y.get(step, "inputs")
            target = y.text(y.get(inputs, "targetType")) or y.text(y.get(inputs, "targettype"))
            if (target or "filePath").lower() == "inline":
                script = y.get(inputs, "script")
        elif task == _AZURE_CMDLINE_TASK:
            script = y.get(y.get(step, "inputs"), "script")
        if script is None:  # `- ${{ if ... }}:` / `- ${{ each ... }}:` hold steps
            for key, value in y.pairs(step):
                if key.startswith("${{") and isinstance(value, yaml.SequenceNode):
                    yield from _azure_steps(y, value, env, where, counter, depth + 1)
            continue
        if y.text(script) is None:
            continue
        own = y.env(y.get(step, "env"))
        wide = frozenset(name for name in env if name not in own)
        yield _Shell([script], {**env, **own}, ((where, counter[0]),), wide=wide)


# --- Buildkite -----------------------------------------------------------------------------------


def _buildkite(y: _Yaml, root: Any) -> Iterator[_Shell]:
    import yaml

    steps = root if isinstance(root, yaml.SequenceNode) else y.get(root, "steps")
    env = y.env(y.get(root, "env"))
    # `pipeline upload` writes `$NAME` into the commands before any shell runs, from its own env
    # and the top-level `env:` (buildkite/go-pipeline, Pipeline.Interpolate): a step's own env
    # is not there (blank). Such a `$NAME` is masked as `$_AME` (_buildkite_upload), which holds
    # the top-level value (one with a `$` is interpolated itself: unknown); `$$NAME` is the
    # shell's `$NAME`, the job's env.
    top = env_values(((n, v, line) for n, (v, line) in env.items()), y.unknown)
    values = tuple(
        (_upload_name(name), value, line, "$" + name) for name, value, line, _ in top if name[1:]
    )
    yield from _buildkite_steps(y, steps, env, 0, values)


def _buildkite_steps(
    y: _Yaml,
    steps: Any,
    env: Env,
    depth: int,
    values: tuple[tuple[str, str, int, str], ...] = (),
) -> Iterator[_Shell]:
    if depth > _MAX_DEPTH:
        return
    for step in y.seq(steps):
        y.count()
        if y.get(step, "group") is not None:
            yield from _buildkite_steps(y, y.get(step, "steps"), env, depth + 1, values)
            continue
        found = y.get(step, "commands")
        found = y.get(step, "command") if found is None else found
        own = {**y.env(y.get(step, "env")), **_buildkite_container_env(y, step)}
        wide = frozenset(name for name in env if name not in own)
        # a step may run on any agent: it shares no session with another step
        yield _Shell(y.scalars(found), {**env, **own}, (), wide=wide, values=values)


_BUILDKITE_CONTAINERS = ("docker", "docker-compose")


def _buildkite_container_env(y: _Yaml, step: Any) -> Env:
    """The env the docker and docker-compose plugins give the container the step's command runs
    in: `environment:` (`env:` too), `NAME=value` or a bare `NAME` the agent's value passes
    through (`docker run -e NAME`: the key when the agent has it)."""
    found: Env = {}
    plugins = y.get(step, "plugins")
    # a list of one-key mappings, or (the schema's other form) one mapping of them all
    configs = [pair for plugin in y.seq(plugins) for pair in y.pairs(plugin)] + y.pairs(plugins)
    for name, config in configs:
        if name.split("#", 1)[0].rsplit("/", 1)[-1] not in _BUILDKITE_CONTAINERS:
            continue
        for key in ("env", "environment"):
            holder = y.get(config, key)
            found.update(y.env(holder))
            for item in y.seq(holder):
                text = y.text(item)
                if text and "=" not in text:
                    found[text.strip()] = ("", item.start_mark.line + 1)
                    y.unknown.add(item.start_mark.line + 1)
    return found


# --- Taskfile ------------------------------------------------------------------------------------


def _task_vars(y: _Yaml, node: Any) -> Env:
    """A Taskfile's `vars:` that are plain strings (not `sh:`, `ref:`, nor templates)."""
    found: Env = {}
    for key, value in y.pairs(node):
        text = y.text(value)
        if text is not None and "{{" not in text:
            found[key] = (text, value.start_mark.line + 1)
    return found


def _taskfile(y: _Yaml, root: Any) -> Iterator[_Shell]:
    outer = y.env(y.get(root, "env"))
    dotenv = tuple(y.scalars(y.get(root, "dotenv")))
    outer_vars = _task_vars(y, y.get(root, "vars"))
    for name, task in y.pairs(y.get(root, "tasks")):
        own: Env = {}
        sourced = dotenv
        variables = outer_vars
        if y.text(task) is not None or y.seq(task):
            cmds: list[Any] = y.seq(task) or [task]  # `build: go build ./...`, `lint: [a, b]`
        else:
            found = y.get(task, "cmds")
            cmds = y.seq(found) or ([found] if found is not None else [])
            single = y.get(task, "cmd")
            cmds = cmds or ([single] if single is not None else [])
            own = y.env(y.get(task, "env"))
            sourced = (*dotenv, *y.scalars(y.get(task, "dotenv")))
            variables = {**outer_vars, **_task_vars(y, y.get(task, "vars"))}
        env = {**outer, **own}
        for number, cmd in enumerate(cmds):
            node = cmd if y.text(cmd) is not None else y.get(cmd, "cmd")
            if y.text(node) is None:
                node = y.get(cmd, "defer")  # `- defer: rm -rf tmp` runs when the task ends
            if y.text(node) is not None:
                session = ((f"task {name}", number),)
                values = _template_values(variables, _TASK_FORMS)
                yield _Shell(
                    [node], env, session, wide=frozenset(env), sourced=sourced, values=values
                )


# --- pre-commit ----------------------------------------------------------------------------------

# Hooks whose entry runs a program from the system's PATH: `system` and `script`, renamed
# `unsupported` and `unsupported_script` by pre-commit 4.4.0 (the old names deprecated).
_PRE_COMMIT_LANGUAGES = ("system", "script", "unsupported", "unsupported_script")
# A node hook runs its entry with the hook env's `node_modules/.bin` first on PATH: with the Codex
# CLI's package among its `additional_dependencies`, `codex` is that CLI.
_CODEX_PACKAGE = re.compile(r"@openai/codex(@.*)?\Z")


def _pre_commit_runs(y: _Yaml, hook: Any) -> bool:
    language = y.text(y.get(hook, "language"))
    if language in _PRE_COMMIT_LANGUAGES:
        return True
    extra = y.scalars(y.get(hook, "additional_dependencies"))
    return language == "node" and any(_CODEX_PACKAGE.match(str(d.value)) for d in extra)


def _pre_commit(y: _Yaml, root: Any) -> Iterator[_Shell]:
    for repo in y.seq(y.get(root, "repos")):
        for hook in y.seq(y.get(repo, "hooks")):
            y.count()
            entry = y.get(hook, "entry")
            if not y.text(entry) or not _pre_commit_runs(y, hook):
                continue
            files = (y.text(y.get(hook, "pass_filenames")) or "true").lower() != "false"
            args = y.scalars(y.get(hook, "args")) if y.seq(y.get(hook, "args")) else []
            yield _Shell([entry, *args], {}, files=files)


_PLAIN_WORD = re.compile(r"[\w@%+=:,./-]+")
_FILE_NAME = re.compile(r"[\w@%+=:,./~{}-]+")  # `{{.HOME}}/.env`: masked as a variable after
# A segment of a command line and where it sits in the file: (text, 0-based line, column).
_Segment = tuple[str, int, int]


def _segments(piece: _Piece) -> list[_Segment]:
    """A scalar's text as segments on their file lines (pre-commit splits an entry's words at any
    whitespace, line breaks included: the segments go on one command line)."""
    if piece.folds is not None:
        found: list[_Segment] = []
        for row, places in zip(piece.rows, piece.folds, strict=False):
            ends = [column for column, _line, _col in places[1:]] + [len(row)]
            for (column, line, file_column), end in zip(places, ends, strict=False):
                found.append((row[column:end], line, file_column))
        return found
    rows = piece.rows
    return [
        (row, piece.line + i, piece.indent if i else piece.column) for i, row in enumerate(rows)
    ]


def _pre_commit_snippet(shell: _Shell, lines: list[str], path: str) -> Snippet:
    """The hook's command as pre-commit runs it, with no shell: the entry's words, each of `args:`
    one word (quoted here), then the staged files (`"$@"`); stdin at EOF (`</dev/null`). One
    command line, each segment mapped back to its file line and column (`joins`)."""
    entry, *args = (_piece(item, lines) for item in shell.items)
    segments = _segments(entry)
    for arg in args:
        if _PLAIN_WORD.fullmatch(arg.text):  # as the shell reads it: on its own column
            segments.append((arg.text, arg.line, arg.column))
        else:  # one word, as pre-commit passes it: quoted, the quote just before it
            quoted = "'" + arg.text.replace("'", "'\\''") + "'"
            segments.append((quoted, arg.line, max(arg.column - 1, 0)))
    first_line = segments[0][1]
    text = ""
    joins: list[tuple[int, int, int, int]] = []
    for index, (segment, line, column) in enumerate(segments):
        if index:
            text += " "
            joins.append((first_line + 1, len(text) + 1, line + 1, column + 1))
        text += segment.replace("\n", " ")
    text += (' "$@"' if shell.files else "") + " </dev/null"
    place = ((first_line + 1, first_line + 1, segments[0][2]),)
    return Snippet(
        text,
        path,
        first_line,
        0,
        "bash",
        RunContext.SCRIPT,
        line_map=place,
        joins=tuple(joins),
    )


# --- the table -----------------------------------------------------------------------------------

# Template syntax each system fills in before its shell runs, masked as a same-length variable.
_CIRCLECI_PARAMS = re.compile(r"<<[^\n<>]*>>")
_AZURE_TEMPLATES = re.compile(r"\$\{\{[^\n]*?\}\}|\$\[[^\n]*?\]|\$\([A-Za-z_][\w.]*\)")
_TASK_TEMPLATES = re.compile(r"\{\{[^\n]*?\}\}")


@dataclass(frozen=True)
class Spec:
    layout: Callable[[_Yaml, Any], Iterator[_Shell]]
    context: RunContext
    templates: re.Pattern[str] | None = None
    sequence_root: bool = False  # a file that may be a bare list (a Buildkite `steps` list)
    closed_stdin: bool = False  # the runner gives the shell a terminal or /dev/null, no idle pipe
    # What the system still fills into an env value before the shell gets it: such a value is
    # unknown to the shell (yamlnodes.env_values); None: the layout says what `$NAME` holds
    # (`_Shell.values`)
    filled_in: tuple[str, ...] | None = ("$",)


SPECS: dict[str, Spec] = {
    # "CircleCI does not support interpolation when setting environment variables" (Set an
    # environment variable, circleci.com/docs): a `$` in a value is the text the shell gets
    CIRCLECI: Spec(_circleci, RunContext.CI, _CIRCLECI_PARAMS, filled_in=("<<",)),
    BITBUCKET: Spec(_bitbucket, RunContext.CI),
    AZURE: Spec(_azure, RunContext.CI, _AZURE_TEMPLATES),
    # "The agent will run any jobs within a PTY (pseudo terminal) if available" (buildkite-agent
    # start), else with /dev/null: codex never waits on either (no CG201)
    BUILDKITE: Spec(_buildkite, RunContext.CI, sequence_root=True, closed_stdin=True),
    TASKFILE: Spec(_taskfile, RunContext.SCRIPT, _TASK_TEMPLATES, filled_in=("$", "{{")),
    PRE_COMMIT: Spec(_pre_commit, RunContext.SCRIPT),
}


def _mask(match: re.Match[str], env: Env) -> str:
    """A same-length `${_...}` variable for what the system fills in. An Azure macro `$(name)`
    is the variable's value, which its steps also get as env `NAME` (`$(build.tool)`:
    BUILD_TOOL, a predefined variable like `$(Build.SourcesDirectory)` too): `${NAME}`, the same
    length. A `$(name)` of no variable stays a command substitution, as Azure leaves it."""
    found = match.group(0)
    if found.startswith("$("):
        name = _azure_name(found[2:-1])
        return "${" + name + "}" if "." in found or name in env else found
    return "${_" + re.sub(r"\W", "_", found[3:-1]) + "}"


# How a template names a value: a Taskfile's `{{.NAME}}`, CircleCI's `<< parameters.NAME >>`
_TASK_FORMS = ("{{.%}}", "{{ .% }}")
_PARAMETER_FORMS = ("<< parameters.% >>", "<<parameters.%>>")
_PIPELINE_FORMS = ("<< pipeline.parameters.% >>", "<<pipeline.parameters.%>>")


def _template_values(
    variables: Env, forms: tuple[str, ...]
) -> tuple[tuple[str, str, int, str], ...]:
    """Snippet.values for a template's variables: each written form (`{{.NAME}}`, `<<
    parameters.NAME >>`) is masked as a shell variable of its length (`${_NAME_}`, _mask), which
    holds the variable's value. A value that is itself a template is left unknown."""
    found: list[tuple[str, str, int, str]] = []
    for name, (value, line) in variables.items():
        if "{{" in value or "<<" in value:
            continue
        for form in forms:
            written = form.replace("%", name)
            found.append(("_" + re.sub(r"\W", "_", written[3:-1]), value, line, written))
    return tuple(found)


MAX_FILLED = 8  # values one env entry may take once its parameters are filled in


def _parameters_filled_in(
    env: list[tuple[str, str, int]], values: tuple[tuple[str, str, int, str], ...]
) -> tuple[list[tuple[str, str, int]], list[tuple[str, str, int]]]:
    """CircleCI writes `<< parameters.x >>` and `<< pipeline.parameters.x >>` into the whole
    config before a job runs, its `environment:` values too: an env value with them is the
    text it becomes with each value the parameter may have (its default, a value a workflow
    passes). The env with each such value's first text, and the other texts (Snippet.values:
    a name given more than once holds one of them). A value with a template no value is known
    for stays as written (unknown to the shell)."""
    forms: dict[str, list[str]] = {}
    for _name, value, _line, written in values:
        if written.startswith("<<"):
            forms.setdefault(written, []).append(value)
    first: list[tuple[str, str, int]] = []
    more: list[tuple[str, str, int]] = []
    for name, value, line in env:
        texts = [value]
        for written, options in forms.items():
            if written in value:
                texts = [t.replace(written, o) for t in texts for o in dict.fromkeys(options)]
                texts = texts[:MAX_FILLED]
        unique = list(dict.fromkeys(texts))
        first.append((name, unique[0], line))
        more.extend((name, text, line) for text in unique[1:])
    return first, more


def _macro_values(env: Env, unknown: set[int]) -> tuple[tuple[str, str, int, str], ...]:
    """Snippet.values for an Azure pipeline's macros: Azure writes a variable's value where
    `$(name)` stands before the shell runs (masked as `${NAME}`, _mask), so `$(codexBin) exec`
    is `codex exec` when `codexBin: codex`, and so is `$CODEXBIN` (the env name); a value that
    is itself a macro or an expression is left unknown."""
    return tuple(
        (name, value, line, "$(" + name + ")")
        for name, (value, line) in env.items()
        if "$" not in value and line not in unknown
    )


# What `pipeline upload` reads in a command: its escapes (`$$`, `\$`: a `$` the shell gets) and
# the variables it writes in (`$NAME`, `${NAME...}`).
_BUILDKITE_DOLLARS = re.compile(r"\$\$|\\\$|\$\{?([A-Za-z_][A-Za-z0-9_]*)")


def _upload_name(name: str) -> str:
    """The masked name of a variable `pipeline upload` writes in: as long as the name (columns
    stay put), never the shell's own (`_` first)."""
    return "_" + name[1:]


def _buildkite_upload(piece: _Piece) -> _Piece:
    """A command as the agent's shell gets it after `pipeline upload`: each `$$` or `\\$` one
    `$` (the text after it moves left: its file places are kept as `folds`, so every column
    still points into the file), each `$NAME` it writes in masked as `$_AME` (a one-letter
    name stays: `$_` is the shell's own)."""
    if "$" not in piece.text:
        return piece
    if "$$" not in piece.text and "\\$" not in piece.text:  # no escape: every column stays
        return replace(piece, text=_BUILDKITE_DOLLARS.sub(_upload_masked, piece.text))
    rows = piece.rows
    folds = piece.folds or [
        [(0, piece.line + i, piece.column if i == 0 else piece.indent)] for i in range(len(rows))
    ]
    out_rows: list[str] = []
    out_folds: list[list[tuple[int, int, int]]] = []
    for row, segments in zip(rows, folds, strict=False):
        out: list[str] = []
        origin: list[int] = []  # the row's column each output column was written at
        at = 0
        for match in _BUILDKITE_DOLLARS.finditer(row):
            out.append(row[at : match.start()])
            origin.extend(range(at, match.start()))
            name = match.group(1)
            if name is None:  # an escape: its second character is the `$` the shell gets
                out.append("$")
                origin.append(match.start() + 1)
            else:
                head = match.group(0)[: -len(name)]
                masked = name if len(name) == 1 else _upload_name(name)
                out.append(head + masked)
                origin.extend(range(match.start(), match.end()))
            at = match.end()
        out.append(row[at:])
        origin.extend(range(at, len(row)))
        out_rows.append("".join(out))
        out_folds.append(_moved(segments, origin))
    trailing = piece.text[len("\n".join(rows)) :]
    return replace(piece, text="\n".join(out_rows) + trailing, folds=out_folds)


def _upload_masked(match: re.Match[str]) -> str:
    name = match.group(1)
    if name is None or len(name) == 1:
        return match.group(0)
    return match.group(0)[: -len(name)] + _upload_name(name)


def _moved(segments: list[tuple[int, int, int]], origin: list[int]) -> list[tuple[int, int, int]]:
    """A row's file places (text column, file line, file column) after some of its characters
    were dropped: `origin[c]` is the old column of new column `c`; a new segment starts where
    the old columns jump."""

    def place(old: int) -> tuple[int, int]:
        column, line, file_column = max(
            (s for s in segments if s[0] <= old), default=segments[0], key=lambda s: s[0]
        )
        return line, file_column + old - column

    found: list[tuple[int, int, int]] = [(0, *place(origin[0] if origin else 0))]
    for new in range(1, len(origin)):
        if origin[new] != origin[new - 1] + 1 or any(s[0] == origin[new] for s in segments):
            found.append((new, *place(origin[new])))
    return found


def _masked(piece: _Piece, templates: re.Pattern[str] | None, env: Env) -> _Piece:
    if templates is None or not templates.search(piece.text):
        return piece
    return replace(piece, text=templates.sub(lambda match: _mask(match, env), piece.text))


def _sourced(node: Any, lines: list[str]) -> _Piece:
    """An env file the runner loads before the commands (Taskfile `dotenv: [.env]`: it sets
    each name the env does not have yet) as the shell's own `. FILE`, its `.` at the file name's
    line and column (where CG103's "loaded here" points): a file the linter cannot see through is
    CG103, one in the repo that sets a key is CG103 at error."""
    piece = _piece(node, lines)
    name = piece.text.strip()
    if not _FILE_NAME.fullmatch(name):
        name = "'" + name.replace("'", "'\\''") + "'"  # one word, as the runner reads it
    return replace(piece, text=". " + name)


def read(kind: str, text: str, path: str) -> list[Snippet]:
    import yaml

    spec = SPECS[kind]
    root = compose(text)
    if not isinstance(root, yaml.MappingNode) and not (
        spec.sequence_root and isinstance(root, yaml.SequenceNode)
    ):
        return []  # not this system's file, or an empty one
    lines = text.split("\n")
    y = _Yaml()
    snippets: list[Snippet] = []
    seen: set[Snippet] = set()
    for shell in spec.layout(y, root):
        items = [item for item in shell.items if str(item.value).strip()]
        if not items:
            continue
        if shell.files is not None:
            snippet = _pre_commit_snippet(shell, lines, path)
        else:
            pieces = [_sourced(item, lines) for item in shell.sourced if str(item.value).strip()]
            pieces += [_piece(item, lines) for item in items]
            pieces = [_masked(piece, spec.templates, shell.env) for piece in pieces]
            if kind == BUILDKITE:
                pieces = [_buildkite_upload(piece) for piece in pieces]
            snippet = _shell(
                pieces, path, shell.env, len(lines), shell.session, spec.context, shell.dialect
            )
        # What `$NAME` holds in the shell: the env the runner hands it (Snippet.values)
        known: tuple[tuple[str, str, int, str], ...] = ()
        if kind == AZURE:
            known = _macro_values(shell.env, y.unknown)
        elif spec.filled_in is not None:
            pairs = [(name, value, line) for name, (value, line) in shell.env.items()]
            more: list[tuple[str, str, int]] = []
            if kind == CIRCLECI and shell.values:
                pairs, more = _parameters_filled_in(pairs, shell.values)
            known = env_values(pairs, y.unknown, spec.filled_in)
            kept = {(name, line) for name, _value, line, _written in known}
            known += tuple((n, v, line, n) for n, v, line in more if (n, line) in kept)
        if shell.values or known:
            # the env is the shell's environment (a child shell sees it too); a template's
            # masked names go with it, harmless (`${_parameters_x_}`: no command reads those)
            snippet = replace_snippet(snippet, values=(*shell.values, *known), values_exported=True)
        wide = tuple(line for name, (_v, line) in shell.env.items() if name in shell.wide)
        if wide:
            snippet = replace_snippet(snippet, wide_env_lines=wide)
        if spec.closed_stdin:
            snippet = replace_snippet(snippet, closed_stdin=True)
        if snippet not in seen:  # one step reached twice (an alias, a command two jobs invoke)
            seen.add(snippet)
            snippets.append(snippet)
    return snippets


def extract_circleci(text: str, path: str) -> list[Snippet]:
    return read(CIRCLECI, text, path)


def extract_bitbucket(text: str, path: str) -> list[Snippet]:
    return read(BITBUCKET, text, path)


def extract_azure(text: str, path: str) -> list[Snippet]:
    return read(AZURE, text, path)


def extract_buildkite(text: str, path: str) -> list[Snippet]:
    return read(BUILDKITE, text, path)


def extract_taskfile(text: str, path: str) -> list[Snippet]:
    return read(TASKFILE, text, path)


def extract_pre_commit(text: str, path: str) -> list[Snippet]:
    return read(PRE_COMMIT, text, path)
