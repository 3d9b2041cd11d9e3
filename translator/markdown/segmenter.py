"""Cut a post into translatable units.

A unit is one block's text (a paragraph, heading, table cell…) or one front-matter value,
with the exact span of the source it came from. Inside a unit, everything that must never be
translated is replaced by a numbered tag (see :mod:`translator.markdown.placeholders`), and
soft line breaks are joined CJK-aware. Units are found from markdown-it tokens, never by
regex over the Markdown, and every span is checked against the source: a block whose text
cannot be mapped back exactly is left out (and so kept byte for byte) rather than guessed at.
Front-matter values are made units here; the body's blocks in :mod:`.blocks`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .blocks import block_units
from .cjk import split_sentences
from .dialects import PLAIN, Reading
from .document import Post
from .front_matter import Field, find_fields
from .placeholders import Placeholder
from .syntax import collector_paused
from .templates import TEMPLATE
from .units import Segmentation, Unit


def segment_post(
    post: Post, keys: Sequence[str], *, split: bool = False, reading: Reading = PLAIN
) -> Segmentation:
    """Return the units of ``post``: front-matter values named by ``keys``, then the body's,
    read in ``reading``'s dialect."""
    fields = find_fields(post, keys)
    units = [_field_unit(f) for f in fields]
    with collector_paused():
        body_units, structure = block_units(post, reading)
    units.extend(body_units)
    units.sort(key=lambda u: (u.line, u.start))
    if split:
        units = [_with_sentences(u) for u in units]
    return Segmentation(post, units, fields, structure, reading)


def _field_unit(f: Field) -> Unit:
    """A front-matter value; Liquid and shortcodes inside it become tags."""
    placeholders: list[Placeholder] = []

    def tag(m: re.Match[str]) -> str:
        placeholders.append(Placeholder(len(placeholders) + 1, "template", (m.group(0),)))
        return f"<x{len(placeholders)}/>"

    text = TEMPLATE.sub(tag, f.text)
    return Unit(text, "front matter", f.line, f.start, f.end, tuple(placeholders), f.path)


def _with_sentences(unit: Unit) -> Unit:
    parts = split_sentences(unit.text)
    if len(parts) < 2 or unit.context is not None:
        return unit
    return unit._replace(sentences=tuple(parts))
