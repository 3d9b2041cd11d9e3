"""Units of definition lines: a reference definition's title (``[doc]: /url "文档首页"``)
and a kramdown abbreviation definition (``*[CSS]: 层叠样式表``).

An abbreviation's definition is a unit; its key stays as it is, unless it is Chinese: then
it is a unit too, so that the English page defines the abbreviation for the key's
translation, which is what its text holds (a Latin key such as ``CSS`` is kept by every
translation, and kramdown finds it there).
"""

from __future__ import annotations

from markdown_it.token import Token

from .abbreviations import DEFINITION
from .cjk import has_ideographs
from .document import Post
from .offsets import line_at
from .placeholders import Slot
from .slots import reference_title, slot_unit
from .units import Unit


def reference_units(post: Post, lines: list[int], tok: Token, stack: list[str]) -> list[Unit]:
    """The title of a reference definition (``[doc]: /url "标题"``)."""
    assert tok.map is not None
    first, last = tok.map[0] + post.body_line, tok.map[1] + post.body_line - 1
    start, line = line_at(post.text, lines, first)
    end = line_at(post.text, lines, last)[0] + len(line_at(post.text, lines, last)[1])
    start += len(line) - len(line.lstrip(" >\t"))  # after the containers' markers
    found = reference_title(post.text, start, end)
    if found is None or (stack and "\n" in found[2].raw):
        return []  # a title over lines inside a container holds its markers: left alone
    a, b, slot = found
    return [slot_unit(post, slot, a, b)]


def abbreviation_units(post: Post, lines: list[int], tok: Token) -> list[Unit]:
    """The definition of an abbreviation, and its key when the key is Chinese."""
    assert tok.map is not None
    start, line = line_at(post.text, lines, tok.map[0] + post.body_line)
    m = DEFINITION.fullmatch(line)
    if m is None:
        return []
    units = []
    key = m.group(1)
    if has_ideographs(key):
        slot = Slot(key, key, "abbreviation", "")
        units.append(slot_unit(post, slot, start + m.start(1), start + m.end(1)))
    definition = m.group(2).strip()
    if definition:
        at = start + m.start(2) + m.group(2).index(definition)
        slot = Slot(definition, definition, "abbreviation definition", "")
        units.append(slot_unit(post, slot, at, at + len(definition)))
    return units
