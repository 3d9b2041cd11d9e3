"""Commands other packages add (``queue`` and ``job`` live in ``workers/``, with Celery):
found through the ``translator.commands`` entry points, loaded only when named."""

from __future__ import annotations

import importlib

import click

COMMANDS_GROUP = "translator.commands"
# commands another package adds (the queue lives in workers/, with Celery): by entry
# point, with this table for a checkout that was never installed
_EXTENSIONS = {"queue": "workers.cli:queue_command", "job": "workers.cli:job_command"}
_EXTRA_HINT = "pip install -e '.[queue]'"


def extensions() -> dict[str, str]:
    from importlib.metadata import entry_points  # slow to import: only when asked

    found = dict(_EXTENSIONS)
    for ep in entry_points(group=COMMANDS_GROUP):
        found[ep.name] = ep.value
    return found


def extension(name: str) -> click.Command | None:
    target = _EXTENSIONS.get(name) or extensions().get(name)
    if target is None:
        return None
    module_name, _, attr = target.partition(":")
    try:
        command = getattr(importlib.import_module(module_name), attr)
    except ImportError as exc:
        message = f"'{name}' needs the queue extra ({exc}): {_EXTRA_HINT}"

        @click.command(name, context_settings={"ignore_unknown_options": True})
        @click.argument("args", nargs=-1, type=click.UNPROCESSED)
        def missing(args: tuple[str, ...]) -> None:
            raise click.UsageError(message)

        return missing
    assert isinstance(command, click.Command)
    return command
