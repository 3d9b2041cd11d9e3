"""Template tags in posts: Liquid (Jekyll: ``{% tag %}``, ``{{ output }}``), Hugo
shortcodes (``{{< name >}}``, ``{{% name %}}``) and Hexo's tag plugins (Liquid syntax).

Each tag is one ``template`` token, protected (its human-readable arguments are slots: see
:mod:`.template_arguments`). A block tag whose body is code or raw text, not Markdown
(``{% highlight %}``, Hexo's ``{% codeblock %}``, ``{% raw %}``, ``{% comment %}``,
``{{< highlight >}}``…), is one ``template_block`` token with its body: never text, a
Chinese comment in the code included. A link whose destination holds a tag
(``[相册]({{ site.baseurl }}/gallery/)``) is read as the link Jekyll publishes.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.helpers import parseLinkLabel
from markdown_it.rules_block import StateBlock
from markdown_it.rules_inline import StateInline

# {{< shortcode >}}, {{% shortcode %}}, {% liquid tag %}, {{ liquid output }}
TEMPLATE = re.compile(r"\{\{<.*?>\}\}|\{\{%.*?%\}\}|\{%.*?%\}|\{\{.*?\}\}", re.DOTALL)
# Liquid, Hexo and Hugo block tags whose body is code or raw text, not Markdown.
CODE_TAGS = (
    "highlight",
    "raw",
    "comment",
    "codeblock",
    "code",
    "include_code",
    "katex",
    "latex",
    "math",
    "mermaid",
    "plantuml",
)
_VERBATIM_OPEN = re.compile(
    r"\{%-?\s*(" + "|".join(CODE_TAGS) + r")\b.*?-?%\}"
    r"|\{\{[<%]\s*(" + "|".join(CODE_TAGS) + r")\b.*?[>%]\}\}"
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
    if state.src[start : start + 1] != "{":  # most lines: no slice, no regex
        return False
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
    # a link whose target holds a template tag: no "{" after the "[", no label to parse
    if state.src[start] != "[" or state.src.find("{", start, state.posMax) < 0:
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


def templates(md: MarkdownIt) -> None:
    md.inline.ruler.after("attributes", "template", _template_tag)
    md.inline.ruler.before("link", "template_link", _template_link)
    md.block.ruler.before(
        "fence", "template_block", _verbatim_block, {"alt": ["paragraph", "blockquote", "list"]}
    )
    md.add_render_rule("template", lambda self, tokens, idx, options, env: tokens[idx].content)
    md.add_render_rule(
        "template_block", lambda self, tokens, idx, options, env: tokens[idx].content
    )
