"""The errors this package raises on purpose.

::

    TranslatorError                 root; carries an optional path and 1-based line
     +-- InputError                 a post, catalog or config we cannot read (exit 2)
     |    +-- ConfigError           translator.toml / [tool.translator] is invalid
     |    +-- PostError             a post is not UTF-8, binary, empty, or has broken front matter
     |    +-- CatalogError          a PO file has a syntax error
     +-- BuildError                 a built post would not have the source's structure
     +-- BackendError               a backend failed
          +-- BackendUnavailable    temporary: worth retrying
          +-- BackendRejected       auth, quota, bad request: never retried

The CLI shows each one once, as ``path:line: message``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


class TranslatorError(Exception):
    """Root of every error this package raises on purpose."""

    def __init__(self, message: str, path: Path | str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.path = None if path is None else str(path)
        self.line = line

    def located(self) -> str:
        """Return ``path:line: message`` (or as much of it as is known)."""
        where = ""
        if self.path is not None:
            path = _shown(self.path)
            where = f"{path}:{self.line}: " if self.line else f"{path}: "
        return where + self.message

    def __str__(self) -> str:
        return self.located()


def _shown(path: str) -> str:
    """A path relative to the working folder when it lies inside it."""
    try:
        return Path(path).relative_to(Path.cwd()).as_posix() if Path(path).is_absolute() else path
    except ValueError:
        return path


class InputError(TranslatorError):
    """An input file cannot be used as it is."""


class ConfigError(InputError):
    """A configuration value is invalid; the message names the key and the file."""


class PostError(InputError):
    """A post cannot be read or its front matter cannot be parsed."""


class CatalogError(InputError):
    """A PO catalog cannot be read."""


class BuildError(TranslatorError):
    """A per-locale post could not be assembled safely; nothing was written."""


class BackendError(TranslatorError):
    """A translation backend failed. ``partial``: what it had done of the batch it was
    given (a suggestion or None per text), when it failed part way through."""

    partial: Sequence[object] = ()


class BackendUnavailable(BackendError):
    """Temporary backend failure; the only kind worth retrying."""


class BackendRejected(BackendError):
    """Auth, quota or invalid request; never retried."""
