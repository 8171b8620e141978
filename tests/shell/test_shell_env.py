"""The environment a command really gets, and where each variable came from."""

from __future__ import annotations

from guard.shell import parse_script
from guard.shell.model import Command, EnvOrigin

KEY = "OPENAI_API_KEY"


def calls(text: str) -> list[Command]:
    return [c for c in parse_script(text).commands if c.program == "codex"]


def last(text: str) -> Command:
    found = calls(text)
    assert found, text
    return found[-1]


def test_prefix_assignment() -> None:
    b = last("OPENAI_API_KEY=sk-1 codex exec p").env_var(KEY)
    assert b is not None and b.origin is EnvOrigin.PREFIX
    assert b.value is not None and b.value.text == "sk-1"
    assert b.span.line == 1 and b.span.column == 1


def test_prefix_does_not_outlive_its_command() -> None:
    assert last("OPENAI_API_KEY=x true\ncodex exec p").env_var(KEY) is None


def test_export_earlier_in_scope() -> None:
    b = last('export OPENAI_API_KEY="$SECRET"\ncodex exec p').env_var(KEY)
    assert b is not None and b.origin is EnvOrigin.EXPORT
    assert b.value is not None and not b.value.literal


def test_export_of_known_and_unknown_var() -> None:
    assert last("OPENAI_API_KEY=x\nexport OPENAI_API_KEY\ncodex exec p").env_var(KEY) is not None
    b = last("export OPENAI_API_KEY\ncodex exec p").env_var(KEY)
    assert b is not None and b.value is None


def test_plain_assignment_is_not_exported() -> None:
    assert last("OPENAI_API_KEY=x\ncodex exec p").env_var(KEY) is None


def test_declare_typeset_local_x() -> None:
    assert last("declare -x OPENAI_API_KEY=x\ncodex exec p").env_var(KEY) is not None
    assert last("typeset -x OPENAI_API_KEY=x\ncodex exec p").env_var(KEY) is not None
    f = last("f() { local -x OPENAI_API_KEY=x; codex exec p; }\nf")
    assert f.env_var(KEY) is not None


def test_local_x_does_not_leak_after_the_call() -> None:
    text = "f() { local -x OPENAI_API_KEY=x; :; }\nf\ncodex exec p"
    assert last(text).env_var(KEY) is None


def test_set_a_exports_later_assignments() -> None:
    b = last("set -a\nOPENAI_API_KEY=x\nset +a\ncodex exec p").env_var(KEY)
    assert b is not None and b.origin is EnvOrigin.ALLEXPORT
    assert last("set -o allexport\nOPENAI_API_KEY=x\ncodex exec p").env_var(KEY) is not None
    assert last("set -a\nset +a\nOPENAI_API_KEY=x\ncodex exec p").env_var(KEY) is None


def test_unset_and_export_n_remove() -> None:
    script = parse_script("export OPENAI_API_KEY=x\nunset OPENAI_API_KEY\ncodex exec p")
    assert script.commands[-1].env_var(KEY) is None
    assert [u.name for u in script.unsets] == [KEY]
    assert script.unsets[0].span.line == 2
    assert (
        last("export OPENAI_API_KEY=x\nexport -n OPENAI_API_KEY\ncodex exec p").env_var(KEY) is None
    )


def test_env_wrapper_adds_removes_clears() -> None:
    b = last("env OPENAI_API_KEY=x codex exec p").env_var(KEY)
    assert b is not None and b.origin is EnvOrigin.ENV_WRAPPER
    assert last("export OPENAI_API_KEY=x\nenv -u OPENAI_API_KEY codex exec p").env_var(KEY) is None
    cmd = last("export OPENAI_API_KEY=x\nexport A=1\nenv -i HOME=/h codex exec p")
    assert cmd.env_cleared
    assert [b.name for b in cmd.env] == ["HOME"]


def test_sudo_resets_env_but_sudo_e_keeps_it() -> None:
    text = "export OPENAI_API_KEY=x\nsudo codex exec a\nsudo -E codex exec b\n"
    plain, keep = calls(text)
    assert plain.env_var(KEY) is None
    assert plain.wrappers[0].args == ()
    assert keep.env_var(KEY) is not None
    assert keep.wrappers[0].args == ("-E",)
    only = last("export OPENAI_API_KEY=x B=1\nsudo --preserve-env=B codex exec p")
    assert [b.name for b in only.env] == ["B"]


def test_subshell_export_ends_with_it() -> None:
    inside, outside = calls("(export OPENAI_API_KEY=x; codex exec a)\ncodex exec b")
    assert inside.env_var(KEY) is not None
    assert outside.env_var(KEY) is None


