"""One ``translator`` command: its arguments, given as argparse's, and the function that
runs it. argparse rather than click: a ``translator check`` in a pre-commit hook is
mostly start-up, and importing click alone cost a fifth of it."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

TYPE_CHECKING = False  # typing's own, without importing typing (see named_tuple.py)
if TYPE_CHECKING:
    import argparse
    from typing import Any

Handler = Callable[..., None]


class UsageError(Exception):
    """The command line asks for something the command cannot do: shown under the
    command's usage, exit code 2."""


class Argument:
    """What ``ArgumentParser.add_argument`` is given for one argument or option."""

    __slots__ = ("flags", "options")

    def __init__(self, *flags: str, **options: Any) -> None:
        self.flags = flags
        self.options = options


class Command:
    """A command: ``main(args)`` parses its command line and runs it; calling it runs it
    with values already parsed (one command running another, as ``queue`` does)."""

    def __init__(self, name: str, run: Handler, arguments: Sequence[Argument]) -> None:
        self.name = name
        self.run = run
        self.arguments = tuple(arguments)

    @property
    def summary(self) -> str:
        """The first paragraph of the command's description, on one line."""
        return " ".join((self.run.__doc__ or "").strip().partition("\n\n")[0].split())

    def parser(self) -> argparse.ArgumentParser:
        import argparse
        from functools import partial

        doc = (self.run.__doc__ or "").replace("``", "`")  # a docstring's code, as on a terminal
        parser = argparse.ArgumentParser(
            prog=f"translator {self.name}",
            description="\n".join(line.strip() for line in doc.strip().split("\n")),
            # the width argparse would find, found once: unasked, argparse imports shutil
            # and asks the terminal once per argument added
            formatter_class=partial(argparse.RawDescriptionHelpFormatter, width=_width() - 2),
        )
        for argument in self.arguments:
            parser.add_argument(*argument.flags, **argument.options)
        return parser

    def main(self, args: Sequence[str]) -> None:
        """Parse ``args`` and run; a usage error exits 2 with the command's usage."""
        parser = self.parser()
        args = list(args)
        rest: list[str] = []  # after "--", paths, even one named "-x"
        many = [a for a in self.arguments if a.options.get("nargs") == "*"]
        if "--" in args and many:
            args, rest = args[: args.index("--")], args[args.index("--") + 1 :]
        # paths and options in any order: argparse's intermixed parse lays out the whole
        # usage first (a millisecond), so it is only asked when a plain one leaves some over
        found, left = parser.parse_known_args(args)
        values = vars(parser.parse_intermixed_args(args) if left else found)
        if rest:
            kind = many[0].options.get("type", str)
            values[many[0].flags[0]] = [*values[many[0].flags[0]], *map(kind, rest)]
        try:
            self.run(**values)
        except UsageError as exc:
            parser.error(str(exc))

    def __call__(self, **values: Any) -> None:
        self.run(**values)


def command(name: str, *arguments: Argument) -> Callable[[Handler], Command]:
    """Make the decorated function the command ``name``; its docstring is its help."""

    def make(run: Handler) -> Command:
        return Command(name, run, arguments)

    return make


def _width() -> int:
    """The terminal's width in columns, found as ``shutil.get_terminal_size`` finds it."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0 and sys.__stdout__ is not None:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns
        except (ValueError, OSError):
            columns = 0
    return columns if columns > 0 else 80


def echo(text: str = "", *, err: bool = False, nl: bool = True) -> None:
    """Print a line on stdout (or stderr)."""
    stream = sys.stderr if err else sys.stdout
    stream.write(text + "\n" if nl else text)
    stream.flush()


def folder(text: str) -> Path:
    """An argparse type: a folder's path (one that does not exist yet is fine)."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        import argparse

        raise argparse.ArgumentTypeError(f"{text!r} is a file, not a folder")
    return path


def file(text: str) -> Path:
    """An argparse type: a file's path (one that does not exist yet is fine)."""
    path = Path(text)
    if path.is_dir():
        import argparse

        raise argparse.ArgumentTypeError(f"{text!r} is a folder, not a file")
    return path


def non_negative(text: str) -> int:
    """An argparse type: a whole number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        import argparse

        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 0 or more")
    return value


ROOT = Argument(
    "--root",
    type=folder,
    default=Path(),
    metavar="DIR",
    help="Site root (holds translator.toml and locales/; default: the current folder).",
)
TO = Argument(
    "--to",
    action="append",
    default=[],
    metavar="LOCALE[,LOCALE]",
    help="Target locales (default: configured, or the folders under locales/).",
)
PATHS = Argument(
    "paths", nargs="*", type=Path, metavar="PATH", help="Posts or folders (default: content/)."
)
JSON = Argument("--json", dest="as_json", action="store_true", help="Print JSON for scripts.")
WAIT = Argument(
    "--wait", action="store_true", help="Wait for the queued job to end, with a progress bar."
)
TIMEOUT = Argument("--timeout", type=float, metavar="SECONDS", help="With --wait: give up after.")
