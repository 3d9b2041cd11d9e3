"""The Markdown dialect we read: CommonMark + GFM tables and strikethrough + footnotes +
``$`` math, plus the template syntax of Jekyll and Hugo posts (Liquid ``{% %}``/``{{ }}``,
shortcodes ``{{< >}}``/``{{% %}}``) and kramdown attribute lists ``{: …}``.

The extra rules only make those spans atomic tokens so that they are protected; they do not
change what any other construct means.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin

# {{< shortcode >}}, {{% shortcode %}}, {% liquid tag %}, {{ liquid output }}
_TEMPLATE = re.compile(r"\{\{<.*?>\}\}|\{\{%.*?%\}\}|\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
# kramdown inline attribute list / extension: {: .class}, {:toc}, {::options ...}
_IAL = re.compile(r"\{:[^}\n]*\}")
# Liquid and Hugo blocks whose content is code, not Markdown.
_VERBATIM_OPEN = re.compile(
    r"\{%-?\s*(highlight|raw|comment)\b.*?-?%\}|\{\{[<%]\s*(highlight)\b.*?[>%]\}\}"
)


def _template_tag(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "{":
        return False
    m = _IAL.match(state.src, state.pos) or _TEMPLATE.match(state.src, state.pos)
    if m is None or m.end() > state.posMax:
        return False
    if not silent:
        token = state.push("ial" if m.group(0).startswith("{:") else "template", "", 0)
        token.content = m.group(0)
    state.pos = m.end()
    return True


def _verbatim_block(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
    if state.sCount[startLine] - state.blkIndent >= 4:
        return False
    start = state.bMarks[startLine] + state.tShift[startLine]
    line = state.src[start : state.eMarks[startLine]]
    m = _VERBATIM_OPEN.match(line)
    if m is None:
        return False
    name = m.group(1) or m.group(2)
    if m.group(1):
        close = re.compile(r"\{%-?\s*end" + name + r"\s*-?%\}")
    else:
        close = re.compile(r"\{\{[<%]\s*/\s*" + name + r"\s*[>%]\}\}")
    next_line = startLine
    found = close.search(line, m.end()) is not None
    while not found:
        next_line += 1
        if next_line >= endLine:
            return False
        text = state.src[state.bMarks[next_line] : state.eMarks[next_line]]
        found = close.search(text) is not None
    if silent:
        return True
    token = state.push("template_block", "", 0)
    token.map = [startLine, next_line + 1]
    token.content = state.getLines(startLine, next_line + 1, state.blkIndent, True)
    state.line = next_line + 1
    return True


@lru_cache(maxsize=1)
def parser() -> MarkdownIt:
    """The shared parser: text_join is off so escapes and entities stay separate tokens."""
    md = _base()
    md.disable("text_join")
    return md


@lru_cache(maxsize=1)
def renderer() -> MarkdownIt:
    """The same dialect with the default core rules, for rendering HTML."""
    return _base()


def _base() -> MarkdownIt:
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    md.use(footnote_plugin, inline=False)
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False)
    md.inline.ruler.after("text", "template", _template_tag)
    md.block.ruler.before(
        "fence", "template_block", _verbatim_block, {"alt": ["paragraph", "blockquote", "list"]}
    )
    md.add_render_rule("template", lambda self, tokens, idx, options, env: tokens[idx].content)
    md.add_render_rule("ial", lambda self, tokens, idx, options, env: tokens[idx].content)
    md.add_render_rule(
        "template_block", lambda self, tokens, idx, options, env: tokens[idx].content
    )
    return md
