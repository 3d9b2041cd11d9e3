"""``translator status``: what is translated, and what is waiting for a person, per post and
locale, in entries and in source words, and the problems a person should look at."""

from __future__ import annotations

import json
import re

from .catalogs.states import (
    State,
    count_states,
    count_words,
    origin_of,
    rejections,
    state_in,
    words,
)
from .context import Site
from .site.paths import PostPaths
from .site.records import Built

TYPE_CHECKING = False  # typing's own, without importing typing (see named_tuple.py)
if TYPE_CHECKING:
    from typing import Any

_LINE = re.compile(r"[^:]*:(\d+): ")

__all__ = ["Row", "Rows", "post_status", "totals", "words"]


class Row:
    """One post in one locale, as ``status`` shows it (a plain class: ``status`` does not
    import :mod:`dataclasses`, see :mod:`.markdown.dialects`)."""

    __slots__ = FIELDS = (
        "post", "locale", "catalog", "entries", "words", "obsolete", "waiting", "problems",
    )  # fmt: skip

    def __init__(
        self,
        post: str,
        locale: str,
        catalog: str,
        entries: dict[str, int] | None = None,  # state -> entries
        words: dict[str, int] | None = None,  # state -> source words
        obsolete: int = 0,
        waiting: list[dict[str, object]] | None = None,  # for a person to do
        problems: list[str] | None = None,  # "po:line: entry …: why" lines
    ) -> None:
        self.post = post
        self.locale = locale
        self.catalog = catalog
        self.entries = {} if entries is None else entries
        self.words = {} if words is None else words
        self.obsolete = obsolete
        self.waiting = [] if waiting is None else waiting
        self.problems = [] if problems is None else problems

    def as_dict(self) -> dict[str, object]:
        """The row's fields (shallow: its lists and dicts are the row's own; a deep copy
        took seconds on a site of thousands of posts)."""
        return {name: getattr(self, name) for name in self.FIELDS}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Row) and self.as_dict() == other.as_dict()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Row({self.post!r}, {self.locale!r}, entries={self.entries!r})"

    @property
    def words_to_review(self) -> int:
        """Source words of every entry a person has not written or approved."""
        return sum(n for state, n in self.words.items() if state != State.REVIEWED.value)

    @property
    def reviewed_in_full(self) -> bool:
        """A catalog with nothing waiting for a person and no problem."""
        waiting = any(n for state, n in self.entries.items() if state != State.REVIEWED.value)
        return bool(self.entries) and not waiting and not self.problems


def totals(rows: list[Row]) -> dict[str, int]:
    """Entries by state over ``rows``, every state present."""
    found = {s.value: 0 for s in State}
    for row in rows:
        for state, count in row.entries.items():
            found[state] += count
    return found


class Rows:
    """Rows with their entries, computed once per catalog and build: kept in
    ``.translator-cache/status.json`` by the catalog's and the build's hashes, so that
    ``status --json`` of a large unchanged site parses nothing."""

    def __init__(self, site: Site) -> None:
        self.path = site.settings.root / CACHE
        try:
            self._rows: dict[str, dict[str, Any]] = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            self._rows = {}
        self._changed = False

    def get(self, key: str) -> Row | None:
        found = self._rows.get(key)
        return Row(**found) if found is not None else None

    def put(self, key: str, row: Row) -> None:
        self._rows[key] = row.as_dict()
        self._changed = True

    def save(self) -> None:
        if self._changed:
            from .site.files import write_atomic

            write_atomic(self.path, json.dumps(self._rows, ensure_ascii=False).encode())


CACHE = ".translator-cache/status.json"


def post_status(
    site: Site, post: PostPaths, locale: str, *, entries: bool = False, rows: Rows | None = None
) -> Row:
    """What is translated and what waits, for one post and locale: from the build record
    when the post is built from the catalog as it is (nothing parsed), else from the
    catalog and what a build would find. ``entries``: also list each entry that waits
    (from ``rows``, the cache, when it has this catalog and build; else the catalog is
    read)."""
    path = site.catalog_path(post, locale)
    record = site.built(post, locale)
    if record is not None and record.counts and record.words and not entries:
        problems = sorted([*record.problems, *record.rejected], key=_line_of)
        return Row(post.source, locale, path, dict(record.counts), dict(record.words),
                   record.obsolete, [], problems)  # fmt: skip
    key = ""
    if record is not None and rows is not None:
        key = f"{path}|{record.catalog_hash}|{record.output_hash}|{record.policy}"
        cached = rows.get(key)
        if cached is not None:
            return cached
    row = _parsed_row(site, post, locale, record)
    if key and rows is not None:
        rows.put(key, row)
    return row


def _parsed_row(site: Site, post: PostPaths, locale: str, record: Built | None) -> Row:
    from .catalogs.scan import EntryLines

    path = site.catalog_path(post, locale)

    row = Row(post.source, locale, path, {s.value: 0 for s in State}, {s.value: 0 for s in State})
    catalog = site.read(post, locale)
    if catalog is None:
        row.entries = {}
        row.words = {}
        return row
    lines = EntryLines(site.settings.root / path)
    if record is not None and record.counts:
        built = list(record.problems)
        broken = {(ctx or None, msgid) for ctx, msgid in record.broken}
    else:  # changed since the build: what a build would find now
        from .build import render

        _output, built, broken = render(site, post, locale, catalog)
    row.entries = count_states(catalog.entries(), broken)
    row.words = count_words(catalog.entries(), broken)
    for message in catalog.entries():
        if message.id and (state := state_in(message, broken)) is not State.REVIEWED:
            row.waiting.append(
                {
                    "line": lines.of(message),
                    "state": state.value,
                    "msgid": str(message.id),
                    "by": origin_of(message),
                }
            )
    row.obsolete = len(catalog.obsolete)
    rejected = [lines.report(path, m, why) for m, why in rejections(catalog.entries())]
    row.problems = sorted([*built, *rejected], key=_line_of)
    return row


def _line_of(report: str) -> int:
    """The line a ``po:line: …`` report points at (0 if it names none)."""
    m = _LINE.match(report)
    return int(m.group(1)) if m else 0
