"""Definition lists, as kramdown and Goldmark read them (PHP Markdown Extra's syntax)::

    术语
    另一个术语
    : 定义，
      可以换行。
    : 第二个定义

mdit-py-plugins' ``deflist_plugin`` reads them, but takes only the line right above a
``:`` as a term; both generators make every line of the paragraph above it a term of its
own. The plugin's rule is wrapped to add those, and to give each term's inline token the
line it is on (so that the term is a unit like any other).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token
from mdit_py_plugins.deflist import deflist_plugin

Rule = Callable[[StateBlock, int, int, bool], bool]


def definition_lists(md: MarkdownIt) -> None:
    deflist_plugin(md)
    plugin = next(r.fn for r in md.block.ruler.__rules__ if r.name == "deflist")
    md.block.ruler.at(
        "deflist", partial(_deflist, plugin), {"alt": ["paragraph", "reference", "blockquote"]}
    )


def _deflist(plugin: Rule, state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
    if silent:
        return plugin(state, startLine, endLine, True)
    last = _last_term(state, startLine, endLine)
    first = len(state.tokens)
    if not plugin(state, last, endLine, False):
        return False
    dl = state.tokens[first]
    assert dl.map is not None
    dl.map[0] = startLine
    level = state.tokens[first + 1].level
    terms: list[Token] = []
    for line in range(startLine, last):
        terms.extend(_term(state, line, level))
    state.tokens[first + 1 : first + 1] = terms
    for opener, tok in zip(state.tokens[first:], state.tokens[first + 1 :], strict=False):
        if opener.type == "dt_open" and tok.type == "inline" and tok.map is not None:
            tok.map = [tok.map[0], tok.map[0] + 1]
    return True


def _last_term(state: StateBlock, startLine: int, endLine: int) -> int:
    """The last line of the paragraph that starts at ``startLine`` when it stands right
    above a definition (every line of it is then a term), else ``startLine``."""
    terminators = state.md.block.ruler.getRules("paragraph")
    line = startLine
    while line + 1 < endLine and not state.isEmpty(line + 1):
        following = line + 1
        if _is_definition(state, following) or any(
            rule(state, following, endLine, True) for rule in terminators
        ):
            break
        line = following
    return line


def _is_definition(state: StateBlock, line: int) -> bool:
    start = state.bMarks[line] + state.tShift[line]
    return state.src[start : start + 1] in (":", "~") and state.src[start + 1 : start + 2] in (
        " ",
        "\t",
    )


def _term(state: StateBlock, line: int, level: int) -> list[Token]:
    opener = Token("dt_open", "dt", 1, map=[line, line + 1], level=level, block=True)
    inline = Token("inline", "", 0, map=[line, line + 1], level=level + 1, block=True)
    inline.content = state.getLines(line, line + 1, state.blkIndent, False).strip()
    inline.children = []
    closer = Token("dt_close", "dt", -1, level=level, block=True)
    return [opener, inline, closer]
