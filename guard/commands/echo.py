"""`click.echo` for text, without importing click (~27 ms of CPU) on the lint's own path.

The plain case is written here the way click writes it: a newline added unless `nl=False`, ANSI
codes stripped when `color` is False (or None and the stream is no terminal), then a flush.
Anything else goes to `click.echo` itself: a stream that is not a plain text file or whose
encoding click would replace (ASCII, or none), and text holding an escape character that must be
stripped (click's own pattern strips it). tests/lint/test_fast_front.py holds it to click.echo.
"""

from __future__ import annotations

import io
import sys


def echo(message: str, *, err: bool = False, nl: bool = True, color: bool | None = None) -> None:
    stream = sys.stderr if err else sys.stdout
    if stream is None:
        return  # no standard stream to write to: click writes nothing either
    out = message + "\n" if nl else message
    plain = isinstance(stream, io.TextIOWrapper) and _plain_text_stream(stream)
    if not plain or ("\x1b" in out and _strips(stream, color)):
        import click

        click.echo(message, nl=nl, err=err, color=color)
        return
    if out:
        stream.write(out)
    stream.flush()


def _plain_text_stream(stream: io.TextIOWrapper) -> bool:
    """A text file click would write to as it is (it re-wraps an ASCII or unknown encoding)."""
    if type(stream) is not io.TextIOWrapper or stream.errors is None:
        return False
    import codecs

    try:
        return bool(stream.encoding) and codecs.lookup(stream.encoding).name != "ascii"
    except LookupError:
        return True  # click: an unknown encoding is not ASCII, the stream stays


def _strips(stream: object, color: bool | None) -> bool:
    if color is not None:
        return not color
    try:
        return not stream.isatty()  # type: ignore[attr-defined]
    except Exception:
        return True
