"""Write a per-locale post: the source with exactly the translated units swapped in.

Every byte outside a translated unit is copied. A unit without a usable translation keeps
its source text. The result is parsed again and must have the block structure of the
source; a unit whose translation breaks it is left in the source language and reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import BuildError
from .anchors import follow_headings
from .front_matter import render_front_matter
from .placeholders import PlaceholderError, restore
from .units import Segmentation, Unit, parse_structure

Lookup = Callable[[str, str | None], str | None]
"""(msgid, context) -> translation, or None when there is none to publish."""

_BLOCKS_IN_TEXT = re.compile(
    r"(?:#{1,6}(?=\s|$)|>|[-+*](?=\s|$)|\d{1,9}(?=[.)](?:\s|$))|=+\s*$|-+\s*$|```|~~~|\|)"
)


@dataclass(frozen=True, slots=True)
class Problem:
    """A unit whose translation was not used, and why."""

    unit: Unit
    message: str


@dataclass(frozen=True, slots=True)
class Assembly:
    text: str  # the per-locale post (LF line endings, no BOM)
    problems: list[Problem]
    translated: int  # units whose translation was used


def assemble(
    seg: Segmentation, lookup: Lookup, *, cjk_target: bool = False, keep_identical: bool = True
) -> Assembly:
    """Swap translations into the post; drop any that would change its block structure.

    A translation equal to its source text leaves the source bytes (and their line
    wrapping) as they are, unless ``keep_identical`` is false.
    """
    problems: list[Problem] = []
    rendered: dict[int, str] = {}
    fields: dict[str, str] = {}
    for index, unit in enumerate(seg.units):
        if unit.slot is not None:
            continue
        translation = _translation(unit, lookup, cjk_target)
        if translation is None or (keep_identical and translation == _source(unit, cjk_target)):
            continue
        if unit.context is not None:
            try:
                fields[unit.context] = restore(translation, unit.by_number, lambda _t: None)
            except PlaceholderError as exc:
                problems.append(Problem(unit, str(exc)))
            continue
        try:
            rendered[index] = _render(unit, translation, lookup, escape_blocks=False)
        except PlaceholderError as exc:
            problems.append(Problem(unit, str(exc)))
    rendered.update(_lone_slots(seg, rendered, lookup))
    head = _head(seg, fields)
    body = _splice(seg, rendered)
    if rendered and not _same_structure(seg, body):
        # find the units that break the structure on their own; escaping the Markdown
        # block syntax their text starts a line with (a "1. " or "# ") may save them
        for i in list(rendered):
            if _same_structure(seg, _splice(seg, {i: rendered[i]})):
                continue
            unit = seg.units[i]
            escaped = _render(
                unit, _translation(unit, lookup, cjk_target) or "", lookup, escape_blocks=True
            )
            if unit.slot is None and _same_structure(seg, _splice(seg, {i: escaped})):
                rendered[i] = escaped
            else:
                problems.append(Problem(unit, "translation would change the block structure"))
                del rendered[i]
        body = _splice(seg, rendered)
        if not _same_structure(seg, body):  # units that only break it together
            raise BuildError(
                "the translated post would not have the source's block structure; not written",
                seg.post.path,
            )
    dialect = seg.reading.dialect
    ids = dialect.kramdown or dialect.goldmark  # GFM has no syntax for an explicit id
    if rendered and (seg.reading.anchors == "translate" or not ids):
        body = follow_headings(seg.post.body, body, dialect)
    text = head + body
    used = len([i for i in rendered if seg.units[i].slot is None]) + len(fields)
    return Assembly(text, problems, used)


def _clean(text: str | None) -> str | None:
    return text.strip() if text else None


def _source(unit: Unit, cjk_target: bool) -> str:
    return ("" if cjk_target else " ").join(unit.sentences) if unit.sentences else unit.text


def _translation(unit: Unit, lookup: Lookup, cjk_target: bool) -> str | None:
    if unit.sentences:
        parts = [_clean(lookup(s, unit.context)) for s in unit.sentences]
        if not all(parts):
            return None
        return ("" if cjk_target else " ").join(p for p in parts if p)
    return _clean(lookup(unit.text, unit.context))


def _lone_slots(seg: Segmentation, rendered: dict[int, str], lookup: Lookup) -> dict[int, str]:
    """Texts inside a tag whose unit is not rendered (an image alone in its paragraph, a
    reference definition's title): each is written into its tag on its own."""
    spans = [(seg.units[i].start, seg.units[i].end) for i in rendered]
    out = {}
    for index, unit in enumerate(seg.units):
        if unit.slot is None or any(a <= unit.start and unit.end <= b for a, b in spans):
            continue
        translation = _clean(lookup(unit.text, None))
        if translation and translation != unit.text:
            out[index] = unit.slot.render(translation)
    return out


def _render(unit: Unit, translation: str, lookup: Lookup, *, escape_blocks: bool) -> str:
    if unit.slot is not None:
        return unit.slot.render(translation)
    return restore(
        translation,
        unit.by_number,
        lambda text: _clean(lookup(text, None)),
        _escaper(unit.kind, escape_blocks),
    )


def _escaper(kind: str, escape_blocks: bool) -> Callable[[str, bool], str]:
    def escape(chunk: str, at_line_start: bool) -> str:
        chunk = re.sub(r"\s*\n\s*", " ", chunk)
        if kind == "HTML":
            return re.sub(r"&(?=#?\w+;)", "&amp;", chunk).replace("<", "&lt;")
        if kind == "table cell":
            return re.sub(r"(?<!\\)\|", r"\\|", chunk)
        if kind == "heading":
            return re.sub(r"(\s)(#+)$", r"\1\\\2", chunk)
        if at_line_start and escape_blocks:
            m = _BLOCKS_IN_TEXT.match(chunk)
            if m:
                at = m.end() if chunk[0].isdigit() else 0
                chunk = chunk[:at] + "\\" + chunk[at:]
        return chunk

    return escape


def _splice(seg: Segmentation, rendered: dict[int, str]) -> str:
    """The body with the rendered units in place (and the ids their headings keep)."""
    post = seg.post
    edits = []
    for index, text in rendered.items():
        unit = seg.units[index]
        edits.append((unit.start, unit.end, text))
        if unit.anchor is not None and seg.reading.anchors == "keep":
            edits.append((unit.anchor.at, unit.anchor.at, unit.anchor.text))
    pieces = []
    pos = post.body_start
    for start, end, text in sorted(edits, key=lambda e: (e[0], e[1])):
        pieces.append(post.text[pos:start])
        pieces.append(text)
        pos = end
    pieces.append(post.text[pos:])
    return "".join(pieces)


def _head(seg: Segmentation, fields: dict[str, str]) -> str:
    """Everything before the body, with translated front-matter values."""
    post = seg.post
    fm = post.front_matter
    head = post.text[: post.body_start]
    if fields and fm is not None:
        head = head[: fm.start] + render_front_matter(post, fields) + head[fm.end :]
    return head


def _same_structure(seg: Segmentation, body: str) -> bool:
    return seg.structure == parse_structure(body, seg.reading.dialect)
