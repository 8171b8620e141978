"""codex-guard: policy linter, exec shim and agent hook for `codex exec` dispatch commands."""

__version__ = "0.1.0"
