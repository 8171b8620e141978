"""Hypothesis strategies for single shell command lines, built from pieces.

`command_lines()` makes what an agent's Bash tool is asked to run: codex invocations (with flags,
wrappers, env prefixes, obfuscated spellings of the command word, redirects, pipes, `&`), and lines
that only mention codex (echo, grep, comments, commit messages). `shell_noise()` makes
adversarial text from shell fragments (quotes, expansions, globs, braces, substitutions) to
attack the keyword quick-reject.
"""

from __future__ import annotations

from hypothesis import strategies as st

CODEX_WORDS = [
    "codex",
    "co''dex",
    'co""dex',
    "c\\odex",
    "\\codex",
    "$'\\x63odex'",
    "$'\\143odex'",
    "$'\\u0063odex'",
    "'codex'",
    '"codex"',
    "/usr/local/bin/codex",
    "co$''dex",
]
WRAPPERS = ["", "sudo ", "env ", "env -u OPENAI_API_KEY ", "nohup ", "timeout 60 ", "command "]
ENV_PREFIXES = ["", "OPENAI_API_KEY=sk-x ", "CODEX_HOME=/tmp/h ", "TMPDIR=/tmp ", "A=1 "]
SUBCOMMANDS = ["exec", "exec resume --last", "login --with-api-key", "login status", "--version"]
FLAGS = [
    "-s read-only",
    "-s workspace-write",
    "-s danger-full-access",
    "--yolo",
    "-C .",
    '-C "$REPO"',
    "--ephemeral",
    "-o out.txt",
    "--full-auto",
    "--json",
    "-c sandbox_mode=danger-full-access",
    "--skip-git-repo-check",
]
PROMPTS = ["", '"Fix the bug"', "'p'", "-", '"$PROMPT"']
REDIRECTS = ["", "</dev/null", "< prompt.md", '<<< "p"', "> log 2>&1", "2>/dev/null"]
BEFORE = ["", "printf '%s' \"$P\" | ", 'cd "$DIR" && ', "out=$(", "set -e; "]
AFTER = [
    "",
    " | tee log",
    " | grep PASS",
    " &",
    " || true",
    " && echo done",
    "; echo $?",
    '; echo "unterminated',  # a parse error (CG901)
    " ) fi",
]
MENTIONS = [
    'echo "codex exec -s danger-full-access"',
    "grep -rn 'codex exec --yolo' .",
    "# codex exec --yolo",
    'git commit -m "run codex exec with -s read-only"',
    "ls -la",
    'cd "$DIR" && make test',
    "git status && pytest -q",
    "cat notes/codex.md | head",
    "printf '%s\\n' 'OPENAI_API_KEY=x codex exec p'",
]


@st.composite
def codex_line(draw: st.DrawFn) -> str:
    before = draw(st.sampled_from(BEFORE))
    flags = draw(st.lists(st.sampled_from(FLAGS), max_size=3))
    parts = [
        draw(st.sampled_from(ENV_PREFIXES)) + draw(st.sampled_from(WRAPPERS)),
        draw(st.sampled_from(CODEX_WORDS)),
        " ",
        draw(st.sampled_from(SUBCOMMANDS)),
        "".join(" " + f for f in flags),
    ]
    prompt = draw(st.sampled_from(PROMPTS))
    redirect = draw(st.sampled_from(REDIRECTS))
    line = before + "".join(parts) + (" " + prompt if prompt else "")
    line += " " + redirect if redirect else ""
    if before == "out=$(":
        line += ")"
    return line + draw(st.sampled_from(AFTER))


def command_lines() -> st.SearchStrategy[str]:
    return st.one_of(codex_line(), st.sampled_from(MENTIONS))


NOISE = [
    "co",
    "dex",
    "c",
    "odex",
    "x",
    "exec",
    "-s",
    "danger-full-access",
    "--yolo",
    "sudo",
    "env",
    "eval",
    "bash -c",
    "echo",
    "cd",
    "c=co;",
    "${c}",
    "$c",
    "$x",
    "${!x}",
    "$(echo co)",
    "`echo co`",
    "$'\\x63'",
    "''",
    '""',
    "'",
    '"',
    "\\",
    "\\\n",
    "{c,x}",
    "*",
    "?",
    "[c]",
    "~",
    "(",
    ")",
    "{",
    "}",
    ";",
    "|",
    "&",
    "&&",
    "<",
    ">",
    "<<<",
    "<<EOF\n",
    "\nEOF\n",
    "#",
    "=",
    "\n",
    " ",
    "OPENAI_API_",
    "KEY=x",
    "CODEX_",
    "HOME=/h",
    "alias c=",
    "f() {",
    "set --",
    '"$1$2"',
    "$1",
    "read c <<< co;",
    "printf -v c %s co;",
    "a=(co dex);",
    '"${a[0]}${a[1]}"',
    "declare -n r=c;",
    "export",
    "$[0]",
    "$((0))",
    "bash -c '",
    'sh -c "',
    "eval '",
    "alias x='",
    "x",
    "trap '",
    "ssh h '",
    "sudo",
    "'$c exec -s x'",
    "\\$'\\\\x63odex'",
    "./cod*",
]


def shell_noise() -> st.SearchStrategy[str]:
    """Lines joined from shell fragments, with and without spaces between them."""
    piece = st.sampled_from(NOISE)
    return st.lists(st.tuples(piece, st.sampled_from(["", " "])), min_size=1, max_size=10).map(
        lambda pairs: "".join(p + sep for p, sep in pairs)
    )
