"""Which catalog state each built post came from: a small record per locale,
``<locales_dir>/<locale>/.built.json``, so that ``check`` can tell a catalog changed since
the build from a built post edited by hand, without a database and without touching a
byte of the post itself."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .files import locked, write_atomic

RECORD = ".built.json"


@dataclass(frozen=True, slots=True)
class Built:
    source: str
    source_hash: str  # the post the catalog was extracted from
    catalog_hash: str  # the catalog file the post was built from
    output_hash: str  # the post as written
    policy: str = ""  # what it published: "machine", "reviewed", "+stale"
    counts: dict[str, int] = field(default_factory=dict)  # the catalog's entries by state
    obsolete: int = 0  # …and its obsolete entries
    problems: list[str] = field(default_factory=list)  # entries not published, and why

    def same_build(self, other: Built) -> bool:
        """Whether both record the same source, catalog, output and policy."""
        mine = (self.source, self.source_hash, self.catalog_hash, self.output_hash, self.policy)
        return mine == (
            other.source, other.source_hash, other.catalog_hash, other.output_hash, other.policy
        )  # fmt: skip


class Records:
    """The build records of one locale, loaded on first use and saved once, if changed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._loaded: dict[str, Built] | None = None
        self._changed: dict[str, Built] = {}

    @property
    def entries(self) -> dict[str, Built]:
        if self._loaded is None:
            self._loaded = {}
            try:
                data = json.loads(self.path.read_text("utf-8"))
                for output, fields in data.get("posts", {}).items():
                    self._loaded[output] = Built(**fields)
            except (OSError, ValueError, TypeError):
                pass  # no record (or a broken one) only means slower checks
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
        if not self._changed:
            return
        with locked(self.path):
            self._loaded = None
            self.entries.update(self._changed)
            posts = {k: asdict(v) for k, v in sorted(self.entries.items())}
            text = json.dumps({"version": 1, "posts": posts}, indent=1, ensure_ascii=False)
            write_atomic(self.path, (text + "\n").encode())
        self._changed = {}
