"""Inline units: a block's inline tokens turned into one msgid, with everything that
must not be translated (code, links, HTML, templates…) replaced by numbered tags."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token

from .cjk import joins_without_space
from .dialects import PLAIN, Reading
from .document import Post
from .flanking import break_matters
from .html_text import html_slots
from .offsets import line_starts
from .pieces import Piece, absorb_line_breaks, trim
from .placeholders import Part, Placeholder, Slot
from .slots import image_slots, slot_units_of, title_slot
from .spans import Unaligned, inline_spans
from .template_arguments import template_slots
from .units import Unit

_TASK = re.compile(r"\[[ xX]\] ")


def inline_units(
    post: Post,
    md: MarkdownIt,
    tok: Token,
    env: dict[str, object],
    offsets: Sequence[int],
    kind: str,
    item_start: bool,
    reading: Reading = PLAIN,
) -> list[Unit]:
    """The unit of one block's inline content (none if a span cannot be found), and the
    units of the slots inside it."""
    src = tok.content
    try:
        spans = inline_spans(md, tok.children or [], src, env)
    except Unaligned:
        return []
    text = post.text

    def raw(a: int, b: int) -> str:
        return text[offsets[a] : offsets[b]]

    pieces: list[Piece] = []
    protected: dict[int, tuple[str, int, int, int, int]] = {}  # number -> kind, a, b, (close a, b)
    slots: dict[int, list[tuple[int, int, Slot]]] = {}
    open_links: list[int] = []
    labels: dict[int, str] = {}
    linked: set[int] = set()  # bare URLs the generator links
    parens = not reading.dialect.kramdown  # kramdown has no (title)
    number = 0

    def new(kind_: str, a: int, b: int) -> int:
        nonlocal number
        number += 1
        protected[number] = (kind_, a, b, -1, -1)
        return number

    for t, a, b in spans:
        ty = t.type
        if ty in (
            "text",
            "em_open",
            "em_close",
            "strong_open",
            "strong_close",
            "s_open",
            "s_close",
        ):
            if ty == "text" and item_start and a == 0 and _TASK.match(src, 0):
                n = new("task", 0, 4)
                pieces.append(Piece("empty", 0, 4, n))
                a = 4
                if a >= b:
                    continue
            pieces.append(Piece("text", a, b))
        elif ty == "text_special":
            if t.info == "entity":
                pieces.append(Piece("empty", a, b, new("entity", a, b)))
            else:
                pieces.append(Piece("text", a, b))
        elif ty == "softbreak":
            pieces.append(Piece("soft", a, b))
        elif ty == "hardbreak":
            pieces.append(Piece("empty", a, b, new("break", a, b)))
        elif ty == "link_open" and t.info != "auto":
            n = new("link", a, b)
            open_links.append(n)
            pieces.append(Piece("open", a, b, n))
        elif ty == "link_close" and t.info != "auto":
            n = open_links.pop()
            k, oa, ob, _, _ = protected[n]
            protected[n] = (k, oa, ob, a, b)
            title = title_slot(src, a, b, parens=parens)
            if title:
                slots.setdefault(n, []).append(title)
            if src[a:b] in ("]", "[]", "][]"):
                # a shortcut or collapsed reference: its text is the label, so a translated
                # text must name the label explicitly to keep pointing at the definition
                labels[n] = " ".join(src[ob:a].split())
            pieces.append(Piece("close", a, b, n))
        elif ty == "ial" and pieces and pieces[-1].b == a and _glues(pieces[-1], protected):
            # a span IAL right after an image or a link is part of it: {: width="480"}
            last = pieces[-1]
            k, oa, ob, ca, cb = protected[last.ph]
            protected[last.ph] = (k, oa, b, ca, cb) if last.kind == "empty" else (k, oa, ob, ca, b)
            last.b = b
        else:
            kind_ = _PROTECTED_KIND.get(ty, ty)
            n = new(kind_, a, b)
            if ty == "link_open" and t.markup == "linkify":
                linked.add(n)
            if ty == "html_inline":
                slots[n] = html_slots(src, a, b, reading)
            if ty == "template":
                slots[n] = template_slots(src, a, b, reading)
            if ty == "image":
                slots[n], label = image_slots(md, src, a, b, env, parens=parens)
                if label is not None:
                    labels[n] = label
            pieces.append(Piece("empty", a, b, n))

    pieces = absorb_line_breaks(pieces, protected)
    pieces = trim(pieces, protected)
    if not pieces:
        return slot_units_of(post, slots, offsets)
    # blanks left at an edge by a trimmed tag ("标题 {#id}") stay outside the unit
    while pieces[0].kind == "text" and src[pieces[0].a] in " \t" and pieces[0].a < pieces[0].b:
        pieces[0].a += 1
    while (
        pieces[-1].kind == "text" and src[pieces[-1].b - 1] in " \t" and pieces[-1].a < pieces[-1].b
    ):
        pieces[-1].b -= 1

    # Renumber in order of appearance so that msgids do not depend on what was trimmed.
    order: dict[int, int] = {}
    for p in pieces:
        if p.kind in ("open", "empty") and p.ph not in order:
            order[p.ph] = len(order) + 1

    msgid: list[str] = []
    joined = False
    for p in pieces:
        if p.kind == "text":
            msgid.append(raw(p.a, p.b))
        elif p.kind == "soft":
            before, after = (
                _look_through(text, offsets[p.a], -1),
                _look_through(text, offsets[p.b], 1),
            )
            if joins_without_space(before, after) and not break_matters(
                text, offsets[p.a], offsets[p.b]
            ):
                joined = True
            else:
                msgid.append(" ")
        elif p.kind == "open":
            msgid.append(f"<x{order[p.ph]}>")
        elif p.kind == "close":
            msgid.append(f"</x{order[p.ph]}>")
        else:
            msgid.append(f"<x{order[p.ph]}/>")

    placeholders = []
    for old, new_number in order.items():
        k, a, b, ca, cb = protected[old]
        own = slots.get(old, [])
        open_parts = _parts(text, offsets, a, b, own)
        close_parts = _parts(text, offsets, ca, cb, own) if ca >= 0 else None
        if old in labels and close_parts is not None:
            close_parts = (f"][{labels[old]}]",)
        elif old in labels:
            open_parts = (*open_parts[:2], f"][{labels[old]}]")
        spaced = old in linked
        placeholders.append(Placeholder(new_number, k, open_parts, close_parts, spaced))

    start, end = offsets[pieces[0].a], offsets[pieces[-1].b]
    line = bisect_right(line_starts(text), start)
    unit = Unit("".join(msgid), kind, line, start, end, tuple(placeholders), None, joined)
    return [unit, *slot_units_of(post, slots, offsets)]


_PROTECTED_KIND = {
    "code_inline": "code",
    "math_inline": "math",
    "html_inline": "html",
    "link_open": "url",
    "footnote_ref": "footnote",
    "template": "template",
    "ial": "ial",
    "image": "image",
    "bare_url": "url",
    "emoji": "emoji",
}


def _glues(piece: Piece, protected: dict[int, tuple[str, int, int, int, int]]) -> bool:
    """Whether a span IAL right after ``piece`` belongs to it (an image, a link's end)."""
    return piece.kind == "close" or (piece.kind == "empty" and protected[piece.ph][0] == "image")


def _look_through(text: str, pos: int, step: int) -> str:
    """The nearest character from ``pos`` in direction ``step``, skipping emphasis marks."""
    i = pos - 1 if step < 0 else pos
    while 0 <= i < len(text) and text[i] in "*_~":
        i += step
    return text[i] if 0 <= i < len(text) else ""


def _parts(
    text: str, offsets: Sequence[int], a: int, b: int, slots: list[tuple[int, int, Slot]]
) -> tuple[Part, ...]:
    """The source of content span [a, b) with the slots inside it cut out."""
    parts: list[Part] = []
    pos = a
    for sa, sb, slot in sorted(slots, key=lambda s: s[0]):
        if a <= sa and sb <= b:
            if sa > pos:
                parts.append(text[offsets[pos] : offsets[sa]])
            parts.append(slot)
            pos = sb
    if b > pos:
        parts.append(text[offsets[pos] : offsets[b]])
    return tuple(parts)
