"""A progress bar on stderr for a long `lint` run (click's own bar: no new dependency).

It appears only when stderr is a terminal and the run has already taken a second: a quick run, a
pipe or a CI log never sees it. Never imported on the hook or exec path.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import TypeVar

Item = TypeVar("Item")
DELAY_SECONDS = 1.0


def with_progress(
    items: Iterable[Item], total: int, delay: float = DELAY_SECONDS
) -> Iterator[Item]:
    """`items` unchanged; a bar on stderr once `delay` seconds have passed (on a terminal)."""
    if not sys.stderr.isatty():
        yield from items
        return
    import click

    started = time.monotonic()
    bar = None
    done = 0
    try:
        for item in items:
            done += 1
            if bar is None and time.monotonic() - started >= delay:
                bar = click.progressbar(length=total, label="linting", file=sys.stderr)
                bar.__enter__()
                bar.update(done)
            elif bar is not None:
                bar.update(1)
            yield item
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
