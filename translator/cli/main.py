"""The ``translator`` command and its entry point, :func:`main` (the cli package is the
only place that prints or exits).

Exit codes: 0 done (or, for ``check``, in sync); 1 something was not done (or stale);
2 bad input (a post, catalog or config that cannot be read, or a wrong command line).
Each error is one line on stderr, ``path:line: message``.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

from .. import __version__
from ..errors import InputError, TranslatorError
from .command import Command, echo

# Each command's module is imported when that command runs (``translator check`` loads
# neither ``status`` nor ``export``): a hook or a CI job pays for what it uses.
BUILT_IN = {
    "extract": "translator.cli.commands:extract_command",
    "build": "translator.cli.commands:build_command",
    "translate": "translator.cli.commands:translate_command",
    "check": "translator.cli.commands:check_command",
    "status": "translator.cli.review:status_command",
    "export": "translator.cli.review:export_command",
    "import": "translator.cli.review:import_command",
    "fetch-model": "translator.cli.model:fetch_model_command",
}
USAGE = "usage: translator [-h] [--version] COMMAND [ARGS]..."


def find(name: str) -> Command | None:
    """The command called ``name``: built in, or added by another package."""
    target = BUILT_IN.get(name)
    if target is None:
        from .extensions import extension  # another package's: entry points read if asked

        return extension(name)
    module_name, _, attr = target.partition(":")
    found = getattr(importlib.import_module(module_name), attr)
    assert isinstance(found, Command)
    return found


def overview() -> str:
    """``translator --help``: what it does, and each command's first line."""
    from .extensions import extensions

    names = sorted({*BUILT_IN, *extensions()})
    found = [(name, find(name)) for name in names]
    width = max(len(name) for name in names)
    lines = [
        USAGE,
        "",
        "Translate Chinese Jekyll/Hugo posts through gettext PO catalogs.",
        "",
        "options:",
        "  -h, --help  show this help and exit",
        "  --version   show the version and exit",
        "",
        "commands (translator COMMAND --help for each):",
    ]
    lines += [f"  {n:{width}}  {c.summary if c else ''}" for n, c in found]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code (errors shown once, as ``path:line: message``)."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        if not args or args[0] in ("-h", "--help"):
            echo(overview(), err=not args)  # no command: a usage error
            return 0 if args else 2
        if args[0] == "--version":
            echo(f"translator {__version__}")
            return 0
        found = find(args[0])
        if found is None:
            from .extensions import extensions

            choices = ", ".join(sorted({*BUILT_IN, *extensions()}))
            echo(f"{USAGE}\ntranslator: error: no command {args[0]!r} (use {choices})", err=True)
            return 2
        found.main(args[1:])
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
    except (KeyboardInterrupt, EOFError):
        echo("\naborted", err=True)
        return 130
    except TranslatorError as exc:
        echo(exc.located(), err=True)
        return 2 if isinstance(exc, InputError) else 1
    return 0