def test_command_substitution_export_ends_with_it() -> None:
    assert last("x=$(export OPENAI_API_KEY=y; echo)\ncodex exec p").env_var(KEY) is None


def test_export_after_the_command_is_not_in_its_env() -> None:
    assert calls("codex exec p\nexport OPENAI_API_KEY=x")[0].env_var(KEY) is None


def test_function_export_leaks_to_caller_after_the_call() -> None:
    text = "setup() { export OPENAI_API_KEY=x; }\ncodex exec a\nsetup\ncodex exec b"
    before, after = [c for c in calls(text)]
    assert before.env_var(KEY) is None
    assert after.env_var(KEY) is not None


def test_similar_name_is_a_different_variable() -> None:
    cmd = last("export OPENAI_API_KEY_FILE=/run/key\ncodex exec p")
    assert cmd.env_var(KEY) is None
    assert cmd.env_var("OPENAI_API_KEY_FILE") is not None


def test_env_files() -> None:
    forms = {
        "source .env\ncodex exec p": "source",
        ". ./.env\ncodex exec p": "dot",
        "set -a; . ./.env; set +a\ncodex exec p": "set-a-source",
        "export $(cat .env | xargs)\ncodex exec p": "export-cat",
        "export $(grep -v '^#' .env | xargs)\ncodex exec p": "export-cat",
        "env $(cat .env) codex exec p": "env-cat",
    }
    for text, form in forms.items():
        files = last(text).env_files
        assert [f.form for f in files] == [form], text
        assert files[0].path in (".env", "./.env")
        assert files[0].literal


def test_env_file_loaded_after_is_not_in_effect() -> None:
    assert calls("codex exec p\nsource .env")[0].env_files == ()


def test_env_file_in_subshell_ends_with_it() -> None:
    assert last("(source .env)\ncodex exec p").env_files == ()


def test_env_i_drops_loaded_files() -> None:
    assert last("source .env\nenv -i codex exec p").env_files == ()


def test_bash_c_child_gets_only_the_environment() -> None:
    cmd = last("export OPENAI_API_KEY=x\nA=1\nbash -c 'codex exec \"$A\"'")
    assert cmd.env_var(KEY) is not None
    assert cmd.argv[-1].text == "$A" and not cmd.argv[-1].literal


def test_docker_run_env_is_only_what_e_passes() -> None:
    text = (
        "export OPENAI_API_KEY=sk B=2\n"
        'docker run --rm -e OPENAI_API_KEY -e A=1 --env-file .env -v "$PWD:/r" img \\\n'
        "  codex exec -C /r p\n"
    )
    cmd = last(text)
    assert cmd.env_cleared
    assert [(b.name, b.origin) for b in cmd.env] == [
        (KEY, EnvOrigin.DOCKER),
        ("A", EnvOrigin.DOCKER),
    ]
    passed = cmd.env_var(KEY)
    assert passed is not None and passed.value is not None and passed.value.text == "sk"
    assert [f.form for f in cmd.env_files] == ["docker-env-file"]
    assert cmd.wrappers[0].name == "docker"
    assert cmd.stdin.kind.value == "null" and cmd.stdin.reason == "docker"


def test_docker_run_interactive_keeps_stdin() -> None:
    cmd = last("docker run -i img codex exec p")
    assert cmd.stdin.kind.value == "inherited"
    assert last("docker exec -e CODEX_API_KEY ctr codex exec p").env_var("CODEX_API_KEY")


def test_names_removed_from_the_inherited_env() -> None:
    """An inherited variable (the caller's env) is gone after unset, export -n, env -u, env -i
    and plain sudo; assigning or exporting it again brings it back."""
    text = (
        "unset OPENAI_API_KEY\ncodex exec a\n"
        "export -n CODEX_API_KEY\ncodex exec b\n"
        "env -u TOKEN codex exec c\n"
        "export OPENAI_API_KEY=k\ncodex exec d\n"
        "( unset HOME_KEY; codex exec e )\ncodex exec f\n"
        "sudo codex exec g\n"
        "env -i codex exec h\n"
    )
    calls = {c.argv[-1].text: c for c in parse_script(text).commands if c.program == "codex"}
    assert not calls["a"].inherits("OPENAI_API_KEY")
    assert not calls["b"].inherits("CODEX_API_KEY") and not calls["b"].inherits("OPENAI_API_KEY")
    assert not calls["c"].inherits("TOKEN") and calls["c"].inherits("PATH")
    assert calls["d"].env_var("OPENAI_API_KEY") is not None
    assert not calls["e"].inherits("HOME_KEY") and calls["f"].inherits("HOME_KEY")
    assert not calls["g"].inherits("OPENAI_API_KEY")
    assert not calls["h"].inherits("PATH")
