"""Cut a post into translatable units.

A unit is one block's text (a paragraph, heading, table cell…) or one front-matter value,
with the exact span of the source it came from. Inside a unit, everything that must never be
translated is replaced by a numbered tag (see :mod:`translator.placeholders`), and soft line
breaks are joined CJK-aware. Units are found from markdown-it tokens, never by regex over the
Markdown, and every span is checked against the source: a block whose text cannot be mapped
back exactly is left out (and so kept byte for byte) rather than guessed at.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from markdown_it.helpers import parseLinkLabel, parseLinkTitle
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from . import syntax
from .cjk import has_ideographs, joins_without_space, split_sentences
from .document import Post
from .front_matter import Field, find_fields
from .placeholders import TAG, Part, Placeholder, Slot


@dataclass(frozen=True, slots=True)
class Unit:
    """One translatable unit of a post."""

    text: str  # the msgid: protected, CJK-joined
    kind: str  # paragraph, heading, list item, blockquote, table cell, footnote, front matter…
    line: int  # 1-based line where it starts
    start: int  # span in Post.text that a translation replaces (-1 for values inside a tag)
    end: int
    placeholders: tuple[Placeholder, ...] = ()
    context: str | None = None  # the front-matter key path, for front-matter values
    joined: bool = False  # a line break between CJK characters was dropped
    sentences: tuple[str, ...] = ()  # with sentence splitting on: the parts, in order

    @property
    def by_number(self) -> dict[int, Placeholder]:
        return {p.number: p for p in self.placeholders}

    @property
    def needs_translation(self) -> bool:
        return has_ideographs(TAG.sub("", self.text))


@dataclass(frozen=True, slots=True)
class Segmentation:
    post: Post
    units: list[Unit]  # body and front-matter units, in document order
    fields: list[Field] = field(default_factory=list)
    structure: list[Block] = field(default_factory=list)  # the body's, see block_structure


def segment_post(post: Post, keys: Sequence[str], *, split: bool = False) -> Segmentation:
    """Return the units of ``post``: front-matter values named by ``keys``, then the body's."""
    fields = find_fields(post, keys)
    units = [_field_unit(f) for f in fields]
    body_units, structure = _body_units(post)
    units.extend(body_units)
    units.sort(key=lambda u: (u.line, u.start))
    if split:
        units = [_with_sentences(u) for u in units]
    return Segmentation(post, units, fields, structure)


Block = tuple[str, str, int, int, bool]


def block_structure(tokens: Sequence[Token]) -> list[Block]:
    """The block structure of parsed Markdown: what must survive translation."""
    return [(t.type, t.tag, t.nesting, t.level, t.hidden) for t in tokens]


def parse_structure(body: str) -> list[Block]:
    return block_structure(syntax.parser().parse(body, {}))


def _field_unit(f: Field) -> Unit:
    """A front-matter value; Liquid and shortcodes inside it become tags."""
    placeholders: list[Placeholder] = []

    def tag(m: re.Match[str]) -> str:
        placeholders.append(Placeholder(len(placeholders) + 1, "template", (m.group(0),)))
        return f"<x{len(placeholders)}/>"

    text = syntax.TEMPLATE.sub(tag, f.text)
    return Unit(text, "front matter", f.line, f.start, f.end, tuple(placeholders), f.path)


def _with_sentences(unit: Unit) -> Unit:
    parts = split_sentences(unit.text)
    if len(parts) < 2 or unit.context is not None:
        return unit
    return replace(unit, sentences=tuple(parts))


# -- body -------------------------------------------------------------------------------


def _body_units(post: Post) -> tuple[list[Unit], list[Block]]:
    md = syntax.parser()
    env: dict[str, object] = {}
    body = post.body
    tokens = md.parse(body, env)
    lines = _line_starts(post.text)
    units: list[Unit] = []
    stack: list[str] = []
    column = 0
    for tok in tokens:
        if tok.nesting == 1:
            stack.append(tok.type)
            if tok.type == "tr_open":
                column = 0
            elif tok.type in ("th_open", "td_open"):
                column += 1
        elif tok.nesting == -1 and stack:
            stack.pop()
        if tok.type != "inline" or tok.map is None or not tok.children:
            continue
        kind = _kind(stack)
        first = tok.map[0] + post.body_line
        offsets = _offsets(post.text, lines, tok, first, kind, column)
        if offsets is None:
            continue
        first_paragraph_of_item = (
            len(stack) >= 2 and stack[-2] == "list_item_open" and _item_starts(post, lines, first)
        )
        units.extend(_inline_units(post, tok, env, offsets, kind, first_paragraph_of_item))
    return units, block_structure(tokens)


