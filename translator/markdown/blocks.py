"""Block units: walk a post body's block tokens, name each block's kind (paragraph,
heading, list item, table cell…) and hand its inline content to :mod:`.inline`."""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it.token import Token

from . import syntax
from .anchors import Anchor, Anchors
from .definitions import abbreviation_units, reference_units
from .dialects import Reading
from .document import Post
from .html_units import html_units
from .inline import inline_units
from .kramdown import split_row
from .offsets import block_offsets, line_at, line_starts, unit_offsets
from .slots import slot_unit
from .template_arguments import template_slots
from .templates import TEMPLATE
from .units import Block, Unit, block_structure


def block_units(post: Post, reading: Reading) -> tuple[list[Unit], list[Block]]:
    """The units of the post's body, and its block structure."""
    md = syntax.parser(reading.dialect)
    env: dict[str, object] = {}
    body = post.body
    tokens = md.parse(body, env)
    lines = line_starts(post.text)
    units: list[Unit] = []
    stack: list[str] = []
    column = 0
    anchors = Anchors(reading.dialect)
    for index, tok in enumerate(tokens):
        if tok.nesting == 1:
            stack.append(tok.type)
            if tok.type == "tr_open":
                column = 0
            elif tok.type in ("th_open", "td_open"):
                column += 1
        elif tok.nesting == -1 and stack:
            stack.pop()
        if tok.type == "reference" and tok.map is not None:
            units.extend(reference_units(post, lines, tok, stack))
            continue
        if tok.type == "html_block" and tok.map is not None:
            first = tok.map[0] + post.body_line
            offsets: Sequence[int] | None = block_offsets(post.text, lines, tok.content, first)
            if offsets is not None:
                units.extend(html_units(post, tok.content, offsets, reading))
            continue
        if tok.type == "template_block" and tok.map is not None:
            units.extend(_opening_tag_units(post, lines, tok, reading))
            continue
        if tok.type == "abbreviation":
            units.extend(abbreviation_units(post, lines, tok))
            continue
        if tok.type != "inline" or tok.map is None or not tok.children:
            continue
        kind = _kind(stack)
        first = tok.map[0] + post.body_line
        anchor = (
            _anchor(post, lines, anchors, tok, tokens[index - 1]) if kind == "heading" else None
        )
        pipes = split_row if reading.dialect.kramdown else None
        offsets = unit_offsets(post.text, lines, tok, first, kind, column, pipes)
        if offsets is None:
            continue
        first_paragraph_of_item = (
            len(stack) >= 2 and stack[-2] == "list_item_open" and _item_starts(post, lines, first)
        )
        found = inline_units(post, md, tok, env, offsets, kind, first_paragraph_of_item, reading)
        if anchor is not None and found and found[0].kind == "heading":
            found[0] = found[0]._replace(anchor=anchor)
        units.extend(found)
    return units, block_structure(tokens)


def _anchor(
    post: Post, lines: list[int], anchors: Anchors, tok: Token, opener: Token
) -> Anchor | None:
    """The id a heading's generator derives from its text, and where it would go."""
    assert tok.map is not None
    last = tok.map[1] - 1 + post.body_line  # the inline map holds the text lines only
    start, line = line_at(post.text, lines, last)
    after = (opener.map or tok.map)[1] + post.body_line
    next_line = line_at(post.text, lines, after)[1] if after < len(lines) else ""
    return anchors.heading(tok.content, line, start + len(line), next_line=next_line)


def _opening_tag_units(post: Post, lines: list[int], tok: Token, reading: Reading) -> list[Unit]:
    """A code block tag's own arguments a reader sees (Hexo: ``{% codeblock 标题 %}``)."""
    assert tok.map is not None
    start, line = line_at(post.text, lines, tok.map[0] + post.body_line)
    tag = TEMPLATE.search(line)
    if tag is None:
        return []
    found = template_slots(line, tag.start(), tag.end(), reading)
    return [slot_unit(post, slot, start + a, start + b) for a, b, slot in found]


def _kind(stack: list[str]) -> str:
    if "th_open" in stack or "td_open" in stack:
        return "table cell"
    if stack and stack[-1] == "heading_open":
        return "heading"
    if stack and stack[-1] == "dt_open":
        return "term"
    for opener in reversed(stack):
        if opener == "dd_open":
            return "definition"
        if opener == "footnote_open":
            return "footnote"
        if opener == "list_item_open":
            return "list item"
        if opener == "blockquote_open":
            return "blockquote"
    return "paragraph"


def _item_starts(post: Post, lines: list[int], first: int) -> bool:
    _, line = line_at(post.text, lines, first)
    return re.match(r"\s*(?:[-+*]|\d{1,9}[.)])\s", line + " ") is not None
