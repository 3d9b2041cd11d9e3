"""Heading anchors: the id each generator derives from a heading's text, so that a
translated heading can keep its source's id and every ``[见上文](#准备工作)`` (in the post
or in another one) still lands on it.

kramdown with GFM input (``generate_gfm_header_id``) and Hugo's Goldmark (``autoHeadingIDType
= "github"``) both derive the id from the heading's raw source text: lower-cased, word
characters and ``-`` kept, spaces made ``-``; a repeated id gets ``-1``, ``-2``… GFM sites
have no syntax for an explicit id, so there the id is not kept.
"""

from __future__ import annotations

import re
import unicodedata
from itertools import pairwise
from typing import NamedTuple
from urllib.parse import unquote

from . import syntax
from .attributes import attribute_list_end
from .dialects import Dialect

# kramdown takes {#id} at the end of a header only for an XML name (no digit first)
_XML_NAME = re.compile(r"[^\W\d][\w.-]*")
# a kramdown block IAL with an id, on the line after a heading: {: #id}
_BLOCK_ID = re.compile(r"\s*\{:[^}]*?(?:#|\bid=[\"']?)([^\s\"'}]+)")
_ID = re.compile(r"(?:^\{|\s)(?:#|id=[\"']?)([^\s\"'}]+)")


class Anchor(NamedTuple):
    """A heading's derived id, and where its explicit form goes in the source."""

    id: str
    at: int  # offset in the post where ``text`` is inserted
    text: str  # " {#id}", or "#id " inside an attribute list already there


class Anchors:
    """The ids of a post's headings, in document order, as ``dialect``'s generator gives
    them (each repeated one numbered)."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.seen: dict[str, int] = {}

    def heading(self, raw: str, line: str, line_end: int, *, next_line: str) -> Anchor | None:
        """The anchor of a heading whose raw text is ``raw`` and whose last source line
        (``line``) ends at offset ``line_end``; None if it has an explicit id (in it, or
        on ``next_line``) or none can be kept."""
        anchor, explicit, attributes = self._id(raw, next_line)
        if explicit or not (self.dialect.kramdown or self.dialect.goldmark):
            return None
        if self.dialect.kramdown and not _XML_NAME.fullmatch(anchor):
            return None  # kramdown would not read {#2024-回顾}: the heading stays as it is
        line_start = line_end - len(line)
        if attributes is not None and line.rfind(attributes) >= 0:
            # Goldmark reads only a heading's last list: the id goes into the one there
            return Anchor(anchor, line_start + line.rfind(attributes) + 1, f"#{anchor} ")
        return Anchor(anchor, line_start + len(line.rstrip()), f" {{#{anchor}}}")

    def _id(self, raw: str, next_line: str) -> tuple[str, bool, str | None]:
        """(the heading's id, whether it is explicit, the attribute list that ends it)."""
        text, attributes = _split_attributes(raw.split("\n")[-1], self.dialect)
        if attributes is not None and (found := _ID.search(attributes)):
            self._put(found.group(1))
            return found.group(1), True, attributes
        if self.dialect.kramdown and (found := _BLOCK_ID.match(next_line)):
            return found.group(1), True, attributes
        return self._generate(text), False, attributes

    def _generate(self, text: str) -> str:
        if self.dialect.kramdown:
            base = re.sub(r"[^\w\- \t]", "", text.lower()).replace(" ", "-").replace("\t", "-")
            count = self.seen.get(base, -1) + 1
            self.seen[base] = count
            return base if count == 0 else f"{base}-{count}"
        base = "".join(
            "-" if ch in "- " else ch.lower() if ch == "_" or _alnum(ch) else ""
            for ch in text.strip()
        )
        base = base or "heading"
        anchor, n = base, 0
        while anchor in self.seen:
            n += 1
            anchor = f"{base}-{n}"
        self._put(anchor)
        return anchor

    def _put(self, anchor: str) -> None:
        if self.dialect.goldmark:
            self.seen[anchor] = 0


def _alnum(ch: str) -> bool:
    return unicodedata.category(ch)[0] == "L" or unicodedata.category(ch) == "Nd"


def _split_attributes(raw: str, dialect: Dialect) -> tuple[str, str | None]:
    """The heading's text and the attribute list that ends it, as its generator reads it."""
    text = raw.rstrip()
    if not text.endswith("}"):
        return text, None
    brace = text.rfind("{")
    while brace >= 0:
        if attribute_list_end(text, brace, len(text)) == len(text):
            attributes = text[brace:]
            if dialect.kramdown and not re.fullmatch(r"\{#[^\s}]+\}", attributes):
                return text, None  # kramdown reads only {#id} at the end of a header
            if dialect.goldmark and attributes.startswith("{:"):
                return text, None  # a kramdown IAL is text to Goldmark
            return text[:brace].rstrip(), attributes
        brace = text.rfind("{", 0, brace)
    return text, None


def heading_ids(body: str, dialect: Dialect) -> list[str]:
    """The id of every heading of ``body``, in order, as ``dialect``'s generator gives it."""
    tokens = syntax.parse(body, dialect)
    lines = body.split("\n")
    anchors = Anchors(dialect)
    ids = []
    for opener, tok in pairwise(tokens):
        if opener.type == "heading_open" and opener.map is not None:
            after = lines[opener.map[1]] if opener.map[1] < len(lines) else ""
            ids.append(anchors._id(tok.content, after)[0])
    return ids


def follow_headings(source: str, translated: str, dialect: Dialect) -> str:
    """``translated`` with its in-page links (``](#id)``, ``]: #id``, ``href="#id"``)
    pointing at the ids its own headings get, wherever the source's pointed."""
    moved = {
        old: new
        for old, new in zip(
            heading_ids(source, dialect), heading_ids(translated, dialect), strict=False
        )
        if old != new
    }
    if not moved:
        return translated
    code = _code_lines(translated, dialect)

    def follow(m: re.Match[str]) -> str:
        target = unquote(m.group(2))
        if target not in moved or translated.count("\n", 0, m.start()) in code:
            return m.group(0)
        return m.group(1) + moved[target] + m.group(3)

    return _FRAGMENT.sub(follow, translated)


# the destination of an in-page link: ](#id), ](#id "title"), [ref]: #id, href="#id"
_FRAGMENT = re.compile(
    r"(\]\(\s*<?#|^[ \t>]*\[[^\]\n]+\]:[ \t]*<?#|href=[\"']#)([^\s)>\"']+)()", re.M
)


def _code_lines(body: str, dialect: Dialect) -> set[int]:
    tokens = syntax.parse(body, dialect)
    return {
        n
        for t in tokens
        if t.type in ("fence", "code_block", "template_block") and t.map
        for n in range(t.map[0], t.map[1])
    }
