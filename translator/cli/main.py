"""The ``translator`` command group and its entry point, :func:`main` (the cli package is
the only place that prints or exits).

Exit codes: 0 done (or, for ``check``, in sync); 1 something was not done (or stale);
2 bad input (a post, catalog or config that cannot be read). Each error is one line on
stderr, ``path:line: message``.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence

import click

from .. import __version__
from ..errors import InputError, TranslatorError
from .extensions import extension, extensions

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


class Commands(click.Group):
    """The built-in commands, plus those other packages register."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = BUILT_IN.get(cmd_name)
        if target is None:
            return extension(cmd_name)
        module_name, _, attr = target.partition(":")
        command = getattr(importlib.import_module(module_name), attr)
        assert isinstance(command, click.Command)
        return command

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*BUILT_IN, *extensions()})


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="translator")
def cli() -> None:
    """Translate Chinese Jekyll/Hugo posts through gettext PO catalogs."""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI and return its exit code (errors shown once, as ``path:line: message``)."""
    try:
        cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="translator",
            standalone_mode=False,
        )
    except SystemExit as exc:
        return int(exc.code or 0)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return 2
    except TranslatorError as exc:
        click.echo(exc.located(), err=True)
        return 2 if isinstance(exc, InputError) else 1
    return 0
