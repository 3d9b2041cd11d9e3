"""Text a reader sees in HTML: tokenized by the standard library's ``html.parser``, cut at
block-level elements into units, inline elements (``<a>``, ``<b>``, ``<img>``…) kept as
tags inside them, and the attributes the site translates (``alt``, ``title``…) as slots.

What is never text: ``<pre>``, ``<code>``, ``<script>``, ``<style>`` and the like (their
content is one protected span), entities (tags), comments (unless the site translates them).
"""

from __future__ import annotations

import html.parser
import re
from html import unescape
from html.parser import HTMLParser

from .dialects import Reading
from .placeholders import Slot

INLINE = frozenset(
    {
        *("a", "abbr", "b", "bdi", "bdo", "big", "br", "cite", "data", "del", "dfn", "em"),
        *("font", "i", "img", "input", "ins", "kbd", "label", "mark", "q", "s", "small"),
        *("span", "strike", "strong", "sub", "sup", "time", "tt", "u", "wbr"),
    }
)
OPAQUE = frozenset(
    {"code", "pre", "samp", "script", "style", "svg", "math", "textarea", "template", "var"}
)
# where html.parser itself finds each attribute of a start tag (the values it reports are
# unescaped, so their place in the source is found the way it found them)
_ATTRIBUTE: re.Pattern[str] = html.parser.attrfind_tolerant  # type: ignore[attr-defined]
_INLINE_OPAQUE = frozenset({"code", "samp", "var", "math", "svg"})


class Event:
    """One construct of the HTML, in content coordinates."""

    __slots__ = ("a", "b", "kind", "tag")

    def __init__(self, kind: str, a: int, b: int = -1, tag: str = "") -> None:
        self.kind = kind  # text, start, startend, end, entity, comment, other
        self.a = a
        self.b = b
        self.tag = tag

    def __repr__(self) -> str:
        return f"Event({self.kind!r}, {self.a}, {self.b}, {self.tag!r})"


class _Tokenizer(HTMLParser):
    def __init__(self, content: str) -> None:
        super().__init__(convert_charrefs=False)
        self.starts = [0, *(m.end() for m in re.finditer("\n", content))]
        self.events: list[Event] = []

    def _add(self, kind: str, tag: str = "", length: int = -1) -> None:
        line, column = self.getpos()
        a = self.starts[line - 1] + column
        self.events.append(Event(kind, a, a + length if length >= 0 else -1, tag))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._add("start", tag, len(self.get_starttag_text() or ""))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._add("startend", tag, len(self.get_starttag_text() or ""))

    def handle_endtag(self, tag: str) -> None:
        self._add("end", tag)

    def handle_data(self, data: str) -> None:
        # a "<" in data is markup html.parser could not read (an unclosed tag): not text
        self._add("other" if "<" in data else "text", length=len(data))

    def handle_entityref(self, name: str) -> None:
        self._add("entity")

    def handle_charref(self, name: str) -> None:
        self._add("entity")

    def handle_comment(self, data: str) -> None:
        self._add("comment")

    def handle_decl(self, decl: str) -> None:
        self._add("other")

    def handle_pi(self, data: str) -> None:
        self._add("other")

    def unknown_decl(self, data: str) -> None:
        self._add("other")


def html_events(content: str) -> list[Event]:
    """Every construct of ``content``, each with its span (they cover it end to end)."""
    tokenizer = _Tokenizer(content)
    tokenizer.feed(content)
    tokenizer.close()
    events = tokenizer.events
    broken = False  # after markup html.parser could not read, up to the next tag
    for event, following in zip(events, [*events[1:], None], strict=False):
        if event.b < 0:
            event.b = following.a if following is not None else len(content)
        if event.kind in ("start", "startend", "end"):
            broken = False
        elif event.kind == "other" and "<" in content[event.a : event.b]:
            broken = True
        elif event.kind == "text" and broken:
            event.kind = "other"
    return events


class Piece:
    """A piece of one unit of HTML text: ``text``, or a tag (``tag``; ``pair`` is the
    index of its other end when it is one end of an element)."""

    __slots__ = ("a", "b", "kind", "name", "opens", "pair", "slots")

    def __init__(
        self, kind: str, a: int, b: int, name: str = "", pair: int = -1, opens: bool = False
    ) -> None:
        self.kind = kind  # text, tag
        self.a = a
        self.b = b
        self.name = name
        self.pair = pair
        self.opens = opens
        self.slots: list[tuple[int, int, Slot]] = []  # the tag's attributes a reader sees

    def __repr__(self) -> str:
        return f"Piece({self.kind!r}, {self.a}, {self.b}, {self.name!r}, pair={self.pair})"


class Cut:
    """HTML content cut into the pieces of each unit, and the slots outside any unit."""

    __slots__ = ("groups", "slots")

    def __init__(self) -> None:
        self.groups: list[list[Piece]] = []
        self.slots: list[tuple[int, int, Slot]] = []