def _kind(stack: list[str]) -> str:
    if "th_open" in stack or "td_open" in stack:
        return "table cell"
    if stack and stack[-1] == "heading_open":
        return "heading"
    for opener in reversed(stack):
        if opener == "footnote_open":
            return "footnote"
        if opener == "list_item_open":
            return "list item"
        if opener == "blockquote_open":
            return "blockquote"
    return "paragraph"


@lru_cache(maxsize=8)
def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in re.finditer("\n", text))
    return starts


def _line(text: str, lines: list[int], number: int) -> tuple[int, str]:
    """(offset, text without newline) of 0-based line ``number``."""
    start = lines[number]
    end = lines[number + 1] - 1 if number + 1 < len(lines) else len(text)
    return start, text[start:end]


def _item_starts(post: Post, lines: list[int], first: int) -> bool:
    _, line = _line(post.text, lines, first)
    return re.match(r"\s*(?:[-+*]|\d{1,9}[.)])\s", line + " ") is not None


def _offsets(
    text: str, lines: list[int], tok: Token, first: int, kind: str, column: int
) -> list[int] | None:
    """Map each character of ``tok.content`` (and its end) to an offset in ``text``."""
    content = tok.content
    if kind == "table cell":
        start, row = _line(text, lines, first)
        cell = _cell_span(row, column)
        if cell is None:
            return None
        a, b = cell
        return _align(content, row[a:b], start + a)
    parts = content.split("\n")
    assert tok.map is not None
    if len(parts) > tok.map[1] - tok.map[0]:
        return None
    offsets: list[int] = []
    for i, part in enumerate(parts):
        if first + i >= len(lines):
            return None
        start, line = _line(text, lines, first + i)
        if i == len(parts) - 1:
            line = line.rstrip()
        if kind == "heading" and len(parts) == 1 and line.lstrip().startswith("#"):
            k = line.find(part, len(line) - len(line.lstrip(" ")) + 1)
        else:
            k = len(line) - len(part)
        if k < 0 or line[k : k + len(part)] != part:
            return None
        offsets.extend(range(start + k, start + k + len(part)))
        # the end of a line maps to its newline, so a soft break's span covers the next
        # line's container prefix ("> ", indentation) as well
        full = _line(text, lines, first + i)[1]
        offsets.append(start + len(full) if i < len(parts) - 1 else start + k + len(part))
    return offsets


def _cell_span(row: str, column: int) -> tuple[int, int] | None:
    """The stripped span of the ``column``-th (1-based) cell of a table row."""
    pipes = [i for i, ch in enumerate(row) if ch == "|" and (i == 0 or row[i - 1] != "\\")]
    bounds = [-1, *pipes, len(row)]
    cells = [(bounds[i] + 1, bounds[i + 1]) for i in range(len(bounds) - 1)]
    if cells and not row[cells[0][0] : cells[0][1]].strip() and row.lstrip().startswith("|"):
        cells = cells[1:]
    if cells and not row[cells[-1][0] : cells[-1][1]].strip() and row.rstrip().endswith("|"):
        cells = cells[:-1]
    if column - 1 >= len(cells):
        return None
    a, b = cells[column - 1]
    while a < b and row[a] in " \t":
        a += 1
    while b > a and row[b - 1] in " \t":
        b -= 1
    return a, b


def _align(content: str, raw: str, base: int) -> list[int] | None:
    """Align cell content (where ``\\|`` became ``|``) with its raw text."""
    offsets: list[int] = []
    j = 0
    for ch in content:
        if j < len(raw) and raw[j] == ch:
            offsets.append(base + j)
            j += 1
        elif ch == "|" and raw.startswith("\\|", j):
            offsets.append(base + j)
            j += 2
        else:
            return None
    if j != len(raw):
        return None
    offsets.append(base + j)
    return offsets


# -- inline -----------------------------------------------------------------------------

_BREAK = re.compile(r"(?: *|\\)\n[ \t]*")
_TASK = re.compile(r"\[[ xX]\] ")


class _Unaligned(Exception):
    pass


@dataclass(slots=True)
class _Piece:
    kind: str  # text, soft, open, close, empty
    a: int  # content coordinates
    b: int
    ph: int = 0  # placeholder number for open/close/empty


