"""Slots: texts translated inside a tag (image alt texts, link and image titles), and the
units made of them."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.helpers import parseLinkLabel, parseLinkTitle
from markdown_it.rules_inline import StateInline

from .document import Post
from .offsets import line_starts
from .placeholders import Slot
from .units import Unit


def slot_units_of(
    post: Post,
    slots: dict[int, list[tuple[int, int, Slot]]],
    offsets: Sequence[int],
) -> list[Unit]:
    """Units for image alt texts and link titles: translated inside their tag."""
    out = []
    for items in slots.values():
        for a, b, slot in items:
            if slot.text:
                out.append(slot_unit(post, slot, offsets[a], offsets[b]))
    return out


def slot_unit(post: Post, slot: Slot, start: int, end: int) -> Unit:
    """The unit of a slot whose source is ``post.text[start:end]``."""
    line = bisect_right(line_starts(post.text), start)
    return Unit(slot.text, slot.kind, line, start, end, slot=slot)


def title_slot(src: str, a: int, b: int, *, parens: bool = True) -> tuple[int, int, Slot] | None:
    """The title inside a link's closing part ``](dest "title")``."""
    if not src.startswith("](", a):
        return None
    return _title_in(src, a + 2, b - 1, "link title", parens)


def _title_in(
    src: str, pos: int, end: int, kind: str, parens: bool = True
) -> tuple[int, int, Slot] | None:
    """The title in ``src[pos:end]`` after a destination; ``parens``: a title may be in
    parentheses (CommonMark; kramdown reads ``(…)`` there as part of the URL)."""
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
    if quote == "(" and not parens:
        return None
    inner = src[start + 1 : title.pos - 1]
    return start + 1, title.pos - 1, Slot(" ".join(inner.split()), inner, kind, quote)


def image_slots(
    md: MarkdownIt, src: str, a: int, b: int, env: dict[str, object], *, parens: bool = True
) -> tuple[list[tuple[int, int, Slot]], str | None]:
    """The alt text and title of an image; and its label if it is a shortcut/collapsed
    reference (``![foo]``, ``![foo][]``), whose alt text is also the reference label."""
    state = StateInline(src, md, env, [])
    label_end = parseLinkLabel(state, a + 2, False)
    if label_end < 0:
        return [], None
    alt = src[a + 2 : label_end]
    out = []
    if alt.strip():
        out.append((a + 2, label_end, Slot(" ".join(alt.split()), alt, "image alt", "")))
    rest = src[label_end + 1 : b]
    if rest.startswith("("):
        title = _title_in(src, label_end + 2, b - 1, "image title", parens)
        if title:
            out.append(title)
    elif rest in ("", "[]") and alt.strip():
        return out, " ".join(alt.split())
    return out, None


def reference_title(text: str, start: int, end: int) -> tuple[int, int, Slot] | None:
    """The title of the reference definition ``text[start:end]`` (``[doc]: /url "标题"``)."""
    m = re.match(r"[ \t]*\[(?:\\.|[^\\\]])*\]:", text[start:end])
    if m is None:
        return None
    found = _title_in(text, start + m.end(), end, "link title")
    if found is None or text[found[1] + 1 : end].strip():
        return None  # no title, or one that is not the definition's (text follows it)
    return found
