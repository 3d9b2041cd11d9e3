"""kramdown's abbreviation definitions, ``*[CSS]: 层叠样式表``: kramdown wraps every
occurrence of the key in the post's text in ``<abbr title="…">``.

Read as a hidden block token (``abbreviation``); :mod:`.definitions` makes its units.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock

# kramdown's ABBREV_DEFINITION_START: up to three spaces, *[key]:, the rest of the line
DEFINITION = re.compile(r" {0,3}\*\[(.+?)\]:(.*)")


def abbreviations(md: MarkdownIt) -> None:
    md.block.ruler.before("paragraph", "abbreviation", _abbreviation)
    md.add_render_rule("abbreviation", lambda self, tokens, idx, options, env: "")


def _abbreviation(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
    if state.sCount[startLine] - state.blkIndent >= 4:
        return False
    line = state.src[state.bMarks[startLine] : state.eMarks[startLine]]
    if DEFINITION.fullmatch(line) is None:
        return False
    if not silent:
        token = state.push("abbreviation", "", 0)
        token.map = [startLine, startLine + 1]
        token.content = line
        token.hidden = True
    state.line = startLine + 1
    return True
