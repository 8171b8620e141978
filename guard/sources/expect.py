"""An expect script (`*.exp`, a `#!/usr/bin/expect` shebang): a Tcl program whose `spawn`,
`exec` and `system` commands (and the codex lines `send` types into a spawned shell) start
programs; each is one snippet at the line of its Tcl command (shell/wrappers.py reads them, as
for `expect -c`). A spawned program runs on a pty expect holds (expect(1)): it is given no
stdin of the script's, so no stdin rule speaks for it."""

from __future__ import annotations

from guard.sources.snippet import RunContext, Snippet


def extract(text: str, path: str) -> list[Snippet]:
    if "codex" not in text.lower() and "$" not in text and "[" not in text:
        # (the file-level reject's rule for the program kinds: nothing to read; a program a
        # Tcl word names only when it runs is read, for --strict: CG902)
        return []
    from guard.shell.tclscript import expect_command_lines

    file_lines = text.split("\n")
    out: list[Snippet] = []
    for at, line in expect_command_lines(text):
        # the program's column in the file, where the Tcl words are written as the shell's
        first = line.rsplit("; ", 1)[-1].split(None, 1)[0] if line.strip() else ""
        column = file_lines[at].find(first) if first and at < len(file_lines) else -1
        out.append(
            Snippet(
                text=f"{{ {line}\n}} </dev/null\n",
                path=path,
                line_offset=at,
                # (`{ ` and any `export K=V; ` of a `set env(K)` stand before the program)
                column_offset=max(column - 2 - len(line) + len(line.rsplit("; ", 1)[-1]), 0),
                context=RunContext.SCRIPT,
            )
        )
    return out
