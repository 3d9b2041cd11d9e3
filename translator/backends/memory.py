"""Translation memory: exact matches from every other catalog of the same locale."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..catalogs import read_catalog
from ..errors import CatalogError
from .base import Backend, BackendContext, Batch, Suggestion


class MemoryBackend:
    """Fill a unit when another post of the site already has a published translation of it."""

    name = "tm"

    def __init__(self, context: BackendContext) -> None:
        self._base = context.root / context.locales_dir
        self._root = context.root
        self._memory: dict[str, dict[str, tuple[str, str]]] = {}

    def _load(self, locale: str) -> dict[str, tuple[str, str]]:
        if locale not in self._memory:
            memory: dict[str, tuple[str, str]] = {}
            folder = self._base / locale
            for path in sorted(folder.glob("*.po")) if folder.is_dir() else []:
                try:
                    catalog = read_catalog(path)
                except CatalogError:
                    continue  # reported when that catalog's own post is processed
                if catalog is None:
                    continue
                where = _relative(path, self._root)
                for message in catalog:
                    if message.id and message.string and not message.fuzzy:
                        memory.setdefault(str(message.id), (str(message.string), where))
            self._memory[locale] = memory
        return self._memory[locale]

    def translate(self, batch: Batch) -> Sequence[Suggestion | None]:
        memory = self._load(batch.target_locale)
        out: list[Suggestion | None] = []
        for request in batch.requests:
            hit = memory.get(request.text)
            # an exact match of an approved translation is approved for this text too
            out.append(Suggestion(hit[0], f"tm: {hit[1]}", fuzzy=False) if hit else None)
        return out


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


_: type[Backend] = MemoryBackend
