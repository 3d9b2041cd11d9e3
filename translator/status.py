"""``translator status``: what is translated, and what is waiting for a person, per post and
locale, in entries and in source words, and the problems a person should look at."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from babel.messages.catalog import Message

from .build import render, up_to_date
from .catalogs.scan import EntryLines
from .catalogs.states import REJECTED_PREFIX, State, origin_of, state_of
from .context import Site
from .markdown.placeholders import TAG
from .site.paths import PostPaths

_LINE = re.compile(r"[^:]*:(\d+): ")
_WORD = re.compile(r"[\u3400-\u9fff\uf900-\ufaff\u3040-\u30ff]|[^\W\d_]+|\d+")


def words(text: str) -> int:
    """Source words: each Han or kana character is one, as are Latin words and numbers."""
    return len(_WORD.findall(TAG.sub(" ", text)))


@dataclass(slots=True)
class Row:
    post: str
    locale: str
    catalog: str
    entries: dict[str, int] = field(default_factory=dict)  # state -> entries
    words: dict[str, int] = field(default_factory=dict)  # state -> source words
    obsolete: int = 0
    waiting: list[dict[str, object]] = field(default_factory=list)  # for a person to do
    problems: list[str] = field(default_factory=list)  # "po:line: entry …: why" lines

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

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


def post_status(site: Site, post: PostPaths, locale: str) -> Row:
    path = site.catalog_path(post, locale)
    row = Row(post.source, locale, path, {s.value: 0 for s in State}, {s.value: 0 for s in State})
    catalog = site.read(post, locale)
    if catalog is None:
        row.entries = {}
        row.words = {}
        return row
    lines = EntryLines(site.settings.root / path)
    record = up_to_date(site, post, locale)
    if record is not None and record.counts:
        built = list(record.problems)
        broken = {(ctx or None, msgid) for ctx, msgid in record.broken}
    else:  # changed since the build: what a build would find now
        _output, built, broken = render(site, post, locale, catalog)
    for message in catalog:
        if not message.id:
            continue
        key = (message.context, str(message.id))
        state = State.BROKEN if key in broken else state_of(message)
        row.entries[state.value] += 1
        row.words[state.value] += words(str(message.id))
        if state is not State.REVIEWED:
            line = lines.of(message)
            row.waiting.append(
                {
                    "line": line,
                    "state": state.value,
                    "msgid": str(message.id),
                    "by": origin_of(message),
                }
            )
    row.obsolete = len(catalog.obsolete)
    row.problems = _problems(site, post, locale, catalog, lines, built)
    return row


def _problems(
    site: Site,
    post: PostPaths,
    locale: str,
    catalog: Iterable[Message],
    lines: EntryLines,
    built: list[str],
) -> list[str]:
    """Machine translations the checks rejected, with the reason; then what the build of
    the post reports (entries that could not be published), in line order."""
    po = site.catalog_path(post, locale)
    found = list(built)
    for message in catalog:
        if message.id and state_of(message) is State.REJECTED:
            why = next(c for c in message.user_comments if c.startswith(REJECTED_PREFIX))
            found.append(lines.report(po, message, why))
    return sorted(found, key=_line_of)


def _line_of(report: str) -> int:
    """The line a ``po:line: …`` report points at (0 if it names none)."""
    m = _LINE.match(report)
    return int(m.group(1)) if m else 0
