"""The PATH shim runs Python with `-S`: no `site`, so no .pth files at start-up.

On a machine with .pth hooks (here one imports certifi on every start) `site` costs more than
the whole cached check. The hot path needs only the standard library and `guard`, whose folder the
shim puts on sys.path itself; anything that needs third-party packages (the engine on a cache miss,
PyYAML/pydantic for a config file) calls `ensure_site()` first.
"""

from __future__ import annotations

import sys


def ensure_site() -> None:
    """Load `site` (site-packages, .pth files) if the interpreter was started without it."""
    if sys.flags.no_site and "site" not in sys.modules:
        import site

        site.main()