def cut_html(content: str, attributes: tuple[str, ...], comments: bool) -> Cut:
    """Cut ``content`` into runs of inline content between block-level elements."""
    events = html_events(content)
    cut = Cut()
    group: list[Piece] = []

    def flush() -> None:
        nonlocal group
        trimmed = _trim(content, group)
        if any(p.kind == "text" and content[p.a : p.b].strip() for p in trimmed):
            cut.groups.append(trimmed)
            kept = {id(p) for p in trimmed}
            dropped = [p for p in group if id(p) not in kept]
        else:
            dropped = group
        for piece in dropped:
            cut.slots.extend(piece.slots)
        group = []

    i = 0
    while i < len(events):
        event = events[i]
        if event.kind == "start" and event.tag in OPAQUE:
            end = _closing(events, i)
            piece = Piece("tag", event.a, events[end].b, event.tag)
            piece.slots = attribute_slots(content, event.a, event.b, attributes)
            if event.tag in _INLINE_OPAQUE:
                group.append(piece)
            else:
                flush()
                cut.slots.extend(piece.slots)
            i = end + 1
            continue
        if event.kind in ("start", "startend", "end") and event.tag not in INLINE:
            flush()
            if event.kind != "end":
                cut.slots.extend(attribute_slots(content, event.a, event.b, attributes))
        elif event.kind == "text":
            group.append(Piece("text", event.a, event.b))
        elif event.kind == "other":
            flush()
        else:
            piece = Piece("tag", event.a, event.b, event.tag, opens=event.kind == "start")
            if event.kind in ("start", "startend"):
                piece.slots = attribute_slots(content, event.a, event.b, attributes)
            elif event.kind == "comment" and comments:
                piece.slots = _comment_slot(content, event.a, event.b)
            group.append(piece)
        i += 1
    flush()
    return cut


def _closing(events: list[Event], i: int) -> int:
    """The index of the end tag that closes the element opened at ``events[i]``."""
    depth = 0
    for j in range(i, len(events)):
        if events[j].tag == events[i].tag and events[j].kind == "start":
            depth += 1
        elif events[j].tag == events[i].tag and events[j].kind == "end":
            depth -= 1
            if depth == 0:
                return j
    return len(events) - 1


def _trim(content: str, group: list[Piece]) -> list[Piece]:
    """Pair each element's two ends, then drop what only frames the run: blanks and
    unpaired tags at its edges, and an element around all of it."""
    stack: list[int] = []
    for index, piece in enumerate(group):
        if piece.kind != "tag" or piece.name not in INLINE:
            continue
        if piece.opens:
            stack.append(index)
        elif stack and group[stack[-1]].name == piece.name:
            opener = stack.pop()
            group[opener].pair, piece.pair = index, opener

    def frames(piece: Piece) -> bool:
        if piece.kind == "text":
            return not content[piece.a : piece.b].strip()
        return piece.pair < 0

    start, end = 0, len(group)
    while start < end:
        if frames(group[start]):
            start += 1
        elif frames(group[end - 1]):
            end -= 1
        elif group[start].kind == "tag" and group[start].pair == end - 1:
            start, end = start + 1, end - 1
        else:
            break
    return group[start:end]


def attribute_slots(
    content: str, a: int, b: int, attributes: tuple[str, ...]
) -> list[tuple[int, int, Slot]]:
    """The values of the translated attributes of the start tag ``content[a:b]``."""
    out = []
    tag = content[a:b]
    name = re.match(r"<[^\s/>]*[\s/]*", tag)  # as html.parser's tagfind_tolerant
    pos = name.end() if name else 0
    while m := _ATTRIBUTE.match(tag, pos):
        if m.end() == pos:
            break
        pos = m.end()
        if m.group(1).lower() not in attributes or not m.group(3):
            continue
        value = m.group(3)
        quote = value[0] if value[0] in "'\"" else ""
        inner = value[1:-1] if quote else value
        if not inner.strip():
            continue
        start = a + m.start(3) + len(quote)
        kind = f"HTML {m.group(1).lower()}"
        text = " ".join(unescape(inner).split())
        out.append((start, start + len(inner), Slot(text, inner, kind, quote, "html")))
    return out


def html_slots(src: str, a: int, b: int, reading: Reading) -> list[tuple[int, int, Slot]]:
    """The slots of an inline HTML tag or comment in Markdown text."""
    if src.startswith("<!--", a):
        return _comment_slot(src, a, b) if reading.translate_comments else []
    return attribute_slots(src, a, b, reading.html_attributes)


def _comment_slot(content: str, a: int, b: int) -> list[tuple[int, int, Slot]]:
    inner = content[a + 4 : b - 3]
    text = " ".join(inner.split())
    if not text:
        return []
    start = a + 4 + inner.index(text.split()[0])
    end = a + 4 + len(inner.rstrip())
    raw = content[start:end]
    return [(start, end, Slot(" ".join(raw.split()), raw, "HTML comment", "-->", "html"))]
