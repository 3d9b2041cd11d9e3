"""Translation memory: exact matches from every other catalog of the same locale.

The memory is rebuilt only for catalogs that changed since the last run: an index of their
approved entries is kept in ``.translator-cache/tm-<locale>.json`` at the site root (a
cache: delete it at will; keep it out of version control).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from difflib import SequenceMatcher
from pathlib import Path

from ..catalogs.po import read_catalog
from ..errors import CatalogError, ConfigError
from ..site.files import inside, write_atomic
from .base import Backend, BackendContext, Batch, Suggestion

CACHE_DIR = ".translator-cache"


class MemoryBackend:
    """Fill a unit when another post of the site already has an approved translation of it."""

    name = "tm"
    site_bound = True  # reads the site's catalogs: runs where the site lives, not on workers

    def __init__(self, context: BackendContext) -> None:
        self._base = context.root / context.locales_dir
        self._root = context.root
        self._memory: dict[str, dict[str, tuple[str, str]]] = {}
        self._dry_run = context.dry_run
        fuzzy = context.options.get("fuzzy", 0)
        if not isinstance(fuzzy, (int, float)) or not 0 <= fuzzy <= 1:
            raise ConfigError("backends.tm.fuzzy must be a similarity between 0 and 1 (0: off)")
        self._fuzzy = float(fuzzy)

    def _load(self, locale: str) -> dict[str, tuple[str, str]]:
        if locale in self._memory:
            return self._memory[locale]
        folder = self._base / locale
        cache_path = self._root / CACHE_DIR / f"tm-{locale}.json"
        try:
            cached = json.loads(cache_path.read_text("utf-8")).get("files", {})
        except (OSError, ValueError, AttributeError):
            cached = {}
        files: dict[str, dict[str, object]] = {}
        for path in sorted(folder.glob("*.po")) if folder.is_dir() else []:
            stat = path.stat()
            stamp = f"{stat.st_size}:{stat.st_mtime_ns}"
            entry = cached.get(path.name)
            if isinstance(entry, dict) and entry.get("stamp") == stamp:
                files[path.name] = entry
                continue
            try:
                catalog = read_catalog(path)
            except CatalogError:
                continue  # reported when that catalog's own post is processed
            approved = {
                str(m.id): str(m.string) for m in catalog or () if m.id and m.string and not m.fuzzy
            }
            files[path.name] = {"stamp": stamp, "entries": approved}
        if files != cached and not self._dry_run:
            data = json.dumps({"version": 1, "files": files}, ensure_ascii=False, sort_keys=True)
            write_atomic(inside(self._root, cache_path), data.encode())
        memory: dict[str, tuple[str, str]] = {}
        for name, entry in files.items():
            where = _relative(folder / name, self._root)
            entries = entry.get("entries", {})
            assert isinstance(entries, dict)
            for msgid, msgstr in entries.items():
                memory.setdefault(msgid, (msgstr, where))
        self._memory[locale] = memory
        return memory

    def prefilter(self, locale: str, texts: set[str]) -> set[str]:
        """The texts this memory can fill: the rest need not even be looked up."""
        memory = self._load(locale)
        found = texts & memory.keys()
        if self._fuzzy:
            found |= {t for t in texts - found if self._similar(t, memory) is not None}
        return found

    def _similar(self, text: str, memory: dict[str, tuple[str, str]]) -> tuple[float, str] | None:
        """The most similar remembered text, if it is similar enough."""
        best: tuple[float, str] | None = None
        for known in memory:
            if abs(len(known) - len(text)) > len(text) * (1 - self._fuzzy) + 2:
                continue
            matcher = SequenceMatcher(None, text, known, autojunk=False)
            if matcher.real_quick_ratio() < self._fuzzy or matcher.quick_ratio() < self._fuzzy:
                continue
            score = matcher.ratio()
            if score >= self._fuzzy and (best is None or score > best[0]):
                best = (score, known)
        return best

    def translate(self, batch: Batch) -> Sequence[Suggestion | None]:
        memory = self._load(batch.target_locale)
        out: list[Suggestion | None] = []
        for request in batch.requests:
            hit = memory.get(request.text)
            if hit is not None:
                # an exact match of an approved translation is approved for this text too
                out.append(Suggestion(hit[0], f"tm: {hit[1]}", fuzzy=False))
                continue
            similar = self._similar(request.text, memory) if self._fuzzy else None
            if similar is None:
                out.append(None)
                continue
            score, known = similar
            target, where = memory[known]
            # the translation of another text: a draft for a person, never published
            note = f"fuzzy match {score:.0%} of {known[:60]!r} ({where})"
            out.append(Suggestion(target, f"tm-fuzzy: {where}", fuzzy=True, note=note))
        return out


def _relative(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


_: type[Backend] = MemoryBackend
