"""The runtime doors: exec shim, PATH shim, agent hooks, check, verdict, doctor.

- ``execshim``: `codex-guard exec` -- real env, stdin, login and argv checked, then `execve`.
- ``resolve``: what an exec argv really starts (wrappers peeled by the command model), the env
  codex receives, every program pinned to the path that was checked; refuses anything but codex.
- ``pathshim``: the `codex` shim `install-shim` writes; finds the real codex past itself, checks
  every command the grammar says can reach a model.
- ``fastexec``: the warm path (a remembered allowed run); ``private``: the 0700/0600 cache files
  every remembered answer is read from, owner and mode checked.
- ``hook`` / ``hook_install``: `hook claude|codex` (keyword fast path first) and `hook install`.
- ``stdin``: what fd 0 really is, and how that is told to the engine as a redirect.
- ``auth``: `auth_mode` in auth.json, else `codex login status`, cached by the file's stat.
- ``decisions``: the engine's answer per exec command line, cached by everything it depends on.
- ``verdict``: the CG603 verdict-file contract. ``doctor``: the machine's codex set-up.
- ``locate``, ``report``, ``settings_load``, ``sitepaths``, ``fasthash``: small shared helpers.

Nothing here re-implements a rule: the runtime facts become the engine's inputs.
"""
