"""What kramdown (Jekyll 4.3's default, GFM input) reads differently from CommonMark, as
markdown-it rules, so that units and their tags follow kramdown's reading:

- a line ending in ``\\\\`` is a hard line break (CommonMark: an escaped backslash);
- a line holding only ``^`` ends the block before it (two lists, two block quotes);
- a ``|`` inside a code span does not split a table cell;
- a setext heading is one line of text (the lines above it stay a paragraph), and a
  thematic break does not interrupt a paragraph (``段落\n***`` is one paragraph).

kramdown's HTML blocks and ``{::nomarkdown}``/``{::comment}`` are read in :mod:`.html_blocks`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline

_EOB = re.compile(r" {0,3}\^[ \t]*")
_UNDERLINE = re.compile(r" {0,3}(?:=+|-+)[ \t]*")
_CODE_SPAN = re.compile(r"(`+)(.+?)(?<!`)\1(?!`)")
_HIDDEN_PIPE = "\x00"  # markdown-it turns NUL into U+FFFD first: never in the source


def kramdown_rules(md: MarkdownIt) -> None:
    md.inline.ruler.before("escape", "kramdown_break", _hard_break)
    md.block.ruler.before(
        "paragraph", "end_of_block", _end_of_block, {"alt": ["paragraph", "blockquote", "list"]}
    )
    md.add_render_rule("end_of_block", lambda self, tokens, idx, options, env: "")
    rules = {r.name: r.fn for r in md.block.ruler.__rules__}
    md.block.ruler.at("table", partial(_table, rules["table"]), {"alt": ["paragraph", "reference"]})
    md.block.ruler.at("lheading", partial(_setext, rules["lheading"]))
    md.block.ruler.at("hr", rules["hr"], {"alt": ["reference", "blockquote", "list"]})


def _hard_break(state: StateInline, silent: bool) -> bool:
    """``\\\\`` at the end of a line: a hard break (kramdown's ``LINE_BREAK``)."""
    pos = state.pos
    if state.src[pos : pos + 3] != "\\\\\n":
        return False
    if not silent:
        state.push("hardbreak", "br", 0)
    pos += 3
    while pos < state.posMax and state.src[pos] in " \t":
        pos += 1
    state.pos = pos
    return True


def _end_of_block(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
    line = state.src[state.bMarks[startLine] : state.eMarks[startLine]]
    if state.sCount[startLine] - state.blkIndent >= 4 or not _EOB.fullmatch(line):
        return False
    if not silent:
        token = state.push("end_of_block", "", 0)
        token.map = [startLine, startLine + 1]
        token.hidden = True
    state.line = startLine + 1
    return True


def _setext(
    lheading: Callable[[StateBlock, int, int, bool], bool],
    state: StateBlock,
    startLine: int,
    endLine: int,
    silent: bool,
) -> bool:
    """markdown-it's setext rule, for one line of text only (kramdown's SETEXT_HEADER)."""
    following = startLine + 1
    if following >= endLine or not _UNDERLINE.fullmatch(
        state.src[state.bMarks[following] : state.eMarks[following]]
    ):
        return False
    return lheading(state, startLine, endLine, silent)


def _table(
    table: Callable[[StateBlock, int, int, bool], bool],
    state: StateBlock,
    startLine: int,
    endLine: int,
    silent: bool,
) -> bool:
    """markdown-it's (GFM) table rule, with the pipes inside code spans hidden from it."""
    source = state.src
    line = startLine
    hidden = source
    while line < endLine and not state.isEmpty(line):
        start, end = state.bMarks[line], state.eMarks[line]
        row = _CODE_SPAN.sub(lambda m: m.group(0).replace("|", _HIDDEN_PIPE), source[start:end])
        hidden = hidden[:start] + row + hidden[end:]
        line += 1
    if hidden == source:
        return table(state, startLine, endLine, silent)
    count = len(state.tokens)
    state.src = hidden
    try:
        found = table(state, startLine, endLine, silent)
    finally:
        state.src = source
    for token in state.tokens[count:]:
        token.content = token.content.replace(_HIDDEN_PIPE, "|")
    return found


def split_row(row: str) -> list[int]:
    """Where kramdown splits a table row: its unescaped pipes outside code spans."""
    hidden = _CODE_SPAN.sub(lambda m: m.group(0).replace("|", _HIDDEN_PIPE), row)
    return [i for i, ch in enumerate(hidden) if ch == "|" and (i == 0 or hidden[i - 1] != "\\")]
