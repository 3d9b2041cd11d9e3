"""What segmentation gives: a post's units (:class:`Unit`), all of them with the post
(:class:`Segmentation`), and the block structure a translated post must keep."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from markdown_it.token import Token

from . import syntax
from .anchors import Anchor
from .cjk import has_ideographs
from .dialects import GFM, PLAIN, Dialect, Reading
from .document import Post
from .front_matter import Field
from .placeholders import Placeholder, Slot


class Unit(NamedTuple):
    """One translatable unit of a post (a named tuple: a 5 MB post has 60,000 of them, and
    a frozen dataclass's ``__init__`` sets each field through ``object.__setattr__``)."""

    text: str  # the msgid: protected, CJK-joined
    kind: str  # paragraph, heading, list item, blockquote, table cell, footnote, front matter…
    line: int  # 1-based line where it starts
    start: int  # span in Post.text that a translation replaces
    end: int
    placeholders: tuple[Placeholder, ...] = ()
    context: str | None = None  # the front-matter key path, for front-matter values
    joined: bool = False  # a line break between CJK characters was dropped
    sentences: tuple[str, ...] = ()  # with sentence splitting on: the parts, in order
    slot: Slot | None = None  # a text inside a tag (alt text, title): how to write it back
    anchor: Anchor | None = None  # a heading's derived id, kept when it is translated

    @property
    def by_number(self) -> dict[int, Placeholder]:
        return {p.number: p for p in self.placeholders}

    @property
    def needs_translation(self) -> bool:
        return has_ideographs(self.text)  # tags are ASCII


class Segmentation(NamedTuple):
    """A post and its units."""

    post: Post
    units: list[Unit]  # body and front-matter units, in document order
    fields: list[Field]
    structure: list[Block]  # the body's, see block_structure
    reading: Reading = PLAIN  # how the post was read (its dialect…)


Block = tuple[str, str, int, int, bool]


def block_structure(tokens: Sequence[Token]) -> list[Block]:
    """The block structure of parsed Markdown: what must survive translation."""
    return [(t.type, t.tag, t.nesting, t.level, t.hidden) for t in tokens]


def parse_structure(body: str, dialect: Dialect = GFM) -> list[Block]:
    return block_structure(syntax.parse(body, dialect))
