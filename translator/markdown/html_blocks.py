"""kramdown's HTML blocks and extensions, read as kramdown reads them:

- an HTML block element runs to its end tag (CommonMark: to the next blank line), so an
  indented line after ``</div>`` is kramdown's code block, not HTML;
- with ``markdown="1"`` (or ``"block"``) its content is Markdown;
- ``{::nomarkdown}…{:/nomarkdown}`` holds HTML (its text is text), ``{::comment}…
  {:/comment}`` nothing a reader sees, ``{::options …/}`` settings.

Each becomes ``html_block`` tokens (for :mod:`.html_units`) and hidden ``kramdown_extension``
tokens (never text).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.token import Token

from .html_text import INLINE

_OPEN_TAG = re.compile(r" {0,3}<([A-Za-z][A-Za-z0-9-]*)(?=[\s/>])")
_MARKDOWN = re.compile(r"""\smarkdown\s*=\s*["']?(?:1|block)["']?""")
_EXTENSION = re.compile(r" {0,3}\{::(\w+)\b[^}]*?(/)?\}")


def kramdown_html(md: MarkdownIt) -> None:
    for name, rule in (("kramdown_extension", _extension), ("kramdown_html", _html_block)):
        md.block.ruler.before("html_block", name, rule, {"alt": ["paragraph", "blockquote"]})
    md.add_render_rule("kramdown_extension", lambda self, tokens, idx, options, env: "")


def _line(state: StateBlock, line: int) -> str:
    return state.src[state.bMarks[line] : state.eMarks[line]]


def _extension(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
    if state.sCount[startLine] - state.blkIndent >= 4:
        return False
    m = _EXTENSION.match(_line(state, startLine))
    if m is None:
        return False
    name, closed = m.group(1), bool(m.group(2))
    close = re.compile(r"\{:/(?:" + name + r")?\}")  # {:/name} or {:/}
    last = startLine
    if not closed and not close.search(_line(state, startLine), m.end()):
        while last + 1 < endLine and not close.search(_line(state, last + 1)):
            last += 1
        if last + 1 >= endLine:
            return False
        last += 1
    if silent:
        return True
    if name == "nomarkdown" and last > startLine + 1:
        _hidden(state, startLine, startLine + 1)
        token = state.push("html_block", "", 0)
        token.map = [startLine + 1, last]
        token.content = state.getLines(startLine + 1, last, state.blkIndent, True)
        _hidden(state, last, last + 1)
    else:
        _hidden(state, startLine, last + 1)  # {::comment}, {::options}: nothing to read
    state.line = last + 1
    return True


def _hidden(state: StateBlock, start: int, end: int) -> None:
    _lines(state, "kramdown_extension", start, end).hidden = True


def _html_block(state: StateBlock, startLine: int, endLine: int, silent: bool) -> bool:
    if state.sCount[startLine] - state.blkIndent >= 4:
        return False
    first = _line(state, startLine)
    m = _OPEN_TAG.match(first)
    if m is None or m.group(1).lower() in INLINE:
        return False
    last = _end_line(state, startLine, endLine, m.group(1).lower())
    if last is None:
        return False  # no end tag: CommonMark's reading (to the next blank line)
    if silent:
        return True
    inner = _MARKDOWN.search(first) is not None and last > startLine + 1
    if inner and first.rstrip().endswith(">") and _line(state, last).strip().startswith("</"):
        _html(state, startLine, startLine + 1)
        state.md.block.tokenize(state, startLine + 1, last)
        _html(state, last, last + 1)
    else:
        _html(state, startLine, last + 1)
    state.line = last + 1
    return True


def _html(state: StateBlock, start: int, end: int) -> None:
    _lines(state, "html_block", start, end)


def _lines(state: StateBlock, kind: str, start: int, end: int) -> Token:
    """A token of type ``kind`` holding lines [start, end) as they are."""
    token = state.push(kind, "", 0)
    token.map = [start, end]
    token.content = state.getLines(start, end, state.blkIndent, True)
    return token


def _end_line(state: StateBlock, startLine: int, endLine: int, tag: str) -> int | None:
    """The line where the element opened on ``startLine`` is closed, if it is (its start
    tag may run over several lines)."""
    depth = _Depth(tag)
    for line in range(startLine, endLine):
        depth.feed(_line(state, line) + "\n")
        if depth.opened and depth.depth <= 0:
            return line
    return None


class _Depth(HTMLParser):
    """How deep inside elements named ``tag`` the HTML fed so far is."""

    def __init__(self, tag: str) -> None:
        super().__init__(convert_charrefs=False)
        self.tag, self.depth, self.opened = tag, 0, False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == self.tag:
            self.depth += 1
            self.opened = True

    def handle_endtag(self, tag: str) -> None:
        if tag == self.tag:
            self.depth -= 1
