"""Attribute lists: kramdown's inline attribute lists, attribute list definitions and
extensions (``{: .note}``, ``{:ref: .x #y}``, ``{::options /}``) and Goldmark's
``{#id .class key="value"}`` (parsed by mdit-py-plugins' attribute parser).

They are read as one inline token each (``ial``), so they are protected: never text of a
unit, and left out of it where they only frame it (a heading's ``{#id}``, a block IAL on a
line of its own). Where the generator applies them does not change what is text: kramdown
and Goldmark put a block's list on the line after it (a lazy continuation line for
markdown-it, so it is in the block's inline content), kramdown's span IALs follow an image
or a link directly, and :mod:`.inline` glues those to it.
"""

from __future__ import annotations

import re

from markdown_it.rules_inline import StateInline
from mdit_py_plugins.attrs.parse import ParseError, parse

_KRAMDOWN = re.compile(r"\{:[^}\n]*\}")


def attribute_list_end(src: str, pos: int, end: int) -> int:
    """Where the attribute list that starts at ``src[pos]`` ends, or -1 if none does."""
    if not src.startswith("{", pos):  # the rule is tried at every inline position
        return -1
    m = _KRAMDOWN.match(src, pos, end)
    if m is not None:
        return m.end()
    if not src.startswith("{", pos) or src.startswith(("{{", "{%"), pos):
        return -1
    line_end = src.find("\n", pos, end)
    try:
        close, attributes = parse(src[pos : end if line_end < 0 else line_end])
    except ParseError:
        return -1
    return pos + close + 1 if attributes else -1


def attribute_list(state: StateInline, silent: bool) -> bool:
    """Inline rule: an attribute list becomes an ``ial`` token."""
    end = attribute_list_end(state.src, state.pos, state.posMax)
    if end < 0:
        return False
    if not silent:
        token = state.push("ial", "", 0)
        token.content = state.src[state.pos : end]
    state.pos = end
    return True
