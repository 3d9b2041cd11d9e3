"""The ``translator`` command group and its entry point, :func:`main` (the cli package is
the only place that prints or exits).

Exit codes: 0 done (or, for ``check``, in sync); 1 something was not done (or stale);
2 bad input (a post, catalog or config that cannot be read). Each error is one line on
stderr, ``path:line: message``.
"""

from __future__ import annotations

from collections.abc import Sequence

import click

from .. import __version__
from ..errors import InputError, TranslatorError
from .commands import build_command, check_command, extract_command, translate_command
from .extensions import extension, extensions
from .model import fetch_model_command
from .review import export_command, import_command, status_command


class Commands(click.Group):
    """The built-in commands, plus those other packages register."""

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        return super().get_command(ctx, cmd_name) or extension(cmd_name)

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *extensions()})


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="translator")
def cli() -> None:
    """Translate Chinese Jekyll/Hugo posts through gettext PO catalogs."""


for _command in (
    extract_command,
    build_command,
    translate_command,
    check_command,
    status_command,
    export_command,
    import_command,
    fetch_model_command,
):
    cli.add_command(_command)


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
