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
from markdown_it.helpers import parseLinkLabel
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block.reference import reference as _reference
from markdown_it.rules_inline import StateInline
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.footnote import footnote_plugin

from .abbreviations import abbreviations
from .attributes import attribute_list
from .autolinks import gfm_links, goldmark_links
from .deflists import definition_lists
from .dialects import GFM, Dialect
from .emoji import emoji_shortcodes
from .html_blocks import kramdown_html
from .kramdown import kramdown_rules

# {{< shortcode >}}, {{% shortcode %}}, {% liquid tag %}, {{ liquid output }}
TEMPLATE = re.compile(r"\{\{<.*?>\}\}|\{\{%.*?%\}\}|\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
# Liquid and Hugo blocks whose content is code, not Markdown.
_VERBATIM_OPEN = re.compile(
    r"\{%-?\s*(highlight|raw|comment)\b.*?-?%\}|\{\{[<%]\s*(highlight)\b.*?[>%]\}\}"
)


def _template_tag(state: StateInline, silent: bool) -> bool:
    if state.src[state.pos] != "{":
        return False
    m = TEMPLATE.match(state.src, state.pos)
    if m is None or m.end() > state.posMax:
        return False
    if not silent:
        token = state.push("template", "", 0)
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


# ](dest) where dest holds a Liquid/Hugo tag: {{ site.baseurl }} has spaces, so CommonMark
# sees no link, but Jekyll fills the tag in before Markdown runs and publishes one.
_TEMPLATE_DEST = re.compile(
    r"\]\((?=[^)\n]*\{[{%])(?:\{\{.*?\}\}|\{%.*?%\}|[^()\s{]|\([^()\s]*\))+\)"
)


def _template_link(state: StateInline, silent: bool) -> bool:
    start = state.pos
    if state.src[start] != "[":
        return False
    label_end = parseLinkLabel(state, start, True)
    if label_end < 0:
        return False
    m = _TEMPLATE_DEST.match(state.src, label_end, state.posMax)
    if m is None:
        return False
    if not silent:
        old_max = state.posMax
        state.pos, state.posMax = start + 1, label_end
        token = state.push("link_open", "a", 1)
        token.attrs = {"href": state.src[label_end + 2 : m.end() - 1]}
        token.markup = "template"
        state.linkLevel += 1
        state.md.inline.tokenize(state)
        state.linkLevel -= 1
        token = state.push("link_close", "a", -1)
        token.markup = "template"
        state.posMax = old_max
    state.pos = m.end()
    return True


def _marked_reference(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
    """markdown-it's reference rule, leaving a hidden token where a definition was (its
    title is text a reader sees)."""
    if not _reference(state, startLine, endLine, silent):
        return False
    if not silent:
        token = state.push("reference", "", 0)
        token.map = [startLine, state.line]
        token.hidden = True
    return True


@lru_cache(maxsize=16)
def parser(dialect: Dialect = GFM) -> MarkdownIt:
    """The dialect's parser: text_join is off so escapes and entities stay separate tokens."""
    md = _base(dialect)
    md.disable("text_join")
    return md


@lru_cache(maxsize=16)
def renderer(dialect: Dialect = GFM) -> MarkdownIt:
    """The same dialect with the default core rules, for rendering HTML."""
    return _base(dialect)


def _base(dialect: Dialect) -> MarkdownIt:
    md = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    md.use(footnote_plugin, inline=False)
    md.use(dollarmath_plugin, allow_space=False, allow_digits=False)
    if dialect.kramdown or dialect.goldmark:
        definition_lists(md)
    if dialect.kramdown:
        abbreviations(md)
        kramdown_rules(md)
        kramdown_html(md)
    if dialect.emoji:
        emoji_shortcodes(md)
    if dialect.linkify and not (dialect.goldmark or dialect.kramdown):
        gfm_links(md)
    goldmark_links(md, link=dialect.linkify and (dialect.goldmark or dialect.kramdown))
    md.block.ruler.at("reference", _marked_reference)
    md.add_render_rule("reference", lambda self, tokens, idx, options, env: "")
    md.inline.ruler.after("text", "attributes", attribute_list)
    md.inline.ruler.after("attributes", "template", _template_tag)
    md.inline.ruler.before("link", "template_link", _template_link)
    md.block.ruler.before(
        "fence", "template_block", _verbatim_block, {"alt": ["paragraph", "blockquote", "list"]}
    )
    md.add_render_rule("template", lambda self, tokens, idx, options, env: tokens[idx].content)
    md.add_render_rule("ial", lambda self, tokens, idx, options, env: tokens[idx].content)
    md.add_render_rule(
        "template_block", lambda self, tokens, idx, options, env: tokens[idx].content
    )
    return md
