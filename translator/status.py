"""``translator status``: what is translated, and what is waiting for a person, per post and
locale, in entries and in source words."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field

from .catalogs.scan import EntryLines
from .catalogs.states import State, origin_of, state_of
from .context import Site
from .markdown.placeholders import TAG
from .site.paths import PostPaths

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

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def post_status(site: Site, post: PostPaths, locale: str) -> Row:
    path = site.catalog_path(post, locale)
    row = Row(post.source, locale, path, {s.value: 0 for s in State}, {s.value: 0 for s in State})
    catalog = site.read(post, locale)
    if catalog is None:
        row.entries = {}
        row.words = {}
        return row
    lines = EntryLines(site.settings.root / path)
    for message in catalog:
        if not message.id:
            continue
        state = state_of(message)
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
    return row
