"""Which catalog state each built post came from: a small record per locale,
``.translator/builds/<locale>.json`` at the site root (committed with the site), so that
``check`` can tell a catalog changed since the build from a built post edited by hand,
without a database and without touching a byte of the post itself. It lives out of the
catalogs' folders, where catalog scanners (``pocount locales/``, Weblate's component
discovery) would take it for a translation file; records left by an older version in
``<locales_dir>/<locale>/.built.json`` are taken over on the next save."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

from ..named_tuple import NamedTuple
from .files import locked, write_atomic

RECORD = ".built.json"  # where records were kept before: taken over, then removed
RECORDS_DIR = ".translator/builds"


def records_path(root: Path, locale: str) -> Path:
    return root / RECORDS_DIR / f"{locale}.json"


class Built(NamedTuple):
    """One built post (a named tuple, as :mod:`..markdown.dialects` says why; read-only,
    so the defaults can be shared)."""

    source: str
    source_hash: str  # the post the catalog was extracted from
    catalog_hash: str  # the catalog file the post was built from (its bytes)
    output_hash: str  # the post as written
    policy: str = ""  # what it published: "machine", "reviewed", "+stale"
    counts: Mapping[str, int] = {}  # the catalog's entries by state
    obsolete: int = 0  # …and its obsolete entries
    problems: Sequence[str] = ()  # entries not published, and why
    catalog_content: str = ""  # what the catalog said (layout aside): see content_digest
    broken: Sequence[Sequence[str]] = ()  # (msgctxt, msgid) not usable
    words: Mapping[str, int] = {}  # source words by state
    rejected: Sequence[str] = ()  # machine translations rejected, why

    def same_build(self, other: Built) -> bool:
        """Whether both record the same source, catalog, output and policy."""
        mine = (self.source, self.source_hash, self.catalog_hash, self.output_hash, self.policy)
        return mine == (
            other.source, other.source_hash, other.catalog_hash, other.output_hash, other.policy
        )  # fmt: skip


class Records:
    """The build records of one locale, loaded on first use and saved once, if changed."""

    def __init__(self, path: Path, legacy: Path | None = None) -> None:
        self.path = path
        self.legacy = legacy  # the older location, read until the next save removes it
        self._loaded: dict[str, Built] | None = None
        self._changed: dict[str, Built] = {}

    @property
    def entries(self) -> dict[str, Built]:
        if self._loaded is None:
            self._loaded = {}
            for path in (self.legacy, self.path):  # the newer location wins
                if path is not None:
                    self._loaded.update(_read(path))
        return self._loaded

    def get(self, output: str) -> Built | None:
        return self.entries.get(output)

    def put(self, output: str, built: Built) -> None:
        if self.entries.get(output) != built:
            self.entries[output] = built
            self._changed[output] = built

    def save(self) -> None:
        """Write this run's records over what the file holds now (another process, such
        as a site worker, may have recorded other posts since it was read)."""
        moving = self.legacy is not None and self.legacy.exists()
        if not self._changed and not moving:
            return
        with locked(self.path):
            self._loaded = None
            self.entries.update(self._changed)
            posts = {k: v._asdict() for k, v in sorted(self.entries.items())}
            text = json.dumps({"version": 1, "posts": posts}, indent=1, ensure_ascii=False)
            write_atomic(self.path, (text + "\n").encode())
            if moving and self.legacy is not None:
                self.legacy.unlink()  # every record it held is in the new file now
        self._changed = {}


def _read(path: Path) -> dict[str, Built]:
    try:
        data = json.loads(path.read_text("utf-8"))
        return {output: Built(**fields) for output, fields in data.get("posts", {}).items()}
    except (OSError, ValueError, TypeError):
        return {}  # no record (or a broken one) only means slower checks