def _inline_units(
    post: Post,
    tok: Token,
    env: dict[str, object],
    offsets: list[int],
    kind: str,
    item_start: bool,
) -> list[Unit]:
    src = tok.content
    try:
        spans = _spans(tok.children or [], src, env)
    except _Unaligned:
        return []
    text = post.text

    def raw(a: int, b: int) -> str:
        return text[offsets[a] : offsets[b]]

    pieces: list[_Piece] = []
    protected: dict[int, tuple[str, int, int, int, int]] = {}  # number -> kind, a, b, (close a, b)
    slots: dict[int, list[tuple[int, int, Slot]]] = {}
    open_links: list[int] = []
    labels: dict[int, str] = {}
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
                pieces.append(_Piece("empty", 0, 4, n))
                a = 4
                if a >= b:
                    continue
            pieces.append(_Piece("text", a, b))
        elif ty == "text_special":
            if t.info == "entity":
                pieces.append(_Piece("empty", a, b, new("entity", a, b)))
            else:
                pieces.append(_Piece("text", a, b))
        elif ty == "softbreak":
            pieces.append(_Piece("soft", a, b))
        elif ty == "hardbreak":
            pieces.append(_Piece("empty", a, b, new("break", a, b)))
        elif ty == "link_open" and t.info != "auto":
            n = new("link", a, b)
            open_links.append(n)
            pieces.append(_Piece("open", a, b, n))
        elif ty == "link_close" and t.info != "auto":
            n = open_links.pop()
            k, oa, ob, _, _ = protected[n]
            protected[n] = (k, oa, ob, a, b)
            title = _title_slot(src, a, b)
            if title:
                slots.setdefault(n, []).append(title)
            if src[a:b] in ("]", "[]", "][]"):
                # a shortcut or collapsed reference: its text is the label, so a translated
                # text must name the label explicitly to keep pointing at the definition
                labels[n] = " ".join(src[ob:a].split())
            pieces.append(_Piece("close", a, b, n))
        else:
            kind_ = _PROTECTED_KIND.get(ty, ty)
            n = new(kind_, a, b)
            if ty == "image":
                slots[n], label = _image_slots(src, a, b, env)
                if label is not None:
                    labels[n] = label
            pieces.append(_Piece("empty", a, b, n))

    pieces = _absorb_line_breaks(pieces, protected)
    pieces = _trim(pieces, protected)
    if not pieces:
        return slot_units_of(post, slots, offsets)

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
            if joins_without_space(before, after):
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
        placeholders.append(Placeholder(new_number, k, open_parts, close_parts))

    start, end = offsets[pieces[0].a], offsets[pieces[-1].b]
    line = bisect_right(_line_starts(text), start)
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
}


def slot_units_of(
    post: Post,
    slots: dict[int, list[tuple[int, int, Slot]]],
    offsets: list[int],
) -> list[Unit]:
    """Units for image alt texts and link titles: translated inside their tag."""
    out = []
    for items in slots.values():
        for a, _b, slot in items:
            if slot.text:
                line = bisect_right(_line_starts(post.text), offsets[a])
                out.append(Unit(slot.text, slot.kind, line, offsets[a], -1))
    return out


def _look_through(text: str, pos: int, step: int) -> str:
    """The nearest character from ``pos`` in direction ``step``, skipping emphasis marks."""
    i = pos - 1 if step < 0 else pos
    while 0 <= i < len(text) and text[i] in "*_~":
        i += step
    return text[i] if 0 <= i < len(text) else ""


