"""The seam every translation backend plugs into.

A backend takes a :class:`Batch` of protected unit texts (tags like ``<x1/>`` must come
back exactly once each) and returns one :class:`Suggestion` or ``None`` per text, in
order. It raises only :class:`~translator.errors.BackendUnavailable` (temporary) or
:class:`~translator.errors.BackendRejected` (never worth retrying).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True, slots=True)
class Request:
    text: str  # protected source text (the msgid)
    context: str = ""  # block kind or front-matter key: a hint, not something to translate
    post: str = ""  # source post path, for context


@dataclass(frozen=True, slots=True)
class Batch:
    source_locale: str
    target_locale: str
    requests: tuple[Request, ...]
    glossary: Mapping[str, str] = field(default_factory=dict)  # term -> its translation


@dataclass(frozen=True, slots=True)
class Suggestion:
    text: str
    origin: str  # who made it: "pseudo", "tm: locales/en/x.po", "deepl"…
    fuzzy: bool = True  # needs a person's review (machine output); False: already approved
    note: str = ""


@dataclass(frozen=True, slots=True)
class BackendContext:
    """What a backend is built from: the site and its own settings table."""

    root: Path
    locales_dir: str
    options: Mapping[str, Any] = field(default_factory=dict)
    dry_run: bool = False  # plan, estimate, send nothing
    retry_rejected: bool = False  # send again what an engine answered badly before


@runtime_checkable
class Backend(Protocol):
    """A translation backend.

    It may also define ``prefilter(locale, texts) -> set[str]``: the texts it might fill
    (translation memory knows without a request); catalogs with none are not even opened.
    A backend that reads the site's own files sets ``site_bound = True``: a queued job runs
    it where the site lives, and only the others on workers, which may have no copy of it.
    """

    name: str

    def translate(self, batch: Batch) -> Sequence[Suggestion | None]: ...
