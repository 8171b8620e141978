"""sha256 without `hashlib`'s OpenSSL start-up (~4 ms, a tenth of the exec shim's budget).

The cache keys need a sound digest, not a fast one; CPython's built-in sha256 module gives the
same digest as hashlib's and loads in microseconds. Falls back to hashlib where it is missing.
"""

from __future__ import annotations

import importlib

# CPython >= 3.12 names the built-in module `_sha2`, 3.11 `_sha256`.
BUILTIN_SHA256_MODULES = ("_sha2", "_sha256")


def sha256_hex(data: bytes) -> str:
    for name in BUILTIN_SHA256_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        return str(module.sha256(data).hexdigest())
    import hashlib

    return hashlib.sha256(data).hexdigest()
