"""Commands other packages add (``queue`` and ``job`` live in ``workers/``, with Celery):
found through the ``translator.commands`` entry points, each a
:class:`~translator.cli.command.Command`, loaded only when named."""

from __future__ import annotations

import importlib
from collections.abc import Sequence

from .command import Command, UsageError

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


def extension(name: str) -> Command | None:
    target = _EXTENSIONS.get(name) or extensions().get(name)
    if target is None:
        return None
    module_name, _, attr = target.partition(":")
    try:
        found = getattr(importlib.import_module(module_name), attr)
    except ImportError as exc:
        return _Missing(name, f"{name!r} needs the queue extra ({exc}): {_EXTRA_HINT}")
    assert isinstance(found, Command), f"{target} is not a translator command"
    return found


class _Missing(Command):
    """A command whose package is not installed: any command line gets the hint."""

    def __init__(self, name: str, message: str) -> None:
        def missing(**_values: object) -> None:
            """(not installed)"""
            raise UsageError(message)

        super().__init__(name, missing, ())
        self.message = message

    def main(self, args: Sequence[str]) -> None:
        self.parser().error(self.message)
