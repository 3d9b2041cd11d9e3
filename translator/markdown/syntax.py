"""The markdown-it parser of each dialect: CommonMark + GFM tables and strikethrough +
footnotes + ``$`` math + the template syntax of Jekyll, Hugo and Hexo posts
(:mod:`.templates`) + attribute lists (:mod:`.attributes`) + bare URLs (:mod:`.autolinks`),
and what the dialect's generator reads beyond that: definition lists, kramdown's own
reading and HTML blocks, emoji.

The template, attribute and URL rules only make those spans atomic tokens so that they are
protected; they do not change what any other construct means.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.rules_block import StateBlock
from markdown_it.rules_block.reference import reference as _reference
from markdown_it.token import Token
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
from .templates import templates


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
    """The dialect's parser: text_join is off so escapes and entities stay separate tokens.
    Link targets are left as written (segmenting reads where a link is, never its URL:
    percent-encoding and punycoding every URL took a tenth of a large post's parse)."""
    md = _base(dialect)
    md.disable("text_join")
    md.normalizeLink = _as_written  # type: ignore[method-assign]
    return md


def _as_written(url: str) -> str:
    return url


def parse(body: str, dialect: Dialect = GFM) -> list[Token]:
    """``body``'s tokens, as the dialect's parser reads it (see :func:`collector_paused`)."""
    with collector_paused():
        return parser(dialect).parse(body, {})


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while a post's token tree is built and read. The
    tree holds no reference cycle, but every full collection walks each of its objects:
    on a 5 MB post (350,000 tokens) that was a fifth of segmenting it, and found nothing.
    What a paused stretch leaves behind is collected once the collector runs again."""
    running = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if running:
            # what survives (the post's units) goes straight to the oldest generation,
            # which only a full collection walks, instead of through the young ones
            gc.freeze()
            gc.unfreeze()
            gc.enable()


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
    md.add_render_rule("ial", lambda self, tokens, idx, options, env: tokens[idx].content)
    templates(md)
    return md