def _parts(
    text: str, offsets: list[int], a: int, b: int, slots: list[tuple[int, int, Slot]]
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


def _title_slot(src: str, a: int, b: int) -> tuple[int, int, Slot] | None:
    """The title inside a link's closing part ``](dest "title")``."""
    if not src.startswith("](", a):
        return None
    return _title_in(src, a + 2, b - 1, "link title")


def _title_in(src: str, pos: int, end: int, kind: str) -> tuple[int, int, Slot] | None:
    m = re.match(
        r"[ \t\n]*(?:<[^>\n]*>|(?:\\.|[^\s()]|\((?:\\.|[^\s()])*\))*)[ \t\n]+", src[pos:end]
    )
    if not m or pos + m.end() >= end:
        return None
    start = pos + m.end()
    title = parseLinkTitle(src, start, end)
    if not title.ok:
        return None
    quote = src[start]
    inner = src[start + 1 : title.pos - 1]
    return start + 1, title.pos - 1, Slot(inner.replace("\n", " "), inner, kind, quote)


def _image_slots(
    src: str, a: int, b: int, env: dict[str, object]
) -> tuple[list[tuple[int, int, Slot]], str | None]:
    """The alt text and title of an image; and its label if it is a shortcut/collapsed
    reference (``![foo]``, ``![foo][]``), whose alt text is also the reference label."""
    state = StateInline(src, syntax.parser(), env, [])
    label_end = parseLinkLabel(state, a + 2, False)
    if label_end < 0:
        return [], None
    alt = src[a + 2 : label_end]
    out = []
    if alt.strip():
        out.append((a + 2, label_end, Slot(" ".join(alt.split()), alt, "image alt", "")))
    rest = src[label_end + 1 : b]
    if rest.startswith("("):
        title = _title_in(src, label_end + 2, b - 1, "image title")
        if title:
            out.append(title)
    elif rest in ("", "[]") and alt.strip():
        return out, " ".join(alt.split())
    return out, None


def _absorb_line_breaks(
    pieces: list[_Piece], protected: dict[int, tuple[str, int, int, int, int]]
) -> list[_Piece]:
    """Keep Liquid/shortcode lines and kramdown IALs on lines of their own."""
    out: list[_Piece] = []
    for i, p in enumerate(pieces):
        if p.kind == "empty" and protected[p.ph][0] in ("template", "ial"):
            kind_, a, b, _, _ = protected[p.ph]
            if out and out[-1].kind == "soft":
                a = out.pop().a
            nxt = pieces[i + 1] if i + 1 < len(pieces) else None
            if kind_ == "template" and nxt is not None and nxt.kind == "soft":
                b = nxt.b
                nxt.kind = "drop"
            protected[p.ph] = (kind_, a, b, -1, -1)
            out.append(_Piece("empty", a, b, p.ph))
        elif p.kind != "drop":
            out.append(p)
    return out


def _trim(
    pieces: list[_Piece], protected: dict[int, tuple[str, int, int, int, int]]
) -> list[_Piece]:
    """Drop tags that only frame the unit (template lines, IALs, task markers) and blanks."""

    def frame(p: _Piece) -> bool:
        if p.kind == "soft":
            return True
        if p.kind == "empty":
            return protected[p.ph][0] in ("template", "ial", "task")
        return False

    while pieces and (frame(pieces[0])):
        pieces = pieces[1:]
    while pieces and (frame(pieces[-1])):
        pieces = pieces[:-1]
    return pieces


def _spans(children: list[Token], src: str, env: dict[str, object]) -> list[tuple[Token, int, int]]:
    """Give each inline token its span in ``src`` (the block's inline content)."""
    md = syntax.parser()
    rules = {r.name: r.fn for r in md.inline.ruler.__rules__}
    out: list[tuple[Token, int, int]] = []
    links: list[int] = []
    cursor = 0

    def rerun(name: str) -> int:
        state = StateInline(src, md, env, [])
        state.pos = cursor
        if not rules[name](state, True) or state.pos <= cursor:
            raise _Unaligned(name)
        return state.pos

    i = 0
    while i < len(children):
        t = children[i]
        ty = t.type
        if ty == "text" or ty == "html_inline" or ty in ("template", "ial"):
            end = cursor + len(t.content)
            if src[cursor:end] != t.content:
                raise _Unaligned(ty)
        elif ty == "text_special" or (
            ty.endswith(("_open", "_close")) and ty[:2] in ("em", "st", "s_")
        ):
            end = cursor + len(t.markup)
            if src[cursor:end] != t.markup:
                raise _Unaligned(ty)
        elif ty in ("softbreak", "hardbreak"):
            m = _BREAK.match(src, cursor)
            if m is None:
                raise _Unaligned(ty)
            end = m.end()
        elif ty == "link_open" and t.info == "auto":
            end = rerun("autolink")
            out.append((t, cursor, end))
            while i < len(children) and children[i].type != "link_close":
                i += 1
            i += 1
            cursor = end
            continue
        elif ty == "link_open":
            links.append(rerun("template_link" if t.markup == "template" else "link"))
            end = cursor + 1
        elif ty == "link_close":
            end = links.pop()
        elif ty == "image":
            end = rerun("image")
        elif ty == "code_inline":
            end = rerun("backticks")
        elif ty == "footnote_ref":
            end = rerun("footnote_ref")
        elif ty == "math_inline":
            end = rerun("math_inline")
        else:
            raise _Unaligned(ty)
        out.append((t, cursor, end))
        cursor = end
        i += 1
    if cursor != len(src):
        raise _Unaligned("trailing")
    return out
