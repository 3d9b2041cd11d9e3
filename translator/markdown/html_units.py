"""Units of HTML text (an HTML block, kramdown's ``{::nomarkdown}``): each run of inline
content that :mod:`.html_text` cut out becomes a unit, its inline elements tags
(``<x1>某公司</x1>`` for ``<a href="…">某公司</a>``), and each translated attribute a
slot unit of its own."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

from .cjk import joins_without_space
from .dialects import Reading
from .document import Post
from .html_text import Piece, cut_html
from .offsets import line_starts
from .placeholders import Part, Placeholder, Slot
from .slots import slot_unit
from .units import Unit

KIND = "HTML"
_WRAP = re.compile(r"[ \t]*\n\s*")


def html_units(post: Post, content: str, offsets: Sequence[int], reading: Reading) -> list[Unit]:
    """The units of the HTML ``content``, whose characters lie at ``offsets`` in the post
    (one more offset for its end)."""
    cut = cut_html(content, reading.html_attributes, reading.translate_comments)
    units = [_unit(post, content, offsets, group) for group in cut.groups]
    for group in cut.groups:
        for piece in group:
            units.extend(_slot_units(post, offsets, piece.slots))
    units.extend(_slot_units(post, offsets, cut.slots))
    return units


def _slot_units(
    post: Post, offsets: Sequence[int], slots: list[tuple[int, int, Slot]]
) -> list[Unit]:
    return [slot_unit(post, slot, offsets[a], offsets[b]) for a, b, slot in slots if slot.text]


def _unit(post: Post, content: str, offsets: Sequence[int], group: list[Piece]) -> Unit:
    first, last = group[0], group[-1]
    if first.kind == "text":
        first.a += len(content[first.a : first.b]) - len(content[first.a : first.b].lstrip())
    if last.kind == "text":
        last.b -= len(content[last.a : last.b]) - len(content[last.a : last.b].rstrip())
    msgid: list[str] = []
    placeholders: list[Placeholder] = []
    numbers: dict[int, int] = {}
    joined = False
    for index, piece in enumerate(group):
        if piece.kind == "text":
            text = content[piece.a : piece.b]
            for m in reversed(list(_WRAP.finditer(text))):
                before = text[m.start() - 1] if m.start() else _last(msgid)
                after = text[m.end()] if m.end() < len(text) else ""
                if joins_without_space(before, after):
                    joined = True
                    text = text[: m.start()] + text[m.end() :]
                else:
                    text = text[: m.start()] + " " + text[m.end() :]
            msgid.append(text)
        elif piece.pair >= 0 and piece.pair < index:
            msgid.append(f"</x{numbers[piece.pair]}>")
        else:
            number = len(placeholders) + 1
            numbers[index] = number
            kind = _kind(content[piece.a : piece.b], piece.name)
            opening = _parts(post, offsets, piece)
            if piece.pair > index:
                closing = _parts(post, offsets, group[piece.pair])
                placeholders.append(Placeholder(number, kind, opening, closing))
                msgid.append(f"<x{number}>")
            else:
                placeholders.append(Placeholder(number, kind, opening))
                msgid.append(f"<x{number}/>")
    start, end = offsets[first.a], offsets[last.b]
    line = bisect_right(line_starts(post.text), start)
    return Unit("".join(msgid), KIND, line, start, end, tuple(placeholders), None, joined)


def _kind(raw: str, name: str) -> str:
    if raw.startswith("&"):
        return "entity"
    if raw.startswith("<!--"):
        return "comment"
    return "code" if name in ("code", "samp", "var", "math", "svg") else "html"


def _last(msgid: list[str]) -> str:
    text = "".join(msgid)
    return text[-1] if text else ""


def _parts(post: Post, offsets: Sequence[int], piece: Piece) -> tuple[Part, ...]:
    """The source of a tag with the slots inside it cut out."""
    parts: list[Part] = []
    pos = offsets[piece.a]
    for a, b, slot in sorted(piece.slots, key=lambda s: s[0]):
        parts.append(post.text[pos : offsets[a]])
        parts.append(slot)
        pos = offsets[b]
    parts.append(post.text[pos : offsets[piece.b]])
    return tuple(p for p in parts if p != "")
